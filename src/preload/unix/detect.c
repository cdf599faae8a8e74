/* unix/detect.c: the AF_UNIX detectors of socket, bind, listen, accept and
 * close (SPEC section 4): path-truncated, abstract-trailing-nul,
 * stale-socket and world-connectable, and the bookkeeping that
 * socket-file-leak (check/detect_exit.c) and the policies read.
 *
 * socket, accept and close cost one array store each; a successful bind
 * of a path costs one lstat (the identity of the file, for the leak check
 * at exit) and getcwd for a relative path; listen of a bound path one
 * walk of its directories (world-connectable).  Probes of the file happen
 * only when bind fails. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcg/compiler.h"
#include "ipcg/format.h"
#include "unix/detect.h"
#include "ipcg/xlat.h"
#include "core/spin.h"

#define SOCK_TYPE_MASK 0xf	/* type without SOCK_NONBLOCK / SOCK_CLOEXEC */

/* --- addresses --------------------------------------------------------------- */

void ipcg_sun_name(const struct ipcg_sun *a, struct ipcg_sun_name *ret)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);

	memset(ret, 0, sizeof(*ret));
	if (!a->valid || a->len <= off || a->sa.sun_family != AF_UNIX)
		return;
	size_t plen = a->len - off;
	if (plen > sizeof(a->sa.sun_path))
		plen = sizeof(a->sa.sun_path);
	const char *p = a->sa.sun_path;
	ret->named = true;
	if (p[0] != '\0') {
		ret->name = p;
		ret->len = strnlen(p, plen);
		/* no NUL within addrlen is fine (SUN_LEN leaves it out) unless
		 * the path fills sun_path: then it was cut to fit */
		ret->cut = ret->len == sizeof(a->sa.sun_path) &&
			   a->len <= sizeof(struct sockaddr_un);	/* longer: EINVAL */
		return;
	}
	ret->abstract = true;
	ret->name = p + 1;
	ret->len = plen - 1;
	while (ret->trailing_nuls < ret->len && ret->name[ret->len - 1 - ret->trailing_nuls] == '\0')
		ret->trailing_nuls++;
}

void ipcg_fact_sun(struct ipcg_jw *w, const struct ipcg_sun_name *n)
{
	if (n->abstract) {
		ipcg_jw_key(w, "abstract");
		ipcg_jw_strn(w, n->name, n->len - n->trailing_nuls);
	} else {
		ipcg_jw_key(w, "path");
		ipcg_jw_strn(w, n->name, n->len);
	}
}

void ipcg_msg_sun(struct ipcg_msg *m, const struct ipcg_sun_name *n)
{
	ipcg_msg_s(m, n->abstract ? "\"@" : "\"");
	ipcg_msg_bytes(m, n->name, n->abstract ? n->len - n->trailing_nuls : n->len, 120);
	ipcg_msg_s(m, "\"");
}

static void msg_op(struct ipcg_msg *m, const char *op, int fd)
{
	ipcg_msg_s(m, op);
	ipcg_msg_s(m, "(fd ");
	ipcg_msg_i(m, fd);
	ipcg_msg_s(m, ")");
}

void ipcg_check_sun(const struct ipcg_ev *e, const char *op, int fd, const struct ipcg_sun *a,
		    const struct ipcg_sun_name *n)
{
	struct ipcg_msg m;
	struct ipcg_rec r;

	if (n->cut) {
		ipcg_msg_init(&m);
		msg_op(&m, op, fd);
		ipcg_msg_s(&m, " with a sun_path that fills all 108 bytes without a terminating NUL: a longer path was cut to ");
		ipcg_msg_sun(&m, n);
		ipcg_msg_s(&m, "; sockaddr_un holds at most 107 bytes and a NUL (bind a relative name after chdir, or use an abstract name)");
		ipcg_finding_begin(&r, IPCG_KIND_PATH_TRUNCATED, IPCG_SEV_ERROR, e->seq, m.buf, e->stack);
		ipcg_fact_sun(&r.w, n);
		ipcg_jw_ku64(&r.w, "addrlen", a->len);
		ipcg_jw_ki64(&r.w, "fd", fd);
		ipcg_jw_kstr(&r.w, "op", op);
		(void)ipcg_finding_end(&r);
	}
	if (n->abstract && n->trailing_nuls) {
		size_t want = offsetof(struct sockaddr_un, sun_path) + 1 + n->len - n->trailing_nuls;
		ipcg_msg_init(&m);
		msg_op(&m, op, fd);
		ipcg_msg_s(&m, " with the abstract name ");
		ipcg_msg_sun(&m, n);
		ipcg_msg_s(&m, " and addrlen ");
		ipcg_msg_u(&m, a->len);
		ipcg_msg_s(&m, ", which adds ");
		ipcg_msg_u(&m, n->trailing_nuls);
		ipcg_msg_s(&m, " NUL bytes to the name: a peer that sizes the address with strlen (addrlen ");
		ipcg_msg_u(&m, want);
		ipcg_msg_s(&m, ") names a different address and gets ECONNREFUSED");
		ipcg_finding_begin(&r, IPCG_KIND_ABSTRACT_TRAILING_NUL, IPCG_SEV_WARNING, e->seq, m.buf, e->stack);
		ipcg_fact_sun(&r.w, n);
		ipcg_jw_ku64(&r.w, "addrlen", a->len);
		ipcg_jw_ku64(&r.w, "expected_addrlen", want);
		ipcg_jw_ku64(&r.w, "trailing_nuls", n->trailing_nuls);
		ipcg_jw_ki64(&r.w, "fd", fd);
		ipcg_jw_kstr(&r.w, "op", op);
		(void)ipcg_finding_end(&r);
	}
}

