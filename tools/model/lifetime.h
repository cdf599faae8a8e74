/* lifetime: one model of the objects a traced process holds, for report
 * (aggregate.c), export and leaks.
 *
 * Two layers:
 *  - ipcg_life_decode reads what a call record says about object lifetimes
 *    (a segment got or created, IPC_RMID, an attach, a detach, a socket
 *    opened, bound, connected or closed, a file unlinked): the one place
 *    that knows which argument of which call carries it.
 *  - struct ipcg_life follows each process's objects through the records
 *    of a load: segments it created (shmget, or a checkpoint's live record
 *    when the earlier part was not read), its attaches and its sockets.
 *    It tells its consumer when an object begins (created, attached,
 *    opened, or alive at a checkpoint), is bound, ends (IPC_RMID, shmdt,
 *    close, or reused by a call that returned its id again), and what is
 *    still held when the process's trace ends.
 *
 * A call whose seq is that of the live record an object came from is the
 * same object seen twice (the call and the checkpoint both in the part
 * read): it neither ends nor begins anything.  leaks joins creations of
 * all processes with the kernel's objects and uses the first layer only. */
#ifndef IPCG_TOOLS_LIFETIME_H
#define IPCG_TOOLS_LIFETIME_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "load/trace_load.h"

enum ipcg_life_op {
	IPCG_LOP_NONE,			/* no lifetime fact (or a failed call) */
	IPCG_LOP_SHMGET,		/* shmid (returned), key, priv, creat, excl, size */
	IPCG_LOP_RMID,			/* shmctl IPC_RMID: shmid */
	IPCG_LOP_SHMAT,			/* shmid, addr (returned) */
	IPCG_LOP_SHMDT,			/* addr */
	IPCG_LOP_SOCKET,		/* newfd */
	IPCG_LOP_SOCKETPAIR,		/* sv */
	IPCG_LOP_ACCEPT,		/* fd (listening), newfd */
	IPCG_LOP_BIND,			/* fd, name, addr_v */
	IPCG_LOP_LISTEN,		/* fd */
	IPCG_LOP_CONNECT,		/* fd, name, addr_v */
	IPCG_LOP_CLOSE,			/* fd */
	IPCG_LOP_UNLINK,		/* unlink, unlinkat, remove: path */
	IPCG_LOP_FTOK,			/* path: the key returned */
};

/* What a successful call says; only the fields of its op are set. */
struct ipcg_life_call {
	enum ipcg_life_op op;
	int64_t shmid;
	const char *key;		/* SHMGET: "0x..." or "IPC_PRIVATE", NULL when absent */
	bool priv, creat, excl;		/* SHMGET: IPC_PRIVATE, IPC_CREAT, IPC_EXCL */
	bool has_size;
	uint64_t size;			/* SHMGET */
	bool creates;			/* SHMGET: priv || creat; ipcg_life_ops.call may clear it */
	uint64_t addr;			/* SHMAT, SHMDT */
	bool has_fd;
	int64_t fd;			/* sockfd of BIND LISTEN CONNECT ACCEPT, fd of CLOSE */
	int64_t newfd;			/* SOCKET, ACCEPT: the descriptor returned, -1 for none */
	const struct ipcg_jv *sv;	/* SOCKETPAIR: the array of two descriptors */
	const struct ipcg_jv *addr_v;	/* BIND CONNECT: the sockaddr's path or abstract string */
	bool abstract;			/* addr_v is the abstract name */
	const char *name;		/* addr_v as printable text (\xNN, \\), NULL without addr_v;
					 * valid until the next decode */
	const char *path;		/* UNLINK: pathname; FTOK: the key */
};

/* Fills *ret from a call record; ret->op is IPCG_LOP_NONE for any other
 * record, a failed call or one without the arguments its op needs. */
void ipcg_life_decode(const struct ipcg_rec *r, struct ipcg_life_call *ret);

/* The name in a sockaddr object (a call's "addr", a live record's): its
 * path, else its abstract name, as printable text (valid until the next
 * call); NULL for neither. */
const char *ipcg_life_sockaddr_name(const struct ipcg_jsonr *jp, const struct ipcg_jv *ad,
				    bool *ret_abstract);

