/* lifetime: the objects a traced process holds (see lifetime.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/lifetime.h"

struct lproc {				/* the model of one process (p->user) */
	struct ipcg_life_obj *objs[IPCG_LIFE_NKINDS];	/* by id, in the order they began */
	void *user;			/* the consumer's */
};

/* --- decoding calls --- */

static const struct ipcg_jv *arg(const struct ipcg_rec *r, const char *k)
{
	return r->args ? ipcg_jv_get(r->jp, r->args, k) : NULL;
}

static const char *arg_str(const struct ipcg_rec *r, const char *k)
{
	const struct ipcg_jv *v = arg(r, k);
	return ipcg_jv_is_str(v) ? v->s : NULL;
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

/* The string of a sockaddr object that names it: path, else abstract. */
static const struct ipcg_jv *sockaddr_str(const struct ipcg_jsonr *jp, const struct ipcg_jv *ad,
					  bool *ret_abstract)
{
	const struct ipcg_jv *v;

	if (!ad || ad->type != IPCG_JV_OBJ)
		return NULL;
	if ((v = ipcg_jv_get(jp, ad, "path")) && v->type == IPCG_JV_STR) {
		*ret_abstract = false;
		return v;
	}
	if ((v = ipcg_jv_get(jp, ad, "abstract")) && v->type == IPCG_JV_STR) {
		*ret_abstract = true;
		return v;
	}
	return NULL;
}

const char *ipcg_life_sockaddr_name(const struct ipcg_jsonr *jp, const struct ipcg_jv *ad,
				    bool *ret_abstract)
{
	const struct ipcg_jv *v = sockaddr_str(jp, ad, ret_abstract);

	return v ? printable(v) : NULL;
}

static void sockaddr_name(const struct ipcg_jsonr *jp, const struct ipcg_jv *ad,
			  struct ipcg_life_call *c)
{
	if ((c->addr_v = sockaddr_str(jp, ad, &c->abstract)))
		c->name = printable(c->addr_v);
}

static void decode_shm(const struct ipcg_rec *r, struct ipcg_life_call *c)
{
	const char *flg, *cmd;

	if (!strcmp(r->fn, "shmget")) {
		if (!ipcg_jv_i64(r->ret, &c->shmid) || c->shmid < 0)
			return;
		c->key = arg_str(r, "key");
		flg = arg_str(r, "shmflg");
		c->priv = c->key && !strcmp(c->key, "IPC_PRIVATE");
		c->creat = flg && strstr(flg, "IPC_CREAT");
		c->excl = flg && strstr(flg, "IPC_EXCL");
		c->has_size = ipcg_jv_u64(arg(r, "size"), &c->size);
		c->creates = c->priv || c->creat;
		c->op = IPCG_LOP_SHMGET;
	} else if (!strcmp(r->fn, "shmctl")) {
		cmd = arg_str(r, "cmd");
		if (cmd && !strcmp(cmd, "IPC_RMID") && ipcg_jv_i64(arg(r, "shmid"), &c->shmid))
			c->op = IPCG_LOP_RMID;
	} else if (!strcmp(r->fn, "shmat")) {
		if (ipcg_jv_i64(arg(r, "shmid"), &c->shmid) && ipcg_jv_hex(r->ret, &c->addr))
			c->op = IPCG_LOP_SHMAT;
	} else if (!strcmp(r->fn, "shmdt")) {
		if (ipcg_jv_hex(arg(r, "shmaddr"), &c->addr))
			c->op = IPCG_LOP_SHMDT;
	}
}

static void decode_unix(const struct ipcg_rec *r, struct ipcg_life_call *c)
{
	const char *fn = r->fn;

	if (!strcmp(fn, "socket") || !strcmp(fn, "accept") || !strcmp(fn, "accept4")) {
		if (!ipcg_jv_i64(r->ret, &c->newfd) || c->newfd < 0)
			c->newfd = -1;
		c->has_fd = fn[0] == 'a' && ipcg_jv_i64(arg(r, "sockfd"), &c->fd);
		if (fn[0] == 's' && c->newfd >= 0)
			c->op = IPCG_LOP_SOCKET;
		else if (fn[0] == 'a')
			c->op = IPCG_LOP_ACCEPT;
	} else if (!strcmp(fn, "socketpair")) {
		c->sv = arg(r, "sv");
		c->op = IPCG_LOP_SOCKETPAIR;
	} else if (!strcmp(fn, "bind") || !strcmp(fn, "connect")) {
		c->has_fd = ipcg_jv_i64(arg(r, "sockfd"), &c->fd);
		sockaddr_name(r->jp, arg(r, "addr"), c);
		c->op = fn[0] == 'b' ? IPCG_LOP_BIND : IPCG_LOP_CONNECT;
	} else if (!strcmp(fn, "listen")) {
		c->has_fd = ipcg_jv_i64(arg(r, "sockfd"), &c->fd);
		c->op = IPCG_LOP_LISTEN;
	} else if (!strcmp(fn, "close")) {
		if ((c->has_fd = ipcg_jv_i64(arg(r, "fd"), &c->fd)))
			c->op = IPCG_LOP_CLOSE;
	} else if (!strcmp(fn, "unlink") || !strcmp(fn, "unlinkat") || !strcmp(fn, "remove")) {
		if ((c->path = arg_str(r, "pathname")))
			c->op = IPCG_LOP_UNLINK;
	} else if (!strcmp(fn, "ftok")) {
		if (ipcg_jv_is_str(r->ret)) {
			c->path = r->ret->s;
			c->op = IPCG_LOP_FTOK;
		}
	}
}

void ipcg_life_decode(const struct ipcg_rec *r, struct ipcg_life_call *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->newfd = -1;
	if (r->type != IPCG_R_CALL || !r->fn || r->failed)
		return;
	if (!strncmp(r->fn, "shm", 3))
		decode_shm(r, ret);
	else
		decode_unix(r, ret);
}

bool ipcg_life_realtime(const struct ipcg_proc *p, uint64_t ts, uint64_t *ret)
{
	if (!p->start_realtime_ns || !p->start_ns || ts < p->start_ns)
		return false;
	*ret = p->start_realtime_ns + (ts - p->start_ns);
	return true;
}

/* --- per-process objects --- */

static struct lproc *lproc_of(struct ipcg_proc *p)
{
	if (!p->user)
		p->user = calloc(1, sizeof(struct lproc));
	return p->user;
}

void **ipcg_life_user(struct ipcg_proc *p)
{
	struct lproc *lp = lproc_of(p);

	return lp ? &lp->user : NULL;
}

struct ipcg_life_obj *ipcg_life_find(struct ipcg_proc *p, enum ipcg_life_kind kind, uint64_t id)
{
	struct lproc *lp = p->user;
	struct ipcg_life_obj key, *o = NULL;

	if (!lp)
		return NULL;
	memset(&key.k, 0, sizeof(key.k));
	key.k.kind = (uint8_t)kind;
	key.k.id = id;
	HASH_FIND(hh, lp->objs[kind], &key.k, sizeof(key.k), o);
	return o;
}

bool ipcg_life_attached(struct ipcg_proc *p, int64_t shmid)
{
	struct lproc *lp = p->user;
	struct ipcg_life_obj *o, *ot;

	if (!lp)
		return false;
	HASH_ITER(hh, lp->objs[IPCG_LIFE_ATTACH], o, ot)
		if (o->shmid == shmid)
			return true;
	return false;
}

static void obj_clear(struct ipcg_life_obj *o)
{
	free(o->key);
	free(o->name);
	o->key = o->name = NULL;
}

void ipcg_life_forget(struct ipcg_proc *p, struct ipcg_life_obj *o)
{
	struct lproc *lp = p->user;

	HASH_DEL(lp->objs[o->k.kind], o);
	obj_clear(o);
	free(o);
}

/* The object of that kind and id, new (origin set, nothing else) or
 * ended and begun again by r; NULL when r began it already or out of
 * memory.  The caller fills it and calls begin. */
static struct ipcg_life_obj *obj_start(struct ipcg_life *lf, struct ipcg_proc *p,
				       enum ipcg_life_kind kind, uint64_t id,
				       enum ipcg_life_origin origin, const struct ipcg_rec *r)
{
	struct lproc *lp = p->user;
	struct ipcg_life_obj *o = ipcg_life_find(p, kind, id);

	if (o) {
		if (r->has_seq && o->seq && o->seq == r->seq)
			return NULL;	/* the call of the live record it came from */
		if (lf->ops->end)
			lf->ops->end(lf->ctx, p, o, IPCG_LEND_REUSED, r);
		obj_clear(o);		/* begins again in its place */
		memset((char *)o + sizeof(o->k), 0, offsetof(struct ipcg_life_obj, hh) - sizeof(o->k));
	} else {
		if (!(o = calloc(1, sizeof(*o))))
			return NULL;
		o->k.kind = (uint8_t)kind;
		o->k.id = id;
		HASH_ADD(hh, lp->objs[kind], k, sizeof(o->k), o);
	}
	o->origin = origin;
	o->seq = r->has_seq ? r->seq : 0;
	o->ts = r->type == IPCG_R_LIVE ? 0 : r->ts;
	o->stack = r->stack;
	o->fd = -1;
	return o;
}

static void begin(struct ipcg_life *lf, struct ipcg_proc *p, struct ipcg_life_obj *o,
		  const struct ipcg_rec *r)
{
	if (lf->ops->begin)
		lf->ops->begin(lf->ctx, p, o, r);
}

static void end(struct ipcg_life *lf, struct ipcg_proc *p, enum ipcg_life_kind kind, uint64_t id,
		const struct ipcg_rec *r)
{
	struct ipcg_life_obj *o = ipcg_life_find(p, kind, id);

	if (!o)
		return;
	HASH_DEL(((struct lproc *)p->user)->objs[kind], o);
	if (lf->ops->end)
		lf->ops->end(lf->ctx, p, o, IPCG_LEND_CALL, r);
	obj_clear(o);
	free(o);
}

static void start_segment(struct ipcg_life *lf, struct ipcg_proc *p, int64_t shmid,
			  const char *key, bool priv, bool has_size, uint64_t size,
			  enum ipcg_life_origin origin, const struct ipcg_rec *r)
{
	struct ipcg_life_obj *o;

	if (ipcg_life_find(p, IPCG_LIFE_SEGMENT, (uint64_t)shmid))
		return;			/* known: got again what it made */
	if (!(o = obj_start(lf, p, IPCG_LIFE_SEGMENT, (uint64_t)shmid, origin, r)))
		return;
	o->shmid = shmid;
	o->key = key ? strdup(key) : NULL;
	o->priv = priv;
	o->has_size = has_size;
	o->size = size;
	begin(lf, p, o, r);
}

static void start_attach(struct ipcg_life *lf, struct ipcg_proc *p, int64_t shmid, uint64_t addr,
			 enum ipcg_life_origin origin, const struct ipcg_rec *r)
{
	struct ipcg_life_obj *o = obj_start(lf, p, IPCG_LIFE_ATTACH, addr, origin, r);

	if (!o)
		return;
	o->shmid = shmid;
	o->addr = addr;
	begin(lf, p, o, r);
}

static void start_socket(struct ipcg_life *lf, struct ipcg_proc *p, int64_t fd, const char *name,
			 bool abstract, enum ipcg_life_origin origin, const struct ipcg_rec *r)
{
	struct ipcg_life_obj *o = obj_start(lf, p, IPCG_LIFE_SOCKET, (uint64_t)fd, origin, r);

	if (!o)
		return;
	o->fd = fd;
	o->name = name ? strdup(name) : NULL;
	o->abstract = abstract;
	begin(lf, p, o, r);
}

static void on_bind(struct ipcg_life *lf, struct ipcg_proc *p, const struct ipcg_life_call *c,
		    const struct ipcg_rec *r)
{
	struct ipcg_life_obj *o;

	if (!c->has_fd)
		return;
	o = ipcg_life_find(p, IPCG_LIFE_SOCKET, (uint64_t)c->fd);
	if (!o && !c->name)
		return;
	if (!o) {			/* its opening was not seen */
		if (!(o = obj_start(lf, p, IPCG_LIFE_SOCKET, (uint64_t)c->fd, IPCG_LORIG_BIND, r)))
			return;
		o->fd = c->fd;
	}
	if (c->name) {
		free(o->name);
		o->name = strdup(c->name);
		o->abstract = c->abstract;
		o->stack = r->stack;
	}
}

static void on_call(struct ipcg_life *lf, struct ipcg_proc *p, const struct ipcg_life_call *c,
		    const struct ipcg_rec *r)
{
	int64_t fd;

	switch (c->op) {
	case IPCG_LOP_SHMGET:
		if (c->creates)
			start_segment(lf, p, c->shmid, c->key, c->priv, c->has_size, c->size,
				      IPCG_LORIG_CALL, r);
		break;
	case IPCG_LOP_RMID:
		end(lf, p, IPCG_LIFE_SEGMENT, (uint64_t)c->shmid, r);
		break;
	case IPCG_LOP_SHMAT:
		start_attach(lf, p, c->shmid, c->addr, IPCG_LORIG_CALL, r);
		break;
	case IPCG_LOP_SHMDT:
		end(lf, p, IPCG_LIFE_ATTACH, c->addr, r);
		break;
	case IPCG_LOP_SOCKET:
	case IPCG_LOP_ACCEPT:
		if (c->newfd >= 0)
			start_socket(lf, p, c->newfd, NULL, false, c->op == IPCG_LOP_SOCKET ?
				     IPCG_LORIG_SOCKET : IPCG_LORIG_ACCEPT, r);
		break;
	case IPCG_LOP_SOCKETPAIR:
		for (const struct ipcg_jv *e = ipcg_jv_first(r->jp, c->sv); e;
		     e = ipcg_jv_next(r->jp, e))
			if (ipcg_jv_i64(e, &fd) && fd >= 0)
				start_socket(lf, p, fd, NULL, false, IPCG_LORIG_SOCKETPAIR, r);
		break;
	case IPCG_LOP_BIND:
		on_bind(lf, p, c, r);
		break;
	case IPCG_LOP_CLOSE:
		end(lf, p, IPCG_LIFE_SOCKET, (uint64_t)c->fd, r);
		break;
	default:
		break;
	}
}

/* An object a checkpoint says the process holds (its earlier part was not
 * read): as if its creating (attaching, binding) call had been seen, at
 * the checkpoint's end.  A segment got, not created, or already removed
 * is none of this image's; a socket whose descriptor is closed neither. */
static void on_live(struct ipcg_life *lf, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	const struct ipcg_live *l = &r->live;
	struct ipcg_life_call c;

	switch (l->obj) {
	case IPCG_LIVE_SEGMENT:
		if (l->created && !l->removed)
			start_segment(lf, p, l->shmid, l->key, !strcmp(l->key, "IPC_PRIVATE"), true,
				      l->size, IPCG_LORIG_LIVE, r);
		break;
	case IPCG_LIVE_ATTACH:
		if (!ipcg_life_find(p, IPCG_LIFE_ATTACH, l->shmaddr))
			start_attach(lf, p, l->shmid, l->shmaddr, IPCG_LORIG_LIVE, r);
		break;
	case IPCG_LIVE_SOCKET:
		if (l->sockfd < 0 || ipcg_life_find(p, IPCG_LIFE_SOCKET, (uint64_t)l->sockfd))
			break;
		c.abstract = false;
		c.name = ipcg_life_sockaddr_name(r->jp, l->addr, &c.abstract);
		start_socket(lf, p, l->sockfd, c.name, c.abstract, IPCG_LORIG_LIVE, r);
		break;
	}
}

/* The checkpoint's end: the time of the objects its live records made. */
static void on_checkpoint(struct lproc *lp, const struct ipcg_rec *r)
{
	struct ipcg_life_obj *o, *ot;

	for (int k = 0; k < IPCG_LIFE_NKINDS; k++)
		HASH_ITER(hh, lp->objs[k], o, ot)
			if (!o->ts)
				o->ts = r->ts;
}

void ipcg_life_record(struct ipcg_life *lf, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	struct lproc *lp = lproc_of(p);
	struct ipcg_life_call c;

	if (!lp)
		return;
	switch (r->type) {
	case IPCG_R_CALL:
	case IPCG_R_LIVE:
		ipcg_life_decode(r, &c);
		if (lf->ops->call)
			lf->ops->call(lf->ctx, p, &c, r);
		if (r->type == IPCG_R_CALL)
			on_call(lf, p, &c, r);
		else
			on_live(lf, p, r);
		break;
	case IPCG_R_CHECKPOINT:
		on_checkpoint(lp, r);
		break;
	default:
		break;
	}
}

void ipcg_life_proc_end(struct ipcg_life *lf, struct ipcg_proc *p)
{
	static const enum ipcg_life_kind order[] = {
		IPCG_LIFE_ATTACH, IPCG_LIFE_SEGMENT, IPCG_LIFE_SOCKET,
	};
	struct lproc *lp = p->user;
	struct ipcg_life_obj *o, *ot;

	if (!lp)
		return;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		HASH_ITER(hh, lp->objs[order[i]], o, ot) {
			if (lf->ops->held)
				lf->ops->held(lf->ctx, p, o);
			HASH_DEL(lp->objs[order[i]], o);
			obj_clear(o);
			free(o);
		}
	free(lp);
	p->user = NULL;
}
