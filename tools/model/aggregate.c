/* Report model (see aggregate.h): a consumer of trace_load records. */
#include "ipcg/format.h"
#include "model/aggregate.h"
#include "model/lifetime.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ipcg_interned {
	char *s;
	UT_hash_handle hh;
};

struct pstate {				/* per process, beside its lifetime model */
	uint64_t get_seq;		/* last successful shmget that created */
	int64_t get_shmid;
	bool get_created;
};

static const struct ipcg_life_ops agg_life_ops;

static const char *const act_names[IPCG_ACT_COUNT] = {
	"ftok", "created", "got", "attached", "detached", "removed",
	"bound", "listened", "connected", "accepted",
};

const char *ipcg_act_name(unsigned i)
{
	return i < IPCG_ACT_COUNT ? act_names[i] : "?";
}

const char *ipcg_okind_name(enum ipcg_okind k)
{
	static const char *const n[] = { "key", "shmid", "path", "abstract" };
	return (unsigned)k < 4 ? n[k] : "?";
}

void ipcg_agg_init(struct ipcg_agg *a)
{
	memset(a, 0, sizeof(*a));
	a->leaks_tail = &a->leaks;
	a->life.ops = &agg_life_ops;
	a->life.ctx = a;
}

static const char *intern(struct ipcg_agg *a, const char *s)
{
	struct ipcg_interned *e;

	HASH_FIND_STR(a->kinds, s, e);
	if (e)
		return e->s;
	e = calloc(1, sizeof(*e));
	if (!e || !(e->s = strdup(s))) {
		free(e);
		return "?";
	}
	HASH_ADD_KEYPTR(hh, a->kinds, e->s, strlen(e->s), e);
	return e->s;
}

/* --- objects shared between processes --- */

static struct ipcg_obj *obj_find(struct ipcg_agg *a, const struct ipcg_proc *p,
				 enum ipcg_okind kind, const char *value, bool create)
{
	const char *host = p->host ? p->host : "";
	size_t hl = strlen(host), vl = strlen(value), n = hl + 1 + 1 + vl;
	char stackbuf[512], *k = n <= sizeof(stackbuf) ? stackbuf : malloc(n);
	struct ipcg_obj *o;

	if (!k)
		return NULL;
	memcpy(k, host, hl + 1);
	k[hl + 1] = (char)('0' + kind);
	memcpy(k + hl + 2, value, vl);
	HASH_FIND(hh, a->objs, k, n, o);
	if (o || !create) {
		if (k != stackbuf)
			free(k);
		return o;
	}
	/* one block: the object, its hash key, its value (fewer mallocs: a trace of
	 * short-lived segments creates and retires objects all the time) */
	o = malloc(sizeof(*o) + n + vl + 1);
	if (!o) {
		if (k != stackbuf)
			free(k);
		return NULL;
	}
	memset(o, 0, sizeof(*o));
	o->users = o->inl;
	o->hkey = (char *)(o + 1);
	o->value = o->hkey + n;
	memcpy(o->hkey, k, n);
	memcpy(o->value, value, vl + 1);
	o->hkey_len = n;
	o->kind = kind;
	o->host = p->host;
	HASH_ADD_KEYPTR(hh, a->objs, o->hkey, o->hkey_len, o);
	if (k != stackbuf)
		free(k);
	return o;
}

static void touch(struct ipcg_agg *a, struct ipcg_proc *p, enum ipcg_okind kind,
		  const char *value, unsigned act)
{
	struct ipcg_obj *o = obj_find(a, p, kind, value, true);

	if (!o)
		return;
	for (unsigned i = 0; i < o->nusers; i++)
		if (o->users[i].proc == p) {
			o->users[i].acts |= act;
			return;
		}
	if (o->nusers == IPCG_OBJ_MAX_PROCS) {
		o->more_users++;
		return;
	}
	if (o->users == o->inl && o->nusers == sizeof(o->inl) / sizeof(o->inl[0])) {
		struct ipcg_user *u = malloc(IPCG_OBJ_MAX_PROCS * sizeof(*u));
		if (!u) {
			o->more_users++;
			return;
		}
		memcpy(u, o->inl, sizeof(o->inl));
		o->users = u;
	}
	o->users[o->nusers].proc = p;
	o->users[o->nusers].acts = act;
	o->nusers++;
}

