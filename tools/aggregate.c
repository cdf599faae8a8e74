/* Report model (see aggregate.h): a consumer of trace_load records. */
#include "aggregate.h"
#include "ipcg/format.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ipcg_interned {
	char *s;
	UT_hash_handle hh;
};

struct seg {				/* a segment this process created */
	int64_t shmid;
	char *key;			/* NULL for IPC_PRIVATE */
	uint64_t size, seq, ts;		/* from the creating shmget */
	const struct ipcg_stack *stack;
	UT_hash_handle hh;
};

struct att {				/* an attach not yet detached */
	uint64_t addr;
	int64_t shmid;
	const struct ipcg_stack *stack;
	UT_hash_handle hh;
};

struct sock {				/* an open tracked socket */
	int64_t fd;
	char *name;			/* bound or listening name, or NULL */
	bool abstract;
	bool bound;			/* this process bound it */
	const struct ipcg_stack *stack;	/* of the bind (or socket) call */
	UT_hash_handle hh;
};

struct pstate {
	struct seg *segs;
	struct att *atts;
	struct sock *socks;
	uint64_t get_seq;		/* last successful shmget that created */
	int64_t get_shmid;
	bool get_created;
};

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

static const struct ipcg_jv *arg(const struct ipcg_rec *r, const char *k)
{
	return ipcg_jv_get(r->jp, r->args, k);
}

static bool arg_i64(const struct ipcg_rec *r, const char *k, int64_t *ret)
{
	return ipcg_jv_i64(arg(r, k), ret);
}

static const char *arg_str(const struct ipcg_rec *r, const char *k)
{
	const struct ipcg_jv *v = arg(r, k);
	return ipcg_jv_is_str(v) ? v->s : NULL;
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
	if (!p->user)
		p->user = calloc(1, sizeof(struct pstate));
	return p->user;
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

static void on_shmget(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		      const struct ipcg_rec *r)
{
	const char *key = arg_str(r, "key"), *flg = arg_str(r, "shmflg");
	bool priv = key && !strcmp(key, "IPC_PRIVATE");
	int64_t shmid;
	char idbuf[24];
	struct seg *g;

	if (r->failed || !ipcg_jv_i64(r->ret, &shmid) || shmid < 0)
		return;
	shmid_str(idbuf, sizeof(idbuf), shmid);
	HASH_FIND(hh, s->segs, &shmid, sizeof(shmid), g);
	bool creat = flg && strstr(flg, "IPC_CREAT");
	bool excl = flg && strstr(flg, "IPC_EXCL");
	struct ipcg_obj *o = obj_find(a, p, IPCG_OBJ_SHMID, idbuf, false);
	bool known = g || (o && o->nusers);
	bool created = priv || (creat && (excl || !known));

	s->get_seq = r->seq;
	s->get_shmid = shmid;
	s->get_created = created && !g;
	touch(a, p, IPCG_OBJ_SHMID, idbuf, created ? IPCG_ACT_CREATED : IPCG_ACT_GOT);
	if (key && !priv)
		touch(a, p, IPCG_OBJ_KEY, key, created ? IPCG_ACT_CREATED : IPCG_ACT_GOT);
	if (created && !g && (g = calloc(1, sizeof(*g)))) {
		g->shmid = shmid;
		g->key = key && !priv ? strdup(key) : NULL;
		g->stack = r->stack;
		(void)ipcg_jv_u64(ipcg_jv_get(r->jp, r->args, "size"), &g->size);
		g->seq = r->seq;
		g->ts = r->ts;
		HASH_ADD(hh, s->segs, shmid, sizeof(g->shmid), g);
	}
}

static void on_shmat(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		     const struct ipcg_rec *r)
{
	int64_t shmid;
	uint64_t addr;
	char idbuf[24];
	struct att *t;

	if (r->failed || !arg_i64(r, "shmid", &shmid) || !ipcg_jv_hex(r->ret, &addr))
		return;
	shmid_str(idbuf, sizeof(idbuf), shmid);
	touch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_ATTACHED);
	HASH_FIND(hh, s->atts, &addr, sizeof(addr), t);
	if (!t && (t = calloc(1, sizeof(*t)))) {
		t->addr = addr;
		HASH_ADD(hh, s->atts, addr, sizeof(t->addr), t);
	}
	if (t) {
		t->shmid = shmid;
		t->stack = r->stack;
	}
}

