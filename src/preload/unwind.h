/* unwind.h: raw return addresses from libunwind, loaded privately. */
#ifndef IPCG_UNWIND_H
#define IPCG_UNWIND_H

#include <stdatomic.h>
#include <stdint.h>

#include "ipcg/compiler.h"

/* Load libunwind (RTLD_LOCAL, so its _Unwind_* never replace libgcc's for
 * C++ exceptions) and warm it up: its first backtrace maps memory and opens
 * descriptors, which must happen now and not mid-run.  0 or -1. */
int ipcg_unwind_init(void);
/* ipcguard's own frames above the caller's, at most */
#define IPCG_UNWIND_SKIP 8
extern int (*ipcg_unw_backtrace)(void **, int);	/* NULL: no libunwind */
/* Drop ipcguard's and libunwind's own frames and a null tail from the n
 * addresses unw_backtrace left in ips; returns how many remain. */
int ipcg_unwind_trim(uintptr_t *ips, int n);
/* Most frames of ipcguard's own (and libunwind's) seen above a caller's
 * so far; 0 before the first capture. */
extern _Atomic int ipcg_unwind_own;
/* fork: libunwind takes its own mutexes while it walks; a child forked
 * while another thread holds one would block on it for ever.  Walks are
 * counted, and the fork waits until none is in progress (new ones are
 * skipped meanwhile: those calls get no stack). */
extern _Atomic int ipcg_unwind_busy;	/* walks in progress */
extern _Atomic int ipcg_unwind_forking;	/* a fork is being prepared */
extern IPCG_TLS int ipcg_tls_unwinding;	/* this thread is walking */
void ipcg_unwind_atfork_prepare(void);
void ipcg_unwind_atfork_parent(void);
void ipcg_unwind_atfork_child(void);

static inline int ipcg_unw(uintptr_t *ips, int cap)
{
	int n = 0;

	atomic_fetch_add(&ipcg_unwind_busy, 1);
	if (likely(!atomic_load(&ipcg_unwind_forking))) {
		ipcg_tls_unwinding = 1;
		n = ipcg_unw_backtrace((void **)ips, cap);
		ipcg_tls_unwinding = 0;
	}
	atomic_fetch_sub_explicit(&ipcg_unwind_busy, 1, memory_order_release);
	return n;
}

/* Fill ips (room for depth + IPCG_UNWIND_SKIP) with at most depth of the
 * caller's frames, innermost first.  libunwind is asked for depth plus
 * the own frames seen so far rather than plus IPCG_UNWIND_SKIP, so that a
 * deep stack costs no frames walked in vain; when a path has more own
 * frames than seen before and the walk was cut short, it is walked again. */
static inline int ipcg_unwind_stack(uintptr_t *ips, int depth)
{
	int own = atomic_load_explicit(&ipcg_unwind_own, memory_order_relaxed);
	int cap = depth + (own && own < IPCG_UNWIND_SKIP ? own : IPCG_UNWIND_SKIP);

	if (!ipcg_unw_backtrace || depth <= 0)
		return 0;
	int raw = ipcg_unw(ips, cap);
	int n = ipcg_unwind_trim(ips, raw);
	if (raw == cap && n < depth && cap < depth + IPCG_UNWIND_SKIP &&
	    atomic_load_explicit(&ipcg_unwind_own, memory_order_relaxed) > own)
		n = ipcg_unwind_trim(ips, ipcg_unw(ips, depth + IPCG_UNWIND_SKIP));
	return n < depth ? n : depth;
}
/* Fill ips (cap entries) with the caller's frames, innermost first,
 * ipcguard's and libunwind's own frames removed: at most
 * cap - IPCG_UNWIND_SKIP of them are the caller's.  Returns the count.
 * Inline, so that the walk does not start in a frame of ours more. */
static inline int ipcg_unwind_capture(uintptr_t *ips, int cap)
{
	if (!ipcg_unw_backtrace || cap <= 0)
		return 0;
	return ipcg_unwind_trim(ips, ipcg_unw(ips, cap));
}
/* After dlclose: forget cached unwind info for unmapped code. */
void ipcg_unwind_flush(void);

#endif
