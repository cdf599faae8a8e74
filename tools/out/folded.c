/* Folded stacks with interned names (see folded.h). */
#include "out/folded.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "load/arena.h"
#include "load/idtab.h"
#include "out/out.h"

#define NAME_MAX_BYTES 256		/* a leaf (function or finding kind) is cut there */

struct fold {				/* records per (process, stack, leaf) */
	const struct ipcg_proc *proc;
	const struct ipcg_stack *stack;
	uint32_t leaf;			/* name id */
	uint64_t count;
};

struct line {				/* a distinct output line */
	size_t off;			/* its name ids: toks[off .. off + len) */
	uint32_t len;
	uint64_t count;
};

struct ipcg_folded {
	struct ipcg_sym *sym;
	struct ipcg_arena strs;		/* name texts */
	const char **names;		/* by id */
	uint32_t nnames, names_cap;
	struct ipcg_idtab ntab;		/* names by text */
	struct fold *folds;
	size_t nfolds, folds_cap;
	struct ipcg_idtab ftab;		/* folds by (process, stack, leaf) */
	bool oom;			/* something was dropped: the output is still well-formed */
};

static size_t next_cap(size_t cap)
{
	return cap ? cap * 2 : 64;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a, then the seeded mix */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return ipcg_hash64(h);
}

static uint64_t name_hash(const void *ctx, size_t i)
{
	return str_hash(((const struct ipcg_folded *)ctx)->names[i]);
}

/* The id of name s (already in folded syntax), added if new; -1 on failure. */
static int64_t name_id(struct ipcg_folded *fd, const char *s)
{
	size_t h;

	if (ipcg_idtab_room(&fd->ntab, fd->nnames, name_hash, fd) < 0)
		return -1;
	for (h = ipcg_idtab_home(&fd->ntab, str_hash(s)); fd->ntab.slot[h];
	     h = ipcg_idtab_next(&fd->ntab, h))
		if (!strcmp(fd->names[fd->ntab.slot[h] - 1], s))
			return fd->ntab.slot[h] - 1;
	if (fd->nnames == fd->names_cap) {
		size_t cap = next_cap(fd->names_cap);
		const char **v = cap <= UINT32_MAX ? realloc(fd->names, cap * sizeof(*v)) : NULL;
		if (!v)
			return -1;
		fd->names = v;
		fd->names_cap = (uint32_t)cap;
	}
	if (!(fd->names[fd->nnames] = ipcg_arena_strdup(&fd->strs, s)))
		return -1;
	fd->ntab.slot[h] = ++fd->nnames;
	return fd->nnames - 1;
}

/* ';' separates frames and ' ' the count: neither may appear in a name. */
static void fold_syntax(char *s, bool newline_too)
{
	for (; *s; s++)
		if (*s == ';' || *s == ' ' || (newline_too && *s == '\n'))
			*s = '_';
}

static int64_t leaf_id(struct ipcg_folded *fd, const char *prefix, const char *s)
{
	char buf[NAME_MAX_BYTES];

	snprintf(buf, sizeof(buf), "%s%s", prefix, ipcg_esc(s));
	fold_syntax(buf, true);
	return name_id(fd, buf);
}

struct ipcg_folded *ipcg_folded_new(struct ipcg_sym *sym)
{
	struct ipcg_folded *fd = calloc(1, sizeof(*fd));

	if (fd)
		fd->sym = sym;
	return fd;
}