/* --- socket life ----------------------------------------------------------- */

void ipcg_on_socket(const struct ipcg_ev *e, int domain, int type, int protocol, int ret)
{
	if (ret >= 0)
		ipcg_unix_sock_new(ret, type & SOCK_TYPE_MASK, false);
}

void ipcg_on_socketpair(const struct ipcg_ev *e, int type, const int sv[2], int ret)
{
	if (ret != 0)
		return;
	ipcg_unix_sock_new(sv[0], type & SOCK_TYPE_MASK, false);
	ipcg_unix_sock_new(sv[1], type & SOCK_TYPE_MASK, false);
}

void ipcg_on_accept(const struct ipcg_ev *e, int fd, int ret)
{
	struct ipcg_sock s;

	if (ret < 0)
		return;
	ipcg_unix_sock_new(ret, ipcg_unix_sock_get(fd, &s) ? s.type : 0, false);
}

void ipcg_on_close(const struct ipcg_ev *e, int fd, int ret)
{
	struct ipcg_sock s;

	/* even a failed close (EINTR, EIO) has released the descriptor */
	(void)ipcg_unix_sock_clear(fd, &s);
}

/* --- world-connectable ------------------------------------------------------- */

static void mode_str(char out[8], unsigned mode)
{
	out[0] = '0';
	out[1] = (char)('0' + ((mode >> 6) & 7));
	out[2] = (char)('0' + ((mode >> 3) & 7));
	out[3] = (char)('0' + (mode & 7));
	out[4] = '\0';
}

/* Any user may connect: the file is writable by others (connect needs
 * write permission) and every directory above it searchable by others. */
static bool open_to_all(const char *path, unsigned *ret_mode)
{
	static IPCG_BULK char dir[PATH_MAX];	/* under IPCG_SCRATCH_WORLD */
	_Atomic int *world_lock = &ipcg_scratch_lock[IPCG_SCRATCH_WORLD];
	struct stat st;
	bool open = false;

	if (ipcg_probes->lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || !(st.st_mode & S_IWOTH))
		return false;
	*ret_mode = st.st_mode & 07777;
	ipcg_spin_lock(world_lock);
	size_t n = strnlen(path, sizeof(dir) - 1);
	memcpy(dir, path, n);
	dir[n] = '\0';
	open = true;
	for (char *slash = strrchr(dir, '/'); open && slash; slash = strrchr(dir, '/')) {
		if (slash == dir) {
			slash[1] = '\0';	/* the root itself */
			open = ipcg_probes->stat(dir, &st) == 0 && (st.st_mode & S_IXOTH);
			break;
		}
		*slash = '\0';
		open = ipcg_probes->stat(dir, &st) == 0 && (st.st_mode & S_IXOTH);
	}
	ipcg_spin_unlock(world_lock);
	return open;
}

static void check_world(const struct ipcg_ev *e, int fd, struct ipcg_sock *s)
{
	struct ipcg_bound b;
	struct ipcg_msg m;
	struct ipcg_rec r;
	unsigned mode = 0;
	char ms[8];

	s->world_checked = true;
	ipcg_unix_sock_set(fd, s);
	if (!ipcg_unix_bound_get(s->bound_id, &b) || !open_to_all(b.path, &mode))
		return;
	mode_str(ms, mode);
	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "socket file \"");
	ipcg_msg_bytes(&m, b.path, strlen(b.path), 200);
	ipcg_msg_s(&m, "\" (fd ");
	ipcg_msg_i(&m, fd);
	ipcg_msg_s(&m, ", mode ");
	ipcg_msg_s(&m, ms);
	ipcg_msg_s(&m, ") accepts connections from any user: it is writable by others and every directory above it is searchable (set a umask or fchmod before listen, or put it in a 0700 directory)");
	ipcg_finding_begin(&r, IPCG_KIND_WORLD_CONNECTABLE, IPCG_SEV_INFO, e->seq, m.buf, e->stack);
	ipcg_jw_kstr(&r.w, "path", b.name);
	if (strcmp(b.path, b.name) != 0 && strlen(b.path) < 256)
		ipcg_jw_kstr(&r.w, "resolved_path", b.path);
	ipcg_jw_kstr(&r.w, "mode", ms);
	ipcg_jw_ki64(&r.w, "fd", fd);
	ipcg_fact_seq(&r.w, "bind_seq", b.seq);
	ipcg_fact_stack(&r.w, "first_stack", b.stack);
	(void)ipcg_finding_end(&r);
}

