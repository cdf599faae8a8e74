/* shm/policy.c: the System V shared-memory policies, see shm/policy.h and
 * docs/policies.md.
 *
 * A refusal makes no real call, so it leaves nothing behind: no segment
 * is created, attached or detached.  The state tables are those of the
 * detectors (shm/state.h); the policies read them, and count the
 * references of repeat-attach=reuse themselves so that the decision and
 * the count are one atomic step. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "shm/detect.h"
#include "check/events.h"
#include "ipcg/xlat.h"
#include "core/call.h"
#include "check/policy.h"
#include "check/probe.h"
#include "shm/policy.h"
#include "core/real.h"

#define SHM_PERMS 0777
#define OPEN_TRIES 4
#define REUSE_TRIES 8	/* stale attaches of one shmid forgotten per shmat before a real one */	/* create-or-open rounds while a segment of the key comes and goes */

/* max-attach slots held by shmat calls between their decision and the
 * hook that counts their attach: two threads cannot both take the last */
static _Atomic uint32_t pending_attaches;

/* --- shmget ------------------------------------------------------------------- */

/* The segment shmget(key) finds now; ret->size 0 when it cannot be
 * IPC_STATed.  A size-0 lookup with no flags asks for no permission, has
 * no side effect and never creates.  Guard held. */
static bool existing(key_t key, struct ipcg_seg *ret, bool untraced)
{
	int saved = errno;
	int id = ipcg_probes->shm_lookup(key);
	bool found = id >= 0;
	struct shmid_ds ds;

	if (found && untraced) {
		/* no table (its lock may be held below us): the kernel's word
		 * only; a segment inherited from the parent counts as foreign */
		memset(ret, 0, sizeof(*ret));
		ret->shmid = id;
		if (ipcg_probes->shm_stat(id, &ds) == 0) {
			ret->size = ds.shm_segsz;
			ret->created = ds.shm_cpid == getpid();
		}
	} else if (found && !ipcg_shm_learn(id, key, NULL, ret)) {
		memset(ret, 0, sizeof(*ret));	/* no read permission: size unknown, not ours */
		ret->shmid = id;
	}
	errno = saved;
	return found;
}

/* Not foreign: created by this process, or known to the parent it forked
 * from (the same rule as the foreign-segment detector). */
static bool ours(const struct ipcg_seg *s)
{
	return s->created || s->inherited;
}

static void note_existing(struct ipcg_pol_get *o, const struct ipcg_seg *s)
{
	o->ex_id = s->shmid;
	o->ex_size = s->size;
}

static int refuse_get(struct ipcg_pol_get *o, int err)
{
	o->deny = err;
	o->ev = IPCG_EV_DENIED;
	errno = err;
	return -1;
}

/* IPC_CREAT without IPC_EXCL, when the mode must be masked or a foreign
 * segment refused: create exclusively, and when the key is taken, open the
 * existing segment without IPC_CREAT.  For an existing segment the kernel
 * treats "open" exactly as the original flags (IPC_EXCL absent), and the
 * open can never create, so the mask only ever applies to a segment this
 * call created and a foreign segment is refused without a race. */
static int create_or_open(struct ipcg_pol_get *o, key_t key, size_t size, int shmflg, int mflg,
			  bool fdeny, int saved)
{
	struct ipcg_seg s;
	int ret;

	for (int i = 0; i < OPEN_TRIES; i++) {
		ret = REAL(shmget)(key, size, mflg | IPC_EXCL);
		if (ret >= 0) {
			o->kflg = mflg | IPC_EXCL;
			o->masked = mflg != shmflg;
			return ret;
		}
		if (errno != EEXIST)
			return ret;	/* a creation error: the original call gets the same */
		if (fdeny) {
			ipcg_guard_enter();
			bool found = existing(key, &s, o->untraced);
			ipcg_guard_leave();
			if (found && !ours(&s)) {
				o->foreign = true;
				note_existing(o, &s);
				return refuse_get(o, EEXIST);
			}
		}
		errno = saved;
		ret = REAL(shmget)(key, size, shmflg & ~IPC_CREAT);
		if (ret >= 0 || errno != ENOENT)
			return ret;
		errno = saved;	/* removed in between: create again */
	}
	return REAL(shmget)(key, size, shmflg);
}

