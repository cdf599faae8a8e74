/* unwind.h: raw return addresses from libunwind, loaded privately. */
#ifndef IPCG_UNWIND_H
#define IPCG_UNWIND_H

#include <stdint.h>

/* Load libunwind (RTLD_LOCAL, so its _Unwind_* never replace libgcc's for
 * C++ exceptions) and warm it up: its first backtrace maps memory and opens
 * descriptors, which must happen now and not mid-run.  0 or -1. */
int ipcg_unwind_init(void);
/* ipcguard's own frames above the caller's, at most */
#define IPCG_UNWIND_SKIP 8
/* Fill ips (cap entries) with the caller's frames, innermost first,
 * ipcguard's and libunwind's own frames removed: at most
 * cap - IPCG_UNWIND_SKIP of them are the caller's.  Returns the count. */
int ipcg_unwind_capture(uintptr_t *ips, int cap);
/* After dlclose: forget cached unwind info for unmapped code. */
void ipcg_unwind_flush(void);

#endif
