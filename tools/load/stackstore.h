/* A process's stacks, kept compactly: each distinct frame (module, offset)
 * is stored once in a table, a stack is its id, its length and 4-byte
 * indexes into that table, in an arena (stacks never move: consumers keep
 * pointers to them), and stacks are found by id through an open-addressing
 * index. About 4 bytes per frame and 20 per stack, where a stack record
 * takes some 14 bytes per frame in the trace. */
#ifndef IPCG_TOOLS_STACKSTORE_H
#define IPCG_TOOLS_STACKSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "load/arena.h"
#include "load/idtab.h"

struct ipcg_frame {
	uint32_t mod;			/* module id, 0 for an address in no known module */
	uint64_t off;			/* offset from the module base (absolute if mod is 0) */
};

struct ipcg_stack {
	uint32_t id;			/* id in its trace file */
	uint32_t nframes;
	uint32_t frames[];		/* innermost first: indexes into the frame table */
};

struct ipcg_stackstore {
	struct ipcg_frame *frames;	/* distinct frames */
	uint32_t nframes, frames_cap;
	struct ipcg_idtab ftab;		/* frames by (module, offset) */
	struct ipcg_stack **sslots;	/* stacks by hash of id, NULL free */
	size_t sslots_cap, nstacks;
	struct ipcg_arena arena;	/* the stacks */
};

/* Adds stack id with frames f[0..n). 0, -EEXIST (id defined), -ENOMEM. */
int ipcg_ss_add(struct ipcg_stackstore *ss, uint32_t id, const struct ipcg_frame *f, uint32_t n);
/* The stack with that id, or NULL. */
const struct ipcg_stack *ipcg_ss_find(const struct ipcg_stackstore *ss, uint32_t id);
void ipcg_ss_release(struct ipcg_stackstore *ss);

static inline const struct ipcg_frame *ipcg_ss_frame(const struct ipcg_stackstore *ss,
						     const struct ipcg_stack *st, uint32_t i)
{
	return &ss->frames[st->frames[i]];
}

#endif
