/* ipcguard leaks [--json] [--top N] [--list N] [--debug-dir DIR] TRACE...
 * What is alive now on this host, joined with the traces that created it:
 * the kernel's System V segments (/proc/sysvipc/shm) and the socket files the
 * traced processes bound, grouped by creation site with counts and bytes.
 *
 * Join rule for a segment: the trace of a process on this host whose pid is
 * the segment's creator (cpid) and which created that shmid (shmget with
 * IPC_CREAT or IPC_PRIVATE returning it) no later than the segment's ctime;
 * the latest such creation wins, so a shmid reused after an older run is not
 * attributed to that run.  Works on traces of running processes and after a
 * SIGKILL (a record cut short is skipped by the loader).  docs/leaks.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uthash.h>

#include "cli/cli.h"
#include "load/trace_load.h"
#include "model/lifetime.h"
#include "model/live.h"
#include "out/out.h"
#include "out/symbolize.h"

#define DEFAULT_TOP 10			/* creation sites shown */
#define DEFAULT_LIST 5			/* objects listed per site */
#define SHM_DEST_BIT 01000		/* "perms" of a removed segment still attached */
#define MAX_PROCS_LISTED 20		/* processes in the human output */
#define CTIME_SLACK_NS 1000000000ull	/* ctime is whole seconds */

/* A segment a traced process created (the first creating shmget since the
 * last IPC_RMID of that shmid in the same process).  The table is keyed by
 * shmid; creations of one shmid (by other processes, earlier runs, earlier
 * images) are chained newest first. */
struct made_seg {
	int64_t shmid;
	int64_t pid;
	struct ipcg_proc *proc;
	uint64_t seq, created_ns;	/* realtime of the shmget */
	uint64_t size;
	char *key;			/* "0x..." or "IPC_PRIVATE" */
	const struct ipcg_stack *stack;
	bool removed;			/* IPC_RMID seen after it */
	struct made_seg *older;		/* same shmid, created before */
	UT_hash_handle hh;
};

/* A socket file a traced process bound. */
struct made_sock {
	char *path;			/* hash key */
	struct ipcg_proc *proc;
	uint64_t seq, bound_ns;
	const struct ipcg_stack *stack;
	bool unlinked;			/* the program removed it (unlink/unlinkat/remove) */
	UT_hash_handle hh;
};

enum seg_state {
	SEG_ORPHAN,			/* creator dead, attached nowhere */
	SEG_ATTACHED,			/* attached by someone now */
	SEG_HELD,			/* attached nowhere, creator still running */
	SEG_REMOVED,			/* IPC_RMID done, waits for its last detach */
	SEG_NSTATES,
};
static const char *const seg_state_name[SEG_NSTATES] = {
	"orphan", "attached", "held", "removed-attached",
};

enum sock_state { SOCK_STALE, SOCK_LISTENING, SOCK_BOUND, SOCK_NSTATES };
static const char *const sock_state_name[SOCK_NSTATES] = { "no-listener", "listening", "bound" };

/* One live object joined with its creation. */
struct live_obj {
	bool is_sock;
	unsigned state;
	struct ipcg_kseg *seg;		/* segments */
	struct made_seg *made;
	struct made_sock *sock;		/* sockets */
};

/* Objects grouped by creation site (the symbolised frames). */
struct site {
	char *text;			/* hash key: frames joined by '\n' */
	bool is_sock;
	struct ipcg_proc *proc;		/* first member's, for printing */
	const struct ipcg_stack *stack;
	uint64_t count[SEG_NSTATES], bytes[SEG_NSTATES], total, total_bytes;
	struct live_obj **objs;
	size_t nobjs;
	UT_hash_handle hh;
};

struct leaks {
	bool json;
	unsigned long top, list;
	struct ipcg_sym *sym;
	struct ipcg_traceset ts;
	struct made_seg *segs;
	struct made_sock *socks;
	struct ipcg_kseg *kseg;
	size_t nkseg, nuntraced;
	uint64_t untraced_bytes;
	int kseg_err;
	struct live_obj *objs;
	size_t nobjs;
	struct site *sites;
	bool oom;
};

