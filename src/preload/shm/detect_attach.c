/* shm/detect_attach.c: the detectors of shmat, shmdt and shmctl (SPEC section
 * 4): repeated-attach, bad-detach and rmid-while-attached, and the
 * bookkeeping of attaches that attached-at-exit and the policies use.
 *
 * A shmat or shmdt that succeeds costs one or two table operations; the
 * first shmat of a segment this process never saw through shmget costs
 * one IPC_STAT, and IPC_RMID one IPC_STAT to learn whether it is still
 * attached somewhere (not for a private segment of ours attached nowhere
 * here: see ipcg_on_shmctl). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ipcg/format.h"
#include "shm/detect.h"
#include "ipcg/xlat.h"

static uint64_t page_round(uint64_t n)
{
	static uint64_t page;

	if (!page) {
		long p = sysconf(_SC_PAGESIZE);
		page = p > 0 ? (uint64_t)p : 4096;
	}
	return (n + page - 1) / page * page;
}

/* --- repeated-attach ------------------------------------------------------- */

static void repeated_attach(const struct ipcg_ev *e, const struct ipcg_seg *s, bool seg_known,
			    int shmid, const void *ret, int before, const struct ipcg_att *first)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	bool ok = ret != (void *)-1;

	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "shmat of ");
	if (seg_known) {
		ipcg_msg_seg(&m, s);
	} else {
		ipcg_msg_s(&m, "shmid ");
		ipcg_msg_i(&m, shmid);
	}
	ipcg_msg_s(&m, ", already attached at ");
	ipcg_msg_hex(&m, first->addr);
	if (first->inherited)
		ipcg_msg_s(&m, " (inherited through fork)");
	else
		ipcg_msg_seq(&m, " by shmat", first->seq);
	if (e->policy & IPCG_EV_REUSED) {
		ipcg_msg_s(&m, ": the policy handed out the existing attach");
	} else if (ok) {
		ipcg_msg_s(&m, ", mapped it again at ");
		ipcg_msg_hex(&m, (uintptr_t)ret);
		ipcg_msg_s(&m, " (");
		ipcg_msg_u(&m, (uint64_t)before + 1);
		ipcg_msg_s(&m, " attaches now): every shmat costs address space until its shmdt");
	} else {
		ipcg_msg_failed(&m, e->err);
	}
	ipcg_finding_begin(&r, IPCG_KIND_REPEATED_ATTACH, IPCG_SEV_WARNING, e->seq, m.buf, e->stack);
	ipcg_jw_ki64(&r.w, "shmid", shmid);
	if (seg_known && s->key_known)
		ipcg_fact_key(&r.w, "key", s->key);
	ipcg_jw_key(&r.w, "shmaddr");
	if (ok)
		ipcg_jw_hex(&r.w, (uintptr_t)ret);
	else
		ipcg_jw_null(&r.w);
	ipcg_jw_khex(&r.w, "first_shmaddr", first->addr);
	ipcg_jw_ku64(&r.w, "attaches", (uint64_t)before + (ok ? 1 : 0));
	ipcg_fact_seq(&r.w, "first_seq", first->seq);
	ipcg_fact_stack(&r.w, "first_stack", first->stack);
	(void)ipcg_finding_end(&r);
}

void ipcg_on_shmat(const struct ipcg_ev *e, int shmid, const void *shmaddr, int shmflg, void *ret)
{
	struct ipcg_seg s;
	struct ipcg_att a, first;
	bool log = ipcg_detect_logging(IPCG_FAM_SHM);

	ipcg_detect_owner_note();
	bool seg_known = ipcg_shm_learn(shmid, IPC_PRIVATE, NULL, &s);
	if (ret == (void *)-1) {
		/* a refused repeat (repeat-attach=deny, max-attach) is still one */
		if (log && (e->policy & IPCG_EV_DENIED) && ipcg_shm_att_find(shmid, false, false, &first))
			repeated_attach(e, &s, seg_known, shmid, ret, (int)(seg_known ? s.nattach : 1), &first);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.addr = (uintptr_t)ret;
	a.size = seg_known ? page_round(s.size) : 0;
	a.shmid = shmid;
	a.shmflg = shmflg;
	a.refs = 1;
	a.seq = e->seq;
	a.stack = e->stack;
	/* a reuse: the policy already counted the reference (ipcg_shm_att_reuse) */
	int before = !(e->policy & IPCG_EV_REUSED) ? ipcg_shm_att_add(&a, &first)
		     : ipcg_shm_att_find(shmid, false, false, &first) ? (int)(seg_known ? s.nattach : 1) : 0;
	if (log && before > 0)
		repeated_attach(e, &s, seg_known, shmid, ret, before, &first);
}

/* --- bad-detach ------------------------------------------------------------ */

static void bad_detach(const struct ipcg_ev *e, const void *shmaddr)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	struct ipcg_att a;
	struct ipcg_detach d;
	uintptr_t p = (uintptr_t)shmaddr;
	bool inside = ipcg_shm_att_containing(p, &a);
	bool again = !inside && ipcg_shm_detach_find(p, &d);

	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "shmdt(");
	ipcg_msg_hex(&m, p);
	ipcg_msg_s(&m, ")");
	ipcg_msg_failed(&m, e->err);
	if (inside) {
		ipcg_msg_s(&m, ": the address is ");
		ipcg_msg_u(&m, p - a.addr);
		ipcg_msg_s(&m, " bytes into shmid ");
		ipcg_msg_i(&m, a.shmid);
		ipcg_msg_s(&m, ", attached at ");
		ipcg_msg_hex(&m, a.addr);
		ipcg_msg_s(&m, "; shmdt needs exactly the address shmat returned");
	} else if (again) {
		ipcg_msg_s(&m, ": shmid ");
		ipcg_msg_i(&m, d.shmid);
		ipcg_msg_s(&m, " was already detached from this address");
		ipcg_msg_seq(&m, " by shmdt at", d.seq);
		ipcg_msg_s(&m, " (a double detach)");
	} else if (!shmaddr) {
		ipcg_msg_s(&m, ": NULL is never an attach address");
	} else {
		ipcg_msg_s(&m, ": no segment is attached at this address");
	}
	ipcg_finding_begin(&r, IPCG_KIND_BAD_DETACH, IPCG_SEV_ERROR, e->seq, m.buf, e->stack);
	ipcg_jw_key(&r.w, "shmaddr");
	if (shmaddr)
		ipcg_jw_hex(&r.w, p);
	else
		ipcg_jw_null(&r.w);
	if (inside) {
		ipcg_jw_ki64(&r.w, "shmid", a.shmid);
		ipcg_jw_khex(&r.w, "attach_addr", a.addr);
		ipcg_jw_ku64(&r.w, "offset", p - a.addr);
		ipcg_fact_stack(&r.w, "first_stack", a.stack);
	} else if (again) {
		ipcg_jw_ki64(&r.w, "shmid", d.shmid);
		ipcg_fact_seq(&r.w, "first_seq", d.seq);
		ipcg_fact_stack(&r.w, "first_stack", d.stack);
	}
	ipcg_jw_key(&r.w, "reason");
	ipcg_jw_str(&r.w, inside ? "inside-segment" : again ? "double-detach" : "not-attached");
	(void)ipcg_finding_end(&r);
}

