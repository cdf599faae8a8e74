/* core/guard.h: per-thread re-entrancy depth.  While a thread is inside
 * ipcguard's own bookkeeping, any intercepted call it makes (from libunwind,
 * from our own I/O, or from a signal handler that interrupted us) goes
 * straight to libc.  Locks are only ever taken with the guard held, so a
 * signal handler can never deadlock on a lock its own thread holds. */
#ifndef IPCG_GUARD_H
#define IPCG_GUARD_H

#include <stdbool.h>

#include "ipcg/compiler.h"

extern IPCG_TLS int ipcg_tls_depth;
extern IPCG_TLS int ipcg_tls_tid;	/* cached gettid(), 0 = unknown */

static inline bool ipcg_guard_busy(void) { return ipcg_tls_depth != 0; }
static inline void ipcg_guard_enter(void) { ipcg_tls_depth++; __atomic_signal_fence(__ATOMIC_SEQ_CST); }
static inline void ipcg_guard_leave(void) { __atomic_signal_fence(__ATOMIC_SEQ_CST); ipcg_tls_depth--; }

int ipcg_gettid(void);

#endif
