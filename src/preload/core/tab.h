/* core/tab.h: a fixed-capacity hash table of fixed-size entries in one
 * MAP_NORESERVE anonymous mapping, with a free list.  No malloc, no
 * growth: pages are touched only as slots are first used, and a freed
 * slot is the next one handed out, so an insert/remove loop of any length
 * stays in the same memory.  Not thread-safe: the owner locks.
 *
 * Every entry starts with struct ipcg_tab_hdr; keys are 64-bit and need
 * not be unique (ipcg_tab_find_next walks equal keys). */
#ifndef IPCG_TAB_H
#define IPCG_TAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipcg_tab_hdr {
	uint64_t key;
	uint32_t next;		/* chain (or free list) successor + 1, 0 = none */
	uint32_t used;		/* 1 while in the table */
};

struct ipcg_tab {
	size_t esz;		/* bytes per entry, header included */
	uint32_t cap;		/* entries */
	uint32_t mask;		/* buckets - 1 (a power of two) */
	uint32_t hiwat;		/* slots ever handed out: [0, hiwat) */
	uint32_t free;		/* free-list head + 1 */
	uint32_t count;		/* entries in the table */
	uint32_t *buckets;	/* first entry + 1 per bucket */
	char *mem;		/* cap * esz bytes */
};

/* Map the table (idempotent).  0 or -ENOMEM. */
int ipcg_tab_init(struct ipcg_tab *t, size_t esz, uint32_t cap, uint32_t nbuckets);
void *ipcg_tab_find(const struct ipcg_tab *t, uint64_t key);
void *ipcg_tab_find_next(const struct ipcg_tab *t, const void *e);
/* A zeroed entry with this key, or NULL when full (or not mapped). */
void *ipcg_tab_insert(struct ipcg_tab *t, uint64_t key);
void ipcg_tab_remove(struct ipcg_tab *t, void *e);
/* The entry in slot i if it is in use (iteration: i < t->hiwat). */
void *ipcg_tab_slot(const struct ipcg_tab *t, uint32_t i);
/* Empty the table, giving its pages back. */
void ipcg_tab_clear(struct ipcg_tab *t);

#endif