void ipcg_on_shmdt(const struct ipcg_ev *e, const void *shmaddr, int ret)
{
	struct ipcg_att a;

	ipcg_detect_owner_note();
	if (e->policy & IPCG_EV_ABSORBED)
		return;	/* the policy already dropped the reference (ipcg_shm_att_unref) */
	if (ret == 0) {
		/* an attach made before ipcguard started is simply not tracked */
		(void)ipcg_shm_att_release((uintptr_t)shmaddr, e->seq, e->stack, &a);
		return;
	}
	if (e->err == EINVAL && ipcg_detect_logging(IPCG_FAM_SHM))
		bad_detach(e, shmaddr);
}

/* --- rmid-while-attached --------------------------------------------------- */

static void rmid_while_attached(const struct ipcg_ev *e, const struct ipcg_seg *s, bool seg_known,
				int shmid, const struct shmid_ds *ds)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	bool keyed = seg_known && s->key_known && s->key != IPC_PRIVATE;
	uint32_t here = seg_known ? s->nattach : 0;

	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "shmctl(IPC_RMID) of ");
	if (seg_known) {
		ipcg_msg_seg(&m, s);
	} else {
		ipcg_msg_s(&m, "shmid ");
		ipcg_msg_i(&m, shmid);
	}
	ipcg_msg_s(&m, " while it is attached ");
	ipcg_msg_u(&m, ds->shm_nattch);
	ipcg_msg_s(&m, ds->shm_nattch == 1 ? " time" : " times");
	ipcg_msg_s(&m, " (");
	ipcg_msg_u(&m, here);
	ipcg_msg_s(&m, " in this process)");
	ipcg_msg_s(&m, keyed ? ": it lives on until the last shmdt, but its key is free now and the next shmget of the key creates a different segment"
		   : ": it lives on until the last shmdt (fine for a private segment)");
	ipcg_finding_begin(&r, IPCG_KIND_RMID_WHILE_ATTACHED, keyed ? IPCG_SEV_WARNING : IPCG_SEV_INFO,
			   e->seq, m.buf, e->stack);
	ipcg_jw_ki64(&r.w, "shmid", shmid);
	if (seg_known && s->key_known)
		ipcg_fact_key(&r.w, "key", s->key);
	ipcg_jw_ku64(&r.w, "nattch", ds->shm_nattch);
	ipcg_jw_ku64(&r.w, "attached_here", here);
	if (seg_known && s->created)
		ipcg_fact_stack(&r.w, "first_stack", s->create_stack);
	(void)ipcg_finding_end(&r);
}

void ipcg_on_shmctl(const struct ipcg_ev *e, int shmid, int cmd, int ret)
{
	struct ipcg_seg s;
	struct shmid_ds ds;

	ipcg_detect_owner_note();
	if (cmd != IPC_RMID || ret != 0)
		return;
	bool seg_known = ipcg_shm_seg_get(shmid, &s);
	/* A private segment this process created and has not attached: the
	 * common create/attach/detach/remove loop.  Only a process we handed
	 * the id to could still hold it, which would be an info finding and
	 * no key to reuse, so skip the IPC_STAT (the costliest part of a
	 * traced shm loop). */
	bool private_idle = seg_known && s.created && s.key_known && s.key == IPC_PRIVATE &&
			    s.nattach == 0;
	/* still there after IPC_RMID: somebody has it attached */
	bool attached = !private_idle && ipcg_shm_stat(shmid, &ds) == 0 && ds.shm_nattch > 0;
	if (attached) {
		if (ipcg_detect_logging(IPCG_FAM_SHM))
			rmid_while_attached(e, &s, seg_known, shmid, &ds);
		if (seg_known && s.key_known && s.key != IPC_PRIVATE) {
			struct ipcg_rmkey k = { .key = s.key, .shmid = shmid,
						.nattch = (uint32_t)ds.shm_nattch,
						.seq = e->seq, .stack = e->stack };
			ipcg_shm_rmkey_add(&k);
		}
	}
	if (!seg_known)
		return;
	if (attached && s.nattach)
		(void)ipcg_shm_seg_mark_removed(shmid, e->seq, e->stack);
	else
		ipcg_shm_seg_drop(shmid);	/* gone: nothing left to report about it */
}
