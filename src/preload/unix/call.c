/* unix/call.c: per-call logic for the AF_UNIX socket calls.  Other
 * families leave at the first test (socket, socketpair) or at the fd
 * filter (everything that takes a descriptor).  bind and connect go
 * through the policies (unix/policy.c) when a unix rule is active; records
 * are written only while the family is logged, the hooks always run. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/call.h"
#include "check/events.h"
#include "ipcg/xlat.h"
#include "core/ownfd.h"
#include "unix/policy.h"
#include "core/real.h"
#include "core/safecopy.h"
#include "core/state.h"
#include "unix/call.h"

/* After bind/connect on a socket: did the kernel copy the address?  It
 * rejects a length over sizeof(sockaddr_storage) and a bad fd before
 * reading, and reports EFAULT when it could not read. */
static void sun_after_call(struct ipcg_sun *a, const struct sockaddr *addr, socklen_t len,
			   int ret, int err)
{
	a->valid = false;
	a->len = len;
	if (!addr || len > sizeof(struct sockaddr_storage))
		return;
	if (ret < 0 && (err == EFAULT || err == EBADF || err == ENOTSOCK))
		return;
	size_t n = len < sizeof(a->sa) ? len : sizeof(a->sa);
	memset(&a->sa, 0, sizeof(a->sa));
	memcpy(&a->sa, addr, n);
	a->valid = true;
}

/* {"family":"AF_UNIX","path":...} as docs/trace-format.md describes */
static void write_sun(struct ipcg_jw *w, const char *key, const struct ipcg_sun *a,
		      const void *raw)
{
	char fam[IPCG_XLAT_BUF];

	ipcg_jw_key(w, key);
	if (!a->valid) {
		if (raw)
			ipcg_jw_hex(w, (uintptr_t)raw);
		else
			ipcg_jw_null(w);
		return;
	}
	ipcg_jw_open(w, '{');
	if (a->len < sizeof(sa_family_t)) {
		ipcg_jw_kstr(w, "family", NULL);
		ipcg_jw_close(w, '}');
		return;
	}
	ipcg_xlat_family(fam, sizeof(fam), a->sa.sun_family);
	ipcg_jw_kstr(w, "family", fam);
	if (a->sa.sun_family == AF_UNIX && a->len > offsetof(struct sockaddr_un, sun_path)) {
		size_t plen = a->len - offsetof(struct sockaddr_un, sun_path);
		if (plen > sizeof(a->sa.sun_path))
			plen = sizeof(a->sa.sun_path);
		const char *p = a->sa.sun_path;
		if (p[0] == '\0') {
			ipcg_jw_key(w, "abstract");
			ipcg_jw_strn(w, p + 1, plen - 1);
		} else {
			size_t n = strnlen(p, plen);
			ipcg_jw_key(w, "path");
			ipcg_jw_strn(w, p, n);
			if (n == plen) {
				ipcg_jw_key(w, "truncated");
				ipcg_jw_bool(w, true);
			}
		}
	}
	ipcg_jw_close(w, '}');
}

/* The exported calls are split in two: a check that sends every other
 * family (and untracked descriptor) straight to libc with a tail call, no
 * frame of ours, and the traced body, never inlined into the check so its
 * large frame is only set up for AF_UNIX (docs/performance.md). */

/* An AF_UNIX socket made while its call could not be recorded (a signal
 * handler that interrupted our bookkeeping): still track the descriptor,
 * so its later calls are recorded and the close of it is seen. */
static int track_unrecorded(int fd)
{
	if (fd >= 0 && atomic_load_explicit(&ipcg_state, memory_order_relaxed) == IPCG_READY)
		ipcg_fd_track(fd, true);
	return fd;
}

