/* shm/state.c: the segment and attach tables of shm/state.h (the key
 * memories are in shm/keys.c). */
#include <errno.h>
#include <string.h>
#include <sys/shm.h>

#include "ipcg/compiler.h"
#include "shm/keys.h"
#include "shm/state.h"
#include "core/spin.h"
#include "core/tab.h"

#define SEG_CAP 65536		/* IPCMNI is 32768 (more only with ipcmni_extend) */
#define ATT_CAP 65536		/* vm.max_map_count defaults to 65530 mappings */
#define DETACH_RING 64		/* recent shmdt addresses */

struct seg_ent {
	struct ipcg_tab_hdr h;	/* key: shmid */
	struct ipcg_seg s;
};

struct att_ent {
	struct ipcg_tab_hdr h;	/* key: address */
	struct ipcg_att a;
	bool detaching;		/* repeat-attach=reuse: its last shmdt is under way, hand it out no more */
};

static struct ipcg_tables_lock tl;
static struct ipcg_tab segs, atts;
static IPCG_BULK struct ipcg_detach detaches[DETACH_RING];
static unsigned detach_next;
static uint64_t overflows;

static bool map_tables(void)
{
	return ipcg_tab_init(&segs, sizeof(struct seg_ent), SEG_CAP) == 0 &&
	       ipcg_tab_init(&atts, sizeof(struct att_ent), ATT_CAP) == 0;
}

/* Take the lock; false (not held) when the tables could not be mapped */
static bool take(void)
{
	return ipcg_tables_take(&tl, map_tables);
}

static void give(void)
{
	ipcg_tables_give(&tl);
}

/* --- segments ----------------------------------------------------------- */

static struct seg_ent *seg_find(int shmid)
{
	return ipcg_tab_find(&segs, (uint64_t)(uint32_t)shmid);
}

bool ipcg_shm_seg_get(int shmid, struct ipcg_seg *ret)
{
	bool found = false;

	if (!take())
		return false;
	struct seg_ent *e = seg_find(shmid);
	if (e) {
		*ret = e->s;
		found = true;
	}
	give();
	return found;
}

/* Under the lock, table full: forget a segment that is neither ours to
 * report nor attached (a cache entry).  true when one was freed. */
static bool seg_evict(void)
{
	for (uint32_t i = 0; i < segs.hiwat; i++) {
		struct seg_ent *e = ipcg_tab_slot(&segs, i);
		if (e && !e->s.nattach && (!e->s.created || e->s.removed)) {
			ipcg_tab_remove(&segs, e);
			return true;
		}
	}
	return false;
}

int ipcg_shm_seg_put(const struct ipcg_seg *s)
{
	int ret = 0;

	if (!take())
		return -ENOSPC;
	struct seg_ent *e = seg_find(s->shmid);
	if (!e) {
		e = ipcg_tab_insert(&segs, (uint64_t)(uint32_t)s->shmid);
		if (!e && seg_evict())
			e = ipcg_tab_insert(&segs, (uint64_t)(uint32_t)s->shmid);
		if (!e) {
			overflows++;
			ret = -ENOSPC;
			goto out;
		}
		e->s = *s;
		e->s.nattach = 0;
	} else {
		uint32_t n = e->s.nattach;
		e->s = *s;
		e->s.nattach = n;
	}
out:
	give();
	return ret;
}

bool ipcg_shm_seg_mark_removed(int shmid, uint64_t seq, uint32_t stack)
{
	bool found = false;

	if (!take())
		return false;
	struct seg_ent *e = seg_find(shmid);
	if (e) {
		e->s.removed = true;
		e->s.rmid_seq = seq;
		e->s.rmid_stack = stack;
		found = true;
	}
	give();
	return found;
}

void ipcg_shm_seg_drop(int shmid)
{
	if (!take())
		return;
	struct seg_ent *e = seg_find(shmid);
	if (e)
		ipcg_tab_remove(&segs, e);
	give();
}

bool ipcg_shm_seg_next(uint32_t *cursor, struct ipcg_seg *ret)
{
	bool found = false;

	if (!ipcg_tables_take_mapped(&tl))
		return false;
	while (*cursor < segs.hiwat) {
		struct seg_ent *e = ipcg_tab_slot(&segs, (*cursor)++);
		if (e) {
			*ret = e->s;
			found = true;
			break;
		}
	}
	give();
	return found;
}

/* --- attaches ----------------------------------------------------------- */

static struct att_ent *att_find(uintptr_t addr)
{
	return ipcg_tab_find(&atts, (uint64_t)addr);
}

bool ipcg_shm_att_get(uintptr_t addr, struct ipcg_att *ret)
{
	bool found = false;

	if (!take())
		return false;
	struct att_ent *e = att_find(addr);
	if (e) {
		*ret = e->a;
		found = true;
	}
	give();
	return found;
}

