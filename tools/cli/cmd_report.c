/* ipcguard report [--json] [--fail-on SEVERITY] [--top N] [--debug-dir DIR] TRACE...
 * Summarises traces: processes, calls and errors per function, findings by
 * kind and call site, leaks, and objects shared between processes. Human
 * output (colour only on a tty) or one JSON object (docs/report-json.md).
 * Exit status: 0, 1 when a finding at or above --fail-on exists, 2 on usage
 * errors or unreadable input. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "load/trace_load.h"
#include "model/aggregate.h"
#include "model/suppress.h"
#include "out/out.h"
#include "out/symbolize.h"

#define SITE_FRAMES 3			/* frames that name a call site */
#define LEAK_FRAMES 8			/* frames shown under a leak */
#define DEFAULT_TOP 5			/* call sites shown per kind */
#define MAX_SITE_PIDS 8			/* pids listed per call site */

struct site {
	const char *kind;		/* interned */
	enum ipcg_sev sev;
	uint64_t count;
	char *message;			/* first message */
	char **frames;			/* symbolised lines, innermost first */
	unsigned nframes;
	char *hkey;			/* kind NUL frames, merge key */
	int64_t pids[MAX_SITE_PIDS];
	unsigned npids;
	UT_hash_handle hh;
};

struct kindsum {
	const char *kind;
	enum ipcg_sev sev;
	uint64_t count;
	struct site **sites;
	size_t nsites;
};

struct report {
	bool json, color;
	unsigned long top;
	int fail_on;			/* enum ipcg_sev, or -1 */
	struct ipcg_sym *sym;
	struct ipcg_agg agg;
	struct ipcg_traceset ts;
	struct kindsum *kinds;
	size_t nkinds;
	struct site *sites;
	struct ipcg_supp supp;
	uint64_t nsuppressed;		/* findings matched by --suppress */
	FILE *out;
};

/* --- colour --- */

static const char *col(const struct report *r, const char *code)
{
	return r->color ? code : "";
}
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YEL "\033[33m"
#define C_CYAN "\033[36m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

static const char *sev_color(enum ipcg_sev s)
{
	return s == IPCG_SEV_ERROR ? C_RED : s == IPCG_SEV_WARNING ? C_YEL : C_CYAN;
}

/* --- call sites --- */

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = *(struct site *const *)a, *y = *(struct site *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->hkey + strlen(x->kind) + 1, y->hkey + strlen(y->kind) + 1);
}

static int cmp_kind(const void *a, const void *b)
{
	const struct kindsum *x = a, *y = b;

	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

/* Merges the per-process groups into call sites, then sites into kinds. */
static int build_sites(struct report *r)
{
	struct ipcg_fgroup *g, *gt;
	struct site *s, *st;

	HASH_ITER(hh, r->agg.groups, g, gt) {
		struct ipcg_strlist l = { 0 };
		size_t klen = strlen(g->k.kind), len = klen + 1;
		char *key;

		if (g->suppressed)
			continue;
		ipcg_stack_lines(r->sym, (struct ipcg_proc *)g->k.proc, g->k.stack, SITE_FRAMES,
				 false, ipcg_strlist_add, &l);
		for (unsigned i = 0; i < l.n; i++)
			len += strlen(l.v[i]) + 1;
		key = malloc(len + 1);
		if (!key) {
			ipcg_strlist_free(l.v, l.n);
			return -1;
		}
		memcpy(key, g->k.kind, klen + 1);
		size_t off = klen + 1;
		for (unsigned i = 0; i < l.n; i++) {
			size_t n = strlen(l.v[i]);
			memcpy(key + off, l.v[i], n);
			off += n;
			key[off++] = '\n';
		}
		key[off] = '\0';
		HASH_FIND(hh, r->sites, key, off, s);
		if (!s) {
			s = calloc(1, sizeof(*s));
			if (!s) {
				free(key);
				ipcg_strlist_free(l.v, l.n);
				return -1;
			}
			s->kind = g->k.kind;
			s->hkey = key;
			s->frames = l.v;
			s->nframes = l.n;
			s->message = strdup(g->message ? g->message : "");
			HASH_ADD_KEYPTR(hh, r->sites, s->hkey, off, s);
		} else {
			free(key);
			ipcg_strlist_free(l.v, l.n);
			/* keep the message of the earliest process for stable output */
		}
		s->count += g->count;
		if (g->sev > s->sev)
			s->sev = g->sev;
		bool have = false;
		for (unsigned i = 0; i < s->npids; i++)
			have |= s->pids[i] == g->k.proc->pid;
		if (!have && s->npids < MAX_SITE_PIDS)
			s->pids[s->npids++] = g->k.proc->pid;
	}
	HASH_ITER(hh, r->sites, s, st) {
		struct kindsum *k = NULL;
		for (size_t i = 0; i < r->nkinds; i++)
			if (r->kinds[i].kind == s->kind)
				k = &r->kinds[i];
		if (!k) {
			struct kindsum *nk = realloc(r->kinds, (r->nkinds + 1) * sizeof(*nk));
			if (!nk)
				return -1;
			r->kinds = nk;
			k = &r->kinds[r->nkinds++];
			memset(k, 0, sizeof(*k));
			k->kind = s->kind;
		}
		struct site **ns = realloc(k->sites, (k->nsites + 1) * sizeof(*ns));
		if (!ns)
			return -1;
		k->sites = ns;
		k->sites[k->nsites++] = s;
		k->count += s->count;
		if (s->sev > k->sev)
			k->sev = s->sev;
	}
	for (size_t i = 0; i < r->nkinds; i++) {
		qsort(r->kinds[i].sites, r->kinds[i].nsites, sizeof(struct site *), cmp_site);
		for (size_t j = 0; j < r->kinds[i].nsites; j++) {
			struct site *x = r->kinds[i].sites[j];
			/* pids in ascending order */
			for (unsigned a = 1; a < x->npids; a++)
				for (unsigned b = a; b > 0 && x->pids[b - 1] > x->pids[b]; b--) {
					int64_t t = x->pids[b];
					x->pids[b] = x->pids[b - 1];
					x->pids[b - 1] = t;
				}
		}
	}
	if (r->nkinds)		/* qsort(NULL, 0, ...) is undefined */
		qsort(r->kinds, r->nkinds, sizeof(*r->kinds), cmp_kind);
	return 0;
}

static void free_sites(struct report *r)
{
	struct site *s, *st;

	HASH_ITER(hh, r->sites, s, st) {
		HASH_DEL(r->sites, s);
		ipcg_strlist_free(s->frames, s->nframes);
		free(s->hkey);
		free(s->message);
		free(s);
	}
	for (size_t i = 0; i < r->nkinds; i++)
		free(r->kinds[i].sites);
	free(r->kinds);
}

/* --- sorting helpers --- */

static int cmp_fn(const void *a, const void *b)
{
	const struct ipcg_fnstat *x = *(struct ipcg_fnstat *const *)a;
	const struct ipcg_fnstat *y = *(struct ipcg_fnstat *const *)b;

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return strcmp(x->fn, y->fn);
}

static struct ipcg_fnstat **sorted_fns(struct report *r, size_t *ret_n)
{
	size_t n = HASH_COUNT(r->agg.fns), i = 0;
	struct ipcg_fnstat **v = calloc(n + 1, sizeof(*v)), *f, *ft;

	if (!v)
		return NULL;
	HASH_ITER(hh, r->agg.fns, f, ft)
		v[i++] = f;
	qsort(v, n, sizeof(*v), cmp_fn);
	*ret_n = n;
	return v;
}

static int cmp_obj(const void *a, const void *b)
{
	const struct ipcg_obj *x = *(struct ipcg_obj *const *)a, *y = *(struct ipcg_obj *const *)b;
	int c = strcmp(x->host ? x->host : "", y->host ? y->host : "");

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->kind == IPCG_OBJ_SHMID) {
		long long u = atoll(x->value), v = atoll(y->value);
		if (u != v)
			return u < v ? -1 : 1;
	}
	return strcmp(x->value, y->value);
}

