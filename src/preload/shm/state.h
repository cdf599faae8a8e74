/* shm/state.h: what this process knows about System V shared memory: the
 * segments it has seen, the attaches it holds, and its last detaches
 * (shm/state.c); the keys whose segment was removed while still attached
 * and what ftok returned (shm/keys.c, declared in shm/keys.h).
 * Shared by the detectors (shm/detect.c, check/detect_exit.c) and the policies.
 *
 * Contract
 * - Who writes: the detector hooks ipcg_on_shm*() (shm/detect.c) keep the
 *   tables up to date after every intercepted call, whether or not the
 *   shm family is being logged.  The policy layer reads them (and counts the
 *   refs of repeat-attach=reuse itself, below).  A
 *   policy that changes a call tells the detectors through the
 *   ipcg_on_*() hook as if the kernel had answered:
 *     repeat-attach=reuse: the policy takes the reference itself with
 *       ipcg_shm_att_reuse() (find and refs + 1 under one lock, so no
 *       other thread can detach the address in between), then calls
 *       ipcg_on_shmat() with ret = that address and IPCG_EV_REUSED; the
 *       detector reports and counts nothing more.
 *     shmdt under reuse: the policy calls ipcg_shm_att_unref() first
 *       (refs > 1: refs - 1 under the lock, the shmdt is absorbed and
 *       reported with IPCG_EV_ABSORBED, which the detector does not count
 *       again; refs == 1: marked detaching, the real shmdt follows and the
 *       hook releases the attach as usual).  So "only the last matching
 *       shmdt really detaches" holds under any interleaving of threads.
 *     deny: call the hook with ret -1 and e->err set to the errno the
 *       caller gets, and e->policy = IPCG_EV_DENIED (check/events.h).
 * - Locking: one spin lock per table set, taken inside these functions
 *   only, never across a real call or a record write, and only by a thread
 *   that holds the re-entrancy guard (core/guard.h), so a signal handler cannot
 *   deadlock on it.  Functions copy entries out (ret_ arguments): nothing
 *   returned points into the tables.  Fork: ipcg_shm_state_atfork_*() hold
 *   the lock across fork(), the child marks everything inherited.
 * - Memory: fixed-capacity tables in MAP_NORESERVE anonymous mappings with
 *   free lists; a slot is reused as soon as it is freed, so a program that
 *   attaches and detaches forever stays flat.  When a table is full the
 *   new object is not tracked (ipcg_shm_state_overflows() counts them);
 *   nothing is ever allocated with malloc.
 * - Stack ids in these tables are ids of the current trace; after fork
 *   they are translated lazily (stack/carry.h), so read them through
 *   ipcg_stack_resolve() (stack/carry.h) before writing them in a record.
 */
#ifndef IPCG_SHM_STATE_H
#define IPCG_SHM_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/types.h>

#include "shm/keys.h"	/* the key memories, for the files that include this one */

/* A segment seen by this process (created, found by shmget, or attached). */
struct ipcg_seg {
	int shmid;
	key_t key;		/* key it was created or found with; IPC_PRIVATE if none known */
	bool key_known;		/* false: the id came from elsewhere and IPC_STAT said private/removed */
	uint64_t size;		/* shm_segsz in bytes; 0 when unknown */
	uint32_t mode;		/* permission bits (shm_perm.mode & 0777) when known */
	pid_t cpid;		/* creator pid (shm_cpid), 0 when unknown */
	bool created;		/* created by this process image (false after fork in the child) */
	bool inherited;		/* known to the parent before fork */
	bool removed;		/* IPC_RMID succeeded in this process */
	uint32_t nattach;	/* attaches of this process that are live (entries, not refs) */
	uint64_t create_seq;	/* call that created or first found it (0 = not logged) */
	uint32_t create_stack;
	uint64_t rmid_seq;	/* the IPC_RMID call, 0 when not removed here */
	uint32_t rmid_stack;
};

/* A live attach of this process. */
struct ipcg_att {
	uintptr_t addr;		/* what shmat returned */
	uint64_t size;		/* segment size rounded up to the page, 0 when unknown */
	int shmid;
	int shmflg;		/* as passed to shmat (SHM_RDONLY matters for reuse) */
	uint32_t refs;		/* 1, plus one per repeat-attach=reuse hand-out */
	bool inherited;		/* came from the parent through fork */
	uint64_t seq;		/* the shmat call */
	uint32_t stack;
};

/* A recent successful shmdt, to tell a double detach from a wild pointer. */
struct ipcg_detach {
	uintptr_t addr;
	int shmid;
	uint64_t seq;
	uint32_t stack;
};