void ipcg_on_listen(const struct ipcg_ev *e, int fd, int backlog, int ret)
{
	struct ipcg_sock s;

	if (ret != 0 || !ipcg_unix_sock_get(fd, &s) || s.listening)
		return;
	s.listening = true;
	ipcg_unix_sock_set(fd, &s);
	/* checked at listen, not bind: a server may chmod in between */
	if (s.bound_id && !s.world_checked && ipcg_detect_logging(IPCG_FAM_UNIX))
		check_world(e, fd, &s);
}

/* --- bind ------------------------------------------------------------------- */

static void stale_socket(const struct ipcg_ev *e, int fd, const struct ipcg_sun_name *n,
			 const char *path)
{
	struct ipcg_msg m;
	struct ipcg_rec r;

	ipcg_msg_init(&m);
	msg_op(&m, "bind", fd);
	ipcg_msg_s(&m, " to ");
	ipcg_msg_sun(&m, n);
	ipcg_msg_s(&m, " failed with EADDRINUSE on a stale socket file: no socket is bound to it any more (a server exited without unlinking it); unlink the path before bind");
	ipcg_finding_begin(&r, IPCG_KIND_STALE_SOCKET, IPCG_SEV_WARNING, e->seq, m.buf, e->stack);
	ipcg_fact_sun(&r.w, n);
	ipcg_jw_ki64(&r.w, "fd", fd);
	(void)ipcg_finding_end(&r);
	(void)path;
}

/* name as an absolute path in out (cwd prepended); false if too long */
static bool absolute(char *out, size_t cap, const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '/') {
		if (n >= cap)
			return false;
		memcpy(out, name, n + 1);
		return true;
	}
	if (!getcwd(out, cap))
		return false;
	size_t k = strlen(out);
	if (k + 1 + n >= cap)
		return false;
	if (k > 1)
		out[k++] = '/';
	memcpy(out + k, name, n + 1);
	return true;
}

static void bound_here(const struct ipcg_ev *e, int fd, const struct ipcg_sun_name *n)
{
	static IPCG_BULK struct ipcg_bound b;	/* 4 KiB: under IPCG_SCRATCH_BIND, not on the stack */
	_Atomic int *bind_lock = &ipcg_scratch_lock[IPCG_SCRATCH_BIND];
	struct ipcg_sock s;

	if (!ipcg_unix_sock_get(fd, &s))
		memset(&s, 0, sizeof(s));
	s.bound = true;
	s.abstract = n->abstract;
	s.bind_seq = e->seq;
	s.bind_stack = e->stack;
	s.bound_id = 0;
	if (!n->abstract) {
		ipcg_spin_lock(bind_lock);
		memset(&b, 0, sizeof(b));
		memcpy(b.name, n->name, n->len);
		b.name[n->len] = '\0';
		b.fd = fd;
		b.seq = e->seq;
		b.stack = e->stack;
		if (absolute(b.path, sizeof(b.path), b.name) &&
		    ipcg_probes->unix_file_id(b.path, &b.dev, &b.ino, &b.btime_ns) == 0)
			s.bound_id = ipcg_unix_bound_add(&b);
		ipcg_spin_unlock(bind_lock);
	}
	ipcg_unix_sock_set(fd, &s);
	/* a datagram socket never listens: it is reachable from bind on */
	if (s.bound_id && (s.type == SOCK_DGRAM) && ipcg_detect_logging(IPCG_FAM_UNIX))
		check_world(e, fd, &s);
}

void ipcg_on_bind(const struct ipcg_ev *e, int fd, const struct ipcg_sun *a, int ret)
{
	struct ipcg_sun_name n;
	bool log = ipcg_detect_logging(IPCG_FAM_UNIX);

	ipcg_detect_owner_note();
	ipcg_sun_name(a, &n);
	if (!n.named)
		return;
	if (log)
		ipcg_check_sun(e, "bind", fd, a, &n);
	if (ret == 0) {
		bound_here(e, fd, &n);
		return;
	}
	if (!log || e->err != EADDRINUSE || n.abstract)
		return;	/* an abstract name in use is held by a live socket */
	char path[IPCG_SUN_PATH + 1];
	memcpy(path, n.name, n.len);
	path[n.len] = '\0';
	if (ipcg_probes->unix_path(path) == IPCG_PROBE_STALE)
		stale_socket(e, fd, &n, path);
}
