/* unix/probe.c: what is behind a socket path or abstract name, asked only
 * on rare paths (a failed bind or connect, exit).  A path is probed with a
 * connect(2) of a private SOCK_DGRAM socket: the kernel looks the file up
 * exactly as for the program's own connect and answers ECONNREFUSED when
 * no socket is bound to it, EPROTOTYPE when a socket of another type is,
 * 0 when a datagram socket is.  No listener ever sees a connection. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipcg/compiler.h"
#include "check/probe.h"
#include "core/real.h"
#include "core/spin.h"
#include "unix/state.h"

static enum ipcg_probe probe(const struct sockaddr_un *sa, socklen_t len)
{
	enum ipcg_probe r = IPCG_PROBE_UNKNOWN;
	int fd = REAL(socket)(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return r;
	if (REAL(connect)(fd, (const struct sockaddr *)sa, len) == 0)
		r = IPCG_PROBE_LIVE;
	else if (errno == ECONNREFUSED)
		r = IPCG_PROBE_STALE;
	else if (errno == ENOENT || errno == ENOTDIR)
		r = IPCG_PROBE_MISSING;
	else if (errno == EACCES || errno == EPERM)
		r = IPCG_PROBE_DENIED;
	else if (errno == EPROTOTYPE || errno == EAGAIN)
		r = IPCG_PROBE_LIVE;
	(void)REAL(close)(fd);
	return r;
}

enum ipcg_probe ipcg_unix_probe(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	enum ipcg_probe r;
	int saved = errno;
	size_t n = strnlen(path, sizeof(sa.sun_path) + 1);

	if (lstat(path, &st) < 0) {
		r = errno == EACCES ? IPCG_PROBE_DENIED
		    : errno == ENOENT || errno == ENOTDIR ? IPCG_PROBE_MISSING
		    : IPCG_PROBE_UNKNOWN;
	} else if (!S_ISSOCK(st.st_mode)) {
		r = IPCG_PROBE_NOT_SOCKET;
	} else if (n > sizeof(sa.sun_path)) {
		r = IPCG_PROBE_UNKNOWN;	/* cannot be named in a sockaddr_un */
	} else {
		memcpy(sa.sun_path, path, n);
		r = probe(&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	}
	errno = saved;
	return r;
}

/* Abstract names: a connect probe would not do (the kernel matches the
 * socket type as part of the name, and a stream probe would hand a live
 * server an empty connection), so the name is looked up in
 * /proc/net/unix, where an abstract name is '@' followed by its bytes with
 * every NUL shown as '@'. */
static bool line_names(const char *line, size_t len, const char *want, size_t wlen)
{
	/* Num RefCount Protocol Flags Type St Inode Path: the path is
	 * what follows the seventh field */
	size_t i = 0;

	for (int field = 0; field < 7; field++) {
		while (i < len && line[i] == ' ')
			i++;
		while (i < len && line[i] != ' ')
			i++;
	}
	if (i >= len || line[i] != ' ')
		return false;
	i++;
	return len - i == wlen && memcmp(line + i, want, wlen) == 0;
}

enum ipcg_probe ipcg_unix_probe_abstract(const char *name, size_t n)
{
	static IPCG_BULK char buf[8192], want[IPCG_SUN_PATH + 1];	/* under IPCG_SCRATCH_PROC */
	_Atomic int *lock = &ipcg_scratch_lock[IPCG_SCRATCH_PROC];
	enum ipcg_probe r = IPCG_PROBE_UNKNOWN;
	int saved = errno;
	size_t have = 0;
	bool found = false;

	if (n >= IPCG_SUN_PATH)
		return r;
	int fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	ipcg_spin_lock(lock);
	want[0] = '@';
	for (size_t i = 0; i < n; i++)
		want[1 + i] = name[i] ? name[i] : '@';
	for (;;) {
		ssize_t k = read(fd, buf + have, sizeof(buf) - have);
		if (k <= 0)
			break;
		have += (size_t)k;
		char *start = buf, *nl;
		while (!found && (nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
			found = line_names(start, (size_t)(nl - start), want, n + 1);
			start = nl + 1;
		}
		if (found)
			break;
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == sizeof(buf))
			have = 0;	/* an absurd line: skip it */
	}
	ipcg_spin_unlock(lock);
	(void)REAL(close)(fd);
	r = found ? IPCG_PROBE_LIVE : IPCG_PROBE_MISSING;
out:
	errno = saved;
	return r;
}

int ipcg_unix_file_id(const char *path, dev_t *ret_dev, ino_t *ret_ino, uint64_t *ret_btime_ns)
{
	struct statx stx;
	int saved = errno, ret = 0;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_BTIME,
		  &stx) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISSOCK(stx.stx_mode)) {
		ret = -ENOTSOCK;
		goto out;
	}
	*ret_dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	*ret_ino = stx.stx_ino;
	*ret_btime_ns = (stx.stx_mask & STATX_BTIME)
		? (uint64_t)stx.stx_btime.tv_sec * 1000000000u + stx.stx_btime.tv_nsec : 0;
out:
	errno = saved;
	return ret;
}

bool ipcg_unix_bound_still_there(const struct ipcg_bound *b)
{
	dev_t dev;
	ino_t ino;
	uint64_t bt;

	return ipcg_probes->unix_file_id(b->path, &dev, &ino, &bt) == 0 && dev == b->dev &&
	       ino == b->ino && bt == b->btime_ns;
}
