/* core/tab.h: the library's one hash table: open addressing with linear
 * probing over a power-of-two array of fixed-size slots in one
 * MAP_NORESERVE mapping (or in static memory).  No malloc, no growth, no
 * lock of its own: pages are touched only as slots are first used.
 *
 * Two layers:
 *
 * - The slots (struct ipcg_htab, inline): every slot begins with a
 *   64-bit word, 0 while the slot is empty; the caller gives the home
 *   slot (its hash), the word or a match function, and how many slots a
 *   walk may visit.  The caller keeps its own concurrency: lookups read
 *   the words with acquire loads, so they may run without a lock against
 *   one inserter that fills a slot and then publishes its word
 *   (ipcg_htab_publish, stack/stacks.c) or against inserters that claim
 *   words with a compare-and-swap (ipcg_htab_claim,
 *   trace/finding_repeats.c); deletion (backward shift, no tombstones)
 *   moves words and is only for owners that lock every access.
 *
 * - The keyed table (struct ipcg_tab, core/tab.c): entries of a fixed
 *   size in a store with a free list, indexed by an ipcg_htab of
 *   (hash, entry) words.  An entry never moves while it is in the table,
 *   a freed entry is the next one handed out (an insert/remove loop of
 *   any length stays in the same entries), and ipcg_tab_slot() walks the
 *   entries in store order.  Keys are 64-bit and need not be unique
 *   (ipcg_tab_find_next walks equal keys).  Not thread-safe: the owner
 *   locks (shm/state.c).
 *
 * docs/DESIGN.md ("Hash tables") says who uses which and why not uthash. */
#ifndef IPCG_TAB_H
#define IPCG_TAB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* --- hashing ------------------------------------------------------------- */

#define IPCG_GOLDEN64 0x9e3779b97f4a7c15ull	/* 2^64 / phi: Fibonacci hashing */

/* The top bits of h * 2^64/phi: a home slot of a 2^bits table (bits >= 1) */
static inline uint32_t ipcg_hash_fib(uint64_t h, unsigned bits)
{
	return (uint32_t)((h * IPCG_GOLDEN64) >> (64 - bits));
}

/* --- the slots ----------------------------------------------------------- */

struct ipcg_htab {
	char *slots;		/* (mask + 1) * ssz bytes */
	size_t ssz;		/* bytes per slot; the slot's word first */
	uint32_t mask;		/* slots - 1 (a power of two) */
	uint32_t max;		/* slots one walk visits at most (<= mask + 1) */
};

/* A slot's word: 0 = empty */
static inline _Atomic uint64_t *ipcg_htab_word(const struct ipcg_htab *p, uint32_t i)
{
	return (_Atomic uint64_t *)(p->slots + (size_t)(i & p->mask) * p->ssz);
}

/* true when slot (whose word w is not 0) is the one looked for */
typedef bool ipcg_htab_match_fn(const void *slot, uint64_t w, const void *arg);

/* Walk from home to the first empty slot, at most p->max slots.  A slot
 * matches when match (NULL: its word equals word) says so.  Returns the
 * slot, or NULL with *ret_free (if not NULL) the empty slot that ended the
 * walk, where an insert of this key goes, or NULL when the walk met no
 * empty slot (that key cannot be inserted). */
static inline void *ipcg_htab_find(const struct ipcg_htab *p, uint32_t home, uint64_t word,
				    ipcg_htab_match_fn *match, const void *arg, void **ret_free)
{
	for (uint32_t k = 0; k < p->max; k++) {
		_Atomic uint64_t *s = ipcg_htab_word(p, home + k);
		uint64_t w = atomic_load_explicit(s, memory_order_acquire);

		if (w == 0) {
			if (ret_free)
				*ret_free = s;
			return NULL;
		}
		if (match ? match(s, w, arg) : w == word)
			return s;
	}
	if (ret_free)
		*ret_free = NULL;
	return NULL;
}