static void on_shmdt(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		     const struct ipcg_rec *r)
{
	uint64_t addr;
	char idbuf[24];
	struct att *t;

	if (r->failed || !ipcg_jv_hex(arg(r, "shmaddr"), &addr))
		return;
	HASH_FIND(hh, s->atts, &addr, sizeof(addr), t);
	if (!t)
		return;
	int64_t shmid = t->shmid;
	shmid_str(idbuf, sizeof(idbuf), t->shmid);
	touch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_DETACHED);
	HASH_DEL(s->atts, t);
	free(t);
	{	/* removed earlier and now detached here: the segment is gone */
		struct ipcg_obj *o = obj_find(a, p, IPCG_OBJ_SHMID, idbuf, false);
		struct att *u, *ut;
		bool attached = false;
		HASH_ITER(hh, s->atts, u, ut)
			if (u->shmid == shmid)
				attached = true;
		if (o && !attached && o->nusers == 1 && (o->users[0].acts & IPCG_ACT_REMOVED))
			retire(a, p, IPCG_OBJ_SHMID, idbuf);
	}
}

static void on_shmctl(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		      const struct ipcg_rec *r)
{
	const char *cmd = arg_str(r, "cmd");
	int64_t shmid;
	char idbuf[24];
	struct seg *g;
	struct ipcg_obj *o;
	char *key = NULL;

	if (r->failed || !cmd || strcmp(cmd, "IPC_RMID") || !arg_i64(r, "shmid", &shmid))
		return;
	shmid_str(idbuf, sizeof(idbuf), shmid);
	touch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_REMOVED);
	HASH_FIND(hh, s->segs, &shmid, sizeof(shmid), g);
	if (g) {
		HASH_DEL(s->segs, g);
		key = g->key;
		free(g);
	}
	/* still attached here: the segment lives on until detached */
	o = obj_find(a, p, IPCG_OBJ_SHMID, idbuf, false);
	if (o && o->nusers == 1) {
		struct att *t, *tt;
		bool attached = false;
		HASH_ITER(hh, s->atts, t, tt)
			if (t->shmid == shmid)
				attached = true;
		if (!attached) {
			retire(a, p, IPCG_OBJ_SHMID, idbuf);
			if (key)
				retire(a, p, IPCG_OBJ_KEY, key);
		}
	}
	free(key);
}

static struct sock *sock_get(struct pstate *s, int64_t fd, bool create)
{
	struct sock *k;

	HASH_FIND(hh, s->socks, &fd, sizeof(fd), k);
	if (!k && create && (k = calloc(1, sizeof(*k)))) {
		k->fd = fd;
		HASH_ADD(hh, s->socks, fd, sizeof(k->fd), k);
	}
	return k;
}

static void sock_free(struct sock *k)
{
	free(k->name);
	free(k);
}

/* Bytes of a name as printable text: non-printable bytes become \xNN, a
 * backslash \\ (abstract names may hold NUL bytes). Returns a static buffer. */
