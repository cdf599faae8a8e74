/* stack/stacks.c: stack interning (see stack/stacks.h).
 *
 * Lookups are lock-free: the library's hash table (core/tab.h) whose
 * slots are published with a store of their hash once the frames are in
 * place (ipcg_htab_publish).  Inserts take a spin lock, write the stack
 * record and only then publish, so any record referring to a stack id
 * lands after it.  Nothing is ever deleted (a fork child's reset gives
 * the pages back while it is the only thread). */
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "ipcg/format.h"
#include "core/config.h"
#include "core/spin.h"
#include "core/tab.h"
#include "ipcg/compiler.h"
#include "ipcg/jsonw.h"
#include "stack/modules.h"
#include "stack/stacks.h"
#include "trace/trace.h"

#define SLOT_BITS 16			/* 65536 distinct stacks per process */
#define NSLOTS (1u << SLOT_BITS)
#define POOL_IPS (4u << 20)		/* frames of all interned stacks (32 MiB VA) */
#define MAX_PROBE 64

struct slot {
	_Atomic uint64_t hash;		/* the table's word: 0 = empty; published last */
	uint32_t id;
	uint32_t n;			/* frames */
	uint32_t off;			/* first frame in pool */
	uint32_t epoch;			/* ipcg_modules_epoch() when interned */
};

static struct slot *slots;
static struct ipcg_htab tab;		/* over slots */
static uint32_t *id_slot;		/* id -> slot index + 1 (ipcg_stack_frames) */
static uintptr_t *pool;
static uint32_t pool_used;
static uint32_t next_id = 1;
static uint64_t generation = 1;
static _Atomic int ins_lock;
static IPCG_BULK char recbuf[IPCG_STACK_MAX * 32 + 64];	/* [id,"0x..."] per frame; under ins_lock */

/* The tables, mapped by the first stack interned (ipcg_once): an image
 * that records no stack maps nothing. */
static struct ipcg_once mapped;

static bool map_tables(void)
{
	if (slots)
		return true;
	struct slot *s = ipcg_map_zeroed(NSLOTS * sizeof(struct slot));
	uintptr_t *p = ipcg_map_zeroed(POOL_IPS * sizeof(uintptr_t));
	if (!s || !p) {
		if (s)
			munmap(s, NSLOTS * sizeof(struct slot));
		if (p)
			munmap(p, POOL_IPS * sizeof(uintptr_t));
		return false;	/* stacks off: every call's stack is null */
	}
	tab = (struct ipcg_htab){ .slots = (char *)s, .ssz = sizeof(*s), .mask = NSLOTS - 1,
				     .max = MAX_PROBE };
	pool = p;
	slots = s;
	/* optional, and last: only fork children need it, and a reader
	 * that finds it finds the rest */
	__atomic_store_n(&id_slot, ipcg_map_zeroed((NSLOTS + 1) * sizeof(uint32_t)), __ATOMIC_RELEASE);
	return true;
}

