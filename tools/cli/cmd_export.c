/* ipcguard export --format chrome|folded [--debug-dir DIR] TRACE...
 *
 * chrome: a Chrome/Perfetto trace (JSON object format). Each process is a
 * track; segment lifetimes (create to remove), attachments (shmat to shmdt)
 * and socket lifetimes (socket to close) are async slices, ended at the
 * trace's end when still alive; each finding is an instant event carrying
 * its message. Timestamps are the traces' CLOCK_MONOTONIC in microseconds.
 *
 * folded: "root;frame;...;leaf count" lines, outermost frame first, for
 * flamegraph.pl, inferno or speedscope: the root is the executable's name,
 * the leaf the intercepted function or "finding:KIND". */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "cli/cli.h"
#include "load/trace_load.h"
#include "model/lifetime.h"
#include "out/folded.h"
#include "out/out.h"
#include "out/symbolize.h"

enum fmt {
	FMT_CHROME,
	FMT_FOLDED,
};

struct slice {				/* an open async slice: a lifetime object's user */
	uint8_t kind;			/* enum ipcg_life_kind */
	uint64_t id;			/* async id, unique in the export */
	char *pend;			/* from a live record: its begin's args, written at the checkpoint */
	char name[160];
};

/* Facts carried by a slice's begin (and, for what outlives the trace, its
 * end) event, shown by Perfetto in the slice's details. */
struct slice_args {
	bool has_shmid, has_size, has_addr, has_fd;
	int64_t shmid, fd;
	uint64_t size, addr;
	const char *key;		/* "0x..." or "IPC_PRIVATE" */
	const char *site;		/* innermost frames of the creating call */
	const char *end;		/* alive at the trace's end: why it ended there */
	bool leaked;			/* a segment never removed */
};

#define FINDINGS_PER_SITE 10		/* instants per kind and stack; the rest are counted */

struct fsite {				/* chrome: findings of one kind at one stack */
	struct {
		const struct ipcg_stack *stack;
		const char *kind;	/* interned */
	} k;
	uint64_t count;			/* beyond FINDINGS_PER_SITE, or counted by the library */
	bool none_shown;		/* only counted (the written ones are in a part not given) */
	enum ipcg_sev sev;
	UT_hash_handle hh;
};

struct slices {				/* a growable list of slices */
	struct slice **v;
	size_t n, cap;
};

struct cproc {				/* chrome: per-process state (beside its lifetime model) */
	struct fsite *fsites;
	bool named;
	struct slices pend;		/* live slices waiting for their begin, in record order */
	struct slices held;		/* alive at the trace's end */
	uint64_t end;			/* the trace's end ... */
	const char *why;		/* ... and how it ended, for the slices held */
};

struct leaf {				/* chrome: interned finding kinds */
	char *s;
	UT_hash_handle hh;
};

struct export {
	enum fmt fmt;
	FILE *out;
	struct ipcg_sym *sym;
	bool first;			/* chrome: no event written yet */
	uint64_t next_slice;
	struct leaf *leaves;
	struct ipcg_folded *folded;
	struct ipcg_life life;		/* chrome: the processes' objects (lifetime.h) */
};

/* --- chrome --- */

static void ts_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

static void ev_begin(struct export *e)
{
	fputs(e->first ? "\n" : ",\n", e->out);
	e->first = false;
}

static int64_t track_pid(const struct ipcg_proc *p)
{
	return p->pid >= 0 ? p->pid : 0;
}

static void name_process(struct export *e, struct ipcg_proc *p, struct cproc *c)
{
	char name[256];

	if (c->named)
		return;
	c->named = true;
	snprintf(name, sizeof(name), "%s (pid %" PRId64 ")", ipcg_proc_name(p), p->pid);
	ev_begin(e);
	fprintf(e->out, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%" PRId64
		",\"tid\":%" PRId64 ",\"args\":{\"name\":", track_pid(p), track_pid(p));
	ipcg_json_cstr(e->out, name);
	fputs("}}", e->out);
}

static const char *kind_cat(unsigned kind)
{
	return kind == IPCG_LIFE_SOCKET ? "unix" : "shm";
}

