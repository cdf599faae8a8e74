/* Streaming, time-merged trace loader (see trace_load.h). Each file has a
 * line reader (lineread.c: bounded lines, few descriptors) and its own
 * parser. Every file's header is read first; files of one process (its
 * parts) then form one stream that reads them in part order, and a heap
 * keeps the streams by their next timed record, the earliest advanced next. Bad lines are reported as
 * "ipcguard: FILE:LINE: reason" and skipped; a truncated last line or a run
 * of NUL bytes at the end of a file (a killed writer) is expected. */
#include "load/trace_load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/lineread.h"
#include "out/esc.h"

#define MAX_ERRS_SHOWN 50		/* per file, then a summary line */
#define HEADER_WINDOW IPCG_LINE_MAX	/* the header must start within this many bytes */
#define JP_KEEP_BYTES (256u << 10)	/* a parser grown past this by one line is freed */

struct reader {
	struct ipcg_proc *p;		/* its process (several files: parts of one) */
	const char *file;		/* path as given */
	unsigned idx;			/* position among the files given */
	struct ipcg_traceset *ts;
	struct ipcg_lr lr;
	bool done;
	bool seen_record;		/* a valid record was read */
	uint64_t lineno;
	uint64_t pre_header;		/* lines before the header, skipped */
	uint64_t nbad;			/* bad lines (each shown up to MAX_ERRS_SHOWN) */
	struct ipcg_jsonr jp;
	bool pending;			/* rec holds a timed record not yet delivered */
	bool header_only;		/* first pass: stop after the header */
	bool ended;			/* file_end done */
	uint64_t part;			/* header "part" (0 when absent) */
	bool deliver_live;		/* the part before this one was not given */
	bool checkpointed, rotated;	/* checkpoint, rotate record read */
	bool skip;			/* rec is valid but not delivered */
	struct ipcg_rec rec;
	char msg[160];			/* formatted reason of the current bad line */
};