static void untouch(struct ipcg_agg *a, struct ipcg_proc *p, enum ipcg_okind kind,
		    const char *value, unsigned clear, unsigned set)
{
	struct ipcg_obj *o = obj_find(a, p, kind, value, false);

	for (unsigned i = 0; o && i < o->nusers; i++)
		if (o->users[i].proc == p)
			o->users[i].acts = (o->users[i].acts & ~clear) | set;
}

static void obj_free(struct ipcg_obj *o)
{
	if (o->users != o->inl)
		free(o->users);
	free(o);			/* key and value live in the same block */
}

/* Forgets an object only one process used: it cannot be shared any more. */
static void retire(struct ipcg_agg *a, struct ipcg_proc *p, enum ipcg_okind kind,
		   const char *value)
{
	struct ipcg_obj *o = obj_find(a, p, kind, value, false);

	if (o && o->nusers == 1 && !o->more_users && o->users[0].proc == p) {
		HASH_DEL(a->objs, o);
		obj_free(o);
	}
}

/* --- per-process state --- */

static struct pstate *pst(struct ipcg_proc *p)
{
	void **u = ipcg_life_user(p);

	if (u && !*u)
		*u = calloc(1, sizeof(struct pstate));
	return u ? *u : NULL;
}

static void shmid_str(char *buf, size_t n, int64_t shmid)
{
	char tmp[24];			/* decimal, without printf: this is per call */
	size_t i = sizeof(tmp), o = 0;
	uint64_t u = shmid < 0 ? 0 - (uint64_t)shmid : (uint64_t)shmid;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (shmid < 0)
		tmp[--i] = '-';
	for (; i < sizeof(tmp) && o + 1 < n; i++)
		buf[o++] = tmp[i];
	buf[o] = '0' - '0';
}

/* A segment's key as an object value: NULL for IPC_PRIVATE (or none). */
static const char *seg_key(const struct ipcg_life_obj *g)
{
	return g && g->key && !g->priv ? g->key : NULL;
}

static enum ipcg_okind name_kind(bool abstract)
{
	return abstract ? IPCG_OBJ_ABSTRACT : IPCG_OBJ_PATH;
}

/* Whether this shmget created the segment: IPC_PRIVATE, IPC_CREAT|IPC_EXCL,
 * or IPC_CREAT of a shmid no process was seen using; the lifetime model
 * follows it only then. */
static void on_shmget(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		      struct ipcg_life_call *c, const struct ipcg_rec *r)
{
	char idbuf[24];
	bool have = ipcg_life_find(p, IPCG_LIFE_SEGMENT, (uint64_t)c->shmid) != NULL;

	shmid_str(idbuf, sizeof(idbuf), c->shmid);
	struct ipcg_obj *o = obj_find(a, p, IPCG_OBJ_SHMID, idbuf, false);
	bool known = have || (o && o->nusers);
	bool created = c->priv || (c->creat && (c->excl || !known));

	c->creates = created;
	s->get_seq = r->seq;
	s->get_shmid = c->shmid;
	s->get_created = created && !have;
	touch(a, p, IPCG_OBJ_SHMID, idbuf, created ? IPCG_ACT_CREATED : IPCG_ACT_GOT);
	if (c->key && !c->priv)
		touch(a, p, IPCG_OBJ_KEY, c->key, created ? IPCG_ACT_CREATED : IPCG_ACT_GOT);
}

/* IPC_RMID: a segment only this process used and attached nowhere here is
 * gone (one still attached lives on until its last detach). */