static void put_args(FILE *f, const struct slice_args *a)
{
	bool first = true;

#define SEP() (fputs(first ? ",\"args\":{" : ",", f), first = false)
	if (a->has_shmid) {
		SEP();
		fprintf(f, "\"shmid\":%" PRId64, a->shmid);
	}
	if (a->key) {
		SEP();
		fputs("\"key\":", f);
		ipcg_json_cstr(f, a->key);
	}
	if (a->has_size) {
		SEP();
		fprintf(f, "\"size\":%" PRIu64, a->size);
	}
	if (a->has_addr) {
		SEP();
		fprintf(f, "\"shmaddr\":\"0x%" PRIx64 "\"", a->addr);
	}
	if (a->has_fd) {
		SEP();
		fprintf(f, "\"fd\":%" PRId64, a->fd);
	}
	if (a->site) {
		SEP();
		fputs("\"created_at\":", f);
		ipcg_json_cstr(f, a->site);
	}
	if (a->end) {
		SEP();
		fprintf(f, "\"leaked\":%s,\"alive_at_end\":", a->leaked ? "true" : "false");
		ipcg_json_cstr(f, a->end);
	}
	if (!first)
		fputc('}', f);
#undef SEP
}

static void slice_ev(struct export *e, struct ipcg_proc *p, const struct slice *l, char ph,
		     uint64_t ts, uint64_t tid, const struct slice_args *a)
{
	ev_begin(e);
	fprintf(e->out, "{\"ph\":\"%c\",\"cat\":\"%s\",\"name\":", ph, kind_cat(l->kind));
	ipcg_json_cstr(e->out, l->name);
	fprintf(e->out, ",\"id\":\"0x%" PRIx64 "\",\"pid\":%" PRId64 ",\"tid\":%" PRIu64 ",\"ts\":",
		l->id, track_pid(p), tid);
	ts_us(e->out, ts);
	if (a)
		put_args(e->out, a);
	fputc('}', e->out);
}

struct site_buf {
	char s[512];
	size_t len;
	unsigned n;
};

static void site_line(void *ctx, unsigned idx, const char *text)
{
	struct site_buf *b = ctx;
	int w;

	(void)idx;
	if (b->n >= 3 || b->len >= sizeof(b->s) - 1)
		return;
	w = snprintf(b->s + b->len, sizeof(b->s) - b->len, "%s%s", b->n ? " < " : "", text);
	if (w > 0)
		b->len = b->len + (size_t)w < sizeof(b->s) ? b->len + (size_t)w : sizeof(b->s) - 1;
	b->n++;
}

/* The creating call's innermost frames, "f (a.c:3) < g (a.c:9)", or NULL. */
static const char *site_of(struct export *e, struct ipcg_proc *p, const struct ipcg_stack *st,
			   struct site_buf *b)
{
	b->len = 0;
	b->n = 0;
	b->s[0] = '\0';
	if (!st)
		return NULL;
	ipcg_stack_lines(e->sym, p, st, 2, false, site_line, b);
	return b->n ? b->s : NULL;
}

static struct cproc *cproc_of(struct ipcg_proc *p)
{
	void **u = ipcg_life_user(p);

	if (u && !*u)
		*u = calloc(1, sizeof(struct cproc));
	return u ? *u : NULL;
}

static bool slices_add(struct slices *l, struct slice *s)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 8;
		struct slice **nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return false;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = s;
	return true;
}

/* Live slices of a checkpoint begin at its end (the time they were
 * created is in a part not given): their begin events, at ts. */
static void live_flush(struct export *e, struct ipcg_proc *p, struct cproc *c, uint64_t ts)
{
	for (size_t i = 0; i < c->pend.n; i++) {
		struct slice *l = c->pend.v[i];

		ev_begin(e);
		fprintf(e->out, "{\"ph\":\"b\",\"cat\":\"%s\",\"name\":", kind_cat(l->kind));
		ipcg_json_cstr(e->out, l->name);
		fprintf(e->out, ",\"id\":\"0x%" PRIx64 "\",\"pid\":%" PRId64 ",\"tid\":%" PRId64
			",\"ts\":", l->id, track_pid(p), track_pid(p));
		ts_us(e->out, ts);
		fputs(l->pend, e->out);
		fputc('}', e->out);
		free(l->pend);
		l->pend = NULL;
	}
	c->pend.n = 0;
}

