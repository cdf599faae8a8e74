/* Suppression rules (see suppress.h). */
#include "model/suppress.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/out.h"

#define MAX_PATTERNS 16			/* fun: and obj: patterns per rule */

static int add_pattern(char ***v, unsigned *n, const char *s)
{
	char **nv;

	if (*n >= MAX_PATTERNS || !(nv = realloc(*v, (*n + 1) * sizeof(*nv))))
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static void rule_free(struct ipcg_supp_rule *r)
{
	for (unsigned k = 0; k < r->nfun; k++)
		free(r->fun[k]);
	for (unsigned k = 0; k < r->nobj; k++)
		free(r->obj[k]);
	free(r->fun);
	free(r->obj);
	free(r->kind);
}

static int parse_line(struct ipcg_supp *s, char *line, unsigned lineno)
{
	struct ipcg_supp_rule r = { .line = lineno };
	char *save = NULL, *tok;

	line[strcspn(line, "#\n")] = '\0';
	if (!(tok = strtok_r(line, " \t", &save)))
		return 0;		/* blank or comment */
	if (!(r.kind = strdup(tok)))
		return -ENOMEM;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		int rc;
		if (!strncmp(tok, "fun:", 4) && tok[4])
			rc = add_pattern(&r.fun, &r.nfun, tok + 4);
		else if (!strncmp(tok, "obj:", 4) && tok[4])
			rc = add_pattern(&r.obj, &r.nobj, tok + 4);
		else
			rc = -EINVAL;
		if (rc < 0) {
			rule_free(&r);
			return rc == -EINVAL ? -EINVAL : -E2BIG;
		}
	}
	struct ipcg_supp_rule *nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (!nv) {
		rule_free(&r);
		return -ENOMEM;
	}
	s->v = nv;
	s->v[s->n++] = r;
	return 0;
}

int ipcg_supp_load(struct ipcg_supp *s, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	unsigned lineno = 0;
	int rc = 0;

	s->file = path;
	if (!f) {
		fprintf(stderr, "ipcguard: report: --suppress %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "ipcguard: %s:%u: line too long\n", path, lineno);
			rc = -1;
			break;
		}
		int e = parse_line(s, line, lineno);
		if (e < 0) {
			fprintf(stderr, "ipcguard: %s:%u: %s\n", path, lineno,
				e == -EINVAL ? "expected KIND [fun:GLOB]... [obj:GLOB]..." :
				e == -E2BIG ? "too many patterns (at most 16)" : "out of memory");
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

struct names {
	char **v;
	unsigned n;
};

static bool any_match(const char *pat, char **v, unsigned n, bool basename_too)
{
	for (unsigned i = 0; i < n; i++) {
		if (!fnmatch(pat, v[i], 0))
			return true;
		const char *b = strrchr(v[i], '/');
		if (basename_too && b && !fnmatch(pat, b + 1, 0))
			return true;
	}
	return false;
}

bool ipcg_supp_match(struct ipcg_supp *s, struct ipcg_sym *sym, struct ipcg_proc *p,
		     const char *kind, const struct ipcg_stack *st, uint64_t count)
{
	struct ipcg_strlist fun = { 0 }, obj = { 0 };
	bool done = false, matched = false;

	for (size_t i = 0; s && i < s->n && !matched; i++) {
		struct ipcg_supp_rule *r = &s->v[i];
		if (fnmatch(r->kind, kind, 0))
			continue;
		if (!done && st) {
			done = true;
			ipcg_stack_lines(sym, p, st, 0, true, ipcg_strlist_add, &fun);
			for (uint32_t k = 0; k < st->nframes; k++) {
				const struct ipcg_module *m =
					ipcg_proc_module(p, ipcg_stack_frame(p, st, k)->mod);
				if (m && m->path)
					ipcg_strlist_add(&obj, k, m->path);
			}
		}
		bool ok = true;
		for (unsigned k = 0; ok && k < r->nfun; k++)
			ok = any_match(r->fun[k], fun.v, fun.n, false);
		for (unsigned k = 0; ok && k < r->nobj; k++)
			ok = any_match(r->obj[k], obj.v, obj.n, true);
		if (ok) {
			r->hits += count;
			matched = true;
		}
	}
	ipcg_strlist_free(fun.v, fun.n);
	ipcg_strlist_free(obj.v, obj.n);
	return matched;
}

void ipcg_supp_release(struct ipcg_supp *s)
{
	for (size_t i = 0; s->v && i < s->n; i++)
		rule_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