/* --- collecting creations from the traces --- */

static uint64_t realtime_of(const struct ipcg_proc *p, uint64_t ts)
{
	uint64_t rt;

	return ipcg_life_realtime(p, ts, &rt) ? rt : p->start_realtime_ns;
}

static struct made_seg *seg_find(struct leaks *l, int64_t shmid)
{
	struct made_seg *s;

	HASH_FIND(hh, l->segs, &shmid, sizeof(shmid), s);
	return s;
}

static bool same_host(const struct ipcg_proc *a, const struct ipcg_proc *b)
{
	return a->host && b->host && !strcmp(a->host, b->host);
}

/* A segment process p made, in front of any older one of the same id
 * (a reused shmid); NULL when out of memory (l->oom). */
static struct made_seg *add_seg(struct leaks *l, struct ipcg_proc *p, int64_t shmid, const char *key,
				uint64_t seq, uint64_t created_ns, uint64_t size,
				const struct ipcg_stack *stack)
{
	struct made_seg *old = seg_find(l, shmid);
	struct made_seg *s = calloc(1, sizeof(*s));

	if (!s || !(s->key = strdup(key))) {
		free(s);
		l->oom = true;
		return NULL;
	}
	s->pid = p->pid;
	s->shmid = shmid;
	s->proc = p;
	s->seq = seq;
	s->created_ns = created_ns;
	s->size = size;
	s->stack = stack;
	if (old)
		HASH_DEL(l->segs, old);
	s->older = old;
	HASH_ADD(hh, l->segs, shmid, sizeof(s->shmid), s);
	return s;
}

static void on_shmget(struct leaks *l, struct ipcg_proc *p, const struct ipcg_life_call *c,
		      const struct ipcg_rec *r)
{
	if (!c->key || !c->creates)
		return;
	for (struct made_seg *o = seg_find(l, c->shmid); o; o = o->older)
		if (o->proc == p) {
			if (!o->removed || (r->has_seq && o->seq == r->seq))
				return;	/* got again what it made before, or the call of a live record */
			break;
		}
	(void)add_seg(l, p, c->shmid, c->key, r->seq, realtime_of(p, r->ts), c->size, r->stack);
}

static void on_rmid(struct leaks *l, struct ipcg_proc *p, const struct ipcg_life_call *c,
		    const struct ipcg_rec *r)
{
	/* any process may remove it: the newest creation of that shmid on the
	 * same host made before this call */
	for (struct made_seg *s = seg_find(l, c->shmid); s; s = s->older)
		if (same_host(s->proc, p) && s->created_ns <= realtime_of(p, r->ts)) {
			s->removed = true;
			return;
		}
}

static void on_bind(struct leaks *l, struct ipcg_proc *p, const struct ipcg_life_call *c,
		    const struct ipcg_rec *r)
{
	const struct ipcg_jv *path = c->addr_v;
	struct made_sock *s;

	if (!path || c->abstract || memchr(path->s, '\0', path->len))
		return;
	HASH_FIND_STR(l->socks, path->s, s);
	if (!s) {
		if (!(s = calloc(1, sizeof(*s))) || !(s->path = strdup(path->s))) {
			free(s);
			l->oom = true;
			return;
		}
		HASH_ADD_KEYPTR(hh, l->socks, s->path, strlen(s->path), s);
	}
	s->proc = p;			/* the last bind of a path is the one on disk */
	s->seq = r->seq;
	s->bound_ns = realtime_of(p, r->ts);
	s->stack = r->stack;
	s->unlinked = false;
}

static void on_unlink(struct leaks *l, const struct ipcg_life_call *c)
{
	struct made_sock *s;

	HASH_FIND_STR(l->socks, c->path, s);
	if (s)
		s->unlinked = true;
}

/* A segment a checkpoint says this image created (its earlier part was not
 * read): as if its shmget had been seen, at an unknown time (0: before
 * any ctime). */
