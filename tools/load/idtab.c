/* idtab.c: see idtab.h. */
#include "load/idtab.h"

#include <errno.h>
#include <stdlib.h>

#define IDTAB_MIN 16u

int ipcg_idtab_room(struct ipcg_idtab *t, size_t n, uint64_t (*hash)(const void *ctx, size_t i),
		    const void *ctx)
{
	if ((n + 1) * 2 <= t->cap)
		return 0;
	if (n >= UINT32_MAX - 1)
		return -ENOMEM;		/* index + 1 must fit a slot */
	size_t cap = t->cap ? t->cap * 2 : IDTAB_MIN;
	uint32_t *v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t s = (size_t)hash(ctx, i) & (cap - 1);
		while (v[s])
			s = (s + 1) & (cap - 1);
		v[s] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = v;
	t->cap = cap;
	return 0;
}

void ipcg_idtab_free(struct ipcg_idtab *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = 0;
}