/* Make a slot from ipcg_htab_find's *ret_free, filled in by the caller,
 * visible to lock-free lookups (sequentially consistent: a caller may
 * order a later check after it, stack/stacks.c).  One inserter at a time. */
static inline void ipcg_htab_publish(void *slot, uint64_t word)
{
	atomic_store_explicit((_Atomic uint64_t *)slot, word, memory_order_seq_cst);
}

/* Lock-free insert-or-find of word (not 0): the slot whose word is word,
 * claiming the first empty one with a compare-and-swap; NULL when p->max
 * slots are taken by other words.  Any number of threads at once. */
static inline void *ipcg_htab_claim(const struct ipcg_htab *p, uint32_t home, uint64_t word)
{
	for (uint32_t k = 0; k < p->max; k++) {
		_Atomic uint64_t *s = ipcg_htab_word(p, home + k);
		uint64_t w = atomic_load_explicit(s, memory_order_acquire);

		if (w == 0) {
			if (atomic_compare_exchange_strong(s, &w, word))
				return s;
			/* another thread claimed it first: w is its word */
		}
		if (w == word)
			return s;
	}
	return NULL;
}

/* The home slot of a slot's word (ipcg_htab_delete) */
typedef uint32_t ipcg_htab_home_fn(uint64_t w, const void *arg);
/* A word moved from slot from to slot to (ipcg_htab_delete) */
typedef void ipcg_htab_moved_fn(uint32_t from, uint32_t to, uint64_t w, const void *arg);

/* Empty slot i and move later slots of its cluster back so that every
 * walk still finds them (Knuth's algorithm R: no tombstones, so a table
 * that sees many keys come and go never fills with dead ones); moved (may
 * be NULL) hears of each move.  Only for a table with p->max == mask + 1
 * and at least one empty slot, whose every access the owner locks. */
static inline void ipcg_htab_delete(const struct ipcg_htab *p, uint32_t i, ipcg_htab_home_fn *home,
				    ipcg_htab_moved_fn *moved, const void *arg)
{
	i &= p->mask;
	for (uint32_t j = (i + 1) & p->mask; j != i; j = (j + 1) & p->mask) {
		uint64_t w = atomic_load_explicit(ipcg_htab_word(p, j), memory_order_relaxed);
		if (w == 0)
			break;	/* end of the cluster */
		/* w stays where it is when its home lies in (i, j] */
		uint32_t h = home(w, arg) & p->mask;
		if (((j - h) & p->mask) < ((j - i) & p->mask))
			continue;
		memcpy(p->slots + (size_t)i * p->ssz, p->slots + (size_t)j * p->ssz, p->ssz);
		if (moved)
			moved(j, i, w, arg);
		i = j;
	}
	atomic_store_explicit(ipcg_htab_word(p, i), 0, memory_order_relaxed);
}

/* --- fixed mappings ------------------------------------------------------ */

/* A private anonymous MAP_NORESERVE mapping of len bytes, NULL on failure */
void *ipcg_map_zeroed(size_t len);
/* Give a mapping's pages back: they read as zero again */
void ipcg_map_clear(void *p, size_t len);

/* --- the keyed table ----------------------------------------------------- */

struct ipcg_tab_hdr {
	uint64_t key;
	uint32_t pos;		/* index slot holding this entry; free list successor + 1 when free */
	uint32_t used;		/* 1 while in the table */
};

struct ipcg_tab {
	size_t esz;		/* bytes per entry, header included */
	uint32_t cap;		/* entries */
	uint32_t hiwat;		/* entries ever handed out: [0, hiwat) */
	uint32_t free;		/* free-list head + 1 */
	uint32_t count;		/* entries in the table */
	struct ipcg_htab index;	/* word: hash << 32 | entry + 1 */
	char *mem;		/* cap * esz bytes */
};

/* Map the table (idempotent): cap entries of esz bytes (header first),
 * an index of twice as many words.  0 or -ENOMEM. */
int ipcg_tab_init(struct ipcg_tab *t, size_t esz, uint32_t cap);
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
