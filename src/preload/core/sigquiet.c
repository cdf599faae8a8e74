/* core/sigquiet.c: see core/sigquiet.h.  The signals concerned are directed at the
 * calling thread, so blocking them in this thread is enough. */
#include <errno.h>
#include <time.h>

#include "core/sigquiet.h"

bool ipcg_sigquiet_begin(struct ipcg_sigquiet *q, int sig)
{
	sigset_t pending;

	sigemptyset(&q->set);
	sigaddset(&q->set, sig);
	q->blocked = pthread_sigmask(SIG_BLOCK, &q->set, &q->old) == 0;
	q->was_pending = q->blocked && sigpending(&pending) == 0 &&
			 sigismember(&pending, sig) == 1;
	return q->blocked;
}

void ipcg_sigquiet_end(struct ipcg_sigquiet *q, bool raised)
{
	const struct timespec zero = { 0, 0 };
	int saved = errno;

	if (!q->blocked)
		return;
	if (raised && !q->was_pending)
		while (sigtimedwait(&q->set, NULL, &zero) < 0 && errno == EINTR)
			;
	(void)pthread_sigmask(SIG_SETMASK, &q->old, NULL);
	errno = saved;
}
