/* stack/unwind.h: raw return addresses from libunwind, loaded privately. */
#ifndef IPCG_UNWIND_H
#define IPCG_UNWIND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipcg/compiler.h"

/* libunwind is loaded (RTLD_LOCAL, so its _Unwind_* never replace
 * libgcc's for C++ exceptions) when the first stack is wanted, and warmed
 * up then: its first cursor maps memory and makes a pipe, which is moved
 * above the program's descriptors (core/ownfd.h). */
enum { IPCG_UNW_NONE, IPCG_UNW_LOADING, IPCG_UNW_READY, IPCG_UNW_FAILED };
extern _Atomic int ipcg_unwind_state;
bool ipcg_unwind_load_slow(void);	/* true once loaded */
static inline bool ipcg_unwind_ready(void)
{
	return likely(atomic_load_explicit(&ipcg_unwind_state, memory_order_acquire) ==
		      IPCG_UNW_READY) || ipcg_unwind_load_slow();
}
/* ipcguard's own frames above the caller's, at most */
#define IPCG_UNWIND_SKIP 8
extern int (*ipcg_unw_backtrace)(void **, int);	/* NULL: not loaded */
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

/* Around every walk: false (no walk) while a fork is being prepared */
static inline bool ipcg_unw_enter(void)
{
	atomic_fetch_add(&ipcg_unwind_busy, 1);
	if (likely(!atomic_load(&ipcg_unwind_forking))) {
		ipcg_tls_unwinding = 1;
		return true;
	}
	atomic_fetch_sub_explicit(&ipcg_unwind_busy, 1, memory_order_release);
	return false;
}

static inline void ipcg_unw_leave(void)
{
	ipcg_tls_unwinding = 0;
	atomic_fetch_sub_explicit(&ipcg_unwind_busy, 1, memory_order_release);
}

static inline int ipcg_unw(uintptr_t *ips, int cap)
{
	int n = 0;

	if (ipcg_unw_enter()) {
		n = ipcg_unw_backtrace((void **)ips, cap);
		ipcg_unw_leave();
	}
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

	if (depth <= 0 || !ipcg_unwind_ready())
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
	if (cap <= 0 || !ipcg_unwind_ready())
		return 0;
	return ipcg_unwind_trim(ips, ipcg_unw(ips, cap));
}
struct ipcg_walk_info {
	uintptr_t top;		/* SP of the outermost frame, 0 when not reached */
	bool clean;		/* no signal frame or stack switch; each frame's
				 * return address just below its SP */
};
/* The caller's frames through libunwind's cursor: up to depth of them in
 * ips, innermost first, ipcguard's and libunwind's own frames dropped (as
 * ipcg_unwind_trim), each with its SP in sps.  With need_top the walk goes
 * on to the outermost frame (without recording) to find its SP.  Returns
 * the count. */
int ipcg_unwind_walk(uintptr_t *ips, uintptr_t *sps, int depth, bool need_top,
		     struct ipcg_walk_info *info);
/* After dlclose: forget cached unwind info for unmapped code. */
void ipcg_unwind_flush(void);

#endif