static void slice_end(struct export *e, struct ipcg_proc *p, struct cproc *c, struct slice *l,
		      uint64_t ts, uint64_t tid, const struct slice_args *a)
{
	if (l->pend)
		live_flush(e, p, c, ts);
	slice_ev(e, p, l, 'e', ts, tid, a);
	free(l);
}

/* The slice's name and begin args for lifetime object o. */
static void slice_facts(struct export *e, struct ipcg_proc *p, const struct ipcg_life_obj *o,
			char *name, size_t n, struct slice_args *a, struct site_buf *sb)
{
	static const char *const sock_names[] = {
		[IPCG_LORIG_ACCEPT] = "accepted socket", [IPCG_LORIG_SOCKETPAIR] = "socketpair",
	};
	bool key = o->key && !o->priv;

	memset(a, 0, sizeof(*a));
	switch (o->k.kind) {
	case IPCG_LIFE_SEGMENT:
		snprintf(name, n, "segment shmid %" PRId64 "%s%s", o->shmid, key ? " key " : "",
			 key ? o->key : "");
		a->has_shmid = true;
		a->shmid = o->shmid;
		a->key = o->key;
		a->has_size = o->has_size;
		a->size = o->size;
		break;
	case IPCG_LIFE_ATTACH:
		snprintf(name, n, "attach shmid %" PRId64 " at 0x%" PRIx64, o->shmid, o->addr);
		a->has_shmid = a->has_addr = true;
		a->shmid = o->shmid;
		a->addr = o->addr;
		break;
	default:
		snprintf(name, n, "%s fd %" PRId64, o->origin < sizeof(sock_names) / sizeof(*sock_names)
			 && sock_names[o->origin] ? sock_names[o->origin] : "socket", o->fd);
		a->has_fd = true;
		a->fd = o->fd;
		break;
	}
	a->site = site_of(e, p, o->stack, sb);
}

/* An object began: its slice begins, now for a call; for a checkpoint's
 * live record (the earlier part was not read) at the checkpoint's end,
 * as if its creating call had been seen then. */
static void life_begin(void *ctx, struct ipcg_proc *p, struct ipcg_life_obj *o,
		       const struct ipcg_rec *r)
{
	struct export *e = ctx;
	struct cproc *c = cproc_of(p);
	struct slice_args a;
	struct site_buf sb;
	struct slice *l;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!c || !(l = calloc(1, sizeof(*l))))
		return;
	slice_facts(e, p, o, l->name, sizeof(l->name), &a, &sb);
	l->kind = o->k.kind;
	if (r->type != IPCG_R_LIVE) {
		l->id = ++e->next_slice;
		o->user = l;
		slice_ev(e, p, l, 'b', r->ts, r->tid, &a);
		return;
	}
	if (!(m = open_memstream(&buf, &len))) {
		free(l);
		return;
	}
	put_args(m, &a);
	if (fclose(m) != 0 || !buf || !slices_add(&c->pend, l)) {
		free(buf);
		free(l);
		return;
	}
	l->id = ++e->next_slice;
	l->pend = buf;
	o->user = l;
}

static void life_end(void *ctx, struct ipcg_proc *p, struct ipcg_life_obj *o,
		     enum ipcg_life_end why, const struct ipcg_rec *r)
{
	struct slice *l = o->user;
	struct cproc *c = cproc_of(p);

	(void)why;			/* reused without an end we saw: closed here */
	if (!l || !c)
		return;
	o->user = NULL;
	slice_end(ctx, p, c, l, r->ts, r->tid, NULL);
}

/* bind and connect of a socket with a slice: an instant marks the address
 * (the slice is named when it starts). */