static const char *printable(const struct ipcg_jv *v)
{
	static char buf[4 * 108 + 1];	/* sun_path is 108 bytes; longer is cut */
	size_t o = 0;

	for (uint32_t i = 0; i < v->len && o + 5 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)v->s[i];
		if (c == '\\')
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/* The name in a sockaddr: path or abstract (printable); NULL for others. */
static const char *sockaddr_name(const struct ipcg_jsonr *jp, const struct ipcg_jv *ad,
				 bool *ret_abstract)
{
	const struct ipcg_jv *v;

	if (!ad || ad->type != IPCG_JV_OBJ)
		return NULL;
	if ((v = ipcg_jv_get(jp, ad, "path")) && v->type == IPCG_JV_STR) {
		*ret_abstract = false;
		return printable(v);
	}
	if ((v = ipcg_jv_get(jp, ad, "abstract")) && v->type == IPCG_JV_STR) {
		*ret_abstract = true;
		return printable(v);
	}
	return NULL;
}

static const char *addr_name(const struct ipcg_rec *r, const char *key, bool *ret_abstract)
{
	return sockaddr_name(r->jp, arg(r, key), ret_abstract);
}

static void on_unix(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		    const struct ipcg_rec *r)
{
	int64_t fd, ret;
	bool abs = false;
	const char *name;
	struct sock *k;

	if (r->failed)
		return;
	if (!strcmp(r->fn, "socket")) {
		if (ipcg_jv_i64(r->ret, &ret) && ret >= 0 && (k = sock_get(s, ret, true))) {
			free(k->name);
			k->name = NULL;
			k->bound = false;
			k->stack = r->stack;
		}
	} else if (!strcmp(r->fn, "socketpair")) {
		const struct ipcg_jv *sv = arg(r, "sv");
		for (const struct ipcg_jv *e = ipcg_jv_first(r->jp, sv); e; e = ipcg_jv_next(r->jp, e))
			if (ipcg_jv_i64(e, &fd) && (k = sock_get(s, fd, true)))
				k->stack = r->stack;
	} else if (!strcmp(r->fn, "bind")) {
		if (!arg_i64(r, "sockfd", &fd) || !(name = addr_name(r, "addr", &abs)))
			return;
		touch(a, p, abs ? IPCG_OBJ_ABSTRACT : IPCG_OBJ_PATH, name, IPCG_ACT_BOUND);
		if ((k = sock_get(s, fd, true))) {
			free(k->name);
			k->name = strdup(name);
			k->abstract = abs;
			k->bound = true;
			k->stack = r->stack;
		}
	} else if (!strcmp(r->fn, "listen")) {
		if (arg_i64(r, "sockfd", &fd) && (k = sock_get(s, fd, false)) && k->name)
			touch(a, p, k->abstract ? IPCG_OBJ_ABSTRACT : IPCG_OBJ_PATH, k->name,
			      IPCG_ACT_LISTENED);
	} else if (!strcmp(r->fn, "connect")) {
		if ((name = addr_name(r, "addr", &abs)))
			touch(a, p, abs ? IPCG_OBJ_ABSTRACT : IPCG_OBJ_PATH, name, IPCG_ACT_CONNECTED);
	} else if (!strcmp(r->fn, "accept") || !strcmp(r->fn, "accept4")) {
		if (arg_i64(r, "sockfd", &fd) && (k = sock_get(s, fd, false)) && k->name)
			touch(a, p, k->abstract ? IPCG_OBJ_ABSTRACT : IPCG_OBJ_PATH, k->name,
			      IPCG_ACT_ACCEPTED);
		if (ipcg_jv_i64(r->ret, &ret) && ret >= 0 && (k = sock_get(s, ret, true)))
			k->stack = r->stack;
	} else if (!strcmp(r->fn, "close")) {
		if (!arg_i64(r, "fd", &fd) || !(k = sock_get(s, fd, false)))
			return;
		if (k->bound && k->name)
			retire(a, p, k->abstract ? IPCG_OBJ_ABSTRACT : IPCG_OBJ_PATH, k->name);
		HASH_DEL(s->socks, k);
		sock_free(k);
	}
}

/* An object a checkpoint says the process holds (its earlier part was not
 * read): as if its creating (attaching, binding) call had been seen, at the
 * checkpoint's time. A call of the same seq after it finds it known. */
static void on_live(struct ipcg_agg *a, struct ipcg_proc *p, struct pstate *s,
		    const struct ipcg_rec *r)
{
	const struct ipcg_live *l = &r->live;
	char idbuf[24];
	bool abs = false;
	const char *name;
	struct seg *g;
	struct att *t;
	struct sock *k;

	switch (l->obj) {
	case IPCG_LIVE_SEGMENT: {
		bool priv = !strcmp(l->key, "IPC_PRIVATE");
		unsigned act = l->created ? IPCG_ACT_CREATED : IPCG_ACT_GOT;

		shmid_str(idbuf, sizeof(idbuf), l->shmid);
		touch(a, p, IPCG_OBJ_SHMID, idbuf, act | (l->removed ? IPCG_ACT_REMOVED : 0));
		if (!priv)
			touch(a, p, IPCG_OBJ_KEY, l->key, act);
		if (!l->created || l->removed)
			break;
		HASH_FIND(hh, s->segs, &l->shmid, sizeof(l->shmid), g);
		if (g || !(g = calloc(1, sizeof(*g))))
			break;
		g->shmid = l->shmid;
		g->key = priv ? NULL : strdup(l->key);
		g->stack = r->stack;
		g->size = l->size;
		g->seq = r->has_seq ? r->seq : 0;
		g->ts = 0;			/* the checkpoint's, when it ends */
		HASH_ADD(hh, s->segs, shmid, sizeof(g->shmid), g);
		break;
	}
	case IPCG_LIVE_ATTACH:
		shmid_str(idbuf, sizeof(idbuf), l->shmid);
		touch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_ATTACHED);
		HASH_FIND(hh, s->atts, &l->shmaddr, sizeof(l->shmaddr), t);
		if (!t && (t = calloc(1, sizeof(*t)))) {
			t->addr = l->shmaddr;
			HASH_ADD(hh, s->atts, addr, sizeof(t->addr), t);
		}
		if (t) {
			t->shmid = l->shmid;
			t->stack = r->stack;
		}
		break;
	case IPCG_LIVE_SOCKET:
		if (!(name = sockaddr_name(r->jp, l->addr, &abs)))
			break;
		touch(a, p, abs ? IPCG_OBJ_ABSTRACT : IPCG_OBJ_PATH, name,
		      IPCG_ACT_BOUND | (l->listening ? IPCG_ACT_LISTENED : 0));
		if (l->sockfd >= 0 && (k = sock_get(s, l->sockfd, true))) {
			free(k->name);
			k->name = strdup(name);
			k->abstract = abs;
			k->bound = true;
			k->stack = r->stack;
		}
		break;
	}
}

