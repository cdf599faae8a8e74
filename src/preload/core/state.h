/* core/state.h: what the detectors and policies know about this process's
 * segments, attaches and sockets, and its fork/exit hooks.  The fd filter
 * is here because close() must decide in a few instructions whether a
 * descriptor is a tracked AF_UNIX socket. */
#ifndef IPCG_STATE_H
#define IPCG_STATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define IPCG_FD_MAX 65536	/* sockets on higher fds are not tracked */

extern _Atomic uint8_t ipcg_unix_fd[IPCG_FD_MAX];	/* 1 = tracked AF_UNIX socket */

static inline bool ipcg_fd_tracked(int fd)
{
	return (unsigned)fd < IPCG_FD_MAX &&
	       atomic_load_explicit(&ipcg_unix_fd[fd], memory_order_relaxed);
}

static inline void ipcg_fd_track(int fd, bool on)
{
	if ((unsigned)fd < IPCG_FD_MAX)
		atomic_store_explicit(&ipcg_unix_fd[fd], on, memory_order_relaxed);
}

/* Forget [first, last] after close_range/closefrom, or newfd after dup2. */
static inline void ipcg_fd_untrack_range(unsigned first, unsigned last)
{
	if (last >= IPCG_FD_MAX)
		last = IPCG_FD_MAX - 1;
	for (unsigned fd = first; fd <= last; fd++)
		if (atomic_load_explicit(&ipcg_unix_fd[fd], memory_order_relaxed))
			atomic_store_explicit(&ipcg_unix_fd[fd], 0, memory_order_relaxed);
}

void ipcg_state_atfork_prepare(void);
void ipcg_state_atfork_parent(void);
void ipcg_state_atfork_child(void);

#endif
