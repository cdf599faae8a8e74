/* Compact per-process stack storage (see stackstore.h). */
#include "load/stackstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS_MIN 16u			/* tables are powers of two, at most half full */

static uint64_t frame_hash(const struct ipcg_frame *f)
{
	return ipcg_hash64(f->off ^ ((uint64_t)f->mod << 48 | (uint64_t)f->mod >> 16));
}

static uint64_t frame_hash_at(const void *ctx, size_t i)
{
	return frame_hash(&((const struct ipcg_stackstore *)ctx)->frames[i]);
}

/* Index of frame f in the table, added if new; -1 on allocation failure. */
static int64_t frame_index(struct ipcg_stackstore *ss, const struct ipcg_frame *f)
{
	size_t h;

	if (ipcg_idtab_room(&ss->ftab, ss->nframes, frame_hash_at, ss) < 0)
		return -1;
	for (h = ipcg_idtab_home(&ss->ftab, frame_hash(f)); ss->ftab.slot[h];
	     h = ipcg_idtab_next(&ss->ftab, h)) {
		const struct ipcg_frame *g = &ss->frames[ss->ftab.slot[h] - 1];
		if (g->mod == f->mod && g->off == f->off)
			return ss->ftab.slot[h] - 1;
	}
	if (ss->nframes == ss->frames_cap) {
		uint32_t cap = ss->frames_cap ? ss->frames_cap * 2 : SLOTS_MIN;
		struct ipcg_frame *v = cap > ss->frames_cap ?
			realloc(ss->frames, cap * sizeof(*v)) : NULL;
		if (!v)
			return -1;
		ss->frames = v;
		ss->frames_cap = cap;
	}
	ss->frames[ss->nframes] = *f;
	ss->ftab.slot[h] = ++ss->nframes;
	return ss->nframes - 1;
}

static size_t id_slot(size_t cap, uint32_t id)
{
	return (size_t)ipcg_hash64(id) & (cap - 1);
}

static int grow_sslots(struct ipcg_stackstore *ss)
{
	size_t cap = ss->sslots_cap ? ss->sslots_cap * 2 : SLOTS_MIN;
	struct ipcg_stack **v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < ss->sslots_cap; i++) {
		struct ipcg_stack *s = ss->sslots[i];
		if (!s)
			continue;
		size_t h = id_slot(cap, s->id);
		while (v[h])
			h = (h + 1) & (cap - 1);
		v[h] = s;
	}
	free(ss->sslots);
	ss->sslots = v;
	ss->sslots_cap = cap;
	return 0;
}

const struct ipcg_stack *ipcg_ss_find(const struct ipcg_stackstore *ss, uint32_t id)
{
	if (!ss->sslots_cap)
		return NULL;
	for (size_t h = id_slot(ss->sslots_cap, id); ss->sslots[h];
	     h = (h + 1) & (ss->sslots_cap - 1))
		if (ss->sslots[h]->id == id)
			return ss->sslots[h];
	return NULL;
}

int ipcg_ss_add(struct ipcg_stackstore *ss, uint32_t id, const struct ipcg_frame *f, uint32_t n)
{
	struct ipcg_stack *s;
	size_t h;

	if (ipcg_ss_find(ss, id))
		return -EEXIST;
	if ((ss->nstacks + 1) * 2 > ss->sslots_cap && grow_sslots(ss) < 0)
		return -ENOMEM;
	s = ipcg_arena_alloc(&ss->arena, sizeof(*s) + (size_t)n * sizeof(s->frames[0]));
	if (!s)
		return -ENOMEM;
	s->id = id;
	s->nframes = n;
	for (uint32_t i = 0; i < n; i++) {
		int64_t k = frame_index(ss, &f[i]);
		if (k < 0)
			return -ENOMEM;	/* the arena space is lost: it is freed at the end */
		s->frames[i] = (uint32_t)k;
	}
	h = id_slot(ss->sslots_cap, id);
	while (ss->sslots[h])
		h = (h + 1) & (ss->sslots_cap - 1);
	ss->sslots[h] = s;
	ss->nstacks++;
	return 0;
}

void ipcg_ss_release(struct ipcg_stackstore *ss)
{
	free(ss->frames);
	ipcg_idtab_free(&ss->ftab);
	free(ss->sslots);
	ipcg_arena_release(&ss->arena);
	memset(ss, 0, sizeof(*ss));
}