static int pol_shmget(struct ipcg_pol_get *o, key_t key, size_t size, int shmflg);

int ipcg_pol_shmget(struct ipcg_pol_get *o, key_t key, size_t size, int shmflg)
{
	memset(o, 0, sizeof(*o));
	return pol_shmget(o, key, size, shmflg);
}

int ipcg_pol_shmget_untraced(key_t key, size_t size, int shmflg)
{
	struct ipcg_pol_get o;

	memset(&o, 0, sizeof(o));
	o.untraced = true;
	int ret = pol_shmget(&o, key, size, shmflg);
	int err = errno;
	if (ipcg_logging && (o.deny || o.masked || o.foreign || o.mismatch))
		ipcg_trace_count_drop();	/* the policy record it could not write */
	errno = err;
	return ret;
}

static int pol_shmget(struct ipcg_pol_get *o, key_t key, size_t size, int shmflg)
{
	const struct ipcg_policy *p = &ipcg_policy;
	bool creates = key == IPC_PRIVATE || (shmflg & IPC_CREAT);
	bool excl = key == IPC_PRIVATE || (shmflg & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL);
	bool fdeny = p->foreign_segment == IPCG_POL_DENY && !excl && (shmflg & IPC_CREAT);
	int mflg = shmflg;
	int saved = errno;
	struct ipcg_seg s;

	o->kflg = shmflg;
	o->ex_id = -1;
	if (p->shm_mode >= 0 && creates)
		mflg = shmflg & ~(SHM_PERMS & ~p->shm_mode);
	/* IPC_PRIVATE and IPC_CREAT|IPC_EXCL never find an existing segment */
	if (!excl && (p->size_mismatch || (p->foreign_segment && (shmflg & IPC_CREAT)))) {
		ipcg_guard_enter();
		if (existing(key, &s, o->untraced)) {
			note_existing(o, &s);
			o->foreign = p->foreign_segment && (shmflg & IPC_CREAT) && !ours(&s);
			o->mismatch = p->size_mismatch && size && s.size && s.size != size;
		}
		ipcg_guard_leave();
	}
	if (o->foreign && p->foreign_segment == IPCG_POL_DENY)
		return refuse_get(o, EEXIST);
	if (o->mismatch && p->size_mismatch == IPCG_POL_DENY)
		return refuse_get(o, EINVAL);
	if (mflg == shmflg && !fdeny)
		return REAL(shmget)(key, size, shmflg);
	if (excl) {
		int ret = REAL(shmget)(key, size, mflg);
		o->kflg = mflg;
		o->masked = ret >= 0 && mflg != shmflg;
		return ret;
	}
	return create_or_open(o, key, size, shmflg, mflg, fdeny, saved);
}

/* "shmget(0x0001e240, 4096, IPC_CREAT|0666)" */
static void msg_get(struct ipcg_msg *m, key_t key, size_t size, int shmflg)
{
	char flg[IPCG_XLAT_BUF];

	ipcg_xlat_shmflg(flg, sizeof(flg), shmflg);
	ipcg_msg_s(m, "shmget(");
	ipcg_msg_key(m, key);
	ipcg_msg_s(m, ", ");
	ipcg_msg_u(m, size);
	ipcg_msg_s(m, ", ");
	ipcg_msg_s(m, flg);
	ipcg_msg_s(m, ")");
}

static void msg_mode(struct ipcg_msg *m, unsigned mode)
{
	char s[6] = { '0', (char)('0' + ((mode >> 6) & 7)), (char)('0' + ((mode >> 3) & 7)),
		      (char)('0' + (mode & 7)), '\0' };

	ipcg_msg_s(m, s);
}

