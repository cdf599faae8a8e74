/* Chunked arena and seeded hash (see arena.h). */
#include "load/arena.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define CHUNK_FIRST 4096u		/* a process with a few stacks takes a page */
#define CHUNK_MAX (1u << 20)

struct ipcg_chunk {
	struct ipcg_chunk *next;
	max_align_t data[];
};

void *ipcg_arena_alloc(struct ipcg_arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (n > a->left) {
		size_t size = a->next_size ? a->next_size : CHUNK_FIRST;
		if (size < n)
			size = n;
		struct ipcg_chunk *c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = a->chunks;
		a->chunks = c;
		a->cur = (char *)c->data;
		a->left = size;
		if (a->next_size < CHUNK_MAX)
			a->next_size = a->next_size ? a->next_size * 2 : CHUNK_FIRST * 2;
	}
	void *p = a->cur;
	a->cur += n;
	a->left -= n;
	return p;
}

char *ipcg_arena_strdup(struct ipcg_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = ipcg_arena_alloc(a, n);

	if (d)
		memcpy(d, s, n);
	return d;
}

void ipcg_arena_release(struct ipcg_arena *a)
{
	while (a->chunks) {
		struct ipcg_chunk *c = a->chunks;
		a->chunks = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

uint64_t ipcg_hash64(uint64_t x)
{
	static uint64_t seed;

	if (!seed) {
		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
			seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&seed;
		seed |= 1;
	}
	x ^= seed;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}
