/* trace/fdwrite.c: see trace/fdwrite.h.
 *
 * The descriptor's file status flags are shared with the program (one open
 * file description), so O_NONBLOCK is never set on it.  Instead: sockets
 * get send(MSG_DONTWAIT | MSG_NOSIGNAL); pipes, FIFOs and terminals are
 * polled before each piece of at most PIPE_BUF bytes (Linux then has room
 * for the whole piece), with SIGPIPE blocked in this thread around the
 * write and the SIGPIPE we caused taken back.  Regular files never block
 * for long; past RLIMIT_FSIZE their SIGXFSZ is taken back too. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/fdwrite.h"
#include "core/sigquiet.h"

static int wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int n;

	do
		n = poll(&p, 1, IPCG_FDWRITE_WAIT_MS);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EAGAIN;
	if (p.revents & POLLNVAL)
		return -EBADF;
	if ((p.revents & POLLERR) && !(p.revents & POLLOUT))
		return -EPIPE;
	return 0;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int ret = wait_writable(fd);
			if (ret < 0)
				return ret;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_polled(int fd, const char *buf, size_t len)
{
	while (len) {
		size_t piece = len < PIPE_BUF ? len : PIPE_BUF;
		int ret = wait_writable(fd);
		if (ret < 0)
			return ret;
		ssize_t n = write(fd, buf, piece);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_plain(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A widowed pipe raises SIGPIPE, a file past RLIMIT_FSIZE SIGXFSZ: the
 * signal sig that the error raised_err comes with is taken back
 * (core/sigquiet.h). */
static int write_quiet(int fd, const char *buf, size_t len, int sig, int raised_err,
		       int (*write_fn)(int, const char *, size_t))
{
	struct ipcg_sigquiet q;

	if (!ipcg_sigquiet_begin(&q, sig))
		return -EINVAL;
	int ret = write_fn(fd, buf, len);
	ipcg_sigquiet_end(&q, ret == raised_err);
	return ret;
}

int ipcg_fdwrite_same(int fd, const struct ipcg_fdid *id, const char *buf, size_t len)
{
	int saved = errno, ret;
	struct stat st;

	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (id && (!id->valid || st.st_dev != id->dev || st.st_ino != id->ino))
		ret = -ESTALE;
	else if (S_ISSOCK(st.st_mode))
		ret = send_all(fd, buf, len);
	else if (S_ISFIFO(st.st_mode))
		ret = write_quiet(fd, buf, len, SIGPIPE, -EPIPE, write_polled);
	else if (S_ISCHR(st.st_mode))
		ret = write_polled(fd, buf, len);	/* a terminal on ^S */
	else if (S_ISREG(st.st_mode))
		ret = write_quiet(fd, buf, len, SIGXFSZ, -EFBIG, write_plain);
	else
		ret = write_plain(fd, buf, len);
	errno = saved;
	return ret;
}

int ipcg_fdwrite(int fd, const char *buf, size_t len)
{
	return ipcg_fdwrite_same(fd, NULL, buf, len);
}

int ipcg_fd_identify(int fd, struct ipcg_fdid *id)
{
	struct stat st;

	id->valid = false;
	if (fstat(fd, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->valid = true;
	return 0;
}

bool ipcg_fd_same(int fd, const struct ipcg_fdid *id)
{
	struct stat st;
	int saved = errno;
	bool same = id->valid && fstat(fd, &st) == 0 && st.st_dev == id->dev && st.st_ino == id->ino;

	errno = saved;
	return same;
}

void ipcg_say(const char *msg)
{
	char line[1024];
	size_t n = strlen(msg);

	if (n > sizeof(line) - 12)
		n = sizeof(line) - 12;
	memcpy(line, "ipcguard: ", 10);
	memcpy(line + 10, msg, n);
	line[10 + n] = '\n';
	(void)ipcg_fdwrite(2, line, n + 11);
}