void ipcg_pol_shmget_report(const struct ipcg_pol_get *o, uint64_t seq, key_t key, size_t size,
			    int shmflg, int ret)
{
	const struct ipcg_policy *p = &ipcg_policy;
	struct ipcg_msg m;

	if (o->foreign && (o->deny == EEXIST || (p->foreign_segment == IPCG_POL_WARN && ret == o->ex_id))) {
		ipcg_msg_init(&m);
		msg_get(&m, key, size, shmflg);
		ipcg_msg_s(&m, o->deny ? " refused with EEXIST: the key names shmid " : " returned shmid ");
		ipcg_msg_i(&m, o->ex_id);
		ipcg_msg_s(&m, o->deny ? ", which this process did not create"
			   : ", which this process did not create; foreign-segment=deny would refuse it with EEXIST");
		ipcg_policy_record("foreign-segment", ipcg_pol_action_name(p->foreign_segment), seq,
				   o->deny == EEXIST ? EEXIST : 0, m.buf);
	}
	if (o->mismatch && (o->deny == EINVAL || (p->size_mismatch == IPCG_POL_WARN && ret == o->ex_id))) {
		ipcg_msg_init(&m);
		msg_get(&m, key, size, shmflg);
		ipcg_msg_s(&m, o->deny ? " refused with EINVAL: the key names shmid " : " returned shmid ");
		ipcg_msg_i(&m, o->ex_id);
		ipcg_msg_s(&m, " of ");
		ipcg_msg_u(&m, o->ex_size);
		ipcg_msg_s(&m, o->deny ? " bytes" : " bytes; size-mismatch=deny would refuse it with EINVAL");
		ipcg_policy_record("size-mismatch", ipcg_pol_action_name(p->size_mismatch), seq,
				   o->deny == EINVAL ? EINVAL : 0, m.buf);
	}
	if (o->masked && ret >= 0) {
		ipcg_msg_init(&m);
		ipcg_msg_s(&m, "shmid ");
		ipcg_msg_i(&m, ret);
		ipcg_msg_s(&m, " created with mode ");
		msg_mode(&m, (unsigned)o->kflg & SHM_PERMS);
		ipcg_msg_s(&m, " instead of ");
		msg_mode(&m, (unsigned)shmflg & SHM_PERMS);
		ipcg_policy_record("shm-mode", p->shm_mode_s, seq, 0, m.buf);
	}
}

/* --- shmat ------------------------------------------------------------------- */

static void *refuse_at(struct ipcg_pol_at *o, const char *rule, int err)
{
	o->rule = rule;
	o->deny = err;
	o->ev = IPCG_EV_DENIED;
	errno = err;
	return (void *)-1;
}

/* repeat-attach=reuse: hand out an attach of shmid only when
 * /proc/self/maps proves it is still there.  The tables cannot know of a
 * detach ipcguard did not see (munmap, syscall(SYS_shmdt), a shmdt while
 * the guard was busy); such an entry is forgotten and the next one tried,
 * and when none is left the caller makes a real shmat.  Guard held; the
 * maps read costs syscalls on this path only. */
static bool reuse(struct ipcg_pol_at *o, int shmid, int shmflg)
{
	for (int i = 0; i < REUSE_TRIES; i++) {
		if (!ipcg_shm_att_reuse(shmid, shmflg, &o->first))
			return false;
		if (ipcg_probes->maps_is_attach(o->first.addr, o->first.size, shmid)) {
			o->ev = IPCG_EV_REUSED;
			return true;
		}
		ipcg_shm_att_forget(o->first.addr, shmid);
	}
	return false;
}

/* A shmat that cannot be traced: no table, /proc/self/maps says what is
 * attached; reuse is not done (a real attach), deny and max-attach hold. */
void *ipcg_pol_shmat_untraced(int shmid, const void *shmaddr, int shmflg)
{
	const struct ipcg_policy *p = &ipcg_policy;
	int err = 0;

	/* attached, or maps unreadable (-1): refuse, fail closed */
	if (p->repeat_attach == IPCG_POL_DENY && ipcg_probes->maps_count(shmid) != 0) {
		err = EINVAL;
	} else if (p->max_attach >= 0) {
		int n = ipcg_probes->maps_count(-1);
		if (n < 0 || (uint64_t)n + atomic_load(&pending_attaches) >= (uint64_t)p->max_attach)
			err = ENOMEM;
	}
	if (err) {
		if (ipcg_logging)
			ipcg_trace_count_drop();	/* the policy record it could not write */
		errno = err;
		return (void *)-1;
	}
	return REAL(shmat)(shmid, shmaddr, shmflg);
}

