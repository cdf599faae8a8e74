/* Report model built while the traces stream by: calls and errors per
 * function, findings grouped by kind and stack, leaks (exit findings, or what
 * was still held when a trace without exit record ended), and the objects
 * (keys, shmids, socket paths) that more than one process used.
 *
 * Memory is bounded by distinct functions, stacks and kinds, live objects,
 * and objects shared between processes: a single process's object is
 * forgotten when it is removed (IPC_RMID) or its socket closed. */
#ifndef IPCG_TOOLS_AGGREGATE_H
#define IPCG_TOOLS_AGGREGATE_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "load/trace_load.h"
#include "model/lifetime.h"

#define IPCG_MAX_ERRNOS 16		/* distinct errno names kept per function */

struct ipcg_fnstat {
	char *fn;
	uint64_t calls, errors;
	unsigned nerrnos;
	struct {
		char *name;
		uint64_t count;
	} errnos[IPCG_MAX_ERRNOS];
	UT_hash_handle hh;
};

/* Findings of one kind from one stack of one process. */
struct ipcg_fgroup {
	struct {
		const struct ipcg_proc *proc;
		const struct ipcg_stack *stack;
		const char *kind;	/* interned */
	} k;
	enum ipcg_sev sev;
	uint64_t count;
	char *message;			/* the first one */
	bool suppressed;		/* report --suppress matched it */
	UT_hash_handle hh;
};

enum ipcg_leak_src {
	IPCG_LEAK_EXIT,			/* an exit-time finding */
	IPCG_LEAK_END,			/* held when a trace without exit record ended */
	IPCG_LEAK_CONT,			/* held at the end of the parts read (rotated, next not given) */
	IPCG_LEAK_NSRC,
};

struct ipcg_leak {
	struct ipcg_proc *proc;
	enum ipcg_leak_src src;
	char *kind;			/* finding kind, or attached/segment/socket */
	char *message;
	const struct ipcg_stack *stack;
	bool has_shmid;
	int64_t shmid;
	char *key, *path, *abstract, *shmaddr;	/* facts, NULL when absent */
	int64_t fd;			/* socket still open (END only), else -1 */
	bool has_size;
	uint64_t size;			/* segment bytes */
	bool inherited;			/* an attach inherited through fork */
	uint64_t create_seq;		/* the creating (attaching, binding) call, 0 unknown */
	uint64_t created_realtime_ns;	/* when that call was made, 0 unknown */
	bool suppressed;		/* report --suppress matched its finding */
	struct ipcg_leak *next;
};

enum ipcg_act {
	IPCG_ACT_FTOK = 1 << 0,
	IPCG_ACT_CREATED = 1 << 1,
	IPCG_ACT_GOT = 1 << 2,		/* shmget of an existing segment */
	IPCG_ACT_ATTACHED = 1 << 3,
	IPCG_ACT_DETACHED = 1 << 4,
	IPCG_ACT_REMOVED = 1 << 5,
	IPCG_ACT_BOUND = 1 << 6,
	IPCG_ACT_LISTENED = 1 << 7,
	IPCG_ACT_CONNECTED = 1 << 8,
	IPCG_ACT_ACCEPTED = 1 << 9,
	IPCG_ACT_COUNT = 10,
};

enum ipcg_okind {
	IPCG_OBJ_KEY,
	IPCG_OBJ_SHMID,
	IPCG_OBJ_PATH,
	IPCG_OBJ_ABSTRACT,
};

#define IPCG_OBJ_MAX_PROCS 64		/* users listed per object; more are counted */

struct ipcg_obj {
	char *hkey;			/* host NUL kind value, the hash key (in the same block) */
	size_t hkey_len;
	enum ipcg_okind kind;
	const char *host;		/* points into a proc */
	char *value;			/* "0x4101e240", "5", "/tmp/a.sock" */
	unsigned nusers;
	uint64_t more_users;		/* beyond IPCG_OBJ_MAX_PROCS */
	struct ipcg_user {
		struct ipcg_proc *proc;
		unsigned acts;		/* enum ipcg_act */
	} *users;			/* inl, or a malloc'd array of IPCG_OBJ_MAX_PROCS */
	struct ipcg_user inl[4];	/* most objects have one or two users */
	UT_hash_handle hh;
};

struct ipcg_agg {
	struct ipcg_fnstat *fns;
	struct ipcg_fgroup *groups;
	struct ipcg_interned *kinds;
	struct ipcg_leak *leaks, **leaks_tail;
	struct ipcg_obj *objs;
	uint64_t nfindings[IPCG_SEV_COUNT];
	uint64_t ncalls, nerrors;
	struct ipcg_life life;		/* the processes' objects (lifetime.h) */
};

void ipcg_agg_init(struct ipcg_agg *a);
void ipcg_agg_release(struct ipcg_agg *a);
extern const struct ipcg_load_ops ipcg_agg_ops;	/* ctx is a struct ipcg_agg */

const char *ipcg_act_name(unsigned bit_index);
const char *ipcg_okind_name(enum ipcg_okind k);

#endif
