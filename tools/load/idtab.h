/* idtab.h: an open-addressing index over an array the caller owns.  Slots
 * hold entry index + 1 (0: free); the table is a power of two, at most
 * half full, probed linearly.  The caller hashes, compares and stores:
 *
 *	if (ipcg_idtab_room(&t, n, hash_of_entry, ctx) < 0) fail;
 *	for (s = ipcg_idtab_home(&t, h); t.slot[s]; s = ipcg_idtab_next(&t, s))
 *		if (equal(entries[t.slot[s] - 1])) found;
 *	entries[n] = new; t.slot[s] = ++n;
 *
 * Compact on purpose (4 bytes per slot, no per-entry node): the reader
 * indexes millions of frames, names and stack lines this way. */
#ifndef IPCG_IDTAB_H
#define IPCG_IDTAB_H

#include <stddef.h>
#include <stdint.h>

struct ipcg_idtab {
	uint32_t *slot;
	size_t cap;
};

/* Make room for one entry beside the n present (indexes 0..n-1), doubling
 * and rehashing them with hash(ctx, i) when needed.  0 or -ENOMEM. */
int ipcg_idtab_room(struct ipcg_idtab *t, size_t n, uint64_t (*hash)(const void *ctx, size_t i),
		    const void *ctx);
void ipcg_idtab_free(struct ipcg_idtab *t);

static inline size_t ipcg_idtab_home(const struct ipcg_idtab *t, uint64_t h)
{
	return (size_t)h & (t->cap - 1);
}

static inline size_t ipcg_idtab_next(const struct ipcg_idtab *t, size_t s)
{
	return (s + 1) & (t->cap - 1);
}

#endif