void *ipcg_pol_shmat(struct ipcg_pol_at *o, int shmid, const void *shmaddr, int shmflg)
{
	const struct ipcg_policy *p = &ipcg_policy;

	memset(o, 0, sizeof(*o));
	if (p->repeat_attach) {
		ipcg_guard_enter();
		/* reuse only what the caller would get anyway: the kernel's
		 * choice of address, the same access */
		if (p->repeat_attach == IPCG_POL_REUSE && !shmaddr && reuse(o, shmid, shmflg)) {
			ipcg_guard_leave();
			return (void *)o->first.addr;
		}
		o->repeat = ipcg_shm_att_find(shmid, false, false, &o->first);
		ipcg_guard_leave();
		if (o->repeat && p->repeat_attach == IPCG_POL_DENY)
			return refuse_at(o, "repeat-attach", EINVAL);
	}
	if (p->max_attach >= 0) {
		ipcg_guard_enter();
		uint32_t n = ipcg_shm_nattached() + atomic_fetch_add(&pending_attaches, 1);
		ipcg_guard_leave();
		o->reserved = true;
		if (n >= (uint64_t)p->max_attach) {
			ipcg_pol_shmat_done(o);
			o->nattached = n;
			return refuse_at(o, "max-attach", ENOMEM);
		}
	}
	return REAL(shmat)(shmid, shmaddr, shmflg);
}

/* A fork child: the slots held by the parent's other threads are not the
 * child's (those threads do not exist here). */
static void pending_atfork_child(void)
{
	atomic_store(&pending_attaches, 0);
}

void ipcg_pol_shm_init(void)
{
	if (ipcg_policy.max_attach >= 0)
		(void)pthread_atfork(NULL, NULL, pending_atfork_child);
}

void ipcg_pol_shmat_done(struct ipcg_pol_at *o)
{
	if (o->reserved)
		atomic_fetch_sub(&pending_attaches, 1);
	o->reserved = false;
}

static void msg_attach(struct ipcg_msg *m, const struct ipcg_att *a)
{
	ipcg_msg_hex(m, a->addr);
	if (a->inherited)
		ipcg_msg_s(m, " (inherited through fork)");
	else
		ipcg_msg_seq(m, " by shmat", a->seq);
}

void ipcg_pol_shmat_report(const struct ipcg_pol_at *o, uint64_t seq, int shmid, void *ret, int err)
{
	const struct ipcg_policy *p = &ipcg_policy;
	struct ipcg_msg m;

	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "shmat of shmid ");
	ipcg_msg_i(&m, shmid);
	if (o->ev & IPCG_EV_REUSED) {
		ipcg_msg_s(&m, " handed out the existing attach at ");
		msg_attach(&m, &o->first);
		ipcg_msg_s(&m, ": ");
		ipcg_msg_u(&m, o->first.refs);
		ipcg_msg_s(&m, " references, the last shmdt detaches");
		ipcg_policy_record("repeat-attach", "reuse", seq, 0, m.buf);
	} else if (o->deny && o->rule[0] == 'r') {
		ipcg_msg_s(&m, " refused with EINVAL: already attached at ");
		msg_attach(&m, &o->first);
		ipcg_policy_record("repeat-attach", "deny", seq, EINVAL, m.buf);
	} else if (o->deny) {
		ipcg_msg_s(&m, " refused with ENOMEM: ");
		ipcg_msg_u(&m, o->nattached);
		ipcg_msg_s(&m, o->nattached == 1 ? " attach" : " attaches");
		ipcg_msg_s(&m, " held already, at most ");
		ipcg_msg_s(&m, p->max_attach_s);
		ipcg_msg_s(&m, " allowed");
		ipcg_policy_record("max-attach", p->max_attach_s, seq, ENOMEM, m.buf);
	} else if (o->repeat && p->repeat_attach == IPCG_POL_WARN) {
		ipcg_msg_s(&m, ret == (void *)-1 ? " (which failed)" : "");
		ipcg_msg_s(&m, " while already attached at ");
		msg_attach(&m, &o->first);
		ipcg_msg_s(&m, "; repeat-attach=deny would refuse it with EINVAL");
		ipcg_policy_record("repeat-attach", "warn", seq, err, m.buf);
	}
}

