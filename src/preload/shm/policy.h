/* shm/policy.h: the System V shared-memory policies (SPEC section 5,
 * docs/policies.md): repeat-attach, size-mismatch, foreign-segment,
 * shm-mode, max-attach and rmid-at-exit.
 *
 * shm/call.c calls ipcg_pol_<fn>() instead of the real function when a
 * shm rule is active.  It runs before ipcg_call_after(): the guard is not
 * held, and it takes it itself only around its probes and table look-ups,
 * never across the real call.  It returns what the program gets, with
 * errno set as the real call (or the refusal) left it, and fills an
 * outcome that ipcg_pol_<fn>_report() turns into policy records (guard
 * held, after the call record, before the detector hook) and whose ev
 * bits and kernel flags go to the hook. */
#ifndef IPCG_POLICY_SHM_H
#define IPCG_POLICY_SHM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "shm/state.h"

/* At start-up, after the rules are parsed (registers a fork handler when
 * max-attach is set). */
void ipcg_pol_shm_init(void);

struct ipcg_pol_get {
	int kflg;		/* shmflg of the real call whose result the program got */
	unsigned ev;		/* IPCG_EV_* bits for the hook */
	int deny;		/* errno of a refusal (no real call made), else 0 */
	bool foreign;		/* the key names a segment this process did not create */
	bool mismatch;		/* ... of another size than asked */
	bool masked;		/* shm-mode reduced the mode of the segment this call created */
	int ex_id;		/* the existing segment, -1 when none */
	uint64_t ex_size;	/* its size, 0 when unknown */
	bool untraced;		/* the call cannot be traced: no table, no lock */
};

int ipcg_pol_shmget(struct ipcg_pol_get *o, key_t key, size_t size, int shmflg);
/* The same decisions for a call that cannot be traced (guard busy): the
 * kernel's word instead of the tables, no lock; the policy record it
 * would write is counted as dropped. */
int ipcg_pol_shmget_untraced(key_t key, size_t size, int shmflg);
void *ipcg_pol_shmat_untraced(int shmid, const void *shmaddr, int shmflg);
void ipcg_pol_shmget_report(const struct ipcg_pol_get *o, uint64_t seq, key_t key, size_t size,
			    int shmflg, int ret);

struct ipcg_pol_at {
	unsigned ev;		/* IPCG_EV_DENIED or IPCG_EV_REUSED */
	int deny;		/* errno of a refusal, else 0 */
	const char *rule;	/* the rule that refused */
	bool repeat;		/* shmid was already attached here (warn) */
	bool reserved;		/* max-attach: a slot is held until ipcg_pol_shmat_done() */
	uint32_t nattached;	/* max-attach: attaches counted when it refused */
	struct ipcg_att first;	/* the attach already there (repeat) or the one reused */
};

void *ipcg_pol_shmat(struct ipcg_pol_at *o, int shmid, const void *shmaddr, int shmflg);
/* err: the errno the program got, 0 on success */
void ipcg_pol_shmat_report(const struct ipcg_pol_at *o, uint64_t seq, int shmid, void *ret, int err);
/* After the hook has counted the attach: give back the max-attach slot. */
void ipcg_pol_shmat_done(struct ipcg_pol_at *o);

struct ipcg_pol_dt {
	unsigned ev;		/* IPCG_EV_ABSORBED when the shmdt was absorbed */
	int left;		/* references left after an absorbed shmdt */
	bool detaching;		/* the attach was marked detaching before the real shmdt */
	struct ipcg_att a;	/* the attach */
};

int ipcg_pol_shmdt(struct ipcg_pol_dt *o, const void *shmaddr);
void ipcg_pol_shmdt_report(const struct ipcg_pol_dt *o, uint64_t seq, const void *shmaddr, int ret);

#endif
