/* unix/policy.c: the AF_UNIX policies, see unix/policy.h and
 * docs/policies.md.
 *
 * The caller's address is read once, with a fault-tolerant copy, and that
 * copy is what the real call gets: the check and the call see the same
 * bytes even if another thread rewrites the buffer in between.  When the
 * copy cannot be made (NULL, unreadable, a length the kernel rejects) the
 * call goes to the kernel unchanged and fails there as it would have. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/detect.h"
#include "check/events.h"
#include "ipcg/pol_glob.h"
#include "core/call.h"
#include "check/policy.h"
#include "check/probe.h"
#include "unix/policy.h"
#include "core/real.h"
#include "core/safecopy.h"
#include "trace/trace.h"

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)
#define PERMS 07777

static _Atomic uint64_t stale_seq;	/* our private names for a stale socket being removed */

/* Copy the caller's address and take its name apart.  Only lengths the
 * kernel accepts for AF_UNIX are copied (more than the family, at most a
 * sockaddr_un); an unnamed address (autobind) has no name to check. */
static void take_name(struct ipcg_pol_sun *o, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_un *sa = (const struct sockaddr_un *)&o->kaddr;

	if (!addr || len <= SUN_OFF || len > sizeof(struct sockaddr_un))
		return;
	int ret = ipcg_safe_copy(&o->kaddr, addr, len);
	if (ret == -EAGAIN)
		o->unknown = true;	/* readable or not: cannot be told */
	if (ret < 0)
		return;			/* unreadable: the kernel fails it with EFAULT */
	o->copied = true;
	if (sa->sun_family != AF_UNIX)
		return;
	size_t plen = len - SUN_OFF;
	o->named = true;
	if (sa->sun_path[0]) {
		size_t n = strnlen(sa->sun_path, plen);	/* the kernel ends the path there too */
		memcpy(o->name, sa->sun_path, n);
		o->name[n] = '\0';
	} else {
		o->abstract = true;
		o->name[0] = '@';
		memcpy(o->name + 1, sa->sun_path + 1, plen - 1);
		o->name[plen] = '\0';
		o->has_nul = memchr(sa->sun_path + 1, '\0', plen - 1) != NULL;
	}
}

/* The path as an absolute path without "." components or repeated '/',
 * into out (PATH_MAX bytes).  NULL, with the reason in *why, when it has a
 * ".." component (lexically it could leave every glob) or the working
 * directory is unknown.  Symbolic links are not resolved: see
 * docs/policies.md. */
static const char *normalise(const char *path, char *out, const char **why)
{
	size_t n = 0, plen = strlen(path);

	if (path[0] != '/') {
		if (!getcwd(out, PATH_MAX)) {
			*why = "the working directory is unknown, so a relative path cannot be checked";
			return NULL;
		}
		n = strlen(out);
	}
	if (n + 1 + plen >= PATH_MAX) {
		*why = "the path is too long to check";
		return NULL;
	}
	out[n] = '/';
	memcpy(out + n + 1, path, plen + 1);
	/* in place: the write position never passes the read position */
	char *w = out;
	for (const char *r = out; *r;) {
		while (*r == '/')
			r++;
		const char *end = strchrnul(r, '/');
		size_t len = (size_t)(end - r);
		if (len == 2 && r[0] == '.' && r[1] == '.') {
			*why = "a path with a '..' component is never inside the globs";
			return NULL;
		}
		if (len && !(len == 1 && r[0] == '.')) {
			*w++ = '/';
			memmove(w, r, len);
			w += len;
		}
		r = end;
	}
	if (w == out)
		*w++ = '/';
	*w = '\0';
	return out;
}

/* socket-paths: is the name inside one of the globs? */
static bool name_allowed(struct ipcg_pol_sun *o)
{
	char buf[PATH_MAX];
	const char *s = o->name;

	if (o->abstract && o->has_nul) {
		o->why = "an abstract name holding a NUL byte matches no glob";
		return false;
	}
	if (!o->abstract && !(s = normalise(o->name, buf, &o->why)))
		return false;
	for (unsigned i = 0; i < ipcg_policy.nglobs; i++)
		if (ipcg_pol_glob_match(ipcg_policy.globs[i], s))
			return true;
	o->why = "outside every socket-paths glob";
	return false;
}

/* The directory of a path, opened O_PATH, and the last component.
 * -errno when it cannot be opened (every later step uses this descriptor,
 * so a directory swapped in after this is never looked at). */
static int open_parent(const char *path, char *dir, const char **base)
{
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash) {
		*base = path;
		fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, n);
		dir[n] = '\0';
		*base = slash + 1;
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

static bool same_sock(int dfd, const char *base, const struct stat *st1)
{
	struct stat st;

	return fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(st.st_mode) &&
	       st.st_dev == st1->st_dev && st.st_ino == st1->st_ino;
}

/* The probe names the file through the directory descriptor
 * (/proc/self/fd/N/base) when that fits in a sockaddr_un, so it reaches
 * the directory that was opened; otherwise through the path. */