/* --- segments ----------------------------------------------------------- */

/* Copy the segment with this id into *ret; false when unknown. */
bool ipcg_shm_seg_get(int shmid, struct ipcg_seg *ret);
/* Add or replace (matched by shmid); nattach of an existing entry is kept.
 * 0, or -ENOSPC when the table is full. */
int ipcg_shm_seg_put(const struct ipcg_seg *s);
/* Mark removed by this process (IPC_RMID); false when unknown. */
bool ipcg_shm_seg_mark_removed(int shmid, uint64_t seq, uint32_t stack);
/* Forget a segment (gone from the system and not attached here). */
void ipcg_shm_seg_drop(int shmid);
/* Iterate: *cursor starts at 0; copies the next segment and returns true,
 * false at the end.  Entries added during the walk may be missed. */
bool ipcg_shm_seg_next(uint32_t *cursor, struct ipcg_seg *ret);

/* --- attaches ----------------------------------------------------------- */

/* Copy the attach at exactly addr; false when none. */
bool ipcg_shm_att_get(uintptr_t addr, struct ipcg_att *ret);
/* The earliest live attach of shmid; with match_rdonly, only one whose
 * SHM_RDONLY equals rdonly.  For repeat-attach=reuse. */
bool ipcg_shm_att_find(int shmid, bool match_rdonly, bool rdonly, struct ipcg_att *ret);
/* The attach whose [addr, addr + size) contains p (bad-detach diagnosis;
 * a linear scan: rare paths only). */
bool ipcg_shm_att_containing(uintptr_t p, struct ipcg_att *ret);
/* Record a successful shmat.  When an attach of the same shmid is already
 * at a->addr (a reuse), its refs is incremented instead.  Returns the
 * number of live attaches of a->shmid before this one (0 = first), with
 * the earliest of them in *ret_first when that is > 0; -ENOSPC when the
 * table is full (the attach is not tracked). */
int ipcg_shm_att_add(const struct ipcg_att *a, struct ipcg_att *ret_first);
/* Record a successful shmdt: refs - 1, the entry goes at 0 (and is kept in
 * the recent-detach ring).  Returns the refs left (0 = really detached)
 * with the entry as it was in *ret, or -ENOENT when addr is not tracked. */
int ipcg_shm_att_release(uintptr_t addr, uint64_t seq, uint32_t stack, struct ipcg_att *ret);
/* repeat-attach=reuse: the earliest live attach of shmid with the same
 * SHM_RDONLY and SHM_EXEC as shmflg, not being detached, gets one more
 * reference (refs + 1, atomically with the search); copied to *ret.
 * false when there is none. */
bool ipcg_shm_att_reuse(int shmid, int shmflg, struct ipcg_att *ret);
/* shmdt under repeat-attach=reuse, atomically: when the attach at addr has
 * refs > 1, drop one and return the refs left (> 0): the caller does not
 * detach.  Otherwise mark it detaching (ipcg_shm_att_reuse skips it) and
 * return 0: the caller really detaches, the hook then releases the entry,
 * or ipcg_shm_att_undetach() clears the mark when the real shmdt failed.
 * -ENOENT when addr is not tracked.  The entry as it was is in *ret. */
int ipcg_shm_att_unref(uintptr_t addr, struct ipcg_att *ret);
void ipcg_shm_att_undetach(uintptr_t addr);
/* The attach of shmid at addr ended without ipcguard seeing it (munmap,
 * syscall(SYS_shmdt), ...): forget it, whatever its refs. */
void ipcg_shm_att_forget(uintptr_t addr, int shmid);
/* Live attaches of this process (entries, for max-attach). */
uint32_t ipcg_shm_nattached(void);
bool ipcg_shm_att_next(uint32_t *cursor, struct ipcg_att *ret);
/* The most recent shmdt of addr, if still in the ring. */
bool ipcg_shm_detach_find(uintptr_t addr, struct ipcg_detach *ret);

/* --- process ------------------------------------------------------------ */

/* Objects that could not be tracked because a table was full. */
uint64_t ipcg_shm_state_overflows(void);
/* Replace every stack id held in the tables by fn(id) (fork: stack/carry.h). */
void ipcg_shm_state_stacks(uint32_t (*fn)(uint32_t id));

void ipcg_shm_state_atfork_prepare(void);
void ipcg_shm_state_atfork_parent(void);
/* Child: every segment becomes not created here, attaches become
 * inherited (still the child's to detach), stacks are carried over. */
void ipcg_shm_state_atfork_child(void);

#endif
