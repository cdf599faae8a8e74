/* stack/carry.c: stack ids across fork (see stack/carry.h).
 *
 * Two stores, used in turn: the current one holds the frames carried into
 * this process; a fork child fills the other from the live stack table and
 * from the current store (stacks carried from a grandparent and never
 * needed here), then makes it current.  Both are MAP_NORESERVE mappings
 * made on the first fork that needs them; memory copied by fork is all
 * that is used, so the handler never allocates with malloc. */
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "ipcg/compiler.h"
#include "core/config.h"
#include "core/call.h"
#include "core/tab.h"
#include "stack/carry.h"
#include "stack/stacks.h"

#define CARRY_MAX 4096		/* stacks carried through one fork */
#define CARRY_POOL (CARRY_MAX * 64)	/* frames: 64 per stack on average */
#define WANT_SLOTS 8192		/* open addressing, 2 x CARRY_MAX */

struct carry_ent {
	uint32_t off, n;	/* frames in pool */
	_Atomic uint32_t resolved;	/* id in this trace, 0 = not yet */
};

struct store {
	uint32_t n;		/* entries */
	uint32_t pool_used;
	struct carry_ent ent[CARRY_MAX];
	uintptr_t pool[CARRY_POOL];
};

struct want {
	_Atomic uint64_t src;	/* the table's word: a live id or a carried handle, 0 = empty */
	uint32_t dst;		/* index in the new store + 1, 0 = no frames */
};

static struct store *stores[2];
static int cur = -1;		/* index of the current store, -1 = none */
static IPCG_BULK struct want want[WANT_SLOTS];	/* fork child only: no concurrency */
static const struct ipcg_htab want_tab = {
	.slots = (char *)want, .ssz = sizeof(want[0]), .mask = WANT_SLOTS - 1, .max = WANT_SLOTS,
};
static uint32_t nwant;

static struct want *want_slot(uint32_t src, bool add)
{
	void *free_slot;
	struct want *w = ipcg_htab_find(&want_tab, src * 0x9e3779b1u, src, NULL, NULL, &free_slot);

	if (w || !add || !free_slot || nwant >= CARRY_MAX)
		return w;
	nwant++;
	w = free_slot;
	w->dst = 0;
	atomic_store_explicit(&w->src, src, memory_order_relaxed);
	return w;
}

static struct store *next_store(void)
{
	int n = cur == 0 ? 1 : 0;

	if (!stores[n]) {
		void *p = mmap(NULL, sizeof(struct store), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		stores[n] = p;
	}
	return stores[n];
}

bool ipcg_stack_carry_begin(void)
{
	if (!ipcg_config.stack_depth || !next_store())
		return false;
	memset(want, 0, sizeof(want));
	nwant = 0;
	struct store *s = next_store();
	s->n = 0;
	s->pool_used = 0;
	return true;
}

/* A carried handle of the current store that was resolved in this trace
 * is a live id now. */
static uint32_t normalise(uint32_t id)
{
	if (!(id & IPCG_STACK_CARRIED) || cur < 0)
		return id;
	uint32_t idx = id & ~IPCG_STACK_CARRIED;
	if (idx >= stores[cur]->n)
		return 0;
	uint32_t r = atomic_load(&stores[cur]->ent[idx].resolved);
	return r ? r : id;
}

uint32_t ipcg_stack_carry_want(uint32_t id)
{
	uint32_t src = normalise(id);

	if (src)
		(void)want_slot(src, true);
	return id;
}

static void put(struct store *s, struct want *w, const uintptr_t *ips, uint32_t n)
{
	if (w->dst || s->n >= CARRY_MAX || s->pool_used + n > CARRY_POOL)
		return;
	struct carry_ent *e = &s->ent[s->n];
	memcpy(s->pool + s->pool_used, ips, n * sizeof(*ips));
	e->off = s->pool_used;
	e->n = n;
	atomic_store(&e->resolved, 0);
	s->pool_used += n;
	w->dst = ++s->n;
}

void ipcg_stack_carry_collect(void)
{
	struct store *s = next_store();
	const uintptr_t *ips;

	for (uint32_t i = 0; i < WANT_SLOTS; i++) {
		struct want *w = &want[i];
		uint32_t src = (uint32_t)atomic_load_explicit(&w->src, memory_order_relaxed);
		if (!src)
			continue;
		if (!(src & IPCG_STACK_CARRIED)) {
			int n = ipcg_stack_frames(src, &ips);
			if (n > 0)
				put(s, w, ips, (uint32_t)n);
		} else if (cur >= 0) {
			struct store *o = stores[cur];
			uint32_t idx = src & ~IPCG_STACK_CARRIED;
			if (idx < o->n)
				put(s, w, o->pool + o->ent[idx].off, o->ent[idx].n);
		}
	}
}

uint32_t ipcg_stack_carry_map(uint32_t id)
{
	uint32_t src = normalise(id);
	struct want *w = src ? want_slot(src, false) : NULL;

	return w && w->dst ? IPCG_STACK_CARRIED | (w->dst - 1) : 0;
}

void ipcg_stack_carry_end(void)
{
	cur = cur == 0 ? 1 : 0;
}

uint32_t ipcg_stack_resolve(uint32_t id)
{
	if (!(id & IPCG_STACK_CARRIED))
		return id;
	uint32_t idx = id & ~IPCG_STACK_CARRIED;
	if (cur < 0 || idx >= stores[cur]->n || !ipcg_logging)
		return 0;
	struct carry_ent *e = &stores[cur]->ent[idx];
	uint32_t r = atomic_load(&e->resolved);
	if (!r) {
		/* two threads may both intern: the table hands both the same id */
		r = ipcg_stack_intern(stores[cur]->pool + e->off, (int)e->n);
		atomic_store(&e->resolved, r);
	}
	return r;
}
