/* trace/finding_repeats.c: see trace/finding_repeats.h.  The table is the
 * library's hash table (core/tab.h) over static slots, claimed lock-free with
 * ipcg_htab_claim; slots are never freed (a fork child zeroes them all). */
#include <stdatomic.h>
#include <string.h>

#include "ipcg/compiler.h"
#include "ipcg/format.h"
#include "core/config.h"
#include "core/tab.h"
#include "trace/finding_repeats.h"
#include "trace/records.h"
#include "core/spin.h"

#define SLOTS 2048		/* distinct (kind, site) pairs counted; power of two */
#define PROBES 32

struct slot {
	_Atomic uint64_t key;		/* the table's word: hash(kind) << 32 | stack, 0 = free */
	_Atomic(const char *) kind;
	_Atomic(const char *) severity;
	_Atomic uint64_t count;		/* findings of this kind at this site */
	uint64_t flushed;		/* count at the last flush (flushes are serial) */
};

static IPCG_BULK struct slot slots[SLOTS];
static const struct ipcg_htab tab = {
	.slots = (char *)slots, .ssz = sizeof(slots[0]), .mask = SLOTS - 1, .max = PROBES,
};
static _Atomic int any_used;
static _Atomic int flush_lock;	/* a rotation and exit may flush at once */	/* at exit, most processes have nothing to scan */

static uint32_t kind_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h | 1;			/* never 0: the key of a used slot is not 0 */
}

bool ipcg_repeats_count(const char *kind, const char *severity, uint32_t stack)
{
	if (!ipcg_config.repeats)
		return true;
	uint64_t key = (uint64_t)kind_hash(kind) << 32 | stack;
	struct slot *s = ipcg_htab_claim(&tab, (uint32_t)((key * IPCG_GOLDEN64) >> 40), key);

	if (!s)
		return true;		/* table full: nothing is lost */
	if (!atomic_load_explicit(&any_used, memory_order_relaxed))
		atomic_store_explicit(&any_used, 1, memory_order_relaxed);
	atomic_store_explicit(&s->kind, kind, memory_order_relaxed);
	atomic_store_explicit(&s->severity, severity, memory_order_relaxed);
	return atomic_fetch_add(&s->count, 1) < ipcg_config.repeats;
}

void ipcg_repeats_flush(void)
{
	if (!atomic_load(&any_used))
		return;	/* 64 KiB of table not touched (a page fault each) */
	ipcg_spin_lock(&flush_lock);
	for (unsigned i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];
		uint64_t key = atomic_load(&s->key), n = atomic_load(&s->count);
		const char *kind = atomic_load(&s->kind), *sev = atomic_load(&s->severity);
		uint64_t lim = ipcg_config.repeats, prev = s->flushed;
		struct ipcg_rec r;

		if (!key || n <= prev || !kind || !sev)
			continue;
		/* since the last flush (the part before a rotation had its own) */
		uint64_t count = n - prev;
		uint64_t written = (n < lim ? n : lim) - (prev < lim ? prev : lim);
		s->flushed = n;
		if (count == written)
			continue;
		ipcg_rec_begin(&r, IPCG_T_FINDING_REPEATS);
		ipcg_jw_kstr(&r.w, "kind", kind);
		ipcg_jw_kstr(&r.w, "severity", sev);
		ipcg_jw_key(&r.w, "stack");
		if ((uint32_t)key)
			ipcg_jw_u64(&r.w, (uint32_t)key);
		else
			ipcg_jw_null(&r.w);
		ipcg_jw_ku64(&r.w, "count", count);
		ipcg_jw_ku64(&r.w, "written", written);
		(void)ipcg_rec_end(&r);
	}
	ipcg_spin_unlock(&flush_lock);
}

void ipcg_repeats_atfork_child(void)
{
	if (atomic_load(&any_used))
		memset(slots, 0, sizeof(slots));
	atomic_store(&any_used, 0);
	atomic_store(&flush_lock, 0);
}