static void on_rmid(struct ipcg_agg *a, struct ipcg_proc *p, const struct ipcg_life_call *c)
{
	const char *key = seg_key(ipcg_life_find(p, IPCG_LIFE_SEGMENT, (uint64_t)c->shmid));
	char idbuf[24];
	struct ipcg_obj *o;

	shmid_str(idbuf, sizeof(idbuf), c->shmid);
	touch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_REMOVED);
	o = obj_find(a, p, IPCG_OBJ_SHMID, idbuf, false);
	if (o && o->nusers == 1 && !ipcg_life_attached(p, c->shmid)) {
		retire(a, p, IPCG_OBJ_SHMID, idbuf);
		if (key)
			retire(a, p, IPCG_OBJ_KEY, key);
	}
}

/* The objects a call names, and what the process did with them. */
static void on_call(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		    struct ipcg_life_call *c, const struct ipcg_rec *r)
{
	const struct ipcg_life_obj *k;
	char idbuf[24];

	switch (c->op) {
	case IPCG_LOP_SHMGET:
		on_shmget(a, p, s, c, r);
		break;
	case IPCG_LOP_RMID:
		on_rmid(a, p, c);
		break;
	case IPCG_LOP_SHMAT:
		shmid_str(idbuf, sizeof(idbuf), c->shmid);
		touch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_ATTACHED);
		break;
	case IPCG_LOP_FTOK:
		touch(a, p, IPCG_OBJ_KEY, c->path, IPCG_ACT_FTOK);
		break;
	case IPCG_LOP_BIND:
		if (c->has_fd && c->name)
			touch(a, p, name_kind(c->abstract), c->name, IPCG_ACT_BOUND);
		break;
	case IPCG_LOP_CONNECT:
		if (c->name)
			touch(a, p, name_kind(c->abstract), c->name, IPCG_ACT_CONNECTED);
		break;
	case IPCG_LOP_LISTEN:
	case IPCG_LOP_ACCEPT:
		if (c->has_fd && (k = ipcg_life_find(p, IPCG_LIFE_SOCKET, (uint64_t)c->fd)) && k->name)
			touch(a, p, name_kind(k->abstract), k->name, c->op == IPCG_LOP_LISTEN ?
			      IPCG_ACT_LISTENED : IPCG_ACT_ACCEPTED);
		break;
	default:
		break;
	}
}

/* A checkpoint's live record: its objects as their calls would have. */
static void on_live(struct ipcg_agg *a, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	const struct ipcg_live *l = &r->live;
	struct ipcg_life_call c;
	char idbuf[24];

	switch (l->obj) {
	case IPCG_LIVE_SEGMENT: {
		unsigned act = l->created ? IPCG_ACT_CREATED : IPCG_ACT_GOT;

		shmid_str(idbuf, sizeof(idbuf), l->shmid);
		touch(a, p, IPCG_OBJ_SHMID, idbuf, act | (l->removed ? IPCG_ACT_REMOVED : 0));
		if (strcmp(l->key, "IPC_PRIVATE"))
			touch(a, p, IPCG_OBJ_KEY, l->key, act);
		break;
	}
	case IPCG_LIVE_ATTACH:
		shmid_str(idbuf, sizeof(idbuf), l->shmid);
		touch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_ATTACHED);
		break;
	case IPCG_LIVE_SOCKET:
		memset(&c, 0, sizeof(c));
		if (r->live.addr && (c.name = ipcg_life_sockaddr_name(r->jp, l->addr, &c.abstract)))
			touch(a, p, name_kind(c.abstract), c.name,
			      IPCG_ACT_BOUND | (l->listening ? IPCG_ACT_LISTENED : 0));
		break;
	}
}

static void life_call(void *ctx, struct ipcg_proc *p, struct ipcg_life_call *c,
		      const struct ipcg_rec *r)
{
	struct ipcg_agg *a = ctx;
	struct pstate *s = pst(p);

	if (!s)
		return;
	if (r->type == IPCG_R_LIVE)
		on_live(a, p, r);
	else
		on_call(a, p, s, c, r);
}

