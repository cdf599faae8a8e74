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

#include "cli.h"
#include "folded.h"
#include "out.h"
#include "symbolize.h"
#include "trace_load.h"

enum fmt {
	FMT_CHROME,
	FMT_FOLDED,
};

enum live_kind {
	LIVE_SEGMENT,
	LIVE_ATTACH,
	LIVE_SOCKET,
};

struct live {				/* an open async slice */
	struct {
		uint8_t kind;		/* enum live_kind */
		uint64_t id;		/* shmid, address or fd */
	} k;
	uint64_t slice;			/* async id, unique in the export */
	uint64_t seq;			/* of the call that began it, 0 unknown */
	char *pend;			/* from a live record: its begin's args, written at the checkpoint */
	char name[160];
	UT_hash_handle hh;
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

struct cproc {				/* chrome: per-process state */
	struct live *live;
	struct fsite *fsites;
	bool named;
	bool pending;			/* some live slices wait for their begin */
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

static const char *kind_cat(enum live_kind k)
{
	return k == LIVE_SOCKET ? "unix" : "shm";
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

static void slice_ev(struct export *e, struct ipcg_proc *p, const struct live *l, char ph,
		     uint64_t ts, uint64_t tid, const struct slice_args *a)
{
	ev_begin(e);
	fprintf(e->out, "{\"ph\":\"%c\",\"cat\":\"%s\",\"name\":", ph, kind_cat(l->k.kind));
	ipcg_json_cstr(e->out, l->name);
	fprintf(e->out, ",\"id\":\"0x%" PRIx64 "\",\"pid\":%" PRId64 ",\"tid\":%" PRIu64 ",\"ts\":",
		l->slice, track_pid(p), tid);
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

static struct live *live_find(struct cproc *c, enum live_kind kind, uint64_t id)
{
	struct live key, *l;

	memset(&key, 0, sizeof(key));
	key.k.kind = (uint8_t)kind;
	key.k.id = id;
	HASH_FIND(hh, c->live, &key.k, sizeof(key.k), l);
	return l;
}

/* Live slices of a checkpoint begin at its end (the time they were
 * created is in a part not given): their begin events, at ts. */
static void live_flush(struct export *e, struct ipcg_proc *p, struct cproc *c, uint64_t ts)
{
	struct live *l, *lt;

	if (!c->pending)
		return;
	c->pending = false;
	HASH_ITER(hh, c->live, l, lt) {
		if (!l->pend)
			continue;
		ev_begin(e);
		fprintf(e->out, "{\"ph\":\"b\",\"cat\":\"%s\",\"name\":", kind_cat(l->k.kind));
		ipcg_json_cstr(e->out, l->name);
		fprintf(e->out, ",\"id\":\"0x%" PRIx64 "\",\"pid\":%" PRId64 ",\"tid\":%" PRId64
			",\"ts\":", l->slice, track_pid(p), track_pid(p));
		ts_us(e->out, ts);
		fputs(l->pend, e->out);
		fputc('}', e->out);
		free(l->pend);
		l->pend = NULL;
	}
}

static void live_end(struct export *e, struct ipcg_proc *p, struct cproc *c, struct live *l,
		     uint64_t ts, uint64_t tid, const struct slice_args *a)
{
	if (l->pend)
		live_flush(e, p, c, ts);
	slice_ev(e, p, l, 'e', ts, tid, a);
	HASH_DEL(c->live, l);
	free(l);
}

static struct live *live_new(struct export *e, struct cproc *c, enum live_kind kind, uint64_t id,
			     const char *name, uint64_t seq)
{
	struct live *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->k.kind = (uint8_t)kind;
	l->k.id = id;
	l->seq = seq;
	l->slice = ++e->next_slice;
	snprintf(l->name, sizeof(l->name), "%s", name);
	HASH_ADD(hh, c->live, k, sizeof(l->k), l);
	return l;
}

/* A call of that seq began this slice already (a checkpoint's live record
 * and the call itself, both in the part read): the same object. */
static bool began_by(struct cproc *c, enum live_kind kind, uint64_t id, const struct ipcg_rec *r)
{
	struct live *l = live_find(c, kind, id);

	return l && r->has_seq && l->seq && l->seq == r->seq;
}

static void live_start(struct export *e, struct ipcg_proc *p, struct cproc *c,
		       enum live_kind kind, uint64_t id, const char *name, const struct ipcg_rec *r,
		       const struct slice_args *a)
{
	struct live *l = live_find(c, kind, id);

	if (l)				/* reused without an end we saw: close it here */
		live_end(e, p, c, l, r->ts, r->tid, NULL);
	if ((l = live_new(e, c, kind, id, name, r->has_seq ? r->seq : 0)))
		slice_ev(e, p, l, 'b', r->ts, r->tid, a);
}

/* A live record: the slice starts now, its begin event at the checkpoint. */
static void live_pending(struct export *e, struct cproc *c, enum live_kind kind, uint64_t id,
			 const char *name, const struct ipcg_rec *r, const struct slice_args *a)
{
	struct live *l;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (live_find(c, kind, id) || !(m = open_memstream(&buf, &len)))
		return;
	put_args(m, a);
	if (fclose(m) != 0 || !buf) {
		free(buf);
		return;
	}
	if (!(l = live_new(e, c, kind, id, name, r->has_seq ? r->seq : 0))) {
		free(buf);
		return;
	}
	l->pend = buf;
	c->pending = true;
}

static const struct ipcg_jv *arg(const struct ipcg_rec *r, const char *k)
{
	return ipcg_jv_get(r->jp, r->args, k);
}

static void chrome_call(struct export *e, struct ipcg_proc *p, struct cproc *c,
			const struct ipcg_rec *r)
{
	char name[160];
	int64_t v, fd;
	uint64_t addr;
	struct live *l;
	struct site_buf sb;
	struct slice_args a = { 0 };

	if (r->failed)
		return;
	if (!strcmp(r->fn, "shmget")) {
		const struct ipcg_jv *flg = arg(r, "shmflg"), *key = arg(r, "key");
		bool priv = ipcg_jv_is_str(key) && !strcmp(key->s, "IPC_PRIVATE");
		bool creat = ipcg_jv_is_str(flg) && strstr(flg->s, "IPC_CREAT");
		if (ipcg_jv_i64(r->ret, &v) && v >= 0 && (priv || creat) &&
		    !live_find(c, LIVE_SEGMENT, (uint64_t)v)) {
			snprintf(name, sizeof(name), "segment shmid %" PRId64 "%s%s", v,
				 ipcg_jv_is_str(key) && !priv ? " key " : "",
				 ipcg_jv_is_str(key) && !priv ? key->s : "");
			a.has_shmid = true;
			a.shmid = v;
			a.key = ipcg_jv_is_str(key) ? key->s : NULL;
			a.has_size = ipcg_jv_u64(arg(r, "size"), &a.size);
			a.site = site_of(e, p, r->stack, &sb);
			live_start(e, p, c, LIVE_SEGMENT, (uint64_t)v, name, r, &a);
		}
	} else if (!strcmp(r->fn, "shmctl")) {
		const struct ipcg_jv *cmd = arg(r, "cmd");
		if (ipcg_jv_is_str(cmd) && !strcmp(cmd->s, "IPC_RMID") &&
		    ipcg_jv_i64(arg(r, "shmid"), &v) && (l = live_find(c, LIVE_SEGMENT, (uint64_t)v)))
			live_end(e, p, c, l, r->ts, r->tid, NULL);
	} else if (!strcmp(r->fn, "shmat")) {
		if (ipcg_jv_i64(arg(r, "shmid"), &v) && ipcg_jv_hex(r->ret, &addr) &&
		    !began_by(c, LIVE_ATTACH, addr, r)) {
			snprintf(name, sizeof(name), "attach shmid %" PRId64 " at 0x%" PRIx64, v, addr);
			a.has_shmid = true;
			a.shmid = v;
			a.has_addr = true;
			a.addr = addr;
			a.site = site_of(e, p, r->stack, &sb);
			live_start(e, p, c, LIVE_ATTACH, addr, name, r, &a);
		}
	} else if (!strcmp(r->fn, "shmdt")) {
		if (ipcg_jv_hex(arg(r, "shmaddr"), &addr) && (l = live_find(c, LIVE_ATTACH, addr)))
			live_end(e, p, c, l, r->ts, r->tid, NULL);
	} else if (!strcmp(r->fn, "socket") || !strcmp(r->fn, "accept") ||
		   !strcmp(r->fn, "accept4")) {
		if (ipcg_jv_i64(r->ret, &fd) && fd >= 0 && !began_by(c, LIVE_SOCKET, (uint64_t)fd, r)) {
			snprintf(name, sizeof(name), "%s fd %" PRId64,
				 r->fn[0] == 's' ? "socket" : "accepted socket", fd);
			a.has_fd = true;
			a.fd = fd;
			a.site = site_of(e, p, r->stack, &sb);
			live_start(e, p, c, LIVE_SOCKET, (uint64_t)fd, name, r, &a);
		}
	} else if (!strcmp(r->fn, "socketpair")) {
		const struct ipcg_jv *sv = arg(r, "sv");
		for (const struct ipcg_jv *x = ipcg_jv_first(r->jp, sv); x; x = ipcg_jv_next(r->jp, x))
			if (ipcg_jv_i64(x, &fd) && fd >= 0) {
				snprintf(name, sizeof(name), "socketpair fd %" PRId64, fd);
				a.has_fd = true;
				a.fd = fd;
				a.site = site_of(e, p, r->stack, &sb);
				live_start(e, p, c, LIVE_SOCKET, (uint64_t)fd, name, r, &a);
			}
	} else if (!strcmp(r->fn, "close")) {
		if (ipcg_jv_i64(arg(r, "fd"), &fd) && (l = live_find(c, LIVE_SOCKET, (uint64_t)fd)))
			live_end(e, p, c, l, r->ts, r->tid, NULL);
	} else if (!strcmp(r->fn, "bind") || !strcmp(r->fn, "connect")) {
		/* the slice is named when it starts; mark the address with an instant */
		const struct ipcg_jv *ad = arg(r, "addr"), *nm;
		if (!ipcg_jv_i64(arg(r, "sockfd"), &fd) || !(l = live_find(c, LIVE_SOCKET, (uint64_t)fd)))
			return;
		nm = ipcg_jv_get(r->jp, ad, "path");
		if (!ipcg_jv_is_str(nm))
			nm = ipcg_jv_get(r->jp, ad, "abstract");
		ev_begin(e);
		fprintf(e->out, "{\"ph\":\"n\",\"cat\":\"unix\",\"name\":\"%s\",\"id\":\"0x%" PRIx64
			"\",\"pid\":%" PRId64 ",\"tid\":%" PRIu64 ",\"ts\":", r->fn, l->slice,
			track_pid(p), r->tid);
		ts_us(e->out, r->ts);
		fputs(",\"args\":{\"address\":", e->out);
		if (ipcg_jv_is_str(nm))
			ipcg_json_str(e->out, nm->s, nm->len);
		else
			fputs("null", e->out);
		fputs("}}", e->out);
	}
}

/* An object the checkpoint says the process holds (its earlier part was
 * not read): a slice as if its creating call had been seen, begun at the
 * checkpoint's end. A segment got, not created, or already removed is no
 * segment slice (as for calls); a socket whose descriptor is closed none. */
static void chrome_live(struct export *e, struct ipcg_proc *p, struct cproc *c,
			const struct ipcg_rec *r)
{
	const struct ipcg_live *lv = &r->live;
	struct slice_args a = { 0 };
	struct site_buf sb;
	char name[160];

	switch (lv->obj) {
	case IPCG_LIVE_SEGMENT:
		if (!lv->created || lv->removed)
			return;
		bool priv = !strcmp(lv->key, "IPC_PRIVATE");
		snprintf(name, sizeof(name), "segment shmid %" PRId64 "%s%s", lv->shmid,
			 priv ? "" : " key ", priv ? "" : lv->key);
		a.has_shmid = a.has_size = true;
		a.shmid = lv->shmid;
		a.key = lv->key;
		a.size = lv->size;
		a.site = site_of(e, p, r->stack, &sb);
		live_pending(e, c, LIVE_SEGMENT, (uint64_t)lv->shmid, name, r, &a);
		break;
	case IPCG_LIVE_ATTACH:
		snprintf(name, sizeof(name), "attach shmid %" PRId64 " at 0x%" PRIx64, lv->shmid,
			 lv->shmaddr);
		a.has_shmid = a.has_addr = true;
		a.shmid = lv->shmid;
		a.addr = lv->shmaddr;
		a.site = site_of(e, p, r->stack, &sb);
		live_pending(e, c, LIVE_ATTACH, lv->shmaddr, name, r, &a);
		break;
	case IPCG_LIVE_SOCKET:
		if (lv->sockfd < 0)
			return;
		snprintf(name, sizeof(name), "socket fd %" PRId64, lv->sockfd);
		a.has_fd = true;
		a.fd = lv->sockfd;
		a.site = site_of(e, p, r->stack, &sb);
		live_pending(e, c, LIVE_SOCKET, (uint64_t)lv->sockfd, name, r, &a);
		break;
	}
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
	struct cproc *c = p->user;

	if (!c && !(c = p->user = calloc(1, sizeof(*c))))
		return;
	name_process(e, p, c);
	if (r->type == IPCG_R_LIVE) {
		chrome_live(e, p, c, r);
		return;
	}
	if (r->has_ts)			/* the checkpoint's end, or the first record after it */
		live_flush(e, p, c, r->ts);
	if (r->type == IPCG_R_CALL) {
		chrome_call(e, p, c, r);
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
	const struct live *x = *(struct live *const *)a, *y = *(struct live *const *)b;
	return x->slice < y->slice ? -1 : x->slice > y->slice;
}

static void end_alive(struct export *e, struct ipcg_proc *p, struct cproc *c, struct live *l,
		      uint64_t end, const char *why)
{
	/* a trace that goes on in a part not given: not known to leak */
	struct slice_args a = { .end = why,
				.leaked = l->k.kind == LIVE_SEGMENT && !ipcg_proc_continues(p) };

	if (a.leaked) {
		ev_begin(e);
		fputs("{\"ph\":\"i\",\"s\":\"p\",\"cat\":\"leak\",\"name\":", e->out);
		char name[200];
		snprintf(name, sizeof(name), "leaked: %s", l->name);
		ipcg_json_cstr(e->out, name);
		fprintf(e->out, ",\"pid\":%" PRId64 ",\"tid\":%" PRId64 ",\"ts\":", track_pid(p),
			track_pid(p));
		ts_us(e->out, end);
		fputs("}", e->out);
	}
	live_end(e, p, c, l, end, (uint64_t)track_pid(p), &a);
}

static void chrome_end(struct export *e, struct ipcg_proc *p)
{
	struct cproc *c = p->user;
	struct live *l, *lt, **v;
	uint64_t end = p->have_exit ? p->exit_ts : p->last_ts;
	size_t n = 0;

	if (!c)
		return;
	live_flush(e, p, c, p->have_ts ? p->first_ts : end);
	repeats_end(e, p, c, end);
	/* still alive at the end of the trace, closed in the order they began;
	 * a segment never removed outlives the process: leaked */
	const char *why = p->have_exit ? (p->exit_how ? p->exit_how : "exit")
			: ipcg_proc_continues(p) ? "trace continues in a part not given"
			: p->exec_next ? "exec" : "trace end (killed or crashed)";
	v = calloc(HASH_COUNT(c->live) + 1, sizeof(*v));
	HASH_ITER(hh, c->live, l, lt) {
		if (v)
			v[n++] = l;
		else
			end_alive(e, p, c, l, end, why);
	}
	if (v) {
		qsort(v, n, sizeof(*v), cmp_slice);
		for (size_t i = 0; i < n; i++)
			end_alive(e, p, c, v[i], end, why);
	}
	free(v);
	free(c);
	p->user = NULL;
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
	struct export e = { .out = stdout, .first = true };
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
