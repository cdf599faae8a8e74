/* core/sigquiet.h: make one synchronous signal that our own syscall may raise
 * (SIGPIPE from a widowed pipe, SIGXFSZ past RLIMIT_FSIZE) invisible to
 * the program.  Blocked in this thread around the call, the signal stays
 * pending and is then taken back; one the program already had pending is
 * left alone.  Async-signal-safe. */
#ifndef IPCG_SIGQUIET_H
#define IPCG_SIGQUIET_H

#include <signal.h>
#include <stdbool.h>

struct ipcg_sigquiet {
	sigset_t set, old;
	bool blocked, was_pending;
};

/* false when the signal could not be blocked: do not make the call */
bool ipcg_sigquiet_begin(struct ipcg_sigquiet *q, int sig);
/* raised: the call failed in the way that raises the signal */
void ipcg_sigquiet_end(struct ipcg_sigquiet *q, bool raised);

#endif