/* An object's end by its call: a detach of a segment removed earlier and
 * attached nowhere else here is the segment's end; a closed socket's name
 * only this process used is gone. */
static void life_end(void *ctx, struct ipcg_proc *p, struct ipcg_life_obj *o,
		     enum ipcg_life_end why, const struct ipcg_rec *r)
{
	struct ipcg_agg *a = ctx;
	char idbuf[24];

	if (why != IPCG_LEND_CALL)
		return;
	if (o->k.kind == IPCG_LIFE_ATTACH) {
		struct ipcg_obj *so;

		shmid_str(idbuf, sizeof(idbuf), o->shmid);
		touch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_DETACHED);
		so = obj_find(a, p, IPCG_OBJ_SHMID, idbuf, false);
		if (so && !ipcg_life_attached(p, o->shmid) && so->nusers == 1 &&
		    (so->users[0].acts & IPCG_ACT_REMOVED))
			retire(a, p, IPCG_OBJ_SHMID, idbuf);
	} else if (o->k.kind == IPCG_LIFE_SOCKET && o->name) {
		retire(a, p, name_kind(o->abstract), o->name);
	}
}

static void count_fn(struct ipcg_agg *a, const struct ipcg_rec *r)
{
	struct ipcg_fnstat *f;

	HASH_FIND_STR(a->fns, r->fn, f);
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f || !(f->fn = strdup(r->fn))) {
			free(f);
			return;
		}
		HASH_ADD_KEYPTR(hh, a->fns, f->fn, strlen(f->fn), f);
	}
	f->calls++;
	a->ncalls++;
	if (!r->failed)
		return;
	f->errors++;
	a->nerrors++;
	for (unsigned i = 0; i < f->nerrnos; i++)
		if (!strcmp(f->errnos[i].name, r->err)) {
			f->errnos[i].count++;
			return;
		}
	if (f->nerrnos < IPCG_MAX_ERRNOS && (f->errnos[f->nerrnos].name = strdup(r->err)))
		f->errnos[f->nerrnos++].count = 1;
}

static bool is_leak_kind(const char *k)
{
	return !strcmp(k, IPCG_KIND_ATTACHED_AT_EXIT) || !strcmp(k, IPCG_KIND_SEGMENT_LEAK) ||
	       !strcmp(k, IPCG_KIND_SOCKET_FILE_LEAK);
}

static char *fact_str(const struct ipcg_rec *r, const char *k)
{
	const struct ipcg_jv *v = ipcg_jv_get(r->jp, r->obj, k);
	return ipcg_jv_is_str(v) ? strdup(v->s) : NULL;
}

static struct ipcg_leak *leak_new(struct ipcg_agg *a, struct ipcg_proc *p, enum ipcg_leak_src src,
				  const char *kind, const struct ipcg_stack *st)
{
	struct ipcg_leak *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->proc = p;
	l->src = src;
	l->kind = strdup(kind);
	l->stack = st;
	l->fd = -1;
	*a->leaks_tail = l;
	a->leaks_tail = &l->next;
	return l;
}

/* Findings the library counted instead of writing (IPCGUARD_REPEATS): added
 * to their site's group, which the written ones created (in an earlier
 * part, when that part was not given: the group starts here). Each part's
 * finding_repeats count that part's findings: the sum is the total. */
static void on_repeats(struct ipcg_agg *a, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	struct ipcg_fgroup key, *g;

	memset(&key, 0, sizeof(key));
	key.k.proc = p;
	key.k.stack = r->stack;
	key.k.kind = intern(a, r->kind);
	HASH_FIND(hh, a->groups, &key.k, sizeof(key.k), g);
	if (!g && r->repeats && (p->first_part > 0 || p->parts_gap) && (g = calloc(1, sizeof(*g)))) {
		g->k = key.k;
		g->sev = r->sev;
		g->message = strdup("(written in full in a part not given)");
		HASH_ADD(hh, a->groups, k, sizeof(g->k), g);
	}
	if (!g || g->count + r->repeats < g->count)
		return;			/* none written (a hostile trace): nothing to add to */
	g->count += r->repeats;
	a->nfindings[r->sev] += r->repeats;
}

