/* Reader-side memory helpers for large numbers of small objects: a chunked
 * arena (objects never move, freed all at once) and a keyed 64-bit hash
 * for open-addressing tables (seeded per run, so that a crafted trace
 * cannot choose keys that all collide). */
#ifndef IPCG_TOOLS_ARENA_H
#define IPCG_TOOLS_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct ipcg_arena {
	struct ipcg_chunk *chunks;
	char *cur;
	size_t left;
	size_t next_size;		/* of the next chunk: doubles up to 1 MiB */
};

/* n bytes aligned to 8, or NULL; valid until ipcg_arena_release. */
void *ipcg_arena_alloc(struct ipcg_arena *a, size_t n);
char *ipcg_arena_strdup(struct ipcg_arena *a, const char *s);
void ipcg_arena_release(struct ipcg_arena *a);

/* Mixes x with this run's seed (splitmix64's finaliser). */
uint64_t ipcg_hash64(uint64_t x);

#endif