static enum ipcg_probe probe_in(int dfd, const char *base, const char *path)
{
	char p[IPCG_SUN_PATH + 1] = "/proc/self/fd/";
	size_t k = 14 + ipcg_fmt_u64(p + 14, (uint64_t)dfd);
	size_t blen = strlen(base);

	if (k + 1 + blen >= sizeof(p))
		return ipcg_probes->unix_path(path);
	p[k] = '/';
	memcpy(p + k + 1, base, blen + 1);
	return ipcg_probes->unix_path(p);
}

/* stale-socket, after bind failed with EADDRINUSE on a path: is the file a
 * socket nobody is bound to (a datagram probe: only ECONNREFUSED counts)?
 * unlink: remove it, and retry the bind once.  Every step goes through an
 * O_PATH descriptor of the directory, and the unlinkat follows an fstatat
 * that shows the same socket (device and inode) as the probe saw: a file
 * put at the name in between is left alone.  The window that remains is
 * the one between that last fstatat and the unlinkat (docs/policies.md).
 * Returns the bind's result, errno set. */
static int stale(struct ipcg_pol_sun *o, int fd, socklen_t len, int ret, int saved)
{
	char dir[IPCG_SUN_PATH + 2];
	const char *base;
	struct stat st1;
	int err = errno;
	int dfd = open_parent(o->name, dir, &base);

	if (dfd < 0)
		goto out;
	if (fstatat(dfd, base, &st1, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st1.st_mode) ||
	    probe_in(dfd, base, o->name) != IPCG_PROBE_STALE)
		goto out;	/* not a socket, live, or cannot tell: never touched */
	if (ipcg_policy.stale_socket != IPCG_POL_UNLINK) {
		o->stale = IPCG_STALE_SEEN;
		goto out;
	}
	if (!same_sock(dfd, base, &st1)) {
		o->stale = IPCG_STALE_CHANGED;
		goto out;
	}
	/* move it to a name of our own first: a file exchanged in for the
	 * public name is then found at ours and put back, not unlinked */
	char tmp[40] = ".ipcguard-stale.";
	size_t k = 16 + ipcg_fmt_u64(tmp + 16, (uint64_t)getpid());
	tmp[k++] = '.';
	tmp[k + ipcg_fmt_u64(tmp + k, atomic_fetch_add(&stale_seq, 1))] = '\0';
	if (renameat2(dfd, base, dfd, tmp, RENAME_NOREPLACE) < 0) {
		o->stale = IPCG_STALE_UNLINK_FAILED;
		o->unlink_err = errno;
		goto out;
	}
	if (!same_sock(dfd, tmp, &st1)) {
		(void)renameat2(dfd, tmp, dfd, base, RENAME_NOREPLACE);
		o->stale = IPCG_STALE_CHANGED;
		goto out;
	}
	if (unlinkat(dfd, tmp, 0) < 0) {
		o->stale = IPCG_STALE_UNLINK_FAILED;
		o->unlink_err = errno;
		goto out;
	}
	(void)REAL(close)(dfd);
	o->stale = IPCG_STALE_UNLINKED;
	errno = saved;
	ret = REAL(bind)(fd, (const struct sockaddr *)&o->kaddr, len);
	o->retry_err = ret < 0 ? errno : 0;
	return ret;
out:
	if (dfd >= 0)
		(void)REAL(close)(dfd);
	errno = err;
	return ret;
}

/* socket-mode, after a successful bind of a path: chmod the file the bind
 * created.  Opened with O_PATH|O_NOFOLLOW and checked to be a socket, then
 * changed through /proc/self/fd, so a symbolic link or another file put at
 * the path in between is never changed. */
