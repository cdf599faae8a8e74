/* Streaming, time-merged trace loader (see trace_load.h). Each file has a
 * reader with its own buffer and parser; the reader holding the earliest
 * timed record is advanced next. Bad lines are reported as
 * "ipcguard: FILE:LINE: reason" and skipped; a truncated last line or a run
 * of NUL bytes at the end of a file (a killed writer) is expected. */
#include "trace_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)		/* initial buffer: 1 MiB per open file */
#define LINE_MAX_BYTES (16u << 20)	/* a record is a few hundred bytes; cap garbage */
#define MAX_ERRS_SHOWN 50		/* per file, then a summary line */

struct reader {
	struct ipcg_proc *p;
	struct ipcg_traceset *ts;
	int fd;
	char *buf;
	size_t cap, head, tail;		/* unread bytes are buf[head..tail) */
	bool eof, done, skipping;	/* skipping: inside an over-long line */
	bool seen_record;		/* a valid record was read */
	uint64_t lineno;
	struct ipcg_jsonr jp;
	bool pending;			/* rec holds a timed record not yet delivered */
	struct ipcg_rec rec;
	char msg[160];			/* formatted reason of the current bad line */
};

const char *ipcg_sev_name(enum ipcg_sev s)
{
	static const char *const names[] = { "info", "warning", "error" };
	return (unsigned)s < IPCG_SEV_COUNT ? names[s] : "?";
}

int ipcg_sev_parse(const char *s)
{
	for (int i = 0; i < IPCG_SEV_COUNT; i++)
		if (!strcmp(s, ipcg_sev_name((enum ipcg_sev)i)))
			return i;
	return -1;
}

const char *ipcg_proc_name(const struct ipcg_proc *p)
{
	const char *s;

	if (!p->exe || !*p->exe)
		return "?";
	s = strrchr(p->exe, '/');
	return s && s[1] ? s + 1 : p->exe;
}

const struct ipcg_module *ipcg_proc_module(const struct ipcg_proc *p, uint32_t id)
{
	struct ipcg_module *m;

	HASH_FIND(hh, p->mods, &id, sizeof(id), m);
	return m;
}

