/* tests/unit/unit.h: drive the detectors and policies without a preload.
 *
 * A scenario (struct ut_row) is a scripted kernel (what the probes of
 * check/probe.h answer), a sequence of calls as the call layer reports
 * them to the detectors (check/events.h) or, for policies, calls made
 * through the call layer itself (shm/call.h, unix/call.h), and the
 * records it must produce.  ut_run() runs each row in a fork child of its own (fresh
 * state tables, a crash fails the row instead of the file) with a trace
 * in a temporary directory, then reads the trace back: the findings as
 * "kind:severity" and the policy records as "policy:rule", in order and
 * joined by ',', must equal want, and every string in has[] must occur in
 * the trace.  Adding a scenario is adding a row. */
#ifndef IPCG_UNIT_H
#define IPCG_UNIT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "check/events.h"
#include "check/probe.h"
#include "core/config.h"
#include "ipcg/compiler.h"
#include "tap.h"

#define UT_ME (-2)		/* a creator pid: the process running the row */
#define UT_REAL_SEG (-3)	/* a shmid: a real private segment the row's process made */
#define UT_MAX 8		/* segments, files, names, steps per row ... */

/* A segment of the scripted kernel. */
struct ut_seg {
	int shmid;		/* 0 ends the list; UT_REAL_SEG allowed */
	key_t key;
	uint64_t size;
	unsigned mode;		/* permission bits, | SHM_DEST once removed */
	pid_t cpid;		/* UT_ME: this process */
	unsigned nattch;
	int stat_err;		/* IPC_STAT fails with it (EACCES), 0 = succeeds */
};

/* A file of the scripted kernel. */
struct ut_file {
	const char *path;	/* NULL ends the list */
	mode_t mode;		/* S_IFSOCK | 0777, S_IFDIR | 0755 ... */
	int stat_err;		/* stat and lstat fail with it */
	int search_err;		/* faccessat(X_OK) fails with it */
	bool live;		/* a socket file with a socket bound to it */
};

struct ut_kernel {
	struct ut_seg segs[UT_MAX];
	struct ut_file files[UT_MAX];
	const char *abstract[UT_MAX];	/* abstract names bound by live sockets */
	struct ipcg_limits limits;	/* 0: shmmax 1 GiB, shmall 1 Mi pages, shmmni 4096 */
	unsigned used_ids;		/* SHM_INFO */
	uint64_t shm_tot;
	pid_t alive[UT_MAX];		/* processes that exist */
	int maps_count;			/* /proc/self/maps attaches (of any shmid) */
	bool maps_attach;		/* maps proves an attach is still there */
};

enum ut_op {
	UT_END,
	UT_SHMGET, UT_SHMAT, UT_SHMDT, UT_SHMCTL, UT_FTOK,
	UT_SOCKET, UT_BIND, UT_CONNECT, UT_LISTEN, UT_CLOSE,
	UT_EXIT,		/* the exit sequence: exit findings, exit policies */
	UT_KSEG,		/* the kernel's segment .seg changes (or appears) */
	UT_KRMFILE,		/* the file .s disappears (unlinked) */
	UT_POL_SHMAT,		/* shmat through the call layer (shm/call.c) and its policies */
	UT_POL_SHMAT_UNTRACED,	/* the same with the guard held: a call that cannot be traced */
	UT_POL_BIND,		/* bind, connect through the call layer (unix/call.c) */
	UT_POL_CONNECT,		/* and its policies, on a real socket of the row's */
};				/* process (.a unused): a call allowed is real */

/* One call: its arguments, what it returned, errno. */
struct ut_step {
	enum ut_op op;
	long a;			/* key, shmid, fd */
	long b;			/* size, address */
	long c;			/* flags, cmd, proj_id, type */
	const char *s;		/* path; "@name" for an abstract name */
	size_t len;		/* addrlen; 0 = the length that names s exactly */
	long ret;
	int err;		/* errno when the call failed */
	unsigned policy;	/* IPCG_EV_* bits */
	struct ut_seg seg;	/* UT_KSEG */
};

#define SHMGET(key, size, flg, id) { UT_SHMGET, .a = (key), .b = (size), .c = (flg), .ret = (id) }
#define SHMGET_ERR(key, size, flg, e) { UT_SHMGET, .a = (key), .b = (size), .c = (flg), .ret = -1, .err = (e) }
#define SHMAT(id, addr) { UT_SHMAT, .a = (id), .ret = (addr) }
#define SHMDT(addr) { UT_SHMDT, .b = (addr) }
#define SHMDT_ERR(addr, e) { UT_SHMDT, .b = (addr), .ret = -1, .err = (e) }
#define RMID(id) { UT_SHMCTL, .a = (id), .c = IPC_RMID }
#define FTOK(path, proj, key) { UT_FTOK, .s = (path), .c = (proj), .ret = (key) }
#define FTOK_ERR(path, proj, e) { UT_FTOK, .s = (path), .c = (proj), .ret = -1, .err = (e) }
#define SOCKET(fd, type) { UT_SOCKET, .a = (fd), .c = (type), .ret = (fd) }
#define BIND(fd, path) { UT_BIND, .a = (fd), .s = (path) }
#define BIND_LEN(fd, path, n) { UT_BIND, .a = (fd), .s = (path), .len = (n) }
#define BIND_ERR(fd, path, e) { UT_BIND, .a = (fd), .s = (path), .ret = -1, .err = (e) }
#define CONNECT_ERR(fd, path, e) { UT_CONNECT, .a = (fd), .s = (path), .ret = -1, .err = (e) }
#define LISTEN(fd) { UT_LISTEN, .a = (fd) }
#define CLOSE(fd) { UT_CLOSE, .a = (fd) }
#define EXIT() { UT_EXIT }
#define KSEG(...) { UT_KSEG, .seg = { __VA_ARGS__ } }
#define KRMFILE(path) { UT_KRMFILE, .s = (path) }
#define POL_SHMAT(id) { UT_POL_SHMAT, .a = (id) }
#define POL_SHMAT_UNTRACED(id) { UT_POL_SHMAT_UNTRACED, .a = (id) }
#define POL_BIND(path) { UT_POL_BIND, .s = (path) }
#define POL_CONNECT(path) { UT_POL_CONNECT, .s = (path) }

struct ut_row {
	const char *name;
	unsigned families;	/* IPCG_FAM_* logged; 0 = both */
	const char *policy;	/* IPCGUARD_POLICY; NULL = none */
	struct ut_kernel k;
	struct ut_step steps[16];
	const char *want;	/* "kind:severity,...,policy:rule" in trace order; "" = none */
	const char *has[4];	/* strings the trace must contain */
};

/* Run every row: 1 + (number of has[]) tests each. */
void ut_run(const struct ut_row *rows, size_t n);
/* Tests ut_run() will report for these rows (for tap_plan). */
int ut_count(const struct ut_row *rows, size_t n);

#endif