static void on_finding(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		       const struct ipcg_rec *r)
{
	struct ipcg_fgroup key, *g;

	a->nfindings[r->sev]++;
	memset(&key, 0, sizeof(key));
	key.k.proc = p;
	key.k.stack = r->stack;
	key.k.kind = intern(a, r->kind);
	HASH_FIND(hh, a->groups, &key.k, sizeof(key.k), g);
	if (!g && (g = calloc(1, sizeof(*g)))) {
		g->k = key.k;
		g->message = strdup(r->message);
		HASH_ADD(hh, a->groups, k, sizeof(g->k), g);
	}
	if (g) {
		g->count++;
		if (r->sev > g->sev)
			g->sev = r->sev;
	}
	/* a segment this process did not create after all */
	if (!strcmp(r->kind, IPCG_KIND_FOREIGN_SEGMENT) && r->has_seq && r->seq == s->get_seq &&
	    s->get_created) {
		struct ipcg_life_obj *sg = ipcg_life_find(p, IPCG_LIFE_SEGMENT,
							  (uint64_t)s->get_shmid);
		char idbuf[24];
		shmid_str(idbuf, sizeof(idbuf), s->get_shmid);
		untouch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_CREATED, IPCG_ACT_GOT);
		if (sg) {
			if (seg_key(sg))
				untouch(a, p, IPCG_OBJ_KEY, seg_key(sg), IPCG_ACT_CREATED, IPCG_ACT_GOT);
			ipcg_life_forget(p, sg);
		}
		s->get_created = false;
	}
	if (!r->has_seq && is_leak_kind(r->kind)) {
		struct ipcg_leak *l = leak_new(a, p, IPCG_LEAK_EXIT, r->kind, r->stack);
		if (!l)
			return;
		l->message = strdup(r->message);
		l->has_shmid = ipcg_jv_i64(ipcg_jv_get(r->jp, r->obj, "shmid"), &l->shmid);
		l->key = fact_str(r, "key");
		l->path = fact_str(r, "path");
		l->abstract = fact_str(r, "abstract");
		l->shmaddr = fact_str(r, "shmaddr");
		l->has_size = ipcg_jv_u64(ipcg_jv_get(r->jp, r->obj, "size"), &l->size);
		const struct ipcg_jv *inh = ipcg_jv_get(r->jp, r->obj, "inherited");
		l->inherited = inh && inh->type == IPCG_JV_BOOL && inh->b;
		if (!ipcg_jv_u64(ipcg_jv_get(r->jp, r->obj, "create_seq"), &l->create_seq) &&
		    !ipcg_jv_u64(ipcg_jv_get(r->jp, r->obj, "attach_seq"), &l->create_seq))
			(void)ipcg_jv_u64(ipcg_jv_get(r->jp, r->obj, "bind_seq"), &l->create_seq);
	}
}

static void on_record(void *ctx, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	struct ipcg_agg *a = ctx;
	struct pstate *s = pst(p);

	if (!s)
		return;
	switch (r->type) {
	case IPCG_R_CALL:
		count_fn(a, r);
		ipcg_life_record(&a->life, p, r);
		break;
	case IPCG_R_FINDING:
		on_finding(a, p, s, r);
		break;
	case IPCG_R_FINDING_REPEATS:
		on_repeats(a, p, r);
		break;
	case IPCG_R_LIVE:
	case IPCG_R_CHECKPOINT:
		ipcg_life_record(&a->life, p, r);
		break;
	default:
		break;
	}
}

