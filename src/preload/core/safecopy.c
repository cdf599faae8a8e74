/* core/safecopy.c: fault-tolerant reads through process_vm_readv(2) on
 * ourselves: the kernel reports EFAULT instead of raising SIGSEGV.
 *
 * Where process_vm_readv is refused (ENOSYS, or EPERM from a seccomp
 * filter or a Yama/ptrace policy), the bytes go through a private pipe
 * instead: write(2) from the caller's memory fails with EFAULT just the
 * same.  The pipe is made on first need only, kept high and out of the
 * program's way (core/ownfd.h), remade in a child (a pipe shared with another
 * process would mix the bytes of both), and used by one thread at a time;
 * a second one, or a signal handler that interrupted the first, gets
 * -EAGAIN, "not known", on which policies fail closed. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/ownfd.h"
#include "core/real.h"
#include "core/safecopy.h"

#define PIECE 4096		/* below PIPE_BUF: one write, one read */

static _Atomic int vm_refused;
static struct {
	_Atomic int busy;
	int fd[2];
	pid_t pid;		/* process that made the pipe */
} sp = { .fd = { -1, -1 } };

/* core/ownfd.c: the program wants one of our numbers */
static int move_end(int fd, int minfd)
{
	int i = sp.fd[0] == fd ? 0 : sp.fd[1] == fd ? 1 : -1;
	int nfd = i < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, minfd);

	if (nfd >= 0)
		sp.fd[i] = nfd;
	return nfd;
}

static void drop_pipe(void)
{
	for (int i = 0; i < 2; i++) {
		if (sp.fd[i] >= 0)	/* in a fork child: its own copy, closed there only */
			ipcg_sys_close(sp.fd[i]);
		sp.fd[i] = -1;
	}
	ipcg_ownfd_set(IPCG_OWNFD_SAFE_R, -1, NULL);
	ipcg_ownfd_set(IPCG_OWNFD_SAFE_W, -1, NULL);
}

static bool make_pipe(void)
{
	int p[2], base = ipcg_ownfd_high_base();

	if (sp.fd[0] >= 0 && sp.pid == getpid())
		return true;
	drop_pipe();	/* a fork child's copy is the parent's pipe: not ours to use */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return false;
	for (int i = 0; i < 2; i++) {
		int hi = fcntl(p[i], F_DUPFD_CLOEXEC, base);
		if (hi >= 0) {
			ipcg_sys_close(p[i]);
			p[i] = hi;
		}
	}
	sp.fd[0] = p[0];
	sp.fd[1] = p[1];
	sp.pid = getpid();
	ipcg_ownfd_set(IPCG_OWNFD_SAFE_R, p[0], move_end);
	ipcg_ownfd_set(IPCG_OWNFD_SAFE_W, p[1], move_end);
	return true;
}

/* 0, -EFAULT (unreadable), or -EAGAIN (pipe trouble: not known) */
static int read_piece(char *dst, const char *src, size_t n)
{
	ssize_t w, r;

	do
		w = write(sp.fd[1], src, n);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return errno == EFAULT ? -EFAULT : -EAGAIN;
	if (w != (ssize_t)n) {	/* cannot happen below PIPE_BUF; drain anyway */
		while (read(sp.fd[0], dst, n) > 0)
			;
		return -EAGAIN;
	}
	do
		r = read(sp.fd[0], dst, n);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -EAGAIN;
}

static int read_by_pipe(void *dst, const void *src, size_t n)
{
	int ret = -EAGAIN;

	if (atomic_exchange_explicit(&sp.busy, 1, memory_order_acquire))
		return -EAGAIN;
	if (make_pipe()) {
		ret = 0;
		for (size_t off = 0; ret == 0 && off < n; off += PIECE)
			ret = read_piece((char *)dst + off, (const char *)src + off,
					 n - off < PIECE ? n - off : PIECE);
	}
	atomic_store_explicit(&sp.busy, 0, memory_order_release);
	return ret;
}

int ipcg_safe_copy(void *dst, const void *src, size_t n)
{
	struct iovec local = { dst, n };
	struct iovec remote = { (void *)src, n };
	int saved = errno, ret;

	if (!n)
		return 0;
	if (!atomic_load_explicit(&vm_refused, memory_order_relaxed)) {
		long r = syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0);
		if (r == (long)n)
			ret = 0;
		else if (r >= 0 || errno == EFAULT)
			ret = -EFAULT;		/* partly or not mapped */
		else if (errno == ENOSYS || errno == EPERM) {
			atomic_store(&vm_refused, 1);
			ret = read_by_pipe(dst, src, n);
		} else
			ret = -EAGAIN;		/* ENOMEM, ESRCH in a strange child... */
		errno = saved;
		return ret;
	}
	ret = read_by_pipe(dst, src, n);
	errno = saved;
	return ret;
}

bool ipcg_safe_read(void *dst, const void *src, size_t n)
{
	return ipcg_safe_copy(dst, src, n) == 0;
}