static struct ipcg_obj **shared_objs(struct report *r, size_t *ret_n)
{
	size_t n = 0;
	struct ipcg_obj **v, *o, *ot;

	HASH_ITER(hh, r->agg.objs, o, ot)
		if (o->nusers > 1)
			n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	n = 0;
	HASH_ITER(hh, r->agg.objs, o, ot)
		if (o->nusers > 1)
			v[n++] = o;
	qsort(v, n, sizeof(*v), cmp_obj);
	*ret_n = n;
	return v;
}

static int cmp_user(const void *a, const void *b)
{
	const struct ipcg_proc *x = *(struct ipcg_proc *const *)a, *y = *(struct ipcg_proc *const *)b;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void sort_users(struct ipcg_obj *o)
{
	/* by file order; users[] entries start with the proc pointer */
	for (unsigned a = 1; a < o->nusers; a++)
		for (unsigned b = a; b > 0 && cmp_user(&o->users[b - 1].proc, &o->users[b].proc) > 0; b--) {
			__typeof__(o->users[0]) t = o->users[b];
			o->users[b] = o->users[b - 1];
			o->users[b - 1] = t;
		}
}

static struct ipcg_leak **sorted_leaks(struct report *r, size_t *ret_n)
{
	size_t n = 0;
	struct ipcg_leak *l, **v;

	for (l = r->agg.leaks; l; l = l->next)
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	n = 0;
	/* exit findings first, then end-of-trace; stable by process order */
	for (int src = 0; src < IPCG_LEAK_NSRC; src++)
		for (size_t pi = 0; pi < r->ts.nprocs; pi++)
			for (l = r->agg.leaks; l; l = l->next)
				if ((int)l->src == src && l->proc == r->ts.procs[pi] && !l->suppressed &&
				    !(l->proc->exec_next && !strcmp(l->kind, "attached")))
					v[n++] = l;	/* exec detaches every segment */
	*ret_n = n;
	return v;
}

static bool multi_host(const struct report *r)
{
	const char *h = NULL;

	for (size_t i = 0; i < r->ts.nprocs; i++) {
		const char *x = r->ts.procs[i]->host;
		if (!x)
			continue;
		if (h && strcmp(h, x))
			return true;
		h = x;
	}
	return false;
}

static uint64_t proc_start(const struct ipcg_proc *p)
{
	return p->start_ns ? p->start_ns : p->first_ts;
}

static bool proc_duration(const struct ipcg_proc *p, uint64_t *ret)
{
	uint64_t end = p->have_exit ? p->exit_ts : p->last_ts, start = proc_start(p);
	bool have_end = p->have_ts || p->have_exit;

	if (!p->have_exit && p->exec_next && proc_start(p->exec_next)) {
		end = proc_start(p->exec_next);	/* the image ended at the exec */
		have_end = true;
	}
	if (!have_end || !start || end < start)
		return false;
	*ret = end - start;
	return true;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct ipcg_proc *x = *(struct ipcg_proc *const *)a, *y = *(struct ipcg_proc *const *)b;
	uint64_t sx = proc_start(x), sy = proc_start(y);

	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Processes in start order (then pid, then file order); idx follows. */
static void sort_procs(struct report *r)
{
	qsort(r->ts.procs, r->ts.nprocs, sizeof(*r->ts.procs), cmp_proc);
	for (size_t i = 0; i < r->ts.nprocs; i++)
		r->ts.procs[i]->idx = (unsigned)i;
}

/* --- human output --- */

static void fmt_dur(char *buf, size_t n, const struct ipcg_proc *p)
{
	uint64_t d;

	if (!proc_duration(p, &d))
		snprintf(buf, n, "?");
	else if (d >= 1000000000ull)
		snprintf(buf, n, "%.3fs", (double)d / 1e9);
	else if (d >= 1000000ull)
		snprintf(buf, n, "%.3fms", (double)d / 1e6);
	else
		snprintf(buf, n, "%.3fus", (double)d / 1e3);
}

/* A trace given as parts (or from a part after the first): which ones were
 * read, "" otherwise. */
static void fmt_parts(char *buf, size_t n, const struct ipcg_proc *p)
{
	size_t k;

	buf[0] = '\0';
	if (p->nparts <= 1 && !p->first_part && !p->have_rotate)
		return;
	if (p->first_part == p->last_part)
		k = (size_t)snprintf(buf, n, " (part %" PRIu64, p->first_part);
	else
		k = (size_t)snprintf(buf, n, " (parts %" PRIu64 "-%" PRIu64, p->first_part, p->last_part);
	if (k < n && p->have_exit)
		k += (size_t)snprintf(buf + k, n - k, " of %" PRIu64, p->last_part + 1);
	if (k < n && p->first_part)
		k += (size_t)snprintf(buf + k, n - k, ": starts at part %" PRIu64
				      ", earlier parts not given", p->first_part);
	if (k < n && p->parts_gap)
		k += (size_t)snprintf(buf + k, n - k, "%s some parts between not given",
				      p->first_part ? ";" : ":");
	if (k < n)
		snprintf(buf + k, n - k, ")");
}

static void fmt_end(char *buf, size_t n, const struct ipcg_proc *p)
{
	if (ipcg_proc_continues(p))
		snprintf(buf, n, "continues in %s (not given)", ipcg_esc(p->rotate_next));
	else if (!p->have_exit && p->exec_next)
		snprintf(buf, n, "exec %s", ipcg_esc(ipcg_proc_name(p->exec_next)));
	else if (!p->have_exit)
		snprintf(buf, n, "trace ends without exit: killed or crashed");
	else if (p->have_status)
		snprintf(buf, n, "%s status %" PRId64, p->exit_how ? ipcg_esc(p->exit_how) : "exit",
			 p->exit_status);
	else
		snprintf(buf, n, "%s", p->exit_how ? ipcg_esc(p->exit_how) : "exit");
	if (p->have_exit && p->exit_trace_stopped) {
		size_t k = strlen(buf);
		snprintf(buf + k, n - k, "; tracing stopped (%s), %" PRIu64 " calls not written",
			 p->exit_trace_stopped, p->exit_calls_not_written);
	}
}

static void text_frame(void *ctx, unsigned idx, const char *text)
{
	fprintf((FILE *)ctx, "         #%u %s\n", idx, ipcg_esc(text));
}

static void text_pid(FILE *f, int64_t pid)
{
	if (pid >= 0)
		fprintf(f, "%" PRId64, pid);
	else
		fputs("?", f);
}

/* Leaks of one kind from one creation site (symbolised frames), over all
 * processes: a daemon's 100 000 leaks print as one group. */
struct lgroup {
	char *site;			/* hash key: kind NUL frames */
	size_t site_len;
	struct ipcg_leak *first;
	uint64_t count, bytes;
	int64_t pids[4];		/* the first few processes */
	unsigned npids;
	uint64_t more_pids;
	UT_hash_handle hh;
};

static void site_collect(void *ctx, unsigned idx, const char *text)
{
	struct ipcg_strlist *l = ctx;
	ipcg_strlist_add(l, idx, text);
}

static bool is_attach_kind(const char *kind)
{
	return !strcmp(kind, IPCG_KIND_ATTACHED_AT_EXIT) || !strcmp(kind, "attached");
}

static int cmp_lgroup(const void *a, const void *b)
{
	const struct lgroup *x = *(struct lgroup *const *)a, *y = *(struct lgroup *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->site, y->site);
}

static void text_leaks(struct report *r, FILE *f, struct ipcg_leak **leaks, size_t nleaks,
		       enum ipcg_leak_src src)
{
	struct lgroup *groups = NULL, *g, *gt, **v;
	uint64_t total = 0, bytes = 0;
	size_t n = 0;

	for (size_t i = 0; leaks && i < nleaks; i++) {
		struct ipcg_leak *l = leaks[i];
		struct ipcg_strlist sl = { 0 };
		size_t len = strlen(l->kind) + 1;
		char *key;

		if (l->src != src)
			continue;
		if (l->stack)
			ipcg_stack_lines(r->sym, l->proc, l->stack, LEAK_FRAMES, false, site_collect, &sl);
		for (unsigned k = 0; k < sl.n; k++)
			len += strlen(sl.v[k]) + 1;
		if (!(key = malloc(len + 1))) {
			ipcg_strlist_free(sl.v, sl.n);
			continue;
		}
		size_t o = (size_t)sprintf(key, "%s", l->kind) + 1;
		for (unsigned k = 0; k < sl.n; k++)
			o += (size_t)sprintf(key + o, "%s\n", sl.v[k]);
		ipcg_strlist_free(sl.v, sl.n);
		HASH_FIND(hh, groups, key, o, g);
		if (g) {
			free(key);
		} else if ((g = calloc(1, sizeof(*g)))) {
			g->site = key;
			g->site_len = o;
			g->first = l;
			HASH_ADD_KEYPTR(hh, groups, g->site, g->site_len, g);
		} else {
			free(key);
			continue;
		}
		g->count++;
		total++;
		if (l->has_size) {
			g->bytes += l->size;
			if (!is_attach_kind(l->kind))
				bytes += l->size;	/* what outlives the process */
		}
		bool seen = false;
		for (unsigned k = 0; k < g->npids; k++)
			seen |= g->pids[k] == l->proc->pid;
		if (!seen && g->npids < 4)
			g->pids[g->npids++] = l->proc->pid;
		else if (!seen)
			g->more_pids++;
	}
	if (!total) {
		if (src == IPCG_LEAK_EXIT)
			fprintf(f, "\n%sLeaks at exit%s\n  none\n", col(r, C_BOLD), col(r, C_OFF));
		return;
	}
	fprintf(f, "\n%s%s%s: %" PRIu64 " object%s", col(r, C_BOLD), src == IPCG_LEAK_EXIT ?
		"Leaks at exit" : src == IPCG_LEAK_END ?
		"Still held when the trace ended (no exit record: killed or crashed)" :
		"Held at the end of the parts read (the trace continues in a part not given)",
		col(r, C_OFF), total, total == 1 ? "" : "s");
	if (bytes)
		fprintf(f, ", %" PRIu64 " bytes of segments", bytes);
	fprintf(f, ", %u creation site%s\n", HASH_COUNT(groups), HASH_COUNT(groups) == 1 ? "" : "s");
	v = calloc(HASH_COUNT(groups) + 1, sizeof(*v));
	HASH_ITER(hh, groups, g, gt)
		if (v)
			v[n++] = g;
	if (v)
		qsort(v, n, sizeof(*v), cmp_lgroup);
	size_t shown = r->top && r->top < n ? r->top : n;
	for (size_t i = 0; v && i < shown; i++) {
		g = v[i];
		fprintf(f, "  %" PRIu64 " %s", g->count, ipcg_esc(g->first->kind));
		if (g->bytes)
			fprintf(f, ", %" PRIu64 " bytes%s", g->bytes,
				is_attach_kind(g->first->kind) ? " of address space" : "");
		fputs(" in pid", f);
		for (unsigned k = 0; k < g->npids; k++) {
			fputs(k ? ", " : " ", f);
			text_pid(f, g->pids[k]);
		}
		if (g->more_pids)
			fprintf(f, " and %" PRIu64 " more", g->more_pids);
		fprintf(f, " (%s)%s %s\n", ipcg_esc(ipcg_proc_name(g->first->proc)),
			g->count > 1 ? "; first:" : ":", ipcg_esc(g->first->message));
		if (!g->first->stack)
			fputs("         (no stack)\n", f);
		ipcg_stack_lines(r->sym, g->first->proc, g->first->stack, LEAK_FRAMES, false,
				 text_frame, f);
	}
	if (shown < n)
		fprintf(f, "    ... %zu more creation site%s (--top 0 shows all)\n", n - shown,
			n - shown == 1 ? "" : "s");
	HASH_ITER(hh, groups, g, gt) {
		HASH_DEL(groups, g);
		free(g->site);
		free(g);
	}
	free(v);
}

static void text_report(struct report *r)
{
	FILE *f = r->out;
	uint64_t nf = 0;
	size_t nfns = 0, nobjs = 0, nleaks = 0;
	struct ipcg_fnstat **fns = sorted_fns(r, &nfns);
	struct ipcg_obj **objs = shared_objs(r, &nobjs);
	struct ipcg_leak **leaks = sorted_leaks(r, &nleaks);
	bool hosts = multi_host(r);
	char b1[64], b2[192], b3[160];

	for (int i = 0; i < IPCG_SEV_COUNT; i++)
		nf += r->agg.nfindings[i];
	fprintf(f, "%sipcguard report%s: %zu trace%s, %" PRIu64 " call%s (%" PRIu64 " failed), %"
		PRIu64 " finding%s", col(r, C_BOLD), col(r, C_OFF), r->ts.nprocs,
		r->ts.nprocs == 1 ? "" : "s", r->agg.ncalls, r->agg.ncalls == 1 ? "" : "s",
		r->agg.nerrors, nf, nf == 1 ? "" : "s");
	if (nf)
		fprintf(f, ": %" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64 " info",
			r->agg.nfindings[IPCG_SEV_ERROR], r->agg.nfindings[IPCG_SEV_ERROR] == 1 ? "" : "s",
			r->agg.nfindings[IPCG_SEV_WARNING],
			r->agg.nfindings[IPCG_SEV_WARNING] == 1 ? "" : "s",
			r->agg.nfindings[IPCG_SEV_INFO]);
	fputc('\n', f);
	if (r->ts.nmalformed)
		fprintf(f, "%" PRIu64 " malformed line%s skipped (see stderr)\n", r->ts.nmalformed,
			r->ts.nmalformed == 1 ? "" : "s");

	fprintf(f, "\n%sProcesses%s\n", col(r, C_BOLD), col(r, C_OFF));
	fprintf(f, "  %-8s %-8s %-8s %-16s %10s %7s %8s  %s\n", "PID", "PPID", "PARENT", "EXE",
		"DURATION", "CALLS", "FINDINGS", "END");
	for (size_t i = 0; i < r->ts.nprocs; i++) {
		struct ipcg_proc *p = r->ts.procs[i];
		char pid[24], ppid[24], par[24];
		if (p->unreadable && !p->have_header) {
			fprintf(f, "  %-8s %-8s %-8s %-16s %10s %7s %8s  unreadable: %s\n", "?", "?", "-",
				"?", "?", "-", "-", ipcg_esc(p->file));
			continue;
		}
		snprintf(pid, sizeof(pid), "%" PRId64, p->pid);
		snprintf(ppid, sizeof(ppid), p->ppid >= 0 ? "%" PRId64 : "?", p->ppid);
		if (p->parent)
			snprintf(par, sizeof(par), "%" PRId64, p->parent->pid);
		else
			snprintf(par, sizeof(par), "-");
		fmt_dur(b1, sizeof(b1), p);
		fmt_end(b2, sizeof(b2), p);
		fmt_parts(b3, sizeof(b3), p);
		bool plain = p->have_exit || p->exec_next || ipcg_proc_continues(p);
		fprintf(f, "  %-8s %-8s %-8s %-16s %10s %7" PRIu64 " %8" PRIu64 "  %s%s%s%s", pid, ppid,
			par, ipcg_esc(ipcg_proc_name(p)), b1, p->ncalls, p->nfindings,
			plain ? "" : col(r, C_YEL), b2, plain ? "" : col(r, C_OFF), b3);
		if (hosts && p->host)
			fprintf(f, " (host %s)", ipcg_esc(p->host));
		if (p->truncated)
			fputs(" (last line incomplete)", f);
		fputc('\n', f);
	}

	fprintf(f, "\n%sCalls per function%s\n", col(r, C_BOLD), col(r, C_OFF));
	if (!nfns)
		fputs("  none\n", f);
	else
		fprintf(f, "  %-12s %8s %8s  %s\n", "FUNCTION", "CALLS", "ERRORS", "ERRNO");
	for (size_t i = 0; fns && i < nfns; i++) {
		fprintf(f, "  %-12s %8" PRIu64 " %8" PRIu64 " ", ipcg_esc(fns[i]->fn), fns[i]->calls,
			fns[i]->errors);
		for (unsigned k = 0; k < fns[i]->nerrnos; k++)
			fprintf(f, "%s %s %" PRIu64, k ? "," : "", ipcg_esc(fns[i]->errnos[k].name),
				fns[i]->errnos[k].count);
		fputc('\n', f);
	}

	if (r->supp.n) {
		fprintf(f, "\nSuppressed: %" PRIu64 " finding%s (--suppress ", r->nsuppressed,
			r->nsuppressed == 1 ? "" : "s");
		fputs(ipcg_esc(r->supp.file), f);
		fputs(")\n", f);
		for (size_t i = 0; i < r->supp.n; i++)
			fprintf(f, "  line %u: %" PRIu64 "\n", r->supp.v[i].line, r->supp.v[i].hits);
	}
	fprintf(f, "\n%sFindings by kind and call site%s\n", col(r, C_BOLD), col(r, C_OFF));
	if (!r->nkinds)
		fputs("  none\n", f);
	for (size_t i = 0; i < r->nkinds; i++) {
		struct kindsum *k = &r->kinds[i];
		fprintf(f, "  %s%-7s%s %s%s%s: %" PRIu64 " in %zu call site%s\n",
			col(r, sev_color(k->sev)), ipcg_sev_name(k->sev), col(r, C_OFF),
			col(r, C_BOLD), ipcg_esc(k->kind), col(r, C_OFF), k->count, k->nsites,
			k->nsites == 1 ? "" : "s");
		for (size_t j = 0; j < k->nsites && (!r->top || j < r->top); j++) {
			struct site *s = k->sites[j];
			fprintf(f, "    %4" PRIu64 "  [pid", s->count);
			for (unsigned q = 0; q < s->npids; q++) {
				fputc(q ? ',' : ' ', f);
				text_pid(f, s->pids[q]);
			}
			fprintf(f, "] %s\n", ipcg_esc(s->message));
			if (!s->nframes)
				fputs("         (no stack)\n", f);
			for (unsigned q = 0; q < s->nframes; q++)
				fprintf(f, "         #%u %s\n", q, ipcg_esc(s->frames[q]));
		}
		if (r->top && k->nsites > r->top)
			fprintf(f, "    ... %zu more call site%s (--top 0 shows all)\n",
				k->nsites - r->top, k->nsites - r->top == 1 ? "" : "s");
	}

	for (int src = 0; src < IPCG_LEAK_NSRC; src++)
		text_leaks(r, f, leaks, nleaks, (enum ipcg_leak_src)src);

	fprintf(f, "\n%sShared between processes%s\n", col(r, C_BOLD), col(r, C_OFF));
	if (!nobjs)
		fputs("  none\n", f);
	for (size_t i = 0; objs && i < nobjs; i++) {
		struct ipcg_obj *o = objs[i];
		sort_users(o);
		fprintf(f, "  %s %s%s%s", ipcg_okind_name(o->kind), o->kind == IPCG_OBJ_ABSTRACT ?
			"@" : "", ipcg_esc(o->value), "");
		if (hosts && o->host)
			fprintf(f, " (host %s)", ipcg_esc(o->host));
		fputc('\n', f);
		for (unsigned u = 0; u < o->nusers; u++) {
			fputs("      pid ", f);
			text_pid(f, o->users[u].proc->pid);
			fprintf(f, " %-16s", ipcg_esc(ipcg_proc_name(o->users[u].proc)));
			for (unsigned b = 0; b < IPCG_ACT_COUNT; b++)
				if (o->users[u].acts & (1u << b))
					fprintf(f, " %s", ipcg_act_name(b));
			fputc('\n', f);
		}
		if (o->more_users)
			fprintf(f, "      ... and %" PRIu64 " more\n", o->more_users);
	}
	free(fns);
	free(objs);
	free(leaks);
}

/* --- JSON output --- */

static void jkey(FILE *f, bool *first, const char *k)
{
	if (!*first)
		fputc(',', f);
	*first = false;
	ipcg_json_cstr(f, k);
	fputc(':', f);
}


static void j_u64(FILE *f, bool *first, const char *k, uint64_t v)
{
	jkey(f, first, k);
	fprintf(f, "%" PRIu64, v);
}

static void j_pid(FILE *f, bool *first, const char *k, int64_t v)
{
	jkey(f, first, k);
	if (v >= 0)
		fprintf(f, "%" PRId64, v);
	else
		fputs("null", f);
}

static void j_str(FILE *f, bool *first, const char *k, const char *v)
{
	jkey(f, first, k);
	ipcg_json_cstr(f, v);
}

/* --suppress: matched finding groups and exit-time leaks leave the report
 * and the --fail-on count. */
static void apply_suppressions(struct report *r)
{
	struct ipcg_fgroup *g, *gt;

	if (!r->supp.n)
		return;
	HASH_ITER(hh, r->agg.groups, g, gt) {
		if (!ipcg_supp_match(&r->supp, r->sym, (struct ipcg_proc *)g->k.proc, g->k.kind,
				     g->k.stack, g->count))
			continue;
		g->suppressed = true;
		r->nsuppressed += g->count;
		uint64_t *n = &r->agg.nfindings[g->sev];
		*n = *n > g->count ? *n - g->count : 0;
	}
	for (struct ipcg_leak *l = r->agg.leaks; l; l = l->next)
		if (l->src == IPCG_LEAK_EXIT &&
		    ipcg_supp_match(&r->supp, r->sym, l->proc, l->kind, l->stack, 0))
			l->suppressed = true;
}

static bool failed_on(const struct report *r)
{
	if (r->fail_on < 0)
		return false;
	for (int s = r->fail_on; s < IPCG_SEV_COUNT; s++)
		if (r->agg.nfindings[s])
			return true;
	return false;
}

static void j_summary(struct report *r, FILE *f)
{
	uint64_t nf = 0, nunreadable = 0;
	bool fo = true;

	for (int i = 0; i < IPCG_SEV_COUNT; i++)
		nf += r->agg.nfindings[i];
	for (size_t i = 0; i < r->ts.nprocs; i++)
		nunreadable += r->ts.procs[i]->unreadable;
	fputc('{', f);
	j_u64(f, &fo, "traces", r->ts.nprocs);
	j_u64(f, &fo, "calls", r->agg.ncalls);
	j_u64(f, &fo, "errors", r->agg.nerrors);
	j_u64(f, &fo, "findings", nf);
	jkey(f, &fo, "by_severity");
	fprintf(f, "{\"error\":%" PRIu64 ",\"warning\":%" PRIu64 ",\"info\":%" PRIu64 "}",
		r->agg.nfindings[IPCG_SEV_ERROR], r->agg.nfindings[IPCG_SEV_WARNING],
		r->agg.nfindings[IPCG_SEV_INFO]);
	j_u64(f, &fo, "malformed_lines", r->ts.nmalformed);
	j_u64(f, &fo, "unreadable_traces", nunreadable);
	jkey(f, &fo, "fail_on");
	if (r->fail_on >= 0)
		ipcg_json_cstr(f, ipcg_sev_name((enum ipcg_sev)r->fail_on));
	else
		fputs("null", f);
	jkey(f, &fo, "failed");
	fputs(failed_on(r) ? "true" : "false", f);
	fputc('}', f);
}

/* processes[].parts: a trace given as parts (or from a part after the first) */
static void j_parts(FILE *f, const struct ipcg_proc *p)
{
	bool qf = true;

	fputc('{', f);
	j_u64(f, &qf, "first", p->first_part);
	j_u64(f, &qf, "last", p->last_part);
	j_u64(f, &qf, "files", p->nparts);
	jkey(f, &qf, "total");
	if (p->have_exit)
		fprintf(f, "%" PRIu64, p->last_part + 1);
	else
		fputs("null", f);
	jkey(f, &qf, "earlier_not_given");
	fputs(p->first_part ? "true" : "false", f);
	jkey(f, &qf, "gap");
	fputs(p->parts_gap ? "true" : "false", f);
	j_str(f, &qf, "continues_in", ipcg_proc_continues(p) ? p->rotate_next : NULL);
	j_str(f, &qf, "last_trace", p->last_file);
	fputc('}', f);
}

static void j_exit(FILE *f, const struct ipcg_proc *p)
{
	bool ef = true;

	if (!p->have_exit) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	j_str(f, &ef, "how", p->exit_how);
	jkey(f, &ef, "status");
	if (p->have_status)
		fprintf(f, "%" PRId64, p->exit_status);
	else
		fputs("null", f);
	j_u64(f, &ef, "calls", p->exit_calls);
	j_u64(f, &ef, "findings", p->exit_findings);
	j_u64(f, &ef, "dropped", p->exit_dropped);
	if (p->exit_trace_stopped) {	/* as in the trace: only when it stopped */
		j_str(f, &ef, "trace_stopped", p->exit_trace_stopped);
		j_u64(f, &ef, "calls_not_written", p->exit_calls_not_written);
	}
	fputc('}', f);
}

static void j_process(FILE *f, struct ipcg_proc *p)
{
	bool pf = true;
	uint64_t d;

	fputc('{', f);
	j_str(f, &pf, "trace", p->file);
	jkey(f, &pf, "readable");
	fputs(p->unreadable ? "false" : "true", f);
	j_pid(f, &pf, "pid", p->pid);
	j_pid(f, &pf, "ppid", p->ppid);
	j_pid(f, &pf, "parent", p->parent ? p->parent->pid : -1);
	jkey(f, &pf, "forked");
	fputs(p->forked ? "true" : "false", f);
	j_str(f, &pf, "host", p->host);
	j_str(f, &pf, "exe", p->exe);
	j_str(f, &pf, "argv", p->argv);
	jkey(f, &pf, "start_ns");
	if (proc_start(p))
		fprintf(f, "%" PRIu64, proc_start(p));
	else
		fputs("null", f);
	jkey(f, &pf, "duration_ns");
	if (proc_duration(p, &d))
		fprintf(f, "%" PRIu64, d);
	else
		fputs("null", f);
	j_str(f, &pf, "ended", p->have_exit ? "exit" : ipcg_proc_continues(p) ? "continues" :
	      p->exec_next ? "exec" : "no-exit");
	if (p->nparts > 1 || p->first_part || p->have_rotate) {
		jkey(f, &pf, "parts");
		j_parts(f, p);
	}
	jkey(f, &pf, "exit");
	j_exit(f, p);
	j_u64(f, &pf, "calls", p->ncalls);
	j_u64(f, &pf, "findings", p->nfindings);
	j_u64(f, &pf, "lines", p->nlines);
	j_u64(f, &pf, "malformed_lines", p->nmalformed);
	jkey(f, &pf, "truncated");
	fputs(p->truncated ? "true" : "false", f);
	jkey(f, &pf, "children");
	fputc('[', f);
	for (size_t c = 0; c < p->nchildren; c++)
		fprintf(f, "%s%" PRId64, c ? "," : "", p->children[c]);
	fputs("]}", f);
}

static void j_functions(struct report *r, FILE *f)
{
	size_t nfns = 0;
	struct ipcg_fnstat **fns = sorted_fns(r, &nfns);

	fputc('[', f);
	for (size_t i = 0; fns && i < nfns; i++) {
		bool ff = true;
		fputs(i ? ",{" : "{", f);
		j_str(f, &ff, "fn", fns[i]->fn);
		j_u64(f, &ff, "calls", fns[i]->calls);
		j_u64(f, &ff, "errors", fns[i]->errors);
		jkey(f, &ff, "errnos");
		fputc('{', f);
		for (unsigned k = 0; k < fns[i]->nerrnos; k++) {
			if (k)
				fputc(',', f);
			ipcg_json_cstr(f, fns[i]->errnos[k].name);
			fprintf(f, ":%" PRIu64, fns[i]->errnos[k].count);
		}
		fputs("}}", f);
	}
	fputc(']', f);
	free(fns);
}

static void j_site(FILE *f, const struct site *s)
{
	bool sf = true;

	fputc('{', f);
	j_u64(f, &sf, "count", s->count);
	j_str(f, &sf, "severity", ipcg_sev_name(s->sev));
	j_str(f, &sf, "message", s->message);
	jkey(f, &sf, "pids");
	fputc('[', f);
	for (unsigned q = 0; q < s->npids; q++)
		fprintf(f, q ? ",%" PRId64 : "%" PRId64, s->pids[q]);
	fputc(']', f);
	jkey(f, &sf, "frames");
	fputc('[', f);
	for (unsigned q = 0; q < s->nframes; q++) {
		if (q)
			fputc(',', f);
		ipcg_json_cstr(f, s->frames[q]);
	}
	fputs("]}", f);
}

static void j_findings(struct report *r, FILE *f)
{
	fputc('[', f);
	for (size_t i = 0; i < r->nkinds; i++) {
		struct kindsum *k = &r->kinds[i];
		bool kf = true;
		size_t shown = r->top && k->nsites > r->top ? r->top : k->nsites;
		fputs(i ? ",{" : "{", f);
		j_str(f, &kf, "kind", k->kind);
		j_str(f, &kf, "severity", ipcg_sev_name(k->sev));
		j_u64(f, &kf, "count", k->count);
		j_u64(f, &kf, "call_sites", k->nsites);
		jkey(f, &kf, "sites");
		fputc('[', f);
		for (size_t j = 0; j < shown; j++) {
			if (j)
				fputc(',', f);
			j_site(f, k->sites[j]);
		}
		fputc(']', f);
		j_u64(f, &kf, "more_sites", k->nsites - shown);
		fputc('}', f);
	}
	fputc(']', f);
}

static void j_leak(struct report *r, FILE *f, const struct ipcg_leak *l)
{
	bool lf = true;

	fputc('{', f);
	j_pid(f, &lf, "pid", l->proc->pid);
	j_str(f, &lf, "trace", l->proc->file);
	j_str(f, &lf, "source", l->src == IPCG_LEAK_EXIT ? "exit" :
	      l->src == IPCG_LEAK_END ? "end-of-trace" : "end-of-parts");
	j_str(f, &lf, "kind", l->kind);
	j_str(f, &lf, "message", l->message);
	jkey(f, &lf, "shmid");
	if (l->has_shmid)
		fprintf(f, "%" PRId64, l->shmid);
	else
		fputs("null", f);
	j_str(f, &lf, "key", l->key);
	j_str(f, &lf, "shmaddr", l->shmaddr);
	j_str(f, &lf, "path", l->path);
	j_str(f, &lf, "abstract", l->abstract);
	jkey(f, &lf, "fd");
	if (l->fd >= 0)
		fprintf(f, "%" PRId64, l->fd);
	else
		fputs("null", f);
	jkey(f, &lf, "size");
	if (l->has_size)
		fprintf(f, "%" PRIu64, l->size);
	else
		fputs("null", f);
	jkey(f, &lf, "inherited");
	fputs(l->inherited ? "true" : "false", f);
	j_pid(f, &lf, "creator_pid", l->proc->pid);
	jkey(f, &lf, "create_seq");
	if (l->create_seq)
		fprintf(f, "%" PRIu64, l->create_seq);
	else
		fputs("null", f);
	jkey(f, &lf, "created_realtime_ns");
	if (l->created_realtime_ns)
		fprintf(f, "%" PRIu64, l->created_realtime_ns);
	else
		fputs("null", f);
	jkey(f, &lf, "frames");
	ipcg_json_frames(f, r->sym, l->proc, l->stack, LEAK_FRAMES);
	fputc('}', f);
}

static void j_leaks(struct report *r, FILE *f)
{
	size_t nleaks = 0;
	struct ipcg_leak **leaks = sorted_leaks(r, &nleaks);

	fputc('[', f);
	for (size_t i = 0; leaks && i < nleaks; i++) {
		if (i)
			fputc(',', f);
		j_leak(r, f, leaks[i]);
	}
	fputc(']', f);
	free(leaks);
}

static void j_user(FILE *f, const struct ipcg_user *u)
{
	bool uf = true, af = true;

	fputc('{', f);
	j_pid(f, &uf, "pid", u->proc->pid);
	j_str(f, &uf, "trace", u->proc->file);
	jkey(f, &uf, "actions");
	fputc('[', f);
	for (unsigned b = 0; b < IPCG_ACT_COUNT; b++)
		if (u->acts & (1u << b)) {
			if (!af)
				fputc(',', f);
			af = false;
			ipcg_json_cstr(f, ipcg_act_name(b));
		}
	fputs("]}", f);
}

static void j_shared(struct report *r, FILE *f)
{
	size_t nobjs = 0;
	struct ipcg_obj **objs = shared_objs(r, &nobjs);

	fputc('[', f);
	for (size_t i = 0; objs && i < nobjs; i++) {
		struct ipcg_obj *o = objs[i];
		bool of = true;
		sort_users(o);
		fputs(i ? ",{" : "{", f);
		j_str(f, &of, "object", ipcg_okind_name(o->kind));
		jkey(f, &of, "value");
		if (o->kind == IPCG_OBJ_SHMID)
			fputs(o->value, f);
		else
			ipcg_json_cstr(f, o->value);
		j_str(f, &of, "host", o->host);
		jkey(f, &of, "processes");
		fputc('[', f);
		for (unsigned u = 0; u < o->nusers; u++) {
			if (u)
				fputc(',', f);
			j_user(f, &o->users[u]);
		}
		fputc(']', f);
		j_u64(f, &of, "more_processes", o->more_users);
		fputc('}', f);
	}
	fputc(']', f);
	free(objs);
}

/* The report as one JSON object (docs/report-json.md). */
static void json_report(struct report *r)
{
	FILE *f = r->out;
	bool first = true;

	fputc('{', f);
	j_str(f, &first, "format", "ipcguard-report");
	j_u64(f, &first, "version", 1);
	jkey(f, &first, "summary");
	j_summary(r, f);
	jkey(f, &first, "processes");
	fputc('[', f);
	for (size_t i = 0; i < r->ts.nprocs; i++) {
		if (i)
			fputc(',', f);
		j_process(f, r->ts.procs[i]);
	}
	fputc(']', f);
	jkey(f, &first, "functions");
	j_functions(r, f);
	jkey(f, &first, "findings");
	j_findings(r, f);
	j_u64(f, &first, "suppressed", r->nsuppressed);
	jkey(f, &first, "leaks");
	j_leaks(r, f);
	jkey(f, &first, "shared");
	j_shared(r, f);
	fputs("}\n", f);
}

static int take_fail_on(struct ipcg_cli *c, const struct ipcg_cli_opt *o, const char *val)
{
	struct report *r = o->ctx;

	r->fail_on = ipcg_sev_parse(val);
	if (r->fail_on < 0 && strcmp(val, "none"))
		return ipcg_cli_bad_value(c, o, val, "is not one of info, warning, error, none");
	return 0;
}

static int take_suppress(struct ipcg_cli *c, const struct ipcg_cli_opt *o, const char *val)
{
	struct report *r = o->ctx;

	(void)c;
	return ipcg_supp_load(&r->supp, val) < 0 ? -1 : 0;
}

int ipcg_cmd_report(int argc, char **argv)
{
	struct report r = { .top = DEFAULT_TOP, .fail_on = -1, .out = stdout };
	const struct ipcg_cli_opt opts[] = {
		IPCG_CLI_OPT_FLAG("json", 0, &r.json),
		IPCG_CLI_OPT_VALUE("fail-on", 0, take_fail_on, &r),
		IPCG_CLI_OPT_UINT("top", &r.top),
		IPCG_CLI_OPT_DEBUG_DIR,
		IPCG_CLI_OPT_VALUE("suppress", 0, take_suppress, &r),
		IPCG_CLI_OPT_END,
	};
	struct ipcg_cli cli;
	int rc = ipcg_cli_parse(&cli, "report", "usage: ipcguard report [--json] "
				"[--fail-on info|warning|error] [--top N] [--suppress FILE] "
				"[--debug-dir DIR] TRACE...\n", opts, argc, argv);

	ipcg_agg_init(&r.agg);
	if (rc >= 0)
		goto out;
	r.color = !r.json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR") &&
		  !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	if (ipcg_cli_start(&cli) < 0 || (r.sym = cli.sym,
					 ipcg_cli_load(&cli, &ipcg_agg_ops, &r.agg, &r.ts) < 0) ||
	    (apply_suppressions(&r), build_sites(&r) < 0)) {
		rc = ipcg_cli_oom(&cli);
		goto out;
	}
	sort_procs(&r);
	if (r.json)
		json_report(&r);
	else
		text_report(&r);
	ipcg_sym_notes(r.sym, stderr);
	rc = ipcg_cli_finish(&r.ts);
	if (rc == IPCG_EXIT_OK && failed_on(&r))
		rc = IPCG_EXIT_FAIL_ON;
out:
	free_sites(&r);
	ipcg_agg_release(&r.agg);
	ipcg_traceset_release(&r.ts);
	ipcg_supp_release(&r.supp);
	ipcg_cli_release(&cli);
	return rc;
}
