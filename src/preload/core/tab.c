/* core/tab.c: fixed mappings and the keyed table
 * (see core/tab.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "core/tab.h"

/* --- fixed mappings ------------------------------------------------------ */

void *ipcg_map_zeroed(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

void ipcg_map_clear(void *p, size_t len)
{
	(void)madvise(p, len, MADV_DONTNEED);
}

/* --- the keyed table ----------------------------------------------------- */

static inline uint32_t hash_of(uint64_t key)
{
	key ^= key >> 31;
	key *= IPCG_GOLDEN64;
	return (uint32_t)(key >> 32);
}

static inline struct ipcg_tab_hdr *ent(const struct ipcg_tab *t, uint32_t i)
{
	return (struct ipcg_tab_hdr *)(t->mem + (size_t)i * t->esz);
}

static inline uint32_t idx_of(const struct ipcg_tab *t, const void *e)
{
	return (uint32_t)(((const char *)e - t->mem) / t->esz);
}

/* index word of entry i, whose key hashes to h */
static inline uint64_t word_of(uint32_t h, uint32_t i)
{
	return (uint64_t)h << 32 | (i + 1);
}

/* The index, its slot size a constant the compiler sees (shifts, not
 * multiplications and divisions, on the paths of every shm call) */
static inline struct ipcg_htab index_of(const struct ipcg_tab *t)
{
	return (struct ipcg_htab){ .slots = t->index.slots, .ssz = sizeof(uint64_t),
				   .mask = t->index.mask, .max = t->index.max };
}

static inline uint32_t pos_of(const struct ipcg_tab *t, const void *slot)
{
	return (uint32_t)(((const char *)slot - t->index.slots) / sizeof(uint64_t));
}

/* the entry an index slot names, NULL for no slot */
static inline void *entry_at(const struct ipcg_tab *t, _Atomic uint64_t *slot)
{
	return slot ? ent(t, (uint32_t)atomic_load_explicit(slot, memory_order_relaxed) - 1) : NULL;
}

struct lookup {
	const struct ipcg_tab *t;
	uint64_t key;
	uint32_t hash;
};

static bool key_matches(const void *slot, uint64_t w, const void *arg)
{
	const struct lookup *l = arg;

	(void)slot;
	return (uint32_t)(w >> 32) == l->hash && ent(l->t, (uint32_t)w - 1)->key == l->key;
}

static bool no_match(const void *slot, uint64_t w, const void *arg)
{
	(void)slot;
	(void)w;
	(void)arg;
	return false;
}

static uint32_t home_of(uint64_t w, const void *arg)
{
	(void)arg;
	return (uint32_t)(w >> 32);
}

static void entry_moved(uint32_t from, uint32_t to, uint64_t w, const void *arg)
{
	(void)from;
	ent(arg, (uint32_t)w - 1)->pos = to;
}

int ipcg_tab_init(struct ipcg_tab *t, size_t esz, uint32_t cap)
{
	uint32_t n = 2;

	if (t->mem)
		return 0;
	while (n < 2 * cap)	/* at most half full: walks are short and end */
		n *= 2;
	void *ix = ipcg_map_zeroed((size_t)n * sizeof(uint64_t));
	if (!ix)
		return -ENOMEM;
	void *m = ipcg_map_zeroed(esz * cap);
	if (!m) {
		munmap(ix, (size_t)n * sizeof(uint64_t));
		return -ENOMEM;
	}
	t->esz = esz;
	t->cap = cap;
	t->hiwat = 0;
	t->free = 0;
	t->count = 0;
	t->index = (struct ipcg_htab){ .slots = ix, .ssz = sizeof(uint64_t), .mask = n - 1, .max = n };
	t->mem = m;
	return 0;
}

void *ipcg_tab_find(const struct ipcg_tab *t, uint64_t key)
{
	struct lookup l = { t, key, hash_of(key) };

	if (!t->mem)
		return NULL;
	struct ipcg_htab ix = index_of(t);
	return entry_at(t, ipcg_htab_find(&ix, l.hash, 0, key_matches, &l, NULL));
}

void *ipcg_tab_find_next(const struct ipcg_tab *t, const void *e)
{
	const struct ipcg_tab_hdr *h = e;
	struct lookup l = { t, h->key, hash_of(h->key) };

	/* equal keys lie further on in the same cluster */
	struct ipcg_htab ix = index_of(t);
	return entry_at(t, ipcg_htab_find(&ix, h->pos + 1, 0, key_matches, &l, NULL));
}

void *ipcg_tab_insert(struct ipcg_tab *t, uint64_t key)
{
	uint32_t i, hash = hash_of(key);
	void *slot;

	if (!t->mem)
		return NULL;
	if (t->free) {
		i = t->free - 1;
		t->free = ent(t, i)->pos;
	} else if (t->hiwat < t->cap) {
		i = t->hiwat++;
	} else {
		return NULL;
	}
	/* the index is never more than half full: a free slot is found */
	struct ipcg_htab ix = index_of(t);
	(void)ipcg_htab_find(&ix, hash, 0, no_match, NULL, &slot);
	struct ipcg_tab_hdr *h = ent(t, i);
	memset(h, 0, t->esz);
	h->key = key;
	h->used = 1;
	h->pos = pos_of(t, slot);
	atomic_store_explicit((_Atomic uint64_t *)slot, word_of(hash, i), memory_order_relaxed);
	t->count++;
	return h;
}

void ipcg_tab_remove(struct ipcg_tab *t, void *e)
{
	struct ipcg_tab_hdr *h = e;

	if (!h || !h->used)
		return;	/* not in the table: nothing to undo */
	uint32_t i = idx_of(t, e);
	struct ipcg_htab ix = index_of(t);
	ipcg_htab_delete(&ix, h->pos, home_of, entry_moved, t);
	h->used = 0;
	h->pos = t->free;
	t->free = i + 1;
	t->count--;
}

void *ipcg_tab_slot(const struct ipcg_tab *t, uint32_t i)
{
	if (!t->mem || i >= t->hiwat)
		return NULL;
	struct ipcg_tab_hdr *h = ent(t, i);
	return h->used ? h : NULL;
}

void ipcg_tab_clear(struct ipcg_tab *t)
{
	if (!t->mem)
		return;
	ipcg_map_clear(t->index.slots, ((size_t)t->index.mask + 1) * t->index.ssz);
	ipcg_map_clear(t->mem, t->esz * t->cap);
	t->hiwat = 0;
	t->free = 0;
	t->count = 0;
}
