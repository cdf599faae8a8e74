/* unix/state.h: what this process knows about its AF_UNIX sockets: per
 * descriptor, the type and the name it bound; and the socket files it
 * bound and may have left behind.  Shared by the detectors (unix/detect.c,
 * check/detect_exit.c) and the policies (stale-socket, socket-mode, ...).
 *
 * Contract
 * - Who writes: the detector hooks ipcg_on_socket/socketpair/bind/listen/
 *   accept/close() (unix/detect.c) after every intercepted call on a
 *   tracked descriptor, whether or not the unix family is logged.  The
 *   policy layer reads, and asks ipcg_unix_probe() whether a socket file
 *   is stale before unlinking it.  A policy that changes a call reports
 *   the outcome to the hook as if the kernel had answered (and should call
 *   ipcg_on_bind() after its own chmod, so world-connectable sees the
 *   final mode).
 * - A bound path is remembered with the (st_dev, st_ino) lstat saw right
 *   after bind; at exit it is a leak only if lstat still finds a socket
 *   with that identity.  unlink/unlinkat/remove of a bound path
 *   (unix/unlink.c) forget it and write a call record.
 * - Locking as in shm/state.h: an internal spin lock, taken only with the
 *   guard held, never across a real call; results are copies.
 * - Memory: a per-descriptor array (IPCG_FD_MAX entries) and a bound-path
 *   table of IPCG_BOUND_MAX entries, both in MAP_NORESERVE mappings; when
 *   the path table is full, entries whose file is gone are swept first.
 * - Fork: descriptors are inherited (still the child's to close); bound
 *   paths are not the child's (a socket file the parent bound is reported
 *   in the parent's trace only).
 */
#ifndef IPCG_UNIX_STATE_H
#define IPCG_UNIX_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define IPCG_BOUND_MAX 1024	/* socket files remembered at once */
#define IPCG_SUN_PATH 108	/* sizeof(((struct sockaddr_un *)0)->sun_path) */

/* A tracked AF_UNIX descriptor. */
struct ipcg_sock {
	int type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET (flags stripped); -1 unknown */
	bool bound;		/* bind succeeded on this fd */
	bool abstract;		/* bound name is abstract */
	bool listening;		/* listen succeeded */
	bool inherited;		/* came from the parent through fork */
	bool world_checked;	/* world-connectable already looked at */
	uint32_t bound_id;	/* ipcg_unix_bound entry + 1, 0 = none */
	uint64_t bind_seq;
	uint32_t bind_stack;
};

/* A socket file this process bound (and has not been seen unlinked). */
struct ipcg_bound {
	char path[PATH_MAX];	/* absolute (cwd prepended at bind time) */
	char name[IPCG_SUN_PATH + 1];	/* sun_path as given, NUL-terminated */
	dev_t dev;		/* identity of the file right after bind */
	ino_t ino;
	uint64_t btime_ns;	/* its birth time, 0 when the filesystem has none:
				 * an inode number is reused at once after unlink */
	int fd;			/* the socket, -1 once closed */
	pid_t heir;		/* last fork child that inherited the open socket, 0 = none */
	uint64_t seq;		/* the bind call */
	uint32_t stack;
};

/* --- descriptors -------------------------------------------------------- */

bool ipcg_unix_sock_get(int fd, struct ipcg_sock *ret);
/* Start tracking fd (socket, socketpair, accept): type given, rest zero. */
void ipcg_unix_sock_new(int fd, int type, bool bound);
/* Update after bind/listen (whole entry replaced). */
void ipcg_unix_sock_set(int fd, const struct ipcg_sock *s);
/* Forget fd (close); returns the entry it had in *ret, false if none. */
bool ipcg_unix_sock_clear(int fd, struct ipcg_sock *ret);

/* --- bound socket files -------------------------------------------------- */

/* Remember a bound path; returns its id (> 0) or 0 when the table is full
 * even after sweeping entries whose file is gone. */
uint32_t ipcg_unix_bound_add(const struct ipcg_bound *b);
bool ipcg_unix_bound_get(uint32_t id, struct ipcg_bound *ret);
/* The socket fd closed: the entry stays (the file is still there). */
void ipcg_unix_bound_fd_closed(uint32_t id);
/* Forget (e.g. a policy unlinked it). */
void ipcg_unix_bound_drop(uint32_t id);
/* Has this process any bound path in the table?  Lock-free, may be stale
 * (the unlink hooks use it to pass every other path straight through). */
bool ipcg_unix_bound_any(void);
/* Iterate: *cursor starts at 0; false at the end. */
/* After fork, in the parent: the child holds every bound socket still open. */
void ipcg_unix_bound_forked(pid_t child);
bool ipcg_unix_bound_next(uint32_t *cursor, uint32_t *ret_id, struct ipcg_bound *ret);

/* --- probing a path (rare paths only: errors, bind, exit) ----------------- */

enum ipcg_probe {
	IPCG_PROBE_MISSING,	/* no such file (or a missing directory) */
	IPCG_PROBE_NOT_SOCKET,	/* a file that is not a socket */
	IPCG_PROBE_STALE,	/* a socket file nobody listens on */
	IPCG_PROBE_LIVE,	/* a socket file with a live peer behind it */
	IPCG_PROBE_DENIED,	/* permission denied on the file or a directory */
	IPCG_PROBE_UNKNOWN,	/* could not tell (out of descriptors, ...) */
};

/* What is at path: lstat, then connect(2) of a private SOCK_DGRAM socket,
 * which the kernel answers with ECONNREFUSED when no socket is bound to
 * the file and EPROTOTYPE when one of another type is: no peer ever sees
 * a connection.  For rare paths only (errors, exit).  errno is preserved. */
enum ipcg_probe ipcg_unix_probe(const char *path);
/* Is a socket bound to the abstract name of n bytes after the leading
 * NUL (looked up in /proc/net/unix)?  LIVE or MISSING (or UNKNOWN). */
enum ipcg_probe ipcg_unix_probe_abstract(const char *name, size_t n);

/* The identity of the socket file at path (lstat semantics): 0, or
 * -ENOTSOCK when it is something else, or -errno. */
int ipcg_unix_file_id(const char *path, dev_t *ret_dev, ino_t *ret_ino, uint64_t *ret_btime_ns);
/* Is the file at path still the socket file b bound? */
bool ipcg_unix_bound_still_there(const struct ipcg_bound *b);

/* --- process ------------------------------------------------------------ */

uint64_t ipcg_unix_state_overflows(void);
/* Replace every stack id held in the tables by fn(id) (fork: stack/carry.h). */
void ipcg_unix_state_stacks(uint32_t (*fn)(uint32_t id));
void ipcg_unix_state_atfork_prepare(void);
void ipcg_unix_state_atfork_parent(void);
void ipcg_unix_state_atfork_child(void);

#endif