static inline uint64_t hash_ips(const uintptr_t *ips, int n)
{
	uint64_t h = generation * IPCG_GOLDEN64 ^ (uint64_t)n;

	for (int i = 0; i < n; i++) {
		h ^= ips[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h | 1;	/* never 0: 0 marks an empty slot */
}

struct stack_key {
	uint64_t hash;
	const uintptr_t *ips;
	int n;
};

static bool same_stack(const void *slot, uint64_t w, const void *arg)
{
	const struct slot *s = slot;
	const struct stack_key *k = arg;

	return w == k->hash && s->n == (uint32_t)k->n &&
	       memcmp(pool + s->off, k->ips, (size_t)k->n * sizeof(*k->ips)) == 0;
}

/* The id of the stack, or 0 with *ret_free the slot index where it goes
 * (NSLOTS: its walk met no empty slot) */
static uint32_t find(uint64_t h, const uintptr_t *ips, int n, unsigned *ret_free)
{
	struct stack_key k = { h, ips, n };
	void *free_slot;
	const struct slot *s = ipcg_htab_find(&tab, (uint32_t)h, h, same_stack, &k, &free_slot);

	if (s)
		return s->id;
	*ret_free = free_slot ? (unsigned)((struct slot *)free_slot - slots) : NSLOTS;
	return 0;
}

static IPCG_BULK char dumpbuf[sizeof(recbuf)];	/* ipcg_stacks_rewrite: one rotation at a time */

/* at: UINT32_MAX = ipcg_modules_lookup (now), else the lock-free lookup
 * of a checkpoint as of that modules epoch */
static void write_stack(char *buf, size_t cap, uint32_t id, const uintptr_t *ips, int n, uint32_t at)
{
	struct ipcg_jw w;

	ipcg_jw_init(&w, buf, cap - 1);
	ipcg_jw_open(&w, '{');
	ipcg_jw_kstr(&w, "type", IPCG_T_STACK);
	ipcg_jw_ku64(&w, "id", id);
	ipcg_jw_raw(&w, ",\"frames\":[", 11);
	for (int i = 0; i < n; i++) {
		uintptr_t off;
		uint32_t mod = at == UINT32_MAX ? ipcg_modules_lookup(ips[i], &off)
					       : ipcg_modules_lookup_at(ips[i], at, &off);
		if (i)
			ipcg_jw_raw(&w, ",", 1);
		ipcg_jw_raw(&w, "[", 1);
		ipcg_jw_u64(&w, mod);
		ipcg_jw_raw(&w, ",", 1);
		ipcg_jw_hex(&w, off);
		ipcg_jw_raw(&w, "]", 1);
	}
	ipcg_jw_raw(&w, "]}", 2);
	if (!ipcg_jw_ok(&w))
		return;
	buf[w.len++] = '\n';
	(void)ipcg_trace_write(buf, w.len);
}

uint32_t ipcg_stack_intern(const uintptr_t *ips, int n)
{
	unsigned free_slot;
	uint32_t id;

	if (n <= 0 || !ipcg_once(&mapped, map_tables))
		return 0;
	uint64_t h = hash_ips(ips, n);
	if ((id = find(h, ips, n, &free_slot)))
		return id;
	ipcg_modules_cover(ips, n);	/* the loader may be called here, not under ins_lock */

	while (atomic_exchange_explicit(&ins_lock, 1, memory_order_acquire))
		__builtin_ia32_pause();
	h = hash_ips(ips, n);	/* generation may have moved */
	id = find(h, ips, n, &free_slot);
	if (!id && free_slot < NSLOTS && pool_used + (uint32_t)n <= POOL_IPS) {
		struct slot *s = &slots[free_slot];
		memcpy(pool + pool_used, ips, (size_t)n * sizeof(*ips));
		s->off = pool_used;
		s->n = (uint32_t)n;
		s->epoch = ipcg_modules_epoch();
		s->id = id = next_id;
		__atomic_store_n(&next_id, id + 1, __ATOMIC_SEQ_CST);
		if (id_slot && id <= NSLOTS)
			id_slot[id] = free_slot + 1;
		pool_used += (uint32_t)n;
		unsigned gen = ipcg_trace_generation();
		write_stack(recbuf, sizeof(recbuf), id, ips, n, UINT32_MAX);
		ipcg_htab_publish(&s->hash, h);
		/* a rotation began meanwhile: its checkpoint may have missed this
		 * stack, whose record went to the part before (trace/trace.h) */
		if (ipcg_trace_generation() != gen)
			write_stack(recbuf, sizeof(recbuf), id, ips, n, UINT32_MAX);
	}
	atomic_store_explicit(&ins_lock, 0, memory_order_release);
	return id;
}

void ipcg_stacks_rewrite(void)
{
	if (!__atomic_load_n(&id_slot, __ATOMIC_ACQUIRE))
		return;
	/* pairs with the seq_cst publish-then-check in ipcg_stack_intern: the
	 * rotation's generation increment is ordered before these loads */
	atomic_thread_fence(memory_order_seq_cst);
	uint32_t last = __atomic_load_n(&next_id, __ATOMIC_SEQ_CST);
	for (uint32_t id = 1; id < last && id <= NSLOTS; id++) {
		const uintptr_t *ips;
		int n = ipcg_stack_frames(id, &ips);
		if (n > 0)
			write_stack(dumpbuf, sizeof(dumpbuf), id, ips, n,
				    slots[id_slot[id] - 1].epoch);
	}
}

int ipcg_stack_frames(uint32_t id, const uintptr_t **ret_ips)
{
	uint32_t *ids = __atomic_load_n(&id_slot, __ATOMIC_ACQUIRE);	/* then slots and pool too */

	if (!ids || !id || id > NSLOTS || !ids[id])
		return 0;
	const struct slot *s = &slots[ids[id] - 1];
	if (!atomic_load_explicit(&s->hash, memory_order_acquire) || s->id != id)
		return 0;
	*ret_ips = pool + s->off;
	return (int)s->n;
}

void ipcg_stacks_new_generation(void)
{
	while (atomic_exchange_explicit(&ins_lock, 1, memory_order_acquire))
		__builtin_ia32_pause();
	generation++;
	atomic_store_explicit(&ins_lock, 0, memory_order_release);
}

void ipcg_stacks_reset(void)
{
	if (slots)	/* back to zero pages: nothing copied or touched */
		ipcg_map_clear(slots, NSLOTS * sizeof(struct slot));
	if (id_slot)
		ipcg_map_clear(id_slot, (NSLOTS + 1) * sizeof(uint32_t));
	pool_used = 0;
	next_id = 1;
	generation = 1;
	atomic_store(&ins_lock, 0);
	ipcg_once_forked(&mapped);
}