/* Held when a trace without exit record ended: a leak. */
static void life_held(void *ctx, struct ipcg_proc *p, struct ipcg_life_obj *o)
{
	struct ipcg_agg *a = ctx;
	enum ipcg_leak_src src = ipcg_proc_continues(p) ? IPCG_LEAK_CONT : IPCG_LEAK_END;
	struct ipcg_leak *l;
	char buf[256];

	if (p->have_exit)
		return;
	switch (o->k.kind) {
	case IPCG_LIFE_ATTACH:
		if (!(l = leak_new(a, p, src, "attached", o->stack)))
			return;
		snprintf(buf, sizeof(buf), "shmid %" PRId64 " still attached at 0x%" PRIx64,
			 o->shmid, o->addr);
		l->message = strdup(buf);
		l->has_shmid = true;
		l->shmid = o->shmid;
		snprintf(buf, sizeof(buf), "0x%" PRIx64, o->addr);
		l->shmaddr = strdup(buf);
		break;
	case IPCG_LIFE_SEGMENT: {
		const char *key = seg_key(o);

		if (!(l = leak_new(a, p, src, "segment", o->stack)))
			return;
		snprintf(buf, sizeof(buf), "segment shmid %" PRId64 "%s%s%s created and not removed",
			 o->shmid, key ? " (key " : "", key ? key : "", key ? ")" : "");
		l->message = strdup(buf);
		l->has_shmid = true;
		l->shmid = o->shmid;
		l->key = strdup(key ? key : "IPC_PRIVATE");
		l->has_size = o->size != 0;
		l->size = o->size;
		l->create_seq = o->seq;
		(void)ipcg_life_realtime(p, o->ts, &l->created_realtime_ns);
		break;
	}
	case IPCG_LIFE_SOCKET:
		if (!o->name || !(l = leak_new(a, p, src, "socket", o->stack)))
			return;
		snprintf(buf, sizeof(buf), "socket fd %" PRId64 " bound to %s%.200s still open",
			 o->fd, o->abstract ? "@" : "", o->name);
		l->message = strdup(buf);
		l->fd = o->fd;
		if (o->abstract)
			l->abstract = strdup(o->name);
		else
			l->path = strdup(o->name);
		break;
	}
}

/* Trace read to its end: without an exit record, what it still held is a leak. */
static void on_proc_end(void *ctx, struct ipcg_proc *p)
{
	struct ipcg_agg *a = ctx;
	void **u = p->user ? ipcg_life_user(p) : NULL;
	struct pstate *s = u ? *u : NULL;

	ipcg_life_proc_end(&a->life, p);
	free(s);
}

static const struct ipcg_life_ops agg_life_ops = {
	.call = life_call,
	.end = life_end,
	.held = life_held,
};

const struct ipcg_load_ops ipcg_agg_ops = {
	.record = on_record,
	.proc_end = on_proc_end,
};

void ipcg_agg_release(struct ipcg_agg *a)
{
	struct ipcg_fnstat *f, *ft;
	struct ipcg_fgroup *g, *gt;
	struct ipcg_interned *i, *it;
	struct ipcg_obj *o, *ot;
	struct ipcg_leak *l, *ln;

	HASH_ITER(hh, a->fns, f, ft) {
		HASH_DEL(a->fns, f);
		for (unsigned k = 0; k < f->nerrnos; k++)
			free(f->errnos[k].name);
		free(f->fn);
		free(f);
	}
	HASH_ITER(hh, a->groups, g, gt) {
		HASH_DEL(a->groups, g);
		free(g->message);
		free(g);
	}
	HASH_ITER(hh, a->kinds, i, it) {
		HASH_DEL(a->kinds, i);
		free(i->s);
		free(i);
	}
	HASH_ITER(hh, a->objs, o, ot) {
		HASH_DEL(a->objs, o);
		obj_free(o);
	}
	for (l = a->leaks; l; l = ln) {
		ln = l->next;
		free(l->kind);
		free(l->message);
		free(l->key);
		free(l->path);
		free(l->abstract);
		free(l->shmaddr);
		free(l);
	}
	memset(a, 0, sizeof(*a));
}