/* CLOCK_REALTIME of a trace's monotonic ts, false when the header did not
 * give both clocks or ts is before the start. */
bool ipcg_life_realtime(const struct ipcg_proc *p, uint64_t ts, uint64_t *ret);

enum ipcg_life_kind {
	IPCG_LIFE_SEGMENT,		/* id: shmid */
	IPCG_LIFE_ATTACH,		/* id: address */
	IPCG_LIFE_SOCKET,		/* id: descriptor */
	IPCG_LIFE_NKINDS,
};

enum ipcg_life_origin {			/* which record began an object */
	IPCG_LORIG_CALL,		/* shmget, shmat */
	IPCG_LORIG_SOCKET,
	IPCG_LORIG_ACCEPT,
	IPCG_LORIG_SOCKETPAIR,
	IPCG_LORIG_BIND,		/* a bind on a descriptor not seen opened (no begin) */
	IPCG_LORIG_LIVE,		/* a checkpoint's live record */
};

struct ipcg_life_obj {
	struct {
		uint8_t kind;		/* enum ipcg_life_kind */
		uint64_t id;
	} k;
	enum ipcg_life_origin origin;
	int64_t shmid;			/* segment, attach */
	char *key;			/* segment: as written (NULL when absent) */
	bool priv;			/* segment: IPC_PRIVATE */
	bool has_size;
	uint64_t size;			/* segment */
	uint64_t addr;			/* attach */
	int64_t fd;			/* socket */
	char *name;			/* socket: bound name (printable), NULL when not bound here */
	bool abstract;			/* socket: name is an abstract name */
	uint64_t seq;			/* the beginning call's, 0 unknown */
	uint64_t ts;			/* its time; a live record's: the checkpoint's end (0 until then) */
	const struct ipcg_stack *stack;	/* of the call that began (for a socket: bound) it */
	void *user;			/* the consumer's */
	UT_hash_handle hh;
};

enum ipcg_life_end {
	IPCG_LEND_CALL,			/* IPC_RMID, shmdt, close */
	IPCG_LEND_REUSED,		/* a call returned its id again: it ended unseen */
};

/* A consumer's callbacks; any may be NULL.  r is the record at hand. */
struct ipcg_life_ops {
	/* every call and live record, before the objects change; for a call,
	 * c is decoded (for a live record c->op is IPCG_LOP_NONE) */
	void (*call)(void *ctx, struct ipcg_proc *p, struct ipcg_life_call *c,
		     const struct ipcg_rec *r);
	void (*begin)(void *ctx, struct ipcg_proc *p, struct ipcg_life_obj *o,
		      const struct ipcg_rec *r);
	/* o leaves the model: the consumer lets go of o->user (o is freed
	 * after the call; for REUSED it begins again at once, in its place,
	 * with the new call's facts) */
	void (*end)(void *ctx, struct ipcg_proc *p, struct ipcg_life_obj *o, enum ipcg_life_end why,
		    const struct ipcg_rec *r);
	/* the trace ended (ipcg_life_proc_end) with o still held: attaches,
	 * then segments, then sockets, each in the order they began */
	void (*held)(void *ctx, struct ipcg_proc *p, struct ipcg_life_obj *o);
};

struct ipcg_life {
	const struct ipcg_life_ops *ops;
	void *ctx;
};

/* Follows record r of process p (from ipcg_load_ops.record). */
void ipcg_life_record(struct ipcg_life *lf, struct ipcg_proc *p, const struct ipcg_rec *r);
/* p's trace is read (ipcg_load_ops.proc_end): ops->held for each object
 * still held, then p's model is freed. */
void ipcg_life_proc_end(struct ipcg_life *lf, struct ipcg_proc *p);

/* The consumer's per-process pointer (the model owns p->user); NULL when
 * out of memory. */
void **ipcg_life_user(struct ipcg_proc *p);
struct ipcg_life_obj *ipcg_life_find(struct ipcg_proc *p, enum ipcg_life_kind kind, uint64_t id);
/* p holds an attach of shmid. */
bool ipcg_life_attached(struct ipcg_proc *p, int64_t shmid);
/* Drops o without an end (it was never what the model took it for). */
void ipcg_life_forget(struct ipcg_proc *p, struct ipcg_life_obj *o);

#endif