static void set_mode(struct ipcg_pol_sun *o)
{
	char proc[32] = "/proc/self/fd/";
	struct stat st;
	int pfd = open(o->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	o->chmod_tried = true;
	if (pfd < 0) {
		o->chmod_err = errno;
		return;
	}
	if (fstat(pfd, &st) < 0) {
		o->chmod_err = errno;
	} else if (!S_ISSOCK(st.st_mode)) {
		o->chmod_err = ENOTSOCK;
	} else {
		o->old_mode = st.st_mode & PERMS;
		size_t k = ipcg_fmt_u64(proc + 14, (uint64_t)pfd);
		proc[14 + k] = '\0';
		if (chmod(proc, (mode_t)ipcg_policy.socket_mode) < 0)
			o->chmod_err = errno;
	}
	(void)REAL(close)(pfd);
}

int ipcg_pol_bind_connect(struct ipcg_pol_sun *o, int fd, const struct sockaddr *addr,
			  socklen_t len, bool is_bind, const struct sockaddr **ret_addr)
{
	const struct ipcg_policy *p = &ipcg_policy;
	int saved = errno, ret;

	memset(o, 0, offsetof(struct ipcg_pol_sun, kaddr));	/* kaddr: only len bytes are used */
	*ret_addr = addr;
	if (p->nglobs || (is_bind && (p->stale_socket || p->socket_mode >= 0)))
		take_name(o, addr, len);
	if (o->copied)
		*ret_addr = (const struct sockaddr *)&o->kaddr;
	if (p->nglobs && (o->unknown || (o->named && !name_allowed(o)))) {
		if (o->unknown)		/* fail closed */
			o->why = "its address could not be read to be checked";
		o->deny = EACCES;
		o->ev = IPCG_EV_DENIED;
		if (!is_bind)
			pthread_testcancel();	/* connect is a cancellation point */
		errno = EACCES;
		return -1;
	}
	errno = saved;
	ret = is_bind ? REAL(bind)(fd, *ret_addr, len) : REAL(connect)(fd, *ret_addr, len);
	if (!is_bind || !o->named || o->abstract)
		return ret;
	if (ret < 0 && errno == EADDRINUSE && p->stale_socket)
		ret = stale(o, fd, len, ret, saved);
	if (ret == 0 && p->socket_mode >= 0) {
		set_mode(o);
		errno = saved;
	}
	return ret;
}

int ipcg_pol_bind_connect_untraced(struct ipcg_pol_sun *o, int fd, const struct sockaddr *addr,
				   socklen_t len, bool is_bind)
{
	const struct sockaddr *k;
	int ret = ipcg_pol_bind_connect(o, fd, addr, len, is_bind, &k);
	int err = errno;

	if (ipcg_logging && (o->deny || o->stale != IPCG_STALE_NONE || o->chmod_tried))
		ipcg_trace_count_drop();	/* the policy record it could not write */
	errno = err;
	return ret;
}

static void msg_op(struct ipcg_msg *m, bool is_bind, int fd, const struct ipcg_pol_sun *o)
{
	ipcg_msg_s(m, is_bind ? "bind(fd " : "connect(fd ");
	ipcg_msg_i(m, fd);
	ipcg_msg_s(m, ") to \"");
	ipcg_msg_bytes(m, o->name, o->abstract ? 1 + strnlen(o->name + 1, IPCG_SUN_PATH) : strlen(o->name), 200);
	ipcg_msg_s(m, "\"");
}

static void msg_mode(struct ipcg_msg *m, unsigned mode)
{
	char s[6] = { '0', (char)('0' + ((mode >> 6) & 7)), (char)('0' + ((mode >> 3) & 7)),
		      (char)('0' + (mode & 7)), '\0' };

	if (mode > 0777)
		s[0] = (char)('0' + ((mode >> 9) & 7));
	ipcg_msg_s(m, s);
}

void ipcg_pol_sun_report(const struct ipcg_pol_sun *o, uint64_t seq, bool is_bind, int fd, int ret)
{
	const struct ipcg_policy *p = &ipcg_policy;
	struct ipcg_msg m;

	ipcg_msg_init(&m);
	if (o->deny) {
		msg_op(&m, is_bind, fd, o);
		ipcg_msg_s(&m, " refused with EACCES: ");
		ipcg_msg_s(&m, o->why);
		ipcg_policy_record("socket-paths", "deny", seq, EACCES, m.buf);
		return;
	}
	if (o->stale != IPCG_STALE_NONE) {
		msg_op(&m, is_bind, fd, o);
		ipcg_msg_s(&m, " failed with EADDRINUSE on a stale socket file (no socket is bound to it)");
		switch (o->stale) {
		case IPCG_STALE_SEEN:
			ipcg_msg_s(&m, "; stale-socket=unlink would remove it and retry");
			break;
		case IPCG_STALE_UNLINKED:
			ipcg_msg_s(&m, ": removed it and retried, the bind ");
			if (o->retry_err)
				ipcg_msg_failed(&m, o->retry_err);
			else
				ipcg_msg_s(&m, "succeeded");
			break;
		case IPCG_STALE_CHANGED:
			ipcg_msg_s(&m, ", but the file changed while it was checked: left alone");
			break;
		default:
			ipcg_msg_s(&m, ": could not remove it, unlink");
			ipcg_msg_failed(&m, o->unlink_err);
			break;
		}
		ipcg_policy_record("stale-socket", ipcg_pol_action_name(p->stale_socket), seq,
				   ret < 0 ? (o->stale == IPCG_STALE_UNLINKED ? o->retry_err : EADDRINUSE) : 0,
				   m.buf);
		ipcg_msg_init(&m);
	}
	if (o->chmod_tried) {
		if (o->chmod_err) {
			ipcg_msg_s(&m, "could not chmod the socket file \"");
			ipcg_msg_bytes(&m, o->name, strlen(o->name), 200);
			ipcg_msg_s(&m, "\" to ");
			ipcg_msg_s(&m, p->socket_mode_s);
			ipcg_msg_failed(&m, o->chmod_err);
		} else {
			ipcg_msg_s(&m, "socket file \"");
			ipcg_msg_bytes(&m, o->name, strlen(o->name), 200);
			ipcg_msg_s(&m, "\" bound by fd ");
			ipcg_msg_i(&m, fd);
			ipcg_msg_s(&m, " set to mode ");
			msg_mode(&m, (unsigned)p->socket_mode);
			ipcg_msg_s(&m, " (was ");
			msg_mode(&m, o->old_mode);
			ipcg_msg_s(&m, ")");
		}
		ipcg_policy_record("socket-mode", p->socket_mode_s, seq, 0, m.buf);
	}
}