static uint64_t fold_hash(const struct ipcg_proc *p, const struct ipcg_stack *st, uint32_t leaf)
{
	return ipcg_hash64((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull ^
			   (uint64_t)(uintptr_t)st * 0xc2b2ae3d27d4eb4full ^ leaf);
}

static uint64_t fold_hash_at(const void *ctx, size_t i)
{
	const struct fold *f = &((const struct ipcg_folded *)ctx)->folds[i];

	return fold_hash(f->proc, f->stack, f->leaf);
}

void ipcg_folded_record(struct ipcg_folded *fd, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	struct fold *f = NULL;
	int64_t leaf;
	size_t h;

	if (r->type != IPCG_R_CALL && r->type != IPCG_R_FINDING &&
	    r->type != IPCG_R_FINDING_REPEATS)
		return;
	leaf = r->type == IPCG_R_CALL ? leaf_id(fd, "", r->fn) : leaf_id(fd, "finding:", r->kind);
	if (leaf < 0 || ipcg_idtab_room(&fd->ftab, fd->nfolds, fold_hash_at, fd) < 0) {
		fd->oom = true;
		return;
	}
	for (h = ipcg_idtab_home(&fd->ftab, fold_hash(p, r->stack, (uint32_t)leaf));
	     fd->ftab.slot[h]; h = ipcg_idtab_next(&fd->ftab, h)) {
		struct fold *g = &fd->folds[fd->ftab.slot[h] - 1];
		if (g->proc == p && g->stack == r->stack && g->leaf == (uint32_t)leaf) {
			f = g;
			break;
		}
	}
	if (!f) {
		if (fd->nfolds == fd->folds_cap) {
			size_t cap = next_cap(fd->folds_cap);
			struct fold *v = realloc(fd->folds, cap * sizeof(*v));
			if (!v) {
				fd->oom = true;
				return;
			}
			fd->folds = v;
			fd->folds_cap = cap;
		}
		f = &fd->folds[fd->nfolds++];
		f->proc = p;
		f->stack = r->stack;
		f->leaf = (uint32_t)leaf;
		f->count = 0;
		fd->ftab.slot[h] = (uint32_t)fd->nfolds;
	}
	/* findings the library counted instead of writing count too */
	uint64_t n = r->type == IPCG_R_FINDING_REPEATS ? r->repeats : 1;
	if (f->count + n >= f->count)
		f->count += n;
}

/* --- lines --- */

struct lines {
	struct ipcg_folded *fd;
	uint32_t *toks;			/* the name ids of every line, one after another */
	size_t ntoks, toks_cap;
	struct line *v;
	size_t n, cap;
	struct ipcg_idtab tab;		/* lines by their name ids */
	size_t start;			/* the line being built: toks[start .. ntoks) */
};

static bool tok_push(struct lines *ls, uint32_t id)
{
	if (ls->ntoks == ls->toks_cap) {
		size_t cap = next_cap(ls->toks_cap);
		uint32_t *v = realloc(ls->toks, cap * sizeof(*v));
		if (!v)
			return false;
		ls->toks = v;
		ls->toks_cap = cap;
	}
	ls->toks[ls->ntoks++] = id;
	return true;
}

/* The id of a name in folded syntax: s copied and fixed up first. */
static int64_t name_id_fixed(struct ipcg_folded *fd, const char *s)
{
	char buf[1024], *c = strlen(s) < sizeof(buf) ? strcpy(buf, s) : strdup(s);
	int64_t id = -1;

	if (c) {
		fold_syntax(c, false);
		id = name_id(fd, c);
	}
	if (c != buf)
		free(c);
	return id;
}

/* ipcg_stack_lines callback: one name (innermost first) */
static void frame_name(void *ctx, unsigned idx, const char *text)
{
	struct lines *ls = ctx;
	int64_t id = name_id_fixed(ls->fd, text);

	(void)idx;
	if (id < 0 || !tok_push(ls, (uint32_t)id))
		ls->fd->oom = true;	/* the line shows one frame fewer, never a wrong one */
}

static uint64_t toks_hash(const uint32_t *t, size_t n)
{
	uint64_t h = n;

	for (size_t i = 0; i < n; i++)
		h = ipcg_hash64(h ^ t[i]);
	return h;
}

static uint64_t line_hash(const void *ctx, size_t i)
{
	const struct lines *ls = ctx;

	return toks_hash(ls->toks + ls->v[i].off, ls->v[i].len);
}

/* The tokens at toks[start..) are a line: merged into an equal one, or kept. */
static bool line_end(struct lines *ls, uint64_t count)
{
	const uint32_t *t = ls->toks + ls->start;
	size_t len = ls->ntoks - ls->start, h;

	if (ipcg_idtab_room(&ls->tab, ls->n, line_hash, ls) < 0)
		return false;
	for (h = ipcg_idtab_home(&ls->tab, toks_hash(t, len)); ls->tab.slot[h];
	     h = ipcg_idtab_next(&ls->tab, h)) {
		struct line *l = &ls->v[ls->tab.slot[h] - 1];
		if (l->len == len && !memcmp(ls->toks + l->off, t, len * sizeof(*t))) {
			l->count += count;
			ls->ntoks = ls->start;	/* drop the copy */
			return true;
		}
	}
	if (ls->n == ls->cap) {
		size_t cap = next_cap(ls->cap);
		struct line *v = realloc(ls->v, cap * sizeof(*v));
		if (!v)
			return false;
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n] = (struct line){ .off = ls->start, .len = (uint32_t)len, .count = count };
	ls->tab.slot[h] = (uint32_t)++ls->n;
	return true;
}

/* The line of fold f: root (the process), frames outermost first, leaf. */
static bool build_line(struct lines *ls, const struct fold *f)
{
	struct ipcg_folded *fd = ls->fd;
	int64_t rid = name_id_fixed(fd, ipcg_esc(ipcg_proc_name(f->proc)));

	ls->start = ls->ntoks;
	if (rid < 0 || !tok_push(ls, (uint32_t)rid))
		return false;
	ipcg_stack_lines(fd->sym, (struct ipcg_proc *)f->proc, f->stack, 0, true, frame_name, ls);
	for (size_t i = ls->start + 1, j = ls->ntoks; i + 1 < j; i++, j--) {
		uint32_t t = ls->toks[i];	/* collected innermost first */
		ls->toks[i] = ls->toks[j - 1];
		ls->toks[j - 1] = t;
	}
	return tok_push(ls, f->leaf) && line_end(ls, f->count);
}

/* strcmp of the two lines as they are printed ("a;b;c"), without printing
 * them: names hold no ';', so a name that ends where the other goes on
 * compares as the ';' (or the end of the line) that follows it. */
static int cmp_lines(const void *a, const void *b, void *ctx)
{
	const struct lines *ls = ctx;
	const struct line *x = &ls->v[*(const uint32_t *)a], *y = &ls->v[*(const uint32_t *)b];
	const uint32_t *tx = ls->toks + x->off, *ty = ls->toks + y->off;

	for (uint32_t i = 0; i < x->len && i < y->len; i++) {
		if (tx[i] == ty[i])
			continue;
		const unsigned char *p = (const unsigned char *)ls->fd->names[tx[i]];
		const unsigned char *q = (const unsigned char *)ls->fd->names[ty[i]];
		while (*p && *p == *q)
			p++, q++;
		unsigned cp = *p ? *p : i + 1 < x->len ? ';' : 0;
		unsigned cq = *q ? *q : i + 1 < y->len ? ';' : 0;
		if (cp != cq)
			return cp < cq ? -1 : 1;
	}
	return x->len < y->len ? -1 : x->len > y->len;
}

void ipcg_folded_write(struct ipcg_folded *fd, FILE *out)
{
	struct lines ls = { .fd = fd };
	uint32_t *order = NULL;

	for (size_t i = 0; i < fd->nfolds; i++)
		if (!build_line(&ls, &fd->folds[i])) {
			ls.ntoks = ls.start;
			fd->oom = true;
		}
	/* the folds are no longer needed: give their memory back first */
	free(fd->folds);
	fd->folds = NULL;
	fd->nfolds = fd->folds_cap = 0;
	ipcg_idtab_free(&fd->ftab);
	ipcg_idtab_free(&ls.tab);
	if (ls.n <= UINT32_MAX && (order = malloc((ls.n + 1) * sizeof(*order)))) {
		for (size_t i = 0; i < ls.n; i++)
			order[i] = (uint32_t)i;
		qsort_r(order, ls.n, sizeof(*order), cmp_lines, &ls);
		for (size_t i = 0; i < ls.n; i++) {
			const struct line *l = &ls.v[order[i]];
			for (uint32_t k = 0; k < l->len; k++) {
				if (k)
					putc(';', out);
				fputs(fd->names[ls.toks[l->off + k]], out);
			}
			fprintf(out, " %" PRIu64 "\n", l->count);
		}
	} else {
		fd->oom = true;
	}
	if (fd->oom)
		fprintf(stderr, "ipcguard: export: out of memory: some folded stacks are missing\n");
	free(order);
	free(ls.v);
	free(ls.toks);
}

void ipcg_folded_free(struct ipcg_folded *fd)
{
	if (!fd)
		return;
	free(fd->names);
	ipcg_idtab_free(&fd->ntab);
	free(fd->folds);
	ipcg_idtab_free(&fd->ftab);
	ipcg_arena_release(&fd->strs);
	free(fd);
}