static void live_segment(struct leaks *l, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	const struct ipcg_live *lv = &r->live;
	struct made_seg *old = seg_find(l, lv->shmid), *s;

	if (!lv->created)
		return;
	for (struct made_seg *o = old; o; o = o->older)
		if (o->proc == p)
			return;		/* known already */
	s = add_seg(l, p, lv->shmid, lv->key, r->has_seq ? r->seq : 0, 0, lv->size, r->stack);
	if (s)
		s->removed = lv->removed;
}

/* A bound socket of a checkpoint: its file is this process's. */
static void live_socket(struct leaks *l, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	const struct ipcg_jv *path = ipcg_jv_get(r->jp, r->live.addr, "path");
	struct made_sock *s;

	if (!ipcg_jv_is_str(path) || memchr(path->s, '\0', path->len))
		return;
	HASH_FIND_STR(l->socks, path->s, s);
	if (s)
		return;			/* bound again later by another: that one is on disk */
	if (!(s = calloc(1, sizeof(*s))) || !(s->path = strdup(path->s))) {
		free(s);
		l->oom = true;
		return;
	}
	HASH_ADD_KEYPTR(hh, l->socks, s->path, strlen(s->path), s);
	s->proc = p;
	s->seq = r->has_seq ? r->seq : 0;
	s->stack = r->stack;
}

static void on_record(void *ctx, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	struct leaks *l = ctx;
	struct ipcg_life_call c;

	if (r->type == IPCG_R_LIVE && r->live.obj == IPCG_LIVE_SEGMENT)
		live_segment(l, p, r);
	else if (r->type == IPCG_R_LIVE && r->live.obj == IPCG_LIVE_SOCKET)
		live_socket(l, p, r);
	ipcg_life_decode(r, &c);
	switch (c.op) {
	case IPCG_LOP_SHMGET:
		on_shmget(l, p, &c, r);
		break;
	case IPCG_LOP_RMID:
		on_rmid(l, p, &c, r);
		break;
	case IPCG_LOP_BIND:
		on_bind(l, p, &c, r);
		break;
	case IPCG_LOP_UNLINK:
		on_unlink(l, &c);
		break;
	default:
		break;
	}
}

/* --- process state --- */

static bool local(const struct ipcg_proc *p)
{
	return p->host && !strcmp(p->host, ipcg_live_host());
}

/* The process (not the image) that wrote p is still running. */
static bool proc_running(const struct ipcg_proc *p)
{
	while (!p->have_exit && p->exec_next)
		p = p->exec_next;
	if (p->have_exit || !local(p))
		return false;
	return ipcg_live_proc(p->pid, p->start_realtime_ns) == IPCG_PROC_RUNNING;
}

/* How the trace's process ended, or that it still runs. */
static const char *proc_label(const struct ipcg_proc *p)
{
	static char buf[320];

	if (p->have_exit)
		return "exited";
	if (ipcg_proc_continues(p)) {
		if (local(p) && ipcg_live_proc(p->pid, p->start_realtime_ns) == IPCG_PROC_RUNNING)
			return "running";
		snprintf(buf, sizeof(buf), "trace continues in %.256s (not given)", p->rotate_next);
		return buf;
	}
	if (p->exec_next)
		return "replaced by exec";
	if (!local(p))
		return "trace ends without exit (other host)";
	switch (ipcg_live_proc(p->pid, p->start_realtime_ns)) {
	case IPCG_PROC_RUNNING: return "running";
	case IPCG_PROC_ZOMBIE:		/* dead, its parent has not reaped it yet */
	case IPCG_PROC_GONE:
	case IPCG_PROC_REUSED: return "killed or crashed";
	case IPCG_PROC_UNKNOWN: break;
	}
	return "trace ends without exit (state unknown)";
}

/* --- the join --- */