/* Under the lock: the earliest (lowest seq) live attach of shmid. */
static struct att_ent *att_first(int shmid, bool match_rdonly, bool rdonly)
{
	struct att_ent *best = NULL;

	for (uint32_t i = 0; i < atts.hiwat; i++) {
		struct att_ent *e = ipcg_tab_slot(&atts, i);
		if (!e || e->a.shmid != shmid)
			continue;
		if (match_rdonly && !!(e->a.shmflg & SHM_RDONLY) != rdonly)
			continue;
		/* inherited attaches predate ours: their seq is the parent's */
		if (!best || (e->a.inherited && !best->a.inherited) ||
		    (e->a.inherited == best->a.inherited && e->a.seq < best->a.seq))
			best = e;
	}
	return best;
}

bool ipcg_shm_att_find(int shmid, bool match_rdonly, bool rdonly, struct ipcg_att *ret)
{
	bool found = false;

	if (!take())
		return false;
	struct seg_ent *s = seg_find(shmid);
	if (!s || s->s.nattach) {	/* unknown segment: scan anyway */
		struct att_ent *e = att_first(shmid, match_rdonly, rdonly);
		if (e) {
			*ret = e->a;
			found = true;
		}
	}
	give();
	return found;
}

bool ipcg_shm_att_containing(uintptr_t p, struct ipcg_att *ret)
{
	bool found = false;

	if (!take())
		return false;
	for (uint32_t i = 0; i < atts.hiwat && !found; i++) {
		struct att_ent *e = ipcg_tab_slot(&atts, i);
		if (e && p >= e->a.addr && p - e->a.addr < e->a.size) {
			*ret = e->a;
			found = true;
		}
	}
	give();
	return found;
}

int ipcg_shm_att_add(const struct ipcg_att *a, struct ipcg_att *ret_first)
{
	int ret;

	if (!take())
		return -ENOSPC;
	struct seg_ent *s = seg_find(a->shmid);
	struct att_ent *e = att_find(a->addr);
	if (e && e->a.shmid == a->shmid) {
		/* the policy handed out an existing address: count it */
		ret = s ? (int)s->s.nattach : 1;
		if (ret_first) {
			struct att_ent *f = att_first(a->shmid, false, false);
			*ret_first = f ? f->a : e->a;
		}
		e->a.refs++;
		goto out;
	}
	if (e) {
		/* the kernel reused an address we thought attached to another
		 * segment: that attach ended without us seeing it */
		struct seg_ent *old = seg_find(e->a.shmid);
		if (old && old->s.nattach)
			old->s.nattach--;
		ipcg_tab_remove(&atts, e);
	}
	if (s)
		ret = (int)s->s.nattach;
	else
		ret = att_first(a->shmid, false, false) ? 1 : 0;
	if (ret > 0 && ret_first) {
		struct att_ent *f = att_first(a->shmid, false, false);
		if (f)
			*ret_first = f->a;
		else
			ret = 0;
	}
	e = ipcg_tab_insert(&atts, (uint64_t)a->addr);
	if (!e) {
		overflows++;
		ret = ret > 0 ? ret : -ENOSPC;
		goto out;
	}
	e->a = *a;
	if (!e->a.refs)
		e->a.refs = 1;
	if (s)
		s->s.nattach++;
out:
	give();
	return ret;
}

int ipcg_shm_att_release(uintptr_t addr, uint64_t seq, uint32_t stack, struct ipcg_att *ret)
{
	int left = -ENOENT;

	if (!take())
		return -ENOENT;
	struct att_ent *e = att_find(addr);
	if (!e)
		goto out;
	*ret = e->a;
	if (e->a.refs > 1) {
		left = (int)--e->a.refs;
		goto out;
	}
	left = 0;
	struct seg_ent *s = seg_find(e->a.shmid);
	if (s && s->s.nattach)
		s->s.nattach--;
	struct ipcg_detach *d = &detaches[detach_next++ % DETACH_RING];
	d->addr = addr;
	d->shmid = e->a.shmid;
	d->seq = seq;
	d->stack = stack;
	ipcg_tab_remove(&atts, e);
out:
	give();
	return left;
}

bool ipcg_shm_att_reuse(int shmid, int shmflg, struct ipcg_att *ret)
{
	const int same = SHM_RDONLY | SHM_EXEC;
	struct att_ent *best = NULL;

	if (!take())
		return false;
	for (uint32_t i = 0; i < atts.hiwat; i++) {
		struct att_ent *e = ipcg_tab_slot(&atts, i);
		if (!e || e->detaching || e->a.shmid != shmid || (e->a.shmflg & same) != (shmflg & same))
			continue;
		if (!best || (e->a.inherited && !best->a.inherited) ||
		    (e->a.inherited == best->a.inherited && e->a.seq < best->a.seq))
			best = e;
	}
	if (best) {
		best->a.refs++;
		*ret = best->a;
	}
	give();
	return best != NULL;
}