static void life_call(void *ctx, struct ipcg_proc *p, struct ipcg_life_call *c,
		      const struct ipcg_rec *r)
{
	struct export *e = ctx;
	const struct ipcg_life_obj *o;
	const struct slice *l;

	if ((c->op != IPCG_LOP_BIND && c->op != IPCG_LOP_CONNECT) || !c->has_fd ||
	    !(o = ipcg_life_find(p, IPCG_LIFE_SOCKET, (uint64_t)c->fd)) || !(l = o->user))
		return;
	ev_begin(e);
	fprintf(e->out, "{\"ph\":\"n\",\"cat\":\"unix\",\"name\":\"%s\",\"id\":\"0x%" PRIx64
		"\",\"pid\":%" PRId64 ",\"tid\":%" PRIu64 ",\"ts\":", r->fn, l->id,
		track_pid(p), r->tid);
	ts_us(e->out, r->ts);
	fputs(",\"args\":{\"address\":", e->out);
	if (c->addr_v)
		ipcg_json_str(e->out, c->addr_v->s, c->addr_v->len);
	else
		fputs("null", e->out);
	fputs("}}", e->out);
}

static const char *intern_leaf(struct export *e, const char *prefix, const char *s);

/* The first FINDINGS_PER_SITE findings of a kind at a stack become
 * instants; later ones are counted and shown once at the process's end. */
static bool finding_shown(struct export *e, struct cproc *c, const struct ipcg_rec *r)
{
	struct fsite key, *f;

	if (!r->has_seq || !r->kind)
		return true;		/* exit-time findings: one per object */
	memset(&key, 0, sizeof(key));
	key.k.stack = r->stack;
	key.k.kind = intern_leaf(e, "", r->kind);
	HASH_FIND(hh, c->fsites, &key.k, sizeof(key.k), f);
	if (!f) {
		if (!(f = calloc(1, sizeof(*f))))
			return true;
		f->k = key.k;
		f->sev = r->sev;
		HASH_ADD(hh, c->fsites, k, sizeof(f->k), f);
	}
	return ++f->count <= FINDINGS_PER_SITE;
}

/* The library wrote the first findings of a site and counted the rest
 * (per part: the sum over the parts is the total). When the part with the
 * written ones was not given, the site starts here. */
static void finding_repeats(struct export *e, struct ipcg_proc *p, struct cproc *c,
			    const struct ipcg_rec *r)
{
	struct fsite key, *f;

	memset(&key, 0, sizeof(key));
	key.k.stack = r->stack;
	key.k.kind = intern_leaf(e, "", r->kind);
	HASH_FIND(hh, c->fsites, &key.k, sizeof(key.k), f);
	if (!f && r->repeats && (p->first_part > 0 || p->parts_gap) && (f = calloc(1, sizeof(*f)))) {
		f->k = key.k;
		f->sev = r->sev;
		f->none_shown = true;
		HASH_ADD(hh, c->fsites, k, sizeof(f->k), f);
	}
	if (f && f->count + r->repeats >= f->count)
		f->count += r->repeats;
}

/* One instant per site whose findings were not all shown. */
static void repeats_end(struct export *e, struct ipcg_proc *p, struct cproc *c, uint64_t end)
{
	struct fsite *f, *ft;
	struct site_buf sb;

	HASH_ITER(hh, c->fsites, f, ft) {
		uint64_t shown = f->none_shown ? 0 : f->count < FINDINGS_PER_SITE ? f->count :
				 FINDINGS_PER_SITE;
		if (f->count > shown) {
			const char *site = site_of(e, p, f->k.stack, &sb);
			ev_begin(e);
			fputs("{\"ph\":\"i\",\"s\":\"p\",\"cat\":\"finding\",\"name\":", e->out);
			ipcg_json_cstr(e->out, f->k.kind);
			fprintf(e->out, ",\"pid\":%" PRId64 ",\"tid\":%" PRId64 ",\"ts\":", track_pid(p),
				track_pid(p));
			ts_us(e->out, end);
			fputs(",\"args\":{\"severity\":", e->out);
			ipcg_json_cstr(e->out, ipcg_sev_name(f->sev));
			fprintf(e->out, ",\"repeats_not_shown\":%" PRIu64 ",\"total_at_site\":%" PRIu64
				",\"site\":", f->count - shown, f->count);
			ipcg_json_cstr(e->out, site);
			fputs("}}", e->out);
		}
		HASH_DEL(c->fsites, f);
		free(f);
	}
}