static void bad_line(struct reader *r, uint64_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void bad_line(struct reader *r, uint64_t lineno, const char *fmt, ...)
{
	va_list ap;

	r->p->nmalformed++;
	r->ts->nmalformed++;
	if (r->p->nmalformed > MAX_ERRS_SHOWN)
		return;
	fprintf(stderr, "ipcguard: %s:%llu: ", r->p->file, (unsigned long long)lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void file_error(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void file_error(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ipcguard: %s: ", r->p->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->p->unreadable = true;
	r->ts->unreadable = true;
}

/* Blocks allocated after the exit record and never written (a writer
 * that had no descriptor left to cut its file) are not an incomplete line;
 * a NUL run without exit record is a killed writer's (truncated). */
static bool all_nul(const char *p, size_t n)
{
	return n && p[0] == '\0' && memcmp(p, p + 1, n - 1) == 0;
}

/* The next complete line (without '\n'); 0 at the end of the file, -1 on a
 * read error. A final line without '\n' is the truncated tail. */
static int next_line(struct reader *r, const char **ret, size_t *ret_len)
{
	for (;;) {
		char *nl = r->head < r->tail ?
			memchr(r->buf + r->head, '\n', r->tail - r->head) : NULL;

		if (nl) {
			size_t start = r->head;
			r->head = (size_t)(nl - r->buf) + 1;
			r->lineno++;
			if (r->skipping) {
				r->skipping = false;
				bad_line(r, r->lineno, "line longer than %u bytes", LINE_MAX_BYTES);
				continue;
			}
			*ret = r->buf + start;
			*ret_len = (size_t)(nl - r->buf) - start;
			return 1;
		}
		if (r->eof) {
			if (r->skipping || (r->head < r->tail &&
					    !(r->p->have_exit && all_nul(r->buf + r->head, r->tail - r->head))))
				r->p->truncated = true;	/* incomplete last line or NUL run */
			r->head = r->tail = 0;
			return 0;
		}
		if (r->skipping) {
			r->head = r->tail = 0;
		} else if (r->head > 0) {
			memmove(r->buf, r->buf + r->head, r->tail - r->head);
			r->tail -= r->head;
			r->head = 0;
		}
		if (r->tail == r->cap) {
			if (r->cap >= LINE_MAX_BYTES) {
				r->skipping = true;
				r->head = r->tail = 0;
			} else {
				char *nb = realloc(r->buf, r->cap * 2);
				if (!nb)
					return -1;
				r->buf = nb;
				r->cap *= 2;
			}
		}
		ssize_t n = read(r->fd, r->buf + r->tail, r->cap - r->tail);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			file_error(r, "read error: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			r->eof = true;
		r->tail += (size_t)n;
	}
}

/* Field helpers: each returns false after formatting r->msg. */
static bool need(struct reader *r, const struct ipcg_jv *o, const char *key,
		 const struct ipcg_jv **ret)
{
	*ret = ipcg_jv_get(&r->jp, o, key);
	if (!*ret) {
		snprintf(r->msg, sizeof(r->msg), "missing key \"%s\"", key);
		return false;
	}
	return true;
}

static bool wrong(struct reader *r, const char *key, const char *what)
{
	snprintf(r->msg, sizeof(r->msg), "\"%s\" is not %s", key, what);
	return false;
}

static bool need_u64(struct reader *r, const struct ipcg_jv *o, const char *key, uint64_t *ret)
{
	const struct ipcg_jv *v;

	if (!need(r, o, key, &v))
		return false;
	if (!ipcg_jv_u64(v, ret))
		return wrong(r, key, v->type == IPCG_JV_NUM && !(v->nflags & IPCG_JN_INT) ?
			     "an integer in range" : "a non-negative integer");
	return true;
}

static bool need_i64(struct reader *r, const struct ipcg_jv *o, const char *key, int64_t *ret)
{
	const struct ipcg_jv *v;

	if (!need(r, o, key, &v))
		return false;
	if (!ipcg_jv_i64(v, ret))
		return wrong(r, key, "an integer in range");
	return true;
}

static bool need_str(struct reader *r, const struct ipcg_jv *o, const char *key,
		     const char **ret, bool nullable)
{
	const struct ipcg_jv *v;

	if (!need(r, o, key, &v))
		return false;
	if (nullable && v->type == IPCG_JV_NULL) {
		*ret = NULL;
		return true;
	}
	if (v->type != IPCG_JV_STR)
		return wrong(r, key, nullable ? "a string or null" : "a string");
	*ret = v->s;
	return true;
}

/* An optional stack reference: null, or an id (unknown ids give NULL). */
static bool need_stack(struct reader *r, const struct ipcg_jv *o, const char *key,
		       const struct ipcg_stack **ret)
{
	const struct ipcg_jv *v;
	uint64_t id;
	struct ipcg_stack *s = NULL;

	*ret = NULL;
	if (!need(r, o, key, &v))
		return false;
	if (v->type == IPCG_JV_NULL)
		return true;
	if (!ipcg_jv_u64(v, &id) || id > UINT32_MAX)
		return wrong(r, key, "a stack id or null");
	uint32_t id32 = (uint32_t)id;
	HASH_FIND(hh, r->p->stacks, &id32, sizeof(id32), s);
	*ret = s;
	return true;
}

static bool opt_seq(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	const struct ipcg_jv *v;

	if (!need(r, o, "seq", &v))
		return false;
	rec->has_seq = v->type != IPCG_JV_NULL;
	if (rec->has_seq && !ipcg_jv_u64(v, &rec->seq))
		return wrong(r, "seq", "a call number or null");
	return true;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static bool do_header(struct reader *r, const struct ipcg_jv *o)
{
	struct ipcg_proc *p = r->p;
	const struct ipcg_jv *v;
	const char *fmt;
	int64_t ver, pid;

	if (!need_str(r, o, "format", &fmt, false))
		return false;
	if (strcmp(fmt, "ipcguard")) {
		file_error(r, "not an ipcguard trace (format \"%.40s\")", fmt);
		r->done = true;
		return true;
	}
	if (!need_i64(r, o, "version", &ver))
		return false;
	if (ver > IPCG_FORMAT_VERSION) {
		file_error(r, "trace format version %lld is newer than supported (%d): "
			   "upgrade ipcguard", (long long)ver, IPCG_FORMAT_VERSION);
		r->done = true;
		return true;
	}
	if (ver < 1)
		return wrong(r, "version", "a known version");
	if (!need_i64(r, o, "pid", &pid))
		return false;
	if (p->have_header) {
		snprintf(r->msg, sizeof(r->msg), "second header record");
		return false;
	}
	p->have_header = true;
	p->pid = pid;
	if (!ipcg_jv_i64(ipcg_jv_get(&r->jp, o, "ppid"), &p->ppid))
		p->ppid = -1;
	v = ipcg_jv_get(&r->jp, o, "exe");
	p->exe = dup_or_null(ipcg_jv_is_str(v) ? v->s : NULL);
	v = ipcg_jv_get(&r->jp, o, "host");
	p->host = dup_or_null(ipcg_jv_is_str(v) ? v->s : NULL);
	(void)ipcg_jv_u64(ipcg_jv_get(&r->jp, o, "start_ns"), &p->start_ns);
	(void)ipcg_jv_u64(ipcg_jv_get(&r->jp, o, "start_realtime_ns"), &p->start_realtime_ns);
	v = ipcg_jv_get(&r->jp, o, "forked");
	p->forked = v && v->type == IPCG_JV_BOOL && v->b;
	v = ipcg_jv_get(&r->jp, o, "argv");
	if (v && v->type == IPCG_JV_ARR) {
		size_t len = 0, off = 0;
		for (const struct ipcg_jv *a = ipcg_jv_first(&r->jp, v); a; a = ipcg_jv_next(&r->jp, a))
			if (a->type == IPCG_JV_STR)
				len += strlen(a->s) + 1;
		p->argv = malloc(len + 1);
		if (p->argv) {
			for (const struct ipcg_jv *a = ipcg_jv_first(&r->jp, v); a;
			     a = ipcg_jv_next(&r->jp, a)) {
				if (a->type != IPCG_JV_STR)
					continue;
				size_t n = strlen(a->s);
				if (off)
					p->argv[off++] = ' ';
				memcpy(p->argv + off, a->s, n);
				off += n;
			}
			p->argv[off] = '\0';
		}
	}
	return true;
}

static bool do_module(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	const struct ipcg_jv *v;
	uint64_t id, base, size;
	const char *path, *bid;
	struct ipcg_module *m;

	if (!need_u64(r, o, "id", &id) || !need_str(r, o, "path", &path, false))
		return false;
	if (id == 0 || id > UINT32_MAX)
		return wrong(r, "id", "a module id (1 to 2^32-1)");
	if (!need(r, o, "base", &v))
		return false;
	if (!ipcg_jv_hex(v, &base))
		return wrong(r, "base", "a hex address");
	if (!need_u64(r, o, "size", &size) || !need_str(r, o, "build_id", &bid, true))
		return false;
	uint32_t id32 = (uint32_t)id;
	HASH_FIND(hh, r->p->mods, &id32, sizeof(id32), m);
	if (m) {
		snprintf(r->msg, sizeof(r->msg), "module id %u defined twice", id32);
		return false;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return false;
	m->id = id32;
	m->path = strdup(path);
	m->base = base;
	m->size = size;
	m->build_id = dup_or_null(bid);
	HASH_ADD(hh, r->p->mods, id, sizeof(m->id), m);
	rec->mod = m;
	return true;
}

static bool do_stack(struct reader *r, const struct ipcg_jv *o)
{
	const struct ipcg_jv *v, *f;
	uint64_t id;
	struct ipcg_stack *s;
	uint32_t n = 0, k = 0;

	if (!need_u64(r, o, "id", &id))
		return false;
	if (id == 0 || id > UINT32_MAX)
		return wrong(r, "id", "a stack id (1 to 2^32-1)");
	if (!need(r, o, "frames", &v))
		return false;
	if (v->type != IPCG_JV_ARR)
		return wrong(r, "frames", "an array");
	uint32_t id32 = (uint32_t)id;
	HASH_FIND(hh, r->p->stacks, &id32, sizeof(id32), s);
	if (s) {
		snprintf(r->msg, sizeof(r->msg), "stack id %u defined twice", id32);
		return false;
	}
	n = v->len < IPCG_MAX_FRAMES ? v->len : IPCG_MAX_FRAMES;
	s = malloc(sizeof(*s) + n * sizeof(s->frames[0]));
	if (!s)
		return false;
	for (f = ipcg_jv_first(&r->jp, v); f && k < n; f = ipcg_jv_next(&r->jp, f), k++) {
		const struct ipcg_jv *a = ipcg_jv_first(&r->jp, f), *b = ipcg_jv_next(&r->jp, a);
		uint64_t mod, off;

		if (f->type != IPCG_JV_ARR || f->len != 2 || !ipcg_jv_u64(a, &mod) ||
		    mod > UINT32_MAX || !ipcg_jv_hex(b, &off)) {
			free(s);
			snprintf(r->msg, sizeof(r->msg),
				 "frame %u is not [module_id, \"0xOFFSET\"]", k);
			return false;
		}
		s->frames[k].mod = (uint32_t)mod;
		s->frames[k].off = off;
	}
	s->id = id32;
	s->nframes = n;
	HASH_ADD(hh, r->p->stacks, id, sizeof(s->id), s);
	return true;
}

static bool do_call(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	const struct ipcg_jv *v;

	if (!need_u64(r, o, "seq", &rec->seq) || !need_u64(r, o, "ts_ns", &rec->ts) ||
	    !need_u64(r, o, "tid", &rec->tid) || !need_str(r, o, "fn", &rec->fn, false))
		return false;
	rec->has_seq = rec->has_ts = true;
	if (!need(r, o, "args", &rec->args))
		return false;
	if (rec->args->type != IPCG_JV_OBJ)
		return wrong(r, "args", "an object");
	if (!need(r, o, "ret", &rec->ret))
		return false;
	if (rec->ret->type != IPCG_JV_NUM && rec->ret->type != IPCG_JV_STR)
		return wrong(r, "ret", "a number or string");
	if (!need_str(r, o, "errno", &rec->err, true) || !need_stack(r, o, "stack", &rec->stack))
		return false;
	rec->failed = rec->err != NULL;
	if (!*rec->fn)
		return wrong(r, "fn", "a function name");
	(void)v;
	return true;
}

static bool do_finding(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	const char *sev;
	int s;

	if (!need_str(r, o, "kind", &rec->kind, false) ||
	    !need_str(r, o, "severity", &sev, false) || !opt_seq(r, o, rec) ||
	    !need_str(r, o, "message", &rec->message, false) ||
	    !need_stack(r, o, "stack", &rec->stack))
		return false;
	s = ipcg_sev_parse(sev);
	if (s < 0)
		return wrong(r, "severity", "info, warning or error");
	if (!*rec->kind)
		return wrong(r, "kind", "a finding kind");
	rec->sev = (enum ipcg_sev)s;
	return true;
}

/* {"type":"finding_repeats","kind","severity","stack","count","written"} */
static bool do_repeats(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	const char *sev;
	uint64_t count, written;
	int s;

	if (!need_str(r, o, "kind", &rec->kind, false) ||
	    !need_str(r, o, "severity", &sev, false) ||
	    !need_stack(r, o, "stack", &rec->stack) || !need_u64(r, o, "count", &count) ||
	    !need_u64(r, o, "written", &written))
		return false;
	if ((s = ipcg_sev_parse(sev)) < 0)
		return wrong(r, "severity", "info, warning or error");
	if (!*rec->kind)
		return wrong(r, "kind", "a finding kind");
	if (written > count)
		return wrong(r, "written", "at most count");
	rec->sev = (enum ipcg_sev)s;
	rec->repeats = count - written;
	return true;
}

static bool do_policy(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	return need_str(r, o, "rule", &rec->rule, false) &&
	       need_str(r, o, "action", &rec->action, false) && opt_seq(r, o, rec) &&
	       need_str(r, o, "errno", &rec->err, true) &&
	       need_str(r, o, "message", &rec->message, false);
}

static bool do_fork(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	const struct ipcg_jv *v = ipcg_jv_get(&r->jp, o, "ts_ns");

	if (!need_i64(r, o, "child_pid", &rec->child_pid))
		return false;
	if (v) {
		if (!ipcg_jv_u64(v, &rec->ts))
			return wrong(r, "ts_ns", "a non-negative integer");
		rec->has_ts = true;
	}
	(void)ipcg_jv_u64(ipcg_jv_get(&r->jp, o, "tid"), &rec->tid);
	return true;
}

static bool do_exit(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	struct ipcg_proc *p = r->p;
	uint64_t calls, findings;
	const struct ipcg_jv *v;

	if (!need_u64(r, o, "ts_ns", &rec->ts) || !need_u64(r, o, "calls", &calls) ||
	    !need_u64(r, o, "findings", &findings))
		return false;
	rec->has_ts = true;
	if (p->have_exit) {
		snprintf(r->msg, sizeof(r->msg), "second exit record");
		return false;
	}
	p->have_exit = true;
	p->exit_ts = rec->ts;
	p->exit_calls = calls;
	p->exit_findings = findings;
	v = ipcg_jv_get(&r->jp, o, "how");
	p->exit_how = dup_or_null(ipcg_jv_is_str(v) ? v->s : NULL);
	p->have_status = ipcg_jv_i64(ipcg_jv_get(&r->jp, o, "status"), &p->exit_status);
	(void)ipcg_jv_u64(ipcg_jv_get(&r->jp, o, "dropped"), &p->exit_dropped);
	v = ipcg_jv_get(&r->jp, o, "trace_stopped");
	if (ipcg_jv_is_str(v))	/* an errno name; anything else is shown as "error" */
		p->exit_trace_stopped = strdup(v->s[0] && strspn(v->s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(v->s) &&
					       strlen(v->s) < 32 ? v->s : "error");
	(void)ipcg_jv_u64(ipcg_jv_get(&r->jp, o, "calls_not_written"), &p->exit_calls_not_written);
	return true;
}

static const struct {
	const char *name;
	enum ipcg_rtype type;
} rtypes[] = {
	{ "call", IPCG_R_CALL }, { "stack", IPCG_R_STACK }, { "finding", IPCG_R_FINDING },
	{ "module", IPCG_R_MODULE }, { "header", IPCG_R_HEADER }, { "policy", IPCG_R_POLICY },
	{ "fork", IPCG_R_FORK }, { "exit", IPCG_R_EXIT },
	{ "finding_repeats", IPCG_R_FINDING_REPEATS },
};

static void deliver(struct reader *r, const struct ipcg_load_ops *ops, void *ctx)
{
	struct ipcg_proc *p = r->p;
	struct ipcg_rec *rec = &r->rec;

	if (rec->has_ts) {
		if (!p->have_ts || rec->ts < p->first_ts)
			p->first_ts = rec->ts;
		if (!p->have_ts || rec->ts > p->last_ts)
			p->last_ts = rec->ts;
		p->have_ts = true;
	}
	if (rec->type == IPCG_R_CALL)
		p->ncalls++;
	else if (rec->type == IPCG_R_FINDING)
		p->nfindings++;
	else if (rec->type == IPCG_R_FINDING_REPEATS && p->nfindings + rec->repeats >= p->nfindings)
		p->nfindings += rec->repeats;
	else if (rec->type == IPCG_R_FORK && p->nchildren < 1u << 20) {
		if (p->nchildren == p->children_cap) {
			size_t nc = p->children_cap ? p->children_cap * 2 : 8;
			int64_t *c = realloc(p->children, nc * sizeof(*c));
			if (c) {
				p->children = c;
				p->children_cap = nc;
			}
		}
		if (p->nchildren < p->children_cap)
			p->children[p->nchildren++] = rec->child_pid;
	}
	ops->record(ctx, p, rec);
}

/* Parses and validates one line. Returns true when r->rec holds a record. */
static bool parse_record(struct reader *r, const char *line, size_t len)
{
	const struct ipcg_jv *o, *tv;
	struct ipcg_rec *rec = &r->rec;
	bool ok;
	size_t i;

	o = ipcg_jsonr_parse(&r->jp, line, len);
	if (!o) {
		if (len == 0 || (len == 1 && line[0] == '\r')) {
			bad_line(r, r->lineno, "empty line");
			return false;
		}
		bad_line(r, r->lineno, "bad JSON at column %zu: %s", r->jp.err_col, r->jp.err);
		return false;
	}
	if (o->type != IPCG_JV_OBJ) {
		bad_line(r, r->lineno, "not a JSON object");
		return false;
	}
	tv = ipcg_jv_get(&r->jp, o, "type");
	if (!tv) {
		bad_line(r, r->lineno, "missing key \"type\"");
		return false;
	}
	if (tv->type != IPCG_JV_STR) {
		bad_line(r, r->lineno, "\"type\" is not a string");
		return false;
	}
	for (i = 0; i < sizeof(rtypes) / sizeof(rtypes[0]); i++)
		if (!strcmp(tv->s, rtypes[i].name))
			break;
	if (i == sizeof(rtypes) / sizeof(rtypes[0]))
		return false;		/* unknown type: ignored (the format can grow) */
	memset(rec, 0, sizeof(*rec));
	rec->type = rtypes[i].type;
	rec->jp = &r->jp;
	rec->obj = o;
	rec->lineno = r->lineno;
	r->msg[0] = '\0';
	if (rec->type != IPCG_R_HEADER && !r->p->have_header && !r->seen_record)
		bad_line(r, r->lineno, "first record is not a header");
	switch (rec->type) {
	case IPCG_R_HEADER: ok = do_header(r, o); break;
	case IPCG_R_MODULE: ok = do_module(r, o, rec); break;
	case IPCG_R_STACK: ok = do_stack(r, o); break;
	case IPCG_R_CALL: ok = do_call(r, o, rec); break;
	case IPCG_R_FINDING: ok = do_finding(r, o, rec); break;
	case IPCG_R_POLICY: ok = do_policy(r, o, rec); break;
	case IPCG_R_FORK: ok = do_fork(r, o, rec); break;
	case IPCG_R_EXIT: ok = do_exit(r, o, rec); break;
	case IPCG_R_FINDING_REPEATS: ok = do_repeats(r, o, rec); break;
	default: ok = false; break;
	}
	if (!ok) {
		bad_line(r, r->lineno, "%s record: %s", tv->s, r->msg[0] ? r->msg : "out of memory");
		return false;
	}
	if (r->done)			/* fatal header */
		return false;
	r->seen_record = true;
	r->p->nrecords++;
	return true;
}

/* Advances r until it holds a timed record or ends; untimed records are
 * delivered on the way. */
static void refill(struct reader *r, const struct ipcg_load_ops *ops, void *ctx)
{
	const char *line;
	size_t len;

	while (!r->done) {
		int rc = next_line(r, &line, &len);
		if (rc <= 0) {
			r->done = true;
			break;
		}
		r->p->nlines++;
		if (!parse_record(r, line, len))
			continue;
		if (r->rec.has_ts) {
			r->pending = true;
			return;
		}
		deliver(r, ops, ctx);
	}
	if (!r->p->unreadable && !r->p->have_header)
		file_error(r, r->p->nlines ? "no valid header record: not an ipcguard trace" :
			   "empty file: not an ipcguard trace");
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
	ipcg_jsonr_release(&r->jp);
	if (ops->proc_end)
		ops->proc_end(ctx, r->p);
}

static bool same_host(const struct ipcg_proc *a, const struct ipcg_proc *b)
{
	if (!a->host || !b->host)
		return !a->host && !b->host;
	return !strcmp(a->host, b->host);
}

/* Links each forked child to the parent whose fork record names it. */
static void join_forks(struct ipcg_traceset *ts)
{
	for (size_t i = 0; i < ts->nprocs; i++) {
		struct ipcg_proc *c = ts->procs[i], *best = NULL;

		if (!c->have_header || c->ppid <= 0)
			continue;
		for (size_t j = 0; j < ts->nprocs && !best; j++) {
			struct ipcg_proc *p = ts->procs[j];
			if (p == c || p->pid != c->ppid || !same_host(p, c))
				continue;
			for (size_t k = 0; k < p->nchildren; k++)
				if (p->children[k] == c->pid) {
					best = p;
					break;
				}
		}
		c->parent = best;
	}
}

/* An image without an exit record that a later image of the same process
 * (same host, pid and parent, not started by fork) follows ended by exec,
 * not by a signal: the library writes no record at exec.  The nearest
 * later image is the one that replaced it. */
static void join_execs(struct ipcg_traceset *ts)
{
	for (size_t i = 0; i < ts->nprocs; i++) {
		struct ipcg_proc *p = ts->procs[i], *best = NULL;

		if (!p->have_header || p->have_exit || p->pid <= 0)
			continue;
		for (size_t j = 0; j < ts->nprocs; j++) {
			struct ipcg_proc *q = ts->procs[j];
			if (q == p || !q->have_header || q->forked || q->pid != p->pid ||
			    q->ppid != p->ppid || !same_host(p, q) || q->start_ns <= p->start_ns ||
			    (p->have_ts && q->start_ns < p->last_ts))
				continue;
			if (!best || q->start_ns < best->start_ns)
				best = q;
		}
		p->exec_next = best;
	}
}

int ipcg_load(char **files, int nfiles, const struct ipcg_load_ops *ops, void *ctx,
	      struct ipcg_traceset *ts)
{
	struct reader *rd;
	int ret = 0;

	memset(ts, 0, sizeof(*ts));
	rd = calloc((size_t)nfiles + 1, sizeof(*rd));
	ts->procs = calloc((size_t)nfiles + 1, sizeof(*ts->procs));
	if (!rd || !ts->procs) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (int i = 0; i < nfiles; i++) {
		struct ipcg_proc *p = calloc(1, sizeof(*p));
		struct reader *r = &rd[i];

		if (!p) {
			ret = -ENOMEM;
			goto out_free;
		}
		p->idx = (unsigned)i;
		p->file = files[i];
		p->pid = p->ppid = -1;
		ts->procs[ts->nprocs++] = p;
		r->p = p;
		r->ts = ts;
		ipcg_jsonr_init(&r->jp);
		r->fd = open(files[i], O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			file_error(r, "cannot open: %s", strerror(errno));
			r->done = true;
			continue;
		}
		r->cap = READ_CHUNK;
		r->buf = malloc(r->cap);
		if (!r->buf) {
			ret = -ENOMEM;
			goto out_free;
		}
	}
	for (int i = 0; i < nfiles; i++)
		refill(&rd[i], ops, ctx);
	for (;;) {
		struct reader *best = NULL;
		for (int i = 0; i < nfiles; i++)
			if (rd[i].pending && (!best || rd[i].rec.ts < best->rec.ts))
				best = &rd[i];
		if (!best)
			break;
		best->pending = false;
		deliver(best, ops, ctx);
		refill(best, ops, ctx);
	}
	for (size_t i = 0; i < ts->nprocs; i++)
		if (ts->procs[i]->nmalformed > MAX_ERRS_SHOWN)
			fprintf(stderr, "ipcguard: %s: %llu malformed lines in all, %llu not shown\n",
				ts->procs[i]->file,
				(unsigned long long)ts->procs[i]->nmalformed,
				(unsigned long long)(ts->procs[i]->nmalformed - MAX_ERRS_SHOWN));
	join_forks(ts);
	join_execs(ts);
out_free:
	if (rd) {
		for (int i = 0; i < nfiles; i++) {
			if (rd[i].fd > 0)
				close(rd[i].fd);
			free(rd[i].buf);
			ipcg_jsonr_release(&rd[i].jp);
		}
	}
	free(rd);
	return ret;
}

void ipcg_traceset_release(struct ipcg_traceset *ts)
{
	for (size_t i = 0; i < ts->nprocs; i++) {
		struct ipcg_proc *p = ts->procs[i];
		struct ipcg_module *m, *mt;
		struct ipcg_stack *s, *st;

		HASH_ITER(hh, p->mods, m, mt) {
			HASH_DEL(p->mods, m);
			free(m->path);
			free(m->build_id);
			free(m);
		}
		HASH_ITER(hh, p->stacks, s, st) {
			HASH_DEL(p->stacks, s);
			free(s);
		}
		free(p->exe);
		free(p->host);
		free(p->argv);
		free(p->exit_how);
		free(p->exit_trace_stopped);
		free(p->children);
		free(p);
	}
	free(ts->procs);
	memset(ts, 0, sizeof(*ts));
}
