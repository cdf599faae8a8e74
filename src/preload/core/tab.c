/* core/tab.c: fixed-capacity hash table (see core/tab.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "core/tab.h"

static inline uint32_t bucket_of(const struct ipcg_tab *t, uint64_t key)
{
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(key >> 32) & t->mask;
}

static inline struct ipcg_tab_hdr *ent(const struct ipcg_tab *t, uint32_t i)
{
	return (struct ipcg_tab_hdr *)(t->mem + (size_t)i * t->esz);
}

static inline uint32_t idx_of(const struct ipcg_tab *t, const void *e)
{
	return (uint32_t)(((const char *)e - t->mem) / t->esz);
}

int ipcg_tab_init(struct ipcg_tab *t, size_t esz, uint32_t cap, uint32_t nbuckets)
{
	if (t->mem)
		return 0;
	size_t bsz = (size_t)nbuckets * sizeof(uint32_t);
	void *b = mmap(NULL, bsz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b == MAP_FAILED)
		return -ENOMEM;
	void *m = mmap(NULL, esz * cap, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		munmap(b, bsz);
		return -ENOMEM;
	}
	t->esz = esz;
	t->cap = cap;
	t->mask = nbuckets - 1;
	t->hiwat = 0;
	t->free = 0;
	t->count = 0;
	t->buckets = b;
	t->mem = m;
	return 0;
}

void *ipcg_tab_find(const struct ipcg_tab *t, uint64_t key)
{
	if (!t->mem)
		return NULL;
	for (uint32_t i = t->buckets[bucket_of(t, key)]; i; i = ent(t, i - 1)->next) {
		struct ipcg_tab_hdr *h = ent(t, i - 1);
		if (h->key == key)
			return h;
	}
	return NULL;
}

void *ipcg_tab_find_next(const struct ipcg_tab *t, const void *e)
{
	const struct ipcg_tab_hdr *h0 = e;

	for (uint32_t i = h0->next; i; i = ent(t, i - 1)->next) {
		struct ipcg_tab_hdr *h = ent(t, i - 1);
		if (h->key == h0->key)
			return h;
	}
	return NULL;
}

void *ipcg_tab_insert(struct ipcg_tab *t, uint64_t key)
{
	uint32_t i;

	if (!t->mem)
		return NULL;
	if (t->free) {
		i = t->free - 1;
		t->free = ent(t, i)->next;
	} else if (t->hiwat < t->cap) {
		i = t->hiwat++;
	} else {
		return NULL;
	}
	struct ipcg_tab_hdr *h = ent(t, i);
	memset(h, 0, t->esz);
	h->key = key;
	h->used = 1;
	uint32_t b = bucket_of(t, key);
	h->next = t->buckets[b];
	t->buckets[b] = i + 1;
	t->count++;
	return h;
}

void ipcg_tab_remove(struct ipcg_tab *t, void *e)
{
	struct ipcg_tab_hdr *h = e;
	uint32_t i = idx_of(t, e);
	uint32_t *link = &t->buckets[bucket_of(t, h->key)];

	while (*link && *link != i + 1)
		link = &ent(t, *link - 1)->next;
	if (!*link)
		return;	/* not in the table: nothing to undo */
	*link = h->next;
	h->used = 0;
	h->next = t->free;
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
	(void)madvise(t->buckets, ((size_t)t->mask + 1) * sizeof(uint32_t), MADV_DONTNEED);
	(void)madvise(t->mem, t->esz * t->cap, MADV_DONTNEED);
	t->hiwat = 0;
	t->free = 0;
	t->count = 0;
}