/* --- shmdt -------------------------------------------------------------------- */

int ipcg_pol_shmdt(struct ipcg_pol_dt *o, const void *shmaddr)
{
	memset(o, 0, sizeof(*o));
	if (ipcg_policy.repeat_attach != IPCG_POL_REUSE)
		return REAL(shmdt)(shmaddr);
	ipcg_guard_enter();
	int left = ipcg_shm_att_unref((uintptr_t)shmaddr, &o->a);
	ipcg_guard_leave();
	if (left > 0) {
		o->ev = IPCG_EV_ABSORBED;
		o->left = left;
		return 0;
	}
	o->detaching = left == 0;
	int ret = REAL(shmdt)(shmaddr);
	if (ret < 0 && o->detaching) {
		int err = errno;
		ipcg_guard_enter();
		ipcg_shm_att_undetach((uintptr_t)shmaddr);
		ipcg_guard_leave();
		errno = err;
	}
	return ret;
}

void ipcg_pol_shmdt_report(const struct ipcg_pol_dt *o, uint64_t seq, const void *shmaddr, int ret)
{
	struct ipcg_msg m;

	if (!(o->ev & IPCG_EV_ABSORBED))
		return;
	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "shmdt(");
	ipcg_msg_hex(&m, (uintptr_t)shmaddr);
	ipcg_msg_s(&m, ") of shmid ");
	ipcg_msg_i(&m, o->a.shmid);
	ipcg_msg_s(&m, " kept the segment attached: ");
	ipcg_msg_u(&m, (uint64_t)o->left);
	ipcg_msg_s(&m, o->left == 1 ? " reference left" : " references left");
	ipcg_policy_record("repeat-attach", "reuse", seq, 0, m.buf);
}

/* --- rmid-at-exit --------------------------------------------------------------- */

/* Mark for removal the segments this process created and did not remove,
 * and only those it can prove are still the segment it created: IPC_STAT
 * must succeed and show this process as creator with the size and key it
 * was created with.  A segment removed by someone else may have left its
 * id to a segment of another process; when IPC_STAT fails (EACCES: the
 * owner has no read bit) nothing is proven and nothing is removed, and
 * the record says so. */
void ipcg_policy_at_exit(void)
{
	struct ipcg_seg s;
	struct shmid_ds ds;
	struct ipcg_msg m;
	uint32_t cur = 0;

	if (!ipcg_policy.rmid_at_exit)
		return;
	pid_t me = getpid();
	while (ipcg_shm_seg_next(&cur, &s)) {
		if (!s.created || s.removed)
			continue;
		int st_err = -ipcg_probes->shm_stat(s.shmid, &ds);
		if (st_err) {
			if (st_err != EACCES)
				continue;	/* gone (EINVAL, EIDRM) */
			ipcg_msg_init(&m);
			ipcg_msg_s(&m, "left ");
			ipcg_msg_seg(&m, &s);
			ipcg_msg_s(&m, " in place: IPC_STAT");
			ipcg_msg_failed(&m, st_err);
			ipcg_msg_s(&m, ", so it cannot be proven to be the segment this process created");
			ipcg_policy_record("rmid-at-exit", "on", 0, st_err, m.buf);
			continue;
		}
		if (ds.shm_cpid != me || (ds.shm_perm.mode & SHM_DEST) ||
		    (s.size && ds.shm_segsz != s.size) ||
		    (s.key_known && ds.shm_perm.__key != s.key))
			continue;	/* another segment now, or already marked */
		int err = REAL(shmctl)(s.shmid, IPC_RMID, NULL) < 0 ? errno : 0;
		ipcg_msg_init(&m);
		ipcg_msg_s(&m, err ? "IPC_RMID at exit of " : "marked ");
		ipcg_msg_seg(&m, &s);
		if (err)
			ipcg_msg_failed(&m, err);
		else
			ipcg_msg_s(&m, " for removal at exit");
		if (!err && ds.shm_nattch)
			ipcg_msg_s(&m, "; it goes when its last attach does");
		ipcg_policy_record("rmid-at-exit", "on", 0, err, m.buf);
	}
}