int ipcg_socket_unix(int domain, int type, int protocol)
{
	struct ipcg_call c;
	char buf[IPCG_XLAT_BUF];

	if (domain != AF_UNIX || !ipcg_call_begin(&c, IPCG_FAM_UNIX))
		return track_unrecorded(REAL(socket)(domain, type, protocol));
	int ret = REAL(socket)(domain, type, protocol);
	ipcg_call_after(&c);
	if (ret >= 0)
		ipcg_fd_track(ret, true);
	if (c.log) {
		ipcg_call_record(&c, "socket");
		ipcg_xlat_family(buf, sizeof(buf), domain);
		ipcg_jw_kstr(&c.rec.w, "domain", buf);
		ipcg_xlat_socktype(buf, sizeof(buf), type);
		ipcg_jw_kstr(&c.rec.w, "type", buf);
		ipcg_jw_ki64(&c.rec.w, "protocol", protocol);
		ipcg_call_ret_i(&c, ret, ret < 0);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	ipcg_on_socket(&e, domain, type, protocol, ret);
	ipcg_call_end(&c);
	return ret;
}

int ipcg_socket_other(int domain, int type, int protocol)
{
	int fd = REAL(socket)(domain, type, protocol);

	/* a tracked socket that went away by a route we do not see (dup2 onto
	 * it, a close we passed through) must not make this one look like
	 * AF_UNIX */
	if (unlikely(ipcg_fd_tracked(fd)))
		ipcg_fd_track(fd, false);
	return fd;
}

int ipcg_socketpair_unix(int domain, int type, int protocol, int sv[2])
{
	struct ipcg_call c;
	char buf[IPCG_XLAT_BUF];

	if (domain != AF_UNIX || !ipcg_call_begin(&c, IPCG_FAM_UNIX)) {
		int ret = REAL(socketpair)(domain, type, protocol, sv);
		if (ret == 0) {
			(void)track_unrecorded(sv[0]);
			(void)track_unrecorded(sv[1]);
		}
		return ret;
	}
	int ret = REAL(socketpair)(domain, type, protocol, sv);
	ipcg_call_after(&c);
	int fds[2] = { -1, -1 };
	if (ret == 0) {
		fds[0] = sv[0];	/* written by the kernel: readable */
		fds[1] = sv[1];
		ipcg_fd_track(fds[0], true);
		ipcg_fd_track(fds[1], true);
	}
	if (c.log) {
		ipcg_call_record(&c, "socketpair");
		ipcg_xlat_family(buf, sizeof(buf), domain);
		ipcg_jw_kstr(&c.rec.w, "domain", buf);
		ipcg_xlat_socktype(buf, sizeof(buf), type);
		ipcg_jw_kstr(&c.rec.w, "type", buf);
		ipcg_jw_ki64(&c.rec.w, "protocol", protocol);
		ipcg_jw_key(&c.rec.w, "sv");
		if (ret == 0) {
			ipcg_jw_open(&c.rec.w, '[');
			ipcg_jw_i64(&c.rec.w, fds[0]);
			ipcg_jw_sep(&c.rec.w);
			ipcg_jw_i64(&c.rec.w, fds[1]);
			ipcg_jw_close(&c.rec.w, ']');
		} else {
			ipcg_jw_null(&c.rec.w);
		}
		ipcg_call_ret_i(&c, ret, ret < 0);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	ipcg_on_socketpair(&e, type, fds, ret);
	ipcg_call_end(&c);
	return ret;
}


int ipcg_bind_or_connect(int fd, const struct sockaddr *addr, socklen_t len,
					 bool is_bind)
{
	struct ipcg_call c;
	struct ipcg_pol_sun po;
	struct ipcg_sun a;
	const struct sockaddr *kaddr = addr;	/* the bytes the kernel was given */
	int ret;

	if (!ipcg_fd_tracked(fd))
		return is_bind ? REAL(bind)(fd, addr, len) : REAL(connect)(fd, addr, len);
	if (!ipcg_call_begin(&c, IPCG_FAM_UNIX)) {
		/* not traced (the guard is busy: a signal handler in our
		 * bookkeeping, or start-up): the rules still hold */
		if (unlikely(ipcg_policy_families & IPCG_FAM_UNIX))
			return ipcg_pol_bind_connect_untraced(&po, fd, addr, len, is_bind);
		return is_bind ? REAL(bind)(fd, addr, len) : REAL(connect)(fd, addr, len);
	}
	if (c.pol)
		ret = ipcg_pol_bind_connect(&po, fd, addr, len, is_bind, &kaddr);
	else
		ret = is_bind ? REAL(bind)(fd, addr, len) : REAL(connect)(fd, addr, len);
	ipcg_call_after(&c);
	/* a refused call was never given to the kernel: kaddr is our copy */
	sun_after_call(&a, kaddr, len, ret, c.err);
	if (c.log) {
		ipcg_call_record(&c, is_bind ? "bind" : "connect");
		ipcg_jw_ki64(&c.rec.w, "sockfd", fd);
		write_sun(&c.rec.w, "addr", &a, addr);
		ipcg_jw_ku64(&c.rec.w, "addrlen", len);
		ipcg_call_ret_i(&c, ret, ret < 0);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	if (c.pol) {
		ipcg_pol_sun_report(&po, c.seq, is_bind, fd, ret);
		e.policy = po.ev;
	}
	if (is_bind)
		ipcg_on_bind(&e, fd, &a, ret);
	else
		ipcg_on_connect(&e, fd, &a, ret);
	ipcg_call_end(&c);
	return ret;
}


int ipcg_listen_unix(int fd, int backlog)
{
	struct ipcg_call c;

	if (!ipcg_fd_tracked(fd) || !ipcg_call_begin(&c, IPCG_FAM_UNIX))
		return REAL(listen)(fd, backlog);
	int ret = REAL(listen)(fd, backlog);
	ipcg_call_after(&c);
	if (c.log) {
		ipcg_call_record(&c, "listen");
		ipcg_jw_ki64(&c.rec.w, "sockfd", fd);
		ipcg_jw_ki64(&c.rec.w, "backlog", backlog);
		ipcg_call_ret_i(&c, ret, ret < 0);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	ipcg_on_listen(&e, fd, backlog, ret);
	ipcg_call_end(&c);
	return ret;
}


int ipcg_accept_unix(int fd, struct sockaddr *addr, socklen_t *len, int flags,
				     bool is4)
{
	struct ipcg_call c;
	struct ipcg_sun a = { .valid = false };
	char buf[IPCG_XLAT_BUF];
	socklen_t outlen = 0, buflen = 0;
	bool have_len = false;

	if (!ipcg_fd_tracked(fd) || !ipcg_call_begin(&c, IPCG_FAM_UNIX))
		return track_unrecorded(is4 ? REAL(accept4)(fd, addr, len, flags)
					    : REAL(accept)(fd, addr, len));
	/* the size of the caller's buffer: the kernel fills min(it, the
	 * address length) and overwrites *len with the latter */
	bool have_buflen = addr && len && ipcg_safe_read(&buflen, len, sizeof(buflen));
	int ret = is4 ? REAL(accept4)(fd, addr, len, flags) : REAL(accept)(fd, addr, len);
	ipcg_call_after(&c);
	if (ret >= 0) {
		ipcg_fd_track(ret, true);
		if (have_buflen) {
			outlen = *len;	/* written by the kernel: readable */
			have_len = true;
			size_t n = outlen < buflen ? outlen : buflen;
			if (n > sizeof(a.sa))
				n = sizeof(a.sa);
			memset(&a.sa, 0, sizeof(a.sa));
			memcpy(&a.sa, addr, n);	/* the kernel just wrote these n bytes */
			a.valid = true;
			a.len = (socklen_t)n;	/* what was copied; addrlen says the rest */
		}
	}
	if (c.log) {
		ipcg_call_record(&c, is4 ? "accept4" : "accept");
		ipcg_jw_ki64(&c.rec.w, "sockfd", fd);
		write_sun(&c.rec.w, "addr", &a, ret >= 0 ? addr : NULL);
		ipcg_jw_key(&c.rec.w, "addrlen");
		if (have_len)
			ipcg_jw_u64(&c.rec.w, outlen);
		else
			ipcg_jw_null(&c.rec.w);
		if (is4) {
			ipcg_xlat_sock_flags(buf, sizeof(buf), flags);
			ipcg_jw_kstr(&c.rec.w, "flags", buf);
		}
		ipcg_call_ret_i(&c, ret, ret < 0);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	ipcg_on_accept(&e, fd, ret);
	ipcg_call_end(&c);
	return ret;
}

int ipcg_accept_other(int fd, struct sockaddr *addr, socklen_t *len, int flags, bool is4)
{
	int nfd = is4 ? REAL(accept4)(fd, addr, len, flags) : REAL(accept)(fd, addr, len);

	if (unlikely(ipcg_fd_tracked(nfd)))	/* see ipcg_socket_other() */
		ipcg_fd_track(nfd, false);
	return nfd;
}

int ipcg_close_slow(int fd)
{
	struct ipcg_call c;

	/* the trace and libunwind's pipe are not the program's: without
	 * ipcguard the number is not open (a daemon's close loop) */
	if (ipcg_ownfd_maybe(fd) && ipcg_ownfd_refuse_close(fd)) {
		errno = EBADF;
		return -1;
	}
	if (likely(!ipcg_fd_tracked(fd)))
		return REAL(close)(fd);
	/* untrack before the number can be reused by another thread's
	 * socket(), and also when this close is not recorded */
	ipcg_fd_track(fd, false);
	if (!ipcg_call_begin(&c, IPCG_FAM_UNIX))
		return REAL(close)(fd);
	int ret = REAL(close)(fd);
	ipcg_call_after(&c);
	if (c.log) {
		ipcg_call_record(&c, "close");
		ipcg_jw_ki64(&c.rec.w, "fd", fd);
		ipcg_call_ret_i(&c, ret, ret < 0);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	ipcg_on_close(&e, fd, ret);
	ipcg_call_end(&c);
	return ret;
}