static int add_obj(struct leaks *l, struct live_obj o)
{
	struct live_obj *nv = realloc(l->objs, (l->nobjs + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	l->objs = nv;
	l->objs[l->nobjs++] = o;
	return 0;
}

/* The creation of live segment k: newest one not after its ctime. */
static struct made_seg *creation_of(struct leaks *l, const struct ipcg_kseg *k)
{
	uint64_t limit = (uint64_t)(k->ctime > 0 ? k->ctime : 0) * 1000000000ull + CTIME_SLACK_NS;

	for (struct made_seg *s = seg_find(l, k->shmid); s; s = s->older) {
		if (s->pid != k->cpid || !local(s->proc) || (k->ctime > 0 && s->created_ns > limit))
			continue;
		if (s->removed && !(k->mode & SHM_DEST_BIT))
			return NULL;	/* that one is gone: this is another segment */
		return s;
	}
	return NULL;
}

static int join_segments(struct leaks *l)
{
	l->kseg_err = ipcg_live_segments(&l->kseg, &l->nkseg);
	if (l->kseg_err < 0)
		return l->kseg_err == -ENOMEM ? -1 : 0;
	ipcg_live_segment_users(l->kseg, l->nkseg);
	for (size_t i = 0; i < l->nkseg; i++) {
		struct ipcg_kseg *k = &l->kseg[i];
		struct made_seg *s = creation_of(l, k);
		struct live_obj o = { .seg = k, .made = s };

		if (!s) {
			l->nuntraced++;
			l->untraced_bytes += k->size;
			continue;
		}
		if (k->mode & SHM_DEST_BIT)
			o.state = SEG_REMOVED;
		else if (k->nattch)
			o.state = SEG_ATTACHED;
		else
			o.state = proc_running(s->proc) ? SEG_HELD : SEG_ORPHAN;
		if (add_obj(l, o) < 0)
			return -1;
	}
	return 0;
}

static int join_sockets(struct leaks *l)
{
	struct ipcg_knames names;
	struct made_sock *s;
	int rc = 0;

	if (!l->socks)
		return 0;
	if (ipcg_live_unix_names(&names) < 0)
		memset(&names, 0, sizeof(names));
	for (s = l->socks; s; s = s->hh.next) {
		struct stat st;
		struct live_obj o = { .is_sock = true, .sock = s };

		/* a relative path was relative to the program's directory then */
		if (s->unlinked || s->path[0] != '/' || !local(s->proc) ||
		    lstat(s->path, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		switch (ipcg_live_unix_state(&names, s->path)) {
		case 1: o.state = SOCK_LISTENING; break;
		case 0: o.state = SOCK_BOUND; break;
		default: o.state = SOCK_STALE; break;
		}
		if (add_obj(l, o) < 0) {
			rc = -1;
			break;
		}
	}
	ipcg_live_unix_names_free(&names);
	return rc;
}

/* --- grouping by creation site --- */

struct textbuf {
	char *s;
	size_t len;
	bool oom;
};

static void append_frame(void *ctx, unsigned idx, const char *text)
{
	struct textbuf *b = ctx;
	size_t n = strlen(text);
	char *ns = realloc(b->s, b->len + n + 2);

	(void)idx;
	if (!ns) {
		b->oom = true;
		return;
	}
	b->s = ns;
	memcpy(b->s + b->len, text, n);
	b->len += n;
	b->s[b->len++] = '\n';
	b->s[b->len] = '\0';
}

static int group(struct leaks *l)
{
	for (size_t i = 0; i < l->nobjs; i++) {
		struct live_obj *o = &l->objs[i];
		struct ipcg_proc *p = o->is_sock ? o->sock->proc : o->made->proc;
		const struct ipcg_stack *st = o->is_sock ? o->sock->stack : o->made->stack;
		struct textbuf b = { 0 };
		struct site *s;

		append_frame(&b, 0, o->is_sock ? "socket" : "segment");
		if (st)
			ipcg_stack_lines(l->sym, p, st, 0, false, append_frame, &b);
		else
			append_frame(&b, 0, "(no stack)");
		if (b.oom) {
			free(b.s);
			return -1;
		}
		HASH_FIND_STR(l->sites, b.s, s);
		if (s) {
			free(b.s);
		} else {
			if (!(s = calloc(1, sizeof(*s)))) {
				free(b.s);
				return -1;
			}
			s->text = b.s;
			s->is_sock = o->is_sock;
			s->proc = p;
			s->stack = st;
			HASH_ADD_KEYPTR(hh, l->sites, s->text, strlen(s->text), s);
		}
		struct live_obj **nv = realloc(s->objs, (s->nobjs + 1) * sizeof(*nv));
		if (!nv)
			return -1;
		s->objs = nv;
		s->objs[s->nobjs++] = o;
		uint64_t bytes = o->is_sock ? 0 : o->seg->size;
		s->count[o->state]++;
		s->bytes[o->state] += bytes;
		s->total++;
		s->total_bytes += bytes;
	}
	return 0;
}

/* Leaks first (orphans, stale files), then by count, bytes, text. */
static uint64_t site_weight(const struct site *s)
{
	return s->is_sock ? s->count[SOCK_STALE] : s->count[SEG_ORPHAN];
}

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = *(struct site *const *)a, *y = *(struct site *const *)b;

	if (site_weight(x) != site_weight(y))
		return site_weight(x) > site_weight(y) ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (x->total_bytes != y->total_bytes)
		return x->total_bytes > y->total_bytes ? -1 : 1;
	return strcmp(x->text, y->text);
}

static int cmp_obj(const void *a, const void *b)
{
	const struct live_obj *x = *(struct live_obj *const *)a, *y = *(struct live_obj *const *)b;

	if (x->state != y->state)
		return x->state < y->state ? -1 : 1;
	if (x->is_sock)
		return strcmp(x->sock->path, y->sock->path);
	return x->seg->shmid < y->seg->shmid ? -1 : x->seg->shmid > y->seg->shmid;
}

static struct site **sorted_sites(struct leaks *l, size_t *ret_n)
{
	size_t n = HASH_COUNT(l->sites), i = 0;
	struct site **v = calloc(n + 1, sizeof(*v));

	if (!v)
		return NULL;
	for (struct site *s = l->sites; s; s = s->hh.next) {
		qsort(s->objs, s->nobjs, sizeof(*s->objs), cmp_obj);
		v[i++] = s;
	}
	qsort(v, n, sizeof(*v), cmp_site);
	*ret_n = n;
	return v;
}

/* --- human output --- */

static void fmt_bytes(char *buf, size_t n, uint64_t b)
{
	if (b >= (1ull << 30))
		snprintf(buf, n, "%" PRIu64 " bytes (%.1f GiB)", b, (double)b / (1ull << 30));
	else if (b >= (1ull << 20))
		snprintf(buf, n, "%" PRIu64 " bytes (%.1f MiB)", b, (double)b / (1ull << 20));
	else if (b >= (1ull << 10))
		snprintf(buf, n, "%" PRIu64 " bytes (%.1f KiB)", b, (double)b / (1ull << 10));
	else
		snprintf(buf, n, "%" PRIu64 " bytes", b);
}

static void put_name(FILE *f, const char *s)
{
	if (s)
		ipcg_esc_put(f, s, strlen(s));
}

static void put_proc(FILE *f, const struct ipcg_proc *p)
{
	put_name(f, ipcg_proc_name(p));
	fprintf(f, "[%" PRId64 "]", p->pid);
}

static void text_frame(void *ctx, unsigned idx, const char *text)
{
	fprintf((FILE *)ctx, "      #%u ", idx);
	put_name(ctx, text);
	putc('\n', ctx);
}

static void text_obj(FILE *f, const struct live_obj *o)
{
	if (o->is_sock) {
		fputs("      ", f);
		put_name(f, o->sock->path);
		fprintf(f, ": %s, bound at seq %" PRIu64 " by ", sock_state_name[o->state], o->sock->seq);
		put_proc(f, o->sock->proc);
		fprintf(f, " (%s)\n", proc_label(o->sock->proc));
		return;
	}
	const struct ipcg_kseg *k = o->seg;
	fprintf(f, "      shmid %" PRId64 " key ", k->shmid);
	put_name(f, o->made->key);
	fprintf(f, ", %" PRIu64 " bytes, %s, created at seq %" PRIu64 " by ", k->size,
		seg_state_name[o->state], o->made->seq);
	put_proc(f, o->made->proc);
	fprintf(f, " (%s)", proc_label(o->made->proc));
	if (k->nattch) {
		fprintf(f, "; nattch %" PRIu64, k->nattch);
		for (size_t i = 0; i < k->nusers; i++)
			fprintf(f, "%s%" PRId64, i ? "," : ", mapped by pid ", k->users[i]);
	}
	putc('\n', f);
}

static void text_site(struct leaks *l, FILE *f, unsigned idx, struct site *s)
{
	char b[64];
	bool first = true;

	if (s->is_sock) {
		fprintf(f, "  [%u] %" PRIu64 " socket file%s:", idx, s->total, s->total == 1 ? "" : "s");
		for (unsigned st = 0; st < SOCK_NSTATES; st++)
			if (s->count[st]) {
				fprintf(f, "%s %" PRIu64 " %s", first ? "" : ",", s->count[st],
					sock_state_name[st]);
				first = false;
			}
	} else {
		fmt_bytes(b, sizeof(b), s->total_bytes);
		fprintf(f, "  [%u] %" PRIu64 " segment%s, %s:", idx, s->total,
			s->total == 1 ? "" : "s", b);
		for (unsigned st = 0; st < SEG_NSTATES; st++)
			if (s->count[st]) {
				fprintf(f, "%s %" PRIu64 " %s", first ? "" : ",", s->count[st],
					seg_state_name[st]);
				first = false;
			}
	}
	fputs("\n    created at:\n", f);
	if (s->stack)
		ipcg_stack_lines(l->sym, s->proc, s->stack, 0, false, text_frame, f);
	else
		fputs("      (no stack recorded)\n", f);
	size_t shown = s->nobjs < l->list ? s->nobjs : l->list;
	for (size_t i = 0; i < shown; i++)
		text_obj(f, s->objs[i]);
	if (shown < s->nobjs)
		fprintf(f, "      ... and %zu more (--list N)\n", s->nobjs - shown);
}

static void text_out(struct leaks *l, struct site **v, size_t n)
{
	FILE *f = stdout;
	uint64_t cnt[SEG_NSTATES] = { 0 }, bytes[SEG_NSTATES] = { 0 }, scnt[SOCK_NSTATES] = { 0 };
	size_t running = 0;
	char b[64];

	for (size_t i = 0; i < l->nobjs; i++) {
		struct live_obj *o = &l->objs[i];
		if (o->is_sock) {
			scnt[o->state]++;
		} else {
			cnt[o->state]++;
			bytes[o->state] += o->seg->size;
		}
	}
	for (size_t i = 0; i < l->ts.nprocs; i++)
		running += !strcmp(proc_label(l->ts.procs[i]), "running");
	fprintf(f, "ipcguard leaks: %zu trace%s (%zu running), host ", l->ts.nprocs,
		l->ts.nprocs == 1 ? "" : "s", running);
	put_name(f, ipcg_live_host());
	putc('\n', f);
	if (l->kseg_err < 0)
		fprintf(f, "System V segments: cannot read /proc/sysvipc/shm: %s\n",
			strerror(-l->kseg_err));
	else {
		fmt_bytes(b, sizeof(b), l->untraced_bytes);
		fprintf(f, "System V segments alive: %zu in the kernel; %zu not from these traces (%s)\n",
			l->nkseg, l->nuntraced, b);
	}
	for (unsigned st = 0; st < SEG_NSTATES; st++) {
		static const char *const why[SEG_NSTATES] = {
			"creator dead, attached nowhere: leaked",
			"attached now",
			"attached nowhere, creator still running",
			"removed, gone at the last detach",
		};
		fmt_bytes(b, sizeof(b), bytes[st]);
		fprintf(f, "  %-17s %" PRIu64 " segment%s, %s (%s)\n", seg_state_name[st], cnt[st],
			cnt[st] == 1 ? "" : "s", b, why[st]);
	}
	fprintf(f, "Socket files present: %" PRIu64 " with no listener, %" PRIu64
		" listening, %" PRIu64 " bound (not listening)\n",
		scnt[SOCK_STALE], scnt[SOCK_LISTENING], scnt[SOCK_BOUND]);
	if (n) {
		fputs("\nBy creation site:\n", f);
		size_t shown = l->top && l->top < n ? l->top : n;
		for (size_t i = 0; i < shown; i++)
			text_site(l, f, (unsigned)i + 1, v[i]);
		if (shown < n)
			fprintf(f, "  ... and %zu more site%s (--top N)\n", n - shown,
				n - shown == 1 ? "" : "s");
	}
	fputs("\nProcesses:\n", f);
	for (size_t i = 0; i < l->ts.nprocs && i < MAX_PROCS_LISTED; i++) {
		fputs("  ", f);
		put_proc(f, l->ts.procs[i]);
		fprintf(f, ": %s, ", proc_label(l->ts.procs[i]));
		put_name(f, l->ts.procs[i]->file);
		putc('\n', f);
	}
	if (l->ts.nprocs > MAX_PROCS_LISTED)
		fprintf(f, "  ... and %zu more (--json lists them all)\n",
			l->ts.nprocs - MAX_PROCS_LISTED);
}

/* --- JSON output --- */

static void json_proc(FILE *f, const struct ipcg_proc *p)
{
	fprintf(f, "{\"pid\":%" PRId64 ",\"exe\":", p->pid);
	ipcg_json_cstr(f, p->exe);
	fputs(",\"trace\":", f);
	ipcg_json_cstr(f, p->file);
	fputs(",\"state\":", f);
	ipcg_json_cstr(f, proc_label(p));
	fprintf(f, ",\"running\":%s}", proc_running(p) ? "true" : "false");
}

static void json_obj(FILE *f, const struct live_obj *o)
{
	if (o->is_sock) {
		fputs("{\"path\":", f);
		ipcg_json_cstr(f, o->sock->path);
		fputs(",\"state\":", f);
		ipcg_json_cstr(f, sock_state_name[o->state]);
		fprintf(f, ",\"bind_seq\":%" PRIu64 ",\"bound_realtime_ns\":", o->sock->seq);
		if (o->sock->bound_ns)
			fprintf(f, "%" PRIu64, o->sock->bound_ns);
		else
			fputs("null", f);	/* bound in a part not given */
		fputs(",\"by\":", f);
		json_proc(f, o->sock->proc);
		fputc('}', f);
		return;
	}
	const struct ipcg_kseg *k = o->seg;
	fprintf(f, "{\"shmid\":%" PRId64 ",\"key\":", k->shmid);
	ipcg_json_cstr(f, o->made->key);
	fprintf(f, ",\"size\":%" PRIu64 ",\"state\":\"%s\",\"nattch\":%" PRIu64
		",\"mode\":\"0%o\",\"cpid\":%" PRId64 ",\"lpid\":%" PRId64 ",\"ctime\":%" PRId64
		",\"create_seq\":%" PRIu64 ",\"created_realtime_ns\":",
		k->size, seg_state_name[o->state], k->nattch, k->mode & 0777, k->cpid, k->lpid,
		k->ctime, o->made->seq);
	if (o->made->created_ns)
		fprintf(f, "%" PRIu64, o->made->created_ns);
	else
		fputs("null", f);		/* created in a part not given */
	fputs(",\"mapped_by\":[", f);
	for (size_t i = 0; i < k->nusers; i++)
		fprintf(f, "%s%" PRId64, i ? "," : "", k->users[i]);
	fputs("],\"creator\":", f);
	json_proc(f, o->made->proc);
	fputc('}', f);
}

static void json_out(struct leaks *l, struct site **v, size_t n)
{
	FILE *f = stdout;
	size_t shown = l->top && l->top < n ? l->top : n;

	fputs("{\"host\":", f);
	ipcg_json_cstr(f, ipcg_live_host());
	if (l->kseg_err < 0) {
		fputs(",\"kernel_error\":", f);
		ipcg_json_cstr(f, strerror(-l->kseg_err));
	}
	fprintf(f, ",\"kernel_segments\":%zu,\"untraced_segments\":%zu,\"untraced_bytes\":%" PRIu64
		",\"sites\":[", l->nkseg, l->nuntraced, l->untraced_bytes);
	for (size_t i = 0; i < shown; i++) {
		struct site *s = v[i];
		fprintf(f, "%s{\"object\":\"%s\",\"count\":%" PRIu64, i ? "," : "",
			s->is_sock ? "socket" : "segment", s->total);
		if (!s->is_sock)
			fprintf(f, ",\"bytes\":%" PRIu64, s->total_bytes);
		fputs(",\"by_state\":{", f);
		unsigned nst = s->is_sock ? SOCK_NSTATES : SEG_NSTATES;
		for (unsigned st = 0; st < nst; st++) {
			fprintf(f, "%s\"%s\":{\"count\":%" PRIu64, st ? "," : "",
				s->is_sock ? sock_state_name[st] : seg_state_name[st], s->count[st]);
			if (!s->is_sock)
				fprintf(f, ",\"bytes\":%" PRIu64, s->bytes[st]);
			fputc('}', f);
		}
		fputs("},\"stack\":", f);
		ipcg_json_frames(f, l->sym, s->proc, s->stack, 0);
		fputs(",\"objects\":[", f);
		for (size_t k = 0; k < s->nobjs; k++) {
			if (k)
				fputc(',', f);
			json_obj(f, s->objs[k]);
		}
		fputs("]}", f);
	}
	fprintf(f, "],\"more_sites\":%zu,\"processes\":[", n - shown);
	for (size_t i = 0; i < l->ts.nprocs; i++) {
		if (i)
			fputc(',', f);
		json_proc(f, l->ts.procs[i]);
	}
	fputs("]}\n", f);
}

/* --- command --- */

static void release(struct leaks *l)
{
	struct made_seg *s, *ts;
	struct made_sock *k, *tk;
	struct site *g, *tg;

	HASH_ITER(hh, l->segs, s, ts) {
		HASH_DEL(l->segs, s);
		while (s) {
			struct made_seg *older = s->older;
			free(s->key);
			free(s);
			s = older;
		}
	}
	HASH_ITER(hh, l->socks, k, tk) {
		HASH_DEL(l->socks, k);
		free(k->path);
		free(k);
	}
	HASH_ITER(hh, l->sites, g, tg) {
		HASH_DEL(l->sites, g);
		free(g->text);
		free(g->objs);
		free(g);
	}
	free(l->objs);
	ipcg_live_segments_free(l->kseg, l->nkseg);
	ipcg_traceset_release(&l->ts);
}

int ipcg_cmd_leaks(int argc, char **argv)
{
	struct leaks l = { .top = DEFAULT_TOP, .list = DEFAULT_LIST };
	const struct ipcg_cli_opt opts[] = {
		IPCG_CLI_OPT_FLAG("json", 0, &l.json),
		IPCG_CLI_OPT_UINT("top", &l.top),
		IPCG_CLI_OPT_UINT("list", &l.list),
		IPCG_CLI_OPT_DEBUG_DIR,
		IPCG_CLI_OPT_END,
	};
	struct ipcg_load_ops ops = { .record = on_record };
	struct ipcg_cli cli;
	struct site **v = NULL;
	size_t n = 0;
	int rc = ipcg_cli_parse(&cli, "leaks", "usage: ipcguard leaks [--json] [--top N] [--list N] "
				"[--debug-dir DIR] TRACE...\n", opts, argc, argv);

	if (rc >= 0)
		goto out;
	if (ipcg_cli_start(&cli) < 0 || (l.sym = cli.sym,
					 ipcg_cli_load(&cli, &ops, &l, &l.ts) < 0) || l.oom ||
	    join_segments(&l) < 0 || join_sockets(&l) < 0 || group(&l) < 0 ||
	    !(v = sorted_sites(&l, &n))) {
		rc = ipcg_cli_oom(&cli);
		goto out;
	}
	if (l.json)
		json_out(&l, v, n);
	else
		text_out(&l, v, n);
	ipcg_sym_notes(l.sym, stderr);
	rc = ipcg_cli_finish(&l.ts);
out:
	free(v);
	release(&l);
	ipcg_cli_release(&cli);
	return rc;
}
