/* settings: the rules for the values of IPCGUARD_STACK, IPCGUARD_TRACE and
 * IPCGUARD_OUTPUT=fd:N, shared by the library (src/preload/core/config.c,
 * which applies them at start) and `ipcguard run` (which checks its
 * --stack, --trace and -o fd:N the same way before starting the program),
 * so that both accept exactly the same text.  Messages stay with the
 * callers (each names its own option).  No allocation, no I/O. */
#ifndef IPCG_SETTINGS_H
#define IPCG_SETTINGS_H

#include <stdbool.h>

#define IPCG_SET_STACK_MAX 256		/* deepest IPCGUARD_STACK (frames per backtrace) */
#define IPCG_SET_FD_MAX (1 << 20)	/* highest descriptor of fd:N (far above RLIMIT_NOFILE) */

/* IPCGUARD_TRACE families (the bits of enum ipcg_family) */
enum ipcg_set_family { IPCG_SET_FAM_SHM = 1 << 0, IPCG_SET_FAM_UNIX = 1 << 1 };

/* Strict decimal: digits only (no sign, no space), at most max. */
bool ipcg_set_uint(const char *s, long max, long *ret);
/* IPCGUARD_STACK: 0 (off) to IPCG_SET_STACK_MAX frames. */
bool ipcg_set_stack(const char *s, int *ret);
/* IPCGUARD_TRACE: shm, unix, shm,unix, unix,shm or none, as family bits. */
bool ipcg_set_families(const char *s, unsigned *ret);
/* The N of IPCGUARD_OUTPUT=fd:N: 0 to IPCG_SET_FD_MAX. */
bool ipcg_set_out_fd(const char *s, int *ret);

#endif
