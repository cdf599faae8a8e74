/* core/ownfd.h: the descriptors ipcguard keeps inside the program (the trace
 * file and libunwind's memory-validation pipe), kept out of its way.
 *
 * Daemons close every descriptor above 2 at start (a close() loop,
 * close_range, closefrom) and dup2 onto fixed numbers.  Without ipcguard
 * those numbers are free, so the program must see exactly that: a close()
 * of one of ours fails with EBADF and leaves it open, close_range and
 * closefrom close everything around ours, and a dup2/dup3 onto one of our
 * numbers first moves ours elsewhere and then gives the number to the
 * program.  The owner is told the new number, so libunwind never reads or
 * writes a descriptor the program has reused.
 *
 * Not covered: the same done with raw system calls (syscall(SYS_dup2...)).
 * The trace writer still checks its descriptor's identity before each use
 * (trace/trace.c), libunwind's pipe is not checked. */
#ifndef IPCG_OWNFD_H
#define IPCG_OWNFD_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "ipcg/compiler.h"

enum ipcg_ownfd_slot {
	IPCG_OWNFD_TRACE,	/* trace/trace.c: the trace file */
	IPCG_OWNFD_UNW_R,	/* stack/unwind.c: libunwind's pipe, read end */
	IPCG_OWNFD_UNW_W,	/* and write end */
	IPCG_OWNFD_SAFE_R,	/* core/safecopy.c: fallback pipe, read end */
	IPCG_OWNFD_SAFE_W,	/* and write end */
	IPCG_OWNFD_N
};

/* Where our descriptors go: 1000, or 3/4 of RLIMIT_NOFILE when that is
 * lower (F_DUPFD above the limit fails with EINVAL). */
int ipcg_ownfd_high_base(void);
/* The same from a RLIMIT_NOFILE the caller read (NULL: unknown). */
struct rlimit;
int ipcg_ownfd_base_for(const struct rlimit *nofile);

/* The lowest descriptor registered, INT_MAX when none: close() looks
 * further only for numbers from here up. */
extern _Atomic int ipcg_ownfd_lo;

/* The owner's hook when the program wants the number: move the descriptor
 * (F_DUPFD_CLOEXEC at or above minfd), start using the new number, and
 * return it (or -1, then the program's call overwrites ours). */
typedef int (*ipcg_ownfd_move_fn)(int fd, int minfd);

/* Register fd in slot (its identity is taken now), or forget the slot
 * when fd < 0.  Called with the guard held. */
void ipcg_ownfd_set(enum ipcg_ownfd_slot slot, int fd, ipcg_ownfd_move_fn move);
/* The same with its identity from an fstat the caller made (st: of fd). */
struct stat;
void ipcg_ownfd_set_stat(enum ipcg_ownfd_slot slot, int fd, const struct stat *st,
			 ipcg_ownfd_move_fn move);

static inline bool ipcg_ownfd_maybe(int fd)
{
	return unlikely(fd >= atomic_load_explicit(&ipcg_ownfd_lo, memory_order_relaxed));
}

/* close(fd) for fd >= ipcg_ownfd_lo: true when fd is ours and still our
 * file; the caller then fails the close with EBADF and closes nothing. */
bool ipcg_ownfd_refuse_close(int fd);

/* The hooks' logic (hooks/fd.c). */
int ipcg_close_range(unsigned first, unsigned last, int flags);
void ipcg_closefrom(int lowfd);
int ipcg_dup2(int oldfd, int newfd);
int ipcg_dup3(int oldfd, int newfd, int flags);

#endif
