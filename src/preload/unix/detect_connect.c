/* unix/detect_connect.c: the AF_UNIX detectors of connect (SPEC section 4):
 * path-truncated and abstract-trailing-nul on the address, and
 * connect-failed, whose message says why: the file is missing (or its
 * directory), is not a socket, is stale (nobody bound to it), has a
 * socket that is not listening, or permission was denied (and where).
 * Nothing is looked at when connect succeeds. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcg/format.h"
#include "unix/detect.h"
#include "ipcg/xlat.h"

/* Why EACCES: the first directory on the path that this process cannot
 * search, else the socket file that it cannot write. */
static void why_denied(struct ipcg_msg *m, const char *path)
{
	char dir[IPCG_SUN_PATH + 2];
	struct stat st;
	bool found = false;

	size_t n = strnlen(path, IPCG_SUN_PATH);
	memcpy(dir, path, n);
	dir[n] = '\0';
	for (size_t i = 1; i < n && !found; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (ipcg_probes->search(dir) == -EACCES) {
			ipcg_msg_s(m, "the directory \"");
			ipcg_msg_bytes(m, dir, i, 120);
			ipcg_msg_s(m, "\" is not searchable by uid ");
			ipcg_msg_u(m, geteuid());
			found = true;
		}
		dir[i] = '/';
	}
	if (found)
		return;
	ipcg_msg_s(m, "the socket file is not writable by uid ");
	ipcg_msg_u(m, geteuid());
	if (ipcg_probes->stat(path, &st) == 0) {
		ipcg_msg_s(m, " (owner ");
		ipcg_msg_u(m, st.st_uid);
		ipcg_msg_s(m, ", mode 0");
		ipcg_msg_u(m, (st.st_mode >> 6) & 7);
		ipcg_msg_u(m, (st.st_mode >> 3) & 7);
		ipcg_msg_u(m, st.st_mode & 7);
		ipcg_msg_s(m, "); connect needs write permission on it");
	}
}

/* Is the directory holding path there? */
static bool dir_exists(const char *path, size_t n)
{
	char dir[IPCG_SUN_PATH + 1];
	struct stat st;
	size_t k = n;

	while (k && path[k - 1] != '/')
		k--;
	if (!k)
		return true;	/* relative name in the working directory */
	memcpy(dir, path, k);
	dir[k] = '\0';
	return ipcg_probes->stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *diagnose_path(struct ipcg_msg *m, const struct ipcg_ev *e, const char *path,
				 size_t n)
{
	if (e->err == EACCES) {
		if (e->policy & IPCG_EV_DENIED) {
			ipcg_msg_s(m, "the socket-paths policy refused the path");
			return "policy";
		}
		why_denied(m, path);
		return "denied";
	}
	switch (ipcg_probes->unix_path(path)) {
	case IPCG_PROBE_MISSING:
		if (!dir_exists(path, n)) {
			ipcg_msg_s(m, "its directory does not exist");
			return "missing-directory";
		}
		ipcg_msg_s(m, "no such file: no server has bound this path (not started yet, or it uses another path)");
		return "missing";
	case IPCG_PROBE_NOT_SOCKET:
		ipcg_msg_s(m, "the path exists but is not a socket");
		return "not-socket";
	case IPCG_PROBE_STALE:
		ipcg_msg_s(m, "the socket file is stale: no socket is bound to it (its server exited without unlinking it)");
		return "stale";
	case IPCG_PROBE_LIVE:
		ipcg_msg_s(m, "a socket is bound to the file but does not accept this connection (not listening yet, or another socket type)");
		return "not-listening";
	case IPCG_PROBE_DENIED:
		why_denied(m, path);
		return "denied";
	default:
		ipcg_msg_s(m, "the file could not be examined");
		return "unknown";
	}
}

static const char *diagnose_abstract(struct ipcg_msg *m, const struct ipcg_sun_name *n)
{
	char name[IPCG_SUN_PATH];
	size_t len = n->len - n->trailing_nuls;

	if (ipcg_probes->unix_abstract(n->name, n->len) == IPCG_PROBE_LIVE) {
		ipcg_msg_s(m, "a socket is bound to this abstract name but does not accept this connection (not listening yet, or another socket type)");
		return "not-listening";
	}
	ipcg_msg_s(m, "no socket is bound to this abstract name");
	if (n->trailing_nuls) {
		if (ipcg_probes->unix_abstract(n->name, len) == IPCG_PROBE_LIVE) {
			ipcg_msg_s(m, ", but one is bound to the same name without the trailing NULs (size the address with strlen)");
			return "padded-name";
		}
	} else if (len + 1 < sizeof(name)) {
		/* a server that bound with addrlen = sizeof(struct sockaddr_un) */
		memset(name, 0, sizeof(name));
		memcpy(name, n->name, len);
		if (ipcg_probes->unix_abstract(name, sizeof(name) - 1) == IPCG_PROBE_LIVE) {
			ipcg_msg_s(m, ", but one is bound to the same name padded with NULs to 108 bytes: the server binds with addrlen = sizeof(struct sockaddr_un)");
			return "server-padded-name";
		}
	}
	return "no-listener";
}

static void connect_failed(const struct ipcg_ev *e, int fd, const struct ipcg_sun_name *n)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	char path[IPCG_SUN_PATH + 1];
	const char *cause;

	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "connect(fd ");
	ipcg_msg_i(&m, fd);
	ipcg_msg_s(&m, ") to ");
	ipcg_msg_sun(&m, n);
	ipcg_msg_failed(&m, e->err);
	ipcg_msg_s(&m, ": ");
	if (n->abstract) {
		cause = diagnose_abstract(&m, n);
	} else {
		memcpy(path, n->name, n->len);
		path[n->len] = '\0';
		cause = diagnose_path(&m, e, path, n->len);
	}
	ipcg_finding_begin(&r, IPCG_KIND_CONNECT_FAILED, IPCG_SEV_WARNING, e->seq, m.buf, e->stack);
	ipcg_fact_sun(&r.w, n);
	ipcg_jw_ki64(&r.w, "fd", fd);
	ipcg_jw_kstr(&r.w, "errno", ipcg_errno_name(e->err));
	ipcg_jw_kstr(&r.w, "cause", cause);
	(void)ipcg_finding_end(&r);
}

void ipcg_on_connect(const struct ipcg_ev *e, int fd, const struct ipcg_sun *a, int ret)
{
	struct ipcg_sun_name n;

	ipcg_detect_owner_note();
	if (!ipcg_detect_logging(IPCG_FAM_UNIX))
		return;
	ipcg_sun_name(a, &n);
	if (!n.named)
		return;
	ipcg_check_sun(e, "connect", fd, a, &n);
	if (ret < 0 && (e->err == ENOENT || e->err == ECONNREFUSED || e->err == EACCES))
		connect_failed(e, fd, &n);
}