static void chrome_record(struct export *e, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	struct cproc *c = cproc_of(p);

	if (!c)
		return;
	name_process(e, p, c);
	if (r->type == IPCG_R_LIVE) {
		ipcg_life_record(&e->life, p, r);
		return;
	}
	if (r->has_ts)			/* the checkpoint's end, or the first record after it */
		live_flush(e, p, c, r->ts);
	if (r->type == IPCG_R_CALL || r->type == IPCG_R_CHECKPOINT) {
		ipcg_life_record(&e->life, p, r);
	} else if (r->type == IPCG_R_FINDING_REPEATS) {
		finding_repeats(e, p, c, r);
	} else if (r->type == IPCG_R_FINDING) {
		if (!finding_shown(e, c, r))
			return;
		ev_begin(e);
		fputs("{\"ph\":\"i\",\"s\":\"p\",\"cat\":\"finding\",\"name\":", e->out);
		ipcg_json_cstr(e->out, r->kind);
		fprintf(e->out, ",\"pid\":%" PRId64 ",\"tid\":%" PRId64 ",\"ts\":", track_pid(p),
			track_pid(p));
		ts_us(e->out, p->have_ts ? p->last_ts : p->start_ns);
		fputs(",\"args\":{\"severity\":", e->out);
		ipcg_json_cstr(e->out, ipcg_sev_name(r->sev));
		fputs(",\"message\":", e->out);
		ipcg_json_cstr(e->out, r->message);
		if (r->has_seq)
			fprintf(e->out, ",\"seq\":%" PRIu64, r->seq);
		fputs("}}", e->out);
	}
}