int ipcg_shm_att_unref(uintptr_t addr, struct ipcg_att *ret)
{
	int left = -ENOENT;

	if (!take())
		return -ENOENT;
	struct att_ent *e = att_find(addr);
	if (e) {
		*ret = e->a;
		if (e->a.refs > 1 && !e->detaching) {
			left = (int)--e->a.refs;
		} else {
			e->detaching = true;
			left = 0;
		}
	}
	give();
	return left;
}

void ipcg_shm_att_undetach(uintptr_t addr)
{
	if (!take())
		return;
	struct att_ent *e = att_find(addr);
	if (e)
		e->detaching = false;
	give();
}

void ipcg_shm_att_forget(uintptr_t addr, int shmid)
{
	if (!take())
		return;
	struct att_ent *e = att_find(addr);
	if (e && e->a.shmid == shmid) {
		struct seg_ent *s = seg_find(shmid);
		if (s && s->s.nattach)
			s->s.nattach--;
		ipcg_tab_remove(&atts, e);
	}
	give();
}

uint32_t ipcg_shm_nattached(void)
{
	uint32_t n;

	if (!take())
		return 0;
	n = atts.count;
	give();
	return n;
}

bool ipcg_shm_att_next(uint32_t *cursor, struct ipcg_att *ret)
{
	bool found = false;

	if (!ipcg_tables_take_mapped(&tl))
		return false;
	while (*cursor < atts.hiwat) {
		struct att_ent *e = ipcg_tab_slot(&atts, (*cursor)++);
		if (e) {
			*ret = e->a;
			found = true;
			break;
		}
	}
	give();
	return found;
}

bool ipcg_shm_detach_find(uintptr_t addr, struct ipcg_detach *ret)
{
	bool found = false;

	if (!take())
		return false;
	/* newest first */
	for (unsigned k = 1; k <= DETACH_RING && k <= detach_next; k++) {
		struct ipcg_detach *d = &detaches[(detach_next - k) % DETACH_RING];
		if (d->addr == addr) {
			*ret = *d;
			found = true;
			break;
		}
	}
	give();
	return found;
}

/* --- process ------------------------------------------------------------ */

uint64_t ipcg_shm_state_overflows(void)
{
	return overflows;
}

void ipcg_shm_state_stacks(uint32_t (*fn)(uint32_t id))
{
	if (!take())
		return;
	for (uint32_t i = 0; i < segs.hiwat; i++) {
		struct seg_ent *e = ipcg_tab_slot(&segs, i);
		if (e) {
			e->s.create_stack = fn(e->s.create_stack);
			e->s.rmid_stack = fn(e->s.rmid_stack);
		}
	}
	for (uint32_t i = 0; i < atts.hiwat; i++) {
		struct att_ent *e = ipcg_tab_slot(&atts, i);
		if (e)
			e->a.stack = fn(e->a.stack);
	}
	for (unsigned i = 0; i < DETACH_RING; i++)
		detaches[i].stack = fn(detaches[i].stack);
	give();
	ipcg_shm_keys_stacks(fn);
}

void ipcg_shm_state_atfork_prepare(void)
{
	ipcg_spin_lock(&tl.lock);
	ipcg_shm_keys_atfork_prepare();
}

void ipcg_shm_state_atfork_parent(void)
{
	ipcg_shm_keys_atfork_parent();
	ipcg_spin_unlock(&tl.lock);
}

void ipcg_shm_state_atfork_child(void)
{
	atomic_store(&tl.lock, 0);
	ipcg_shm_keys_atfork_child();
	if (!tl.mapped || tl.broken)
		return;
	/* seq numbers restart in the child: the parent's would mislead */
	for (uint32_t i = 0; i < segs.hiwat; i++) {
		struct seg_ent *e = ipcg_tab_slot(&segs, i);
		if (e) {
			e->s.created = false;	/* the parent's to remove, not ours */
			e->s.inherited = true;
			e->s.create_seq = 0;
			e->s.rmid_seq = 0;
		}
	}
	for (uint32_t i = 0; i < atts.hiwat; i++) {
		struct att_ent *e = ipcg_tab_slot(&atts, i);
		if (e) {
			e->a.inherited = true;
			e->a.seq = 0;
			e->detaching = false;	/* that shmdt is the parent's */
		}
	}
	for (unsigned i = 0; i < DETACH_RING; i++)
		detaches[i].seq = 0;
}