const char *ipcg_sev_name(enum ipcg_sev s)
{
	static const char *const names[] = { IPCG_SEVERITY_INFO, IPCG_SEVERITY_WARNING, IPCG_SEVERITY_ERROR };
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
	if (++r->nbad > MAX_ERRS_SHOWN)
		return;
	fprintf(stderr, "ipcguard: %s:%llu: ", ipcg_esc(r->file), (unsigned long long)lineno);
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

	fprintf(stderr, "ipcguard: %s: ", ipcg_esc(r->file));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->p->unreadable = true;
	r->ts->unreadable = true;
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

static bool need_bool(struct reader *r, const struct ipcg_jv *o, const char *key, bool *ret)
{
	const struct ipcg_jv *v;

	if (!need(r, o, key, &v))
		return false;
	if (v->type != IPCG_JV_BOOL)
		return wrong(r, key, "true or false");
	*ret = v->b;
	return true;
}

/* An optional stack reference: null, or an id (unknown ids give NULL). */
static bool need_stack(struct reader *r, const struct ipcg_jv *o, const char *key,
		       const struct ipcg_stack **ret)
{
	const struct ipcg_jv *v;
	uint64_t id;

	*ret = NULL;
	if (!need(r, o, key, &v))
		return false;
	if (v->type == IPCG_JV_NULL)
		return true;
	if (!ipcg_jv_u64(v, &id) || id > UINT32_MAX)
		return wrong(r, key, "a stack id or null");
	*ret = ipcg_ss_find(&r->p->stacks, (uint32_t)id);
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
	uint64_t part;

	if (!need_str(r, o, "format", &fmt, false))
		return false;
	if (strcmp(fmt, IPCG_FORMAT_NAME)) {
		file_error(r, "not an ipcguard trace (format \"%.40s\")", ipcg_esc(fmt));
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
	v = ipcg_jv_get(&r->jp, o, "part");
	part = 0;
	if (v && (!ipcg_jv_u64(v, &part) || part > UINT32_MAX))
		return wrong(r, "part", "a part number");
	if (p->have_header) {
		snprintf(r->msg, sizeof(r->msg), "second header record");
		return false;
	}
	r->part = part;
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
		/* a later part repeats the modules: the first definition counts */
		if (strcmp(m->path, path) || m->base != base || m->size != size ||
		    !m->build_id != !bid || (bid && strcmp(m->build_id, bid))) {
			snprintf(r->msg, sizeof(r->msg), "module id %u defined again differently", id32);
			return false;
		}
		r->skip = true;
		return true;
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
	uint32_t n = 0, k = 0;
	static struct ipcg_frame frames[IPCG_MAX_FRAMES];	/* one record at a time */

	if (!need_u64(r, o, "id", &id))
		return false;
	if (id == 0 || id > UINT32_MAX)
		return wrong(r, "id", "a stack id (1 to 2^32-1)");
	if (!need(r, o, "frames", &v))
		return false;
	if (v->type != IPCG_JV_ARR)
		return wrong(r, "frames", "an array");
	uint32_t id32 = (uint32_t)id;
	const struct ipcg_stack *old = ipcg_ss_find(&r->p->stacks, id32);
	n = v->len < IPCG_MAX_FRAMES ? v->len : IPCG_MAX_FRAMES;
	for (f = ipcg_jv_first(&r->jp, v); f && k < n; f = ipcg_jv_next(&r->jp, f), k++) {
		const struct ipcg_jv *a = ipcg_jv_first(&r->jp, f), *b = ipcg_jv_next(&r->jp, a);
		uint64_t mod, off;

		if (f->type != IPCG_JV_ARR || f->len != 2 || !ipcg_jv_u64(a, &mod) ||
		    mod > UINT32_MAX || !ipcg_jv_hex(b, &off)) {
			snprintf(r->msg, sizeof(r->msg),
				 "frame %u is not [module_id, \"0xOFFSET\"]", k);
			return false;
		}
		frames[k].mod = (uint32_t)mod;
		frames[k].off = off;
	}
	if (old) {	/* a later part repeats the stacks: the first definition counts */
		bool same = old->nframes == k;
		for (uint32_t i = 0; same && i < k; i++) {
			const struct ipcg_frame *of = ipcg_ss_frame(&r->p->stacks, old, i);
			same = of->mod == frames[i].mod && of->off == frames[i].off;
		}
		if (!same) {
			snprintf(r->msg, sizeof(r->msg), "stack id %u defined again differently", id32);
			return false;
		}
		r->skip = true;
		return true;
	}
	return ipcg_ss_add(&r->p->stacks, id32, frames, k) == 0;	/* else out of memory */
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

/* {"type":"rotate","ts_ns","calls","findings","dropped","next"}: the end of a part */
static bool do_rotate(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	struct ipcg_proc *p = r->p;
	uint64_t calls, findings, dropped;
	const char *next;

	if (!need_u64(r, o, "ts_ns", &rec->ts) || !need_u64(r, o, "calls", &calls) ||
	    !need_u64(r, o, "findings", &findings) || !need_u64(r, o, "dropped", &dropped) ||
	    !need_str(r, o, "next", &next, false))
		return false;
	if (!*next || strchr(next, '/'))
		return wrong(r, "next", "a file name");
	if (r->rotated || p->have_exit) {
		snprintf(r->msg, sizeof(r->msg), r->rotated ? "second rotate record" :
			 "rotate record after the exit record");
		return false;
	}
	char *nx = strdup(next);
	if (!nx)
		return false;
	rec->has_ts = true;
	r->rotated = true;
	free(p->rotate_next);
	p->rotate_next = nx;
	p->have_rotate = true;
	p->rotate_ts = rec->ts;
	p->rotate_calls = calls;
	p->rotate_findings = findings;
	p->rotate_dropped = dropped;
	return true;
}

/* {"type":"checkpoint","ts_ns","seq","objects"}: the end of a part's checkpoint */
static bool do_checkpoint(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	uint64_t objects;

	if (!need_u64(r, o, "ts_ns", &rec->ts) || !need_u64(r, o, "seq", &rec->seq) ||
	    !need_u64(r, o, "objects", &objects))
		return false;
	if (r->checkpointed) {
		snprintf(r->msg, sizeof(r->msg), "second checkpoint record");
		return false;
	}
	rec->has_ts = rec->has_seq = true;
	r->checkpointed = true;
	r->skip = !r->deliver_live;
	return true;
}

static bool live_segment(struct reader *r, const struct ipcg_jv *o, struct ipcg_live *l)
{
	if (!need_i64(r, o, "shmid", &l->shmid) || !need_str(r, o, "key", &l->key, false) ||
	    !need_u64(r, o, "size", &l->size) || !need_i64(r, o, "cpid", &l->cpid) ||
	    !need_bool(r, o, "created", &l->created) ||
	    !need_bool(r, o, "inherited", &l->inherited) ||
	    !need_bool(r, o, "removed", &l->removed) || !need_u64(r, o, "nattch", &l->nattch))
		return false;
	if (l->shmid < 0)
		return wrong(r, "shmid", "a shmid");
	if (!*l->key)
		return wrong(r, "key", "a key");
	return true;
}

static bool live_attach(struct reader *r, const struct ipcg_jv *o, struct ipcg_live *l)
{
	const struct ipcg_jv *v;

	if (!need_i64(r, o, "shmid", &l->shmid) || !need(r, o, "shmaddr", &v))
		return false;
	if (v->type != IPCG_JV_STR || !ipcg_jv_hex(v, &l->shmaddr))
		return wrong(r, "shmaddr", "a hex address string");
	if (!need_u64(r, o, "size", &l->size) || !need_str(r, o, "shmflg", &l->shmflg, false) ||
	    !need_u64(r, o, "refs", &l->refs) || !need_bool(r, o, "inherited", &l->inherited))
		return false;
	if (l->shmid < 0)
		return wrong(r, "shmid", "a shmid");
	return true;
}

static bool live_socket(struct reader *r, const struct ipcg_jv *o, struct ipcg_live *l)
{
	if (!need_i64(r, o, "sockfd", &l->sockfd) || !need(r, o, "addr", &l->addr) ||
	    !need_bool(r, o, "listening", &l->listening) ||
	    !need_bool(r, o, "inherited", &l->inherited))
		return false;
	if (l->addr->type != IPCG_JV_OBJ)
		return wrong(r, "addr", "a socket address object");
	if (l->sockfd < -1 || l->sockfd > INT32_MAX)
		return wrong(r, "sockfd", "a descriptor or -1");
	return true;
}

/* {"type":"live","object":...}: one object of a checkpoint. Validated
 * always; delivered only when it starts the process's state. */
static bool do_live(struct reader *r, const struct ipcg_jv *o, struct ipcg_rec *rec)
{
	const char *obj;
	bool ok;

	if (!need_str(r, o, "object", &obj, false) || !opt_seq(r, o, rec) ||
	    !need_stack(r, o, "stack", &rec->stack))
		return false;
	if (!strcmp(obj, IPCG_OBJ_SEGMENT)) {
		rec->live.obj = IPCG_LIVE_SEGMENT;
		ok = live_segment(r, o, &rec->live);
	} else if (!strcmp(obj, IPCG_OBJ_ATTACH)) {
		rec->live.obj = IPCG_LIVE_ATTACH;
		ok = live_attach(r, o, &rec->live);
	} else if (!strcmp(obj, IPCG_OBJ_SOCKET)) {
		rec->live.obj = IPCG_LIVE_SOCKET;
		ok = live_socket(r, o, &rec->live);
	} else {
		r->skip = true;		/* an object this reader does not know: ignored */
		return true;
	}
	/* after the checkpoint's end, or when the earlier part was read: not needed */
	r->skip = !ok || !r->deliver_live || r->checkpointed;
	return ok;
}

static const struct {
	const char *name;
	enum ipcg_rtype type;
} rtypes[] = {
	{ IPCG_T_CALL, IPCG_R_CALL }, { IPCG_T_STACK, IPCG_R_STACK }, { IPCG_T_FINDING, IPCG_R_FINDING },
	{ IPCG_T_MODULE, IPCG_R_MODULE }, { IPCG_T_HEADER, IPCG_R_HEADER }, { IPCG_T_POLICY, IPCG_R_POLICY },
	{ IPCG_T_FORK, IPCG_R_FORK }, { IPCG_T_EXIT, IPCG_R_EXIT },
	{ IPCG_T_FINDING_REPEATS, IPCG_R_FINDING_REPEATS }, { IPCG_T_ROTATE, IPCG_R_ROTATE },
	{ IPCG_T_CHECKPOINT, IPCG_R_CHECKPOINT }, { IPCG_T_LIVE, IPCG_R_LIVE },
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
	if (!r->p->have_header) {
		/* what precedes the header is not part of a trace (another
		 * program's output on a shared stderr, or no trace at all): only
		 * counted, and the header is looked for in the first
		 * HEADER_WINDOW bytes only (see refill) */
		tv = o && o->type == IPCG_JV_OBJ ? ipcg_jv_get(&r->jp, o, "type") : NULL;
		if (!ipcg_jv_is_str(tv) || strcmp(tv->s, IPCG_T_HEADER)) {
			r->pre_header++;
			return false;
		}
	}
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
	r->skip = false;
	rec->type = rtypes[i].type;
	rec->jp = &r->jp;
	rec->obj = o;
	rec->lineno = r->lineno;
	r->msg[0] = '\0';
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
	case IPCG_R_ROTATE: ok = do_rotate(r, o, rec); break;
	case IPCG_R_CHECKPOINT: ok = do_checkpoint(r, o, rec); break;
	case IPCG_R_LIVE: ok = do_live(r, o, rec); break;
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
	return !r->skip;
}

/* Lines before the header were skipped: say so once, count them as malformed. */
static void pre_header_note(struct reader *r)
{
	if (!r->pre_header)
		return;
	r->p->nmalformed += r->pre_header;
	r->ts->nmalformed += r->pre_header;
	fprintf(stderr, "ipcguard: %s: %llu line%s before the header record skipped\n", ipcg_esc(r->p->file),
		(unsigned long long)r->pre_header, r->pre_header == 1 ? "" : "s");
	r->pre_header = 0;
}

/* The parser keeps the size of the longest line it saw: give back what one
 * huge line made it take (the record using it has been delivered). */
static void jp_trim(struct reader *r)
{
	if (r->jp.scratch_cap > JP_KEEP_BYTES || r->jp.cap > JP_KEEP_BYTES / sizeof(struct ipcg_jv)) {
		ipcg_jsonr_release(&r->jp);
		ipcg_jsonr_init(&r->jp);
	}
}

/* Done with a file: what its end says, then its buffers go. */
static void file_end(struct reader *r)
{
	if (r->ended)
		return;
	r->ended = true;
	r->done = true;
	/* blocks allocated after the exit (or rotate) record and never written
	 * (a writer left without a descriptor to cut its file) are no
	 * incomplete line; a NUL run without one is a killed writer's */
	if (r->lr.partial && !((r->p->have_exit || r->rotated) && r->lr.nul_tail))
		r->p->truncated = true;
	if (!r->p->unreadable && !r->p->have_header)
		file_error(r, r->p->nlines ? "no valid header record: not an ipcguard trace" :
			   r->lr.partial ? "no complete line: not an ipcguard trace" :
			   "empty file: not an ipcguard trace");
	ipcg_lr_close(&r->lr);
	ipcg_jsonr_release(&r->jp);
}

/* Advances r until it holds a timed record or ends (or, in the first
 * pass, has read its header); untimed records are delivered on the way. */
static void refill(struct reader *r, const struct ipcg_load_ops *ops, void *ctx)
{
	const char *line;
	size_t len;

	jp_trim(r);
	while (!r->done) {
		bool had_header = r->p->have_header;

		if (!had_header && ipcg_lr_offset(&r->lr) >= HEADER_WINDOW) {
			file_error(r, "no header record in the first %u KiB: not an ipcguard trace",
				   HEADER_WINDOW >> 10);
			break;
		}
		enum ipcg_lr_rc rc = ipcg_lr_next(&r->lr, &line, &len);
		if (rc == IPCG_LR_ERR) {
			if (r->lr.err)
				file_error(r, "%s: %s", r->lr.what, strerror(r->lr.err));
			else
				file_error(r, "%s", r->lr.what);
			break;
		}
		if (rc == IPCG_LR_EOF)
			break;
		r->lineno++;
		r->p->nlines++;
		if (rc == IPCG_LR_LONG) {
			if (!had_header) {
				file_error(r, "line %llu is longer than %u bytes before any header "
					   "record: not an ipcguard trace",
					   (unsigned long long)r->lineno, IPCG_LINE_MAX);
				break;
			}
			bad_line(r, r->lineno, "line longer than %u bytes (skipped)", IPCG_LINE_MAX);
			continue;
		}
		if (!parse_record(r, line, len))
			continue;
		if (!had_header)
			pre_header_note(r);
		if (r->rec.type == IPCG_R_HEADER) {
			if (r->header_only)
				return;		/* the rest once the parts are joined */
			continue;
		}
		if (r->rec.has_ts) {
			r->pending = true;
			return;
		}
		deliver(r, ops, ctx);
		jp_trim(r);
	}
	file_end(r);
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

		if (!p->have_header || p->have_exit || ipcg_proc_continues(p) || p->pid <= 0)
			continue;	/* a rotated trace goes on in its next part, not by exec */
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

/* --- parts: the files of one process --- */

/* One process: its files in part order, read one after the other. */
struct stream {
	struct ipcg_proc *p;
	struct reader **files;
	size_t n, cur;
	bool ended;
};

/* Same process (host, pid, start_realtime_ns), so parts of one trace. */
static bool same_process(const struct reader *a, const struct reader *b)
{
	const struct ipcg_proc *x = a->p, *y = b->p;

	return x->have_header && y->have_header && !x->unreadable && !y->unreadable &&
	       x->pid == y->pid && x->start_realtime_ns && x->start_realtime_ns == y->start_realtime_ns &&
	       same_host(x, y);
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Joinable files next to each other, each process's in part order, then
 * by position on the command line. */
static int cmp_reader(const void *pa, const void *pb)
{
	const struct reader *a = *(struct reader *const *)pa, *b = *(struct reader *const *)pb;
	bool ja = a->p->have_header && !a->p->unreadable && a->p->start_realtime_ns;
	bool jb = b->p->have_header && !b->p->unreadable && b->p->start_realtime_ns;
	int c;

	if (ja != jb)
		return ja ? -1 : 1;
	if (ja) {
		if (a->p->pid != b->p->pid)
			return a->p->pid < b->p->pid ? -1 : 1;
		if (a->p->start_realtime_ns != b->p->start_realtime_ns)
			return a->p->start_realtime_ns < b->p->start_realtime_ns ? -1 : 1;
		if ((c = cmp_str(a->p->host, b->p->host)))
			return c;
		if (a->part != b->part)
			return a->part < b->part ? -1 : 1;
	}
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int cmp_stream(const void *pa, const void *pb)
{
	const struct stream *a = pa, *b = pb;

	return a->files[0]->idx < b->files[0]->idx ? -1 : a->files[0]->idx > b->files[0]->idx;
}

static void proc_free(struct ipcg_proc *p)
{
	struct ipcg_module *m, *mt;

	HASH_ITER(hh, p->mods, m, mt) {
		HASH_DEL(p->mods, m);
		free(m->path);
		free(m->build_id);
		free(m);
	}
	ipcg_ss_release(&p->stacks);
	free(p->exe);
	free(p->host);
	free(p->argv);
	free(p->exit_how);
	free(p->exit_trace_stopped);
	free(p->rotate_next);
	free(p->children);
	free(p);
}

/* Adds file r (read up to its header) to process p, the first part's. */
static void join_part(struct ipcg_proc *p, struct reader *r)
{
	struct ipcg_proc *own = r->p;

	p->nlines += own->nlines;
	p->nrecords += own->nrecords;
	p->nmalformed += own->nmalformed;
	p->truncated |= own->truncated;
	proc_free(own);
	r->p = p;
	p->nparts++;
}

/* Groups the files (headers read) into streams, one per process: sorted,
 * a run of the same process with distinct parts is one stream (the same
 * part given twice starts another process). ts->procs follows, in the
 * order each process's first file was given. Returns the stream count. */
static size_t group_parts(struct reader *rd, struct reader **order, struct reader **slots,
			  size_t n, struct stream *st, struct ipcg_traceset *ts)
{
	size_t ns = 0, used = 0;

	for (size_t i = 0; i < n; i++)
		order[i] = &rd[i];
	qsort(order, n, sizeof(*order), cmp_reader);
	for (size_t i = 0; i < n; i++) {
		struct reader *r = order[i];
		struct stream *s = ns ? &st[ns - 1] : NULL;
		struct reader *last = s ? s->files[s->n - 1] : NULL;

		if (last && same_process(last, r) && r->part > last->part) {
			r->deliver_live = r->part != last->part + 1;
			s->p->parts_gap |= r->deliver_live;
			join_part(s->p, r);
			s->files[s->n++] = r;
			used++;
			continue;
		}
		s = &st[ns++];
		s->files = &slots[used++];
		s->files[0] = r;
		s->n = 1;
		s->p = r->p;
		s->p->nparts = 1;
		s->p->first_part = s->p->last_part = r->part;
		s->p->file = s->p->last_file = r->file;
		r->deliver_live = r->part > 0;
	}
	qsort(st, ns, sizeof(*st), cmp_stream);
	for (size_t i = 0; i < ns; i++) {
		st[i].p->idx = (unsigned)i;
		ts->procs[i] = st[i].p;
	}
	ts->nprocs = ns;
	return ns;
}

/* Advances stream s to its next timed record, across its parts; calls
 * proc_end once all are read. */
static void stream_refill(struct stream *s, const struct ipcg_load_ops *ops, void *ctx)
{
	while (s->cur < s->n) {
		struct reader *r = s->files[s->cur];

		refill(r, ops, ctx);
		if (r->pending)
			return;
		if (++s->cur < s->n) {
			/* the next part: what ended the previous one is history */
			r = s->files[s->cur];
			s->p->last_file = r->file;
			s->p->last_part = r->part;
			s->p->have_rotate = false;
		}
	}
	if (!s->ended) {
		s->ended = true;
		if (ops->proc_end)
			ops->proc_end(ctx, s->p);
	}
}

/* Streams holding a timed record, as a binary min-heap by (ts, process
 * index): the earliest record next, ties in the order the files were given. */
struct heap {
	struct stream **v;
	size_t n;
};

static const struct reader *head(const struct stream *s)
{
	return s->files[s->cur];
}

static bool before(const struct stream *a, const struct stream *b)
{
	uint64_t ta = head(a)->rec.ts, tb = head(b)->rec.ts;

	return ta < tb || (ta == tb && a->p->idx < b->p->idx);
}

static void heap_down(struct heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < h->n && before(h->v[l], h->v[m]))
			m = l;
		if (l + 1 < h->n && before(h->v[l + 1], h->v[m]))
			m = l + 1;
		if (m == i)
			return;
		struct stream *t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
}

static void heap_push(struct heap *h, struct stream *s)
{
	size_t i = h->n++;

	h->v[i] = s;
	while (i > 0 && before(h->v[i], h->v[(i - 1) / 2])) {
		struct stream *t = h->v[i];
		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

int ipcg_load(char **files, int nfiles, const struct ipcg_load_ops *ops, void *ctx,
	      struct ipcg_traceset *ts)
{
	size_t n = (size_t)nfiles, ns = 0;
	struct ipcg_lr_pool pool;
	struct heap h = { 0 };
	struct reader *rd, **order, **slots;
	struct stream *st;
	int ret = 0;

	memset(ts, 0, sizeof(*ts));
	rd = calloc(n + 1, sizeof(*rd));
	order = calloc(n + 1, sizeof(*order));
	slots = calloc(n + 1, sizeof(*slots));
	st = calloc(n + 1, sizeof(*st));
	ts->procs = calloc(n + 1, sizeof(*ts->procs));
	h.v = calloc(n + 1, sizeof(*h.v));
	if (!ipcg_lr_pool_init(&pool, n) || !rd || !order || !slots || !st || !ts->procs || !h.v) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < n; i++) {
		struct ipcg_proc *p = calloc(1, sizeof(*p));
		struct reader *r = &rd[i];

		if (!p) {
			ret = -ENOMEM;
			goto out_free;
		}
		p->idx = (unsigned)i;
		p->file = files[i];
		p->pid = p->ppid = -1;
		ts->procs[ts->nprocs++] = p;	/* owned here until grouped */
		r->p = p;
		r->file = files[i];
		r->idx = (unsigned)i;
		r->ts = ts;
		ipcg_jsonr_init(&r->jp);
		ipcg_lr_init(&r->lr, &pool, files[i]);
	}
	/* the headers first, to know which files are parts of one process;
	 * files are opened as they are read, at most pool.max_open at a time */
	for (size_t i = 0; i < n; i++) {
		rd[i].header_only = true;
		refill(&rd[i], ops, ctx);
		rd[i].header_only = false;
	}
	ns = group_parts(rd, order, slots, n, st, ts);
	for (size_t i = 0; i < ns; i++) {
		stream_refill(&st[i], ops, ctx);
		if (st[i].cur < st[i].n)
			heap_push(&h, &st[i]);
	}
	while (h.n > 0) {
		struct stream *best = h.v[0];
		struct reader *r = best->files[best->cur];

		r->pending = false;
		deliver(r, ops, ctx);
		stream_refill(best, ops, ctx);
		if (best->cur == best->n)
			h.v[0] = h.v[--h.n];
		heap_down(&h, 0);
	}
	for (size_t i = 0; i < n; i++)
		if (rd[i].nbad > MAX_ERRS_SHOWN)
			fprintf(stderr, "ipcguard: %s: %llu malformed lines in all, %llu not shown\n",
				ipcg_esc(rd[i].file), (unsigned long long)rd[i].nbad,
				(unsigned long long)(rd[i].nbad - MAX_ERRS_SHOWN));
	join_forks(ts);
	join_execs(ts);
out_free:
	if (rd) {
		for (size_t i = 0; i < n; i++) {
			ipcg_lr_close(&rd[i].lr);
			ipcg_jsonr_release(&rd[i].jp);
		}
	}
	free(rd);
	free(order);
	free(slots);
	free(st);
	free(h.v);
	ipcg_lr_pool_release(&pool);
	return ret;
}

void ipcg_traceset_release(struct ipcg_traceset *ts)
{
	for (size_t i = 0; i < ts->nprocs; i++)
		proc_free(ts->procs[i]);
	free(ts->procs);
	memset(ts, 0, sizeof(*ts));
}