static int cmp_slice(const void *a, const void *b)
{
	const struct slice *x = *(struct slice *const *)a, *y = *(struct slice *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void end_alive(struct export *e, struct ipcg_proc *p, struct cproc *c, struct slice *l)
{
	/* a trace that goes on in a part not given: not known to leak */
	struct slice_args a = { .end = c->why,
				.leaked = l->kind == IPCG_LIFE_SEGMENT && !ipcg_proc_continues(p) };

	if (a.leaked) {
		ev_begin(e);
		fputs("{\"ph\":\"i\",\"s\":\"p\",\"cat\":\"leak\",\"name\":", e->out);
		char name[200];
		snprintf(name, sizeof(name), "leaked: %s", l->name);
		ipcg_json_cstr(e->out, name);
		fprintf(e->out, ",\"pid\":%" PRId64 ",\"tid\":%" PRId64 ",\"ts\":", track_pid(p),
			track_pid(p));
		ts_us(e->out, c->end);
		fputs("}", e->out);
	}
	slice_end(e, p, c, l, c->end, (uint64_t)track_pid(p), &a);
}

/* A slice alive at the end of the trace: ended once all are known, in the
 * order they began. */
static void life_held(void *ctx, struct ipcg_proc *p, struct ipcg_life_obj *o)
{
	struct cproc *c = cproc_of(p);
	struct slice *l = o->user;

	o->user = NULL;
	if (l && c && !slices_add(&c->held, l))
		end_alive(ctx, p, c, l);
}

static void chrome_end(struct export *e, struct ipcg_proc *p)
{
	struct cproc *c = p->user ? cproc_of(p) : NULL;

	if (!c) {
		ipcg_life_proc_end(&e->life, p);
		return;
	}
	c->end = p->have_exit ? p->exit_ts : p->last_ts;
	live_flush(e, p, c, p->have_ts ? p->first_ts : c->end);
	repeats_end(e, p, c, c->end);
	/* a segment never removed outlives the process: leaked */
	c->why = p->have_exit ? (p->exit_how ? p->exit_how : "exit")
		 : ipcg_proc_continues(p) ? "trace continues in a part not given"
		 : p->exec_next ? "exec" : "trace end (killed or crashed)";
	ipcg_life_proc_end(&e->life, p);
	if (c->held.n)
		qsort(c->held.v, c->held.n, sizeof(*c->held.v), cmp_slice);
	for (size_t i = 0; i < c->held.n; i++)
		end_alive(e, p, c, c->held.v[i]);
	free(c->held.v);
	free(c->pend.v);
	free(c);
}

static const char *intern_leaf(struct export *e, const char *prefix, const char *s)
{
	char buf[256];
	struct leaf *l;

	snprintf(buf, sizeof(buf), "%s%s", prefix, ipcg_esc(s));
	for (char *q = buf; *q; q++)	/* keep the folded syntax intact */
		if (*q == ';' || *q == ' ' || *q == '\n')
			*q = '_';
	HASH_FIND_STR(e->leaves, buf, l);
	if (l)
		return l->s;
	l = calloc(1, sizeof(*l));
	if (!l || !(l->s = strdup(buf))) {
		free(l);
		return "?";
	}
	HASH_ADD_KEYPTR(hh, e->leaves, l->s, strlen(l->s), l);
	return l->s;
}

/* --- driver --- */

static void on_record(void *ctx, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	struct export *e = ctx;

	if (e->fmt == FMT_CHROME)
		chrome_record(e, p, r);
	else
		ipcg_folded_record(e->folded, p, r);
}

static void on_proc_end(void *ctx, struct ipcg_proc *p)
{
	struct export *e = ctx;

	if (e->fmt == FMT_CHROME)
		chrome_end(e, p);
}

static int take_format(struct ipcg_cli *c, const struct ipcg_cli_opt *o, const char *val)
{
	struct export *e = o->ctx;

	if (!strcmp(val, "chrome"))
		e->fmt = FMT_CHROME;
	else if (!strcmp(val, "folded"))
		e->fmt = FMT_FOLDED;
	else
		return ipcg_cli_bad_value(c, o, val, "is not chrome or folded");
	return 0;
}

int ipcg_cmd_export(int argc, char **argv)
{
	static const struct ipcg_life_ops life_ops = {
		.call = life_call, .begin = life_begin, .end = life_end, .held = life_held,
	};
	struct export e = { .out = stdout, .first = true, .life = { &life_ops, &e } };
	const struct ipcg_cli_opt opts[] = {
		{ .name = "format", .short_name = 'f', .kind = IPCG_CLI_VALUE, .required = true,
		  .fn = take_format, .ctx = &e },
		IPCG_CLI_OPT_DEBUG_DIR,
		IPCG_CLI_OPT_END,
	};
	struct ipcg_load_ops ops = { .record = on_record, .proc_end = on_proc_end };
	struct ipcg_traceset ts = { 0 };
	struct ipcg_cli cli;
	struct leaf *l, *lt;
	int rc = ipcg_cli_parse(&cli, "export", "usage: ipcguard export --format chrome|folded "
				"[--debug-dir DIR] TRACE...\n", opts, argc, argv);

	if (rc >= 0)
		goto out;
	if (ipcg_cli_start(&cli) < 0 || (e.sym = cli.sym, e.fmt == FMT_FOLDED &&
					 !(e.folded = ipcg_folded_new(e.sym)))) {
		rc = ipcg_cli_oom(&cli);
		goto out;
	}
	if (e.fmt == FMT_CHROME)
		fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"ipcguard export\","
		      "\"clock\":\"CLOCK_MONOTONIC\"},\"traceEvents\":[", stdout);
	bool oom = ipcg_cli_load(&cli, &ops, &e, &ts) < 0;
	if (oom)
		(void)ipcg_cli_oom(&cli);
	if (e.fmt == FMT_CHROME)
		fputs("\n]}\n", stdout);
	else
		ipcg_folded_write(e.folded, stdout);
	if (e.fmt == FMT_FOLDED)
		ipcg_sym_notes(e.sym, stderr);
	rc = ipcg_cli_finish(&ts);
	if (oom)
		rc = IPCG_EXIT_USAGE;
out:
	HASH_ITER(hh, e.leaves, l, lt) {
		HASH_DEL(e.leaves, l);
		free(l->s);
		free(l);
	}
	ipcg_folded_free(e.folded);
	ipcg_traceset_release(&ts);
	ipcg_cli_release(&cli);
	return rc;
}