/* The checkpoint's end: the time of the segments its live records made. */
static void on_checkpoint(struct pstate *s, const struct ipcg_rec *r)
{
	struct seg *g, *gt;

	HASH_ITER(hh, s->segs, g, gt)
		if (!g->ts)
			g->ts = r->ts;
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
		struct seg *sg;
		char idbuf[24];
		HASH_FIND(hh, s->segs, &s->get_shmid, sizeof(s->get_shmid), sg);
		shmid_str(idbuf, sizeof(idbuf), s->get_shmid);
		untouch(a, p, IPCG_OBJ_SHMID, idbuf, IPCG_ACT_CREATED, IPCG_ACT_GOT);
		if (sg) {
			if (sg->key)
				untouch(a, p, IPCG_OBJ_KEY, sg->key, IPCG_ACT_CREATED, IPCG_ACT_GOT);
			HASH_DEL(s->segs, sg);
			free(sg->key);
			free(sg);
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
		if (!strcmp(r->fn, "shmget"))
			on_shmget(a, p, s, r);
		else if (!strcmp(r->fn, "shmat"))
			on_shmat(a, p, s, r);
		else if (!strcmp(r->fn, "shmdt"))
			on_shmdt(a, p, s, r);
		else if (!strcmp(r->fn, "shmctl"))
			on_shmctl(a, p, s, r);
		else if (!strcmp(r->fn, "ftok")) {
			if (!r->failed && ipcg_jv_is_str(r->ret))
				touch(a, p, IPCG_OBJ_KEY, r->ret->s, IPCG_ACT_FTOK);
		} else
			on_unix(a, p, s, r);
		break;
	case IPCG_R_FINDING:
		on_finding(a, p, s, r);
		break;
	case IPCG_R_FINDING_REPEATS:
		on_repeats(a, p, r);
		break;
	case IPCG_R_LIVE:
		on_live(a, p, s, r);
		break;
	case IPCG_R_CHECKPOINT:
		on_checkpoint(s, r);
		break;
	default:
		break;
	}
}

/* Trace read to its end: without an exit record, what it still held is a leak. */
static void on_proc_end(void *ctx, struct ipcg_proc *p)
{
	struct ipcg_agg *a = ctx;
	struct pstate *s = p->user;
	struct seg *g, *gt;
	struct att *t, *tt;
	struct sock *k, *kt;
	char buf[256];
	enum ipcg_leak_src src = ipcg_proc_continues(p) ? IPCG_LEAK_CONT : IPCG_LEAK_END;

	if (!s)
		return;
	HASH_ITER(hh, s->atts, t, tt) {
		if (!p->have_exit) {
			struct ipcg_leak *l = leak_new(a, p, src, "attached", t->stack);
			if (l) {
				snprintf(buf, sizeof(buf), "shmid %" PRId64 " still attached at 0x%" PRIx64,
					 t->shmid, t->addr);
				l->message = strdup(buf);
				l->has_shmid = true;
				l->shmid = t->shmid;
				snprintf(buf, sizeof(buf), "0x%" PRIx64, t->addr);
				l->shmaddr = strdup(buf);
			}
		}
		HASH_DEL(s->atts, t);
		free(t);
	}
	HASH_ITER(hh, s->segs, g, gt) {
		if (!p->have_exit) {
			struct ipcg_leak *l = leak_new(a, p, src, "segment", g->stack);
			if (l) {
				snprintf(buf, sizeof(buf), "segment shmid %" PRId64 "%s%s%s created and not removed",
					 g->shmid, g->key ? " (key " : "", g->key ? g->key : "",
					 g->key ? ")" : "");
				l->message = strdup(buf);
				l->has_shmid = true;
				l->shmid = g->shmid;
				l->key = g->key ? g->key : strdup("IPC_PRIVATE");
				g->key = NULL;
				l->has_size = g->size != 0;
				l->size = g->size;
				l->create_seq = g->seq;
				if (p->start_realtime_ns && p->start_ns && g->ts >= p->start_ns)
					l->created_realtime_ns = p->start_realtime_ns + (g->ts - p->start_ns);
			}
		}
		HASH_DEL(s->segs, g);
		free(g->key);
		free(g);
	}
	HASH_ITER(hh, s->socks, k, kt) {
		if (!p->have_exit && k->bound && k->name) {
			struct ipcg_leak *l = leak_new(a, p, src, "socket", k->stack);
			if (l) {
				snprintf(buf, sizeof(buf), "socket fd %" PRId64 " bound to %s%.200s still open",
					 k->fd, k->abstract ? "@" : "", k->name);
				l->message = strdup(buf);
				l->fd = k->fd;
				if (k->abstract)
					l->abstract = strdup(k->name);
				else
					l->path = strdup(k->name);
			}
		}
		HASH_DEL(s->socks, k);
		sock_free(k);
	}
	free(s);
	p->user = NULL;
}

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
