/* trace/rotate.c: a trace that reaches IPCGUARD_MAX_SIZE goes on in its next
 * part, which starts with a checkpoint of this process's state, so that
 * the newest part alone says what is alive and where it was created
 * (docs/trace-format.md, "Size cap and rotation").
 *
 * Runs at the end of an intercepted call (core/call.h), with the guard held
 * once and no lock of ours held: trace/trace.c closes the current part and
 * makes the other writers wait, and every lock the checkpoint takes (the
 * state tables') is one they never hold while writing.  Modules and
 * stacks are read without their locks for that reason. */
#include <stdatomic.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

#include "ipcg/format.h"
#include "check/detect.h"
#include "trace/finding_repeats.h"
#include "core/guard.h"
#include "ipcg/jsonw.h"
#include "ipcg/xlat.h"
#include "trace/manifest.h"
#include "stack/modules.h"
#include "trace/records.h"
#include "trace/rotate.h"
#include "shm/state.h"
#include "stack/carry.h"
#include "stack/stacks.h"
#include "trace/trace.h"
#include "unix/state.h"

static void key_bool(struct ipcg_jw *w, const char *key, bool v)
{
	ipcg_jw_key(w, key);
	ipcg_jw_bool(w, v);
}

static void live_segment(const struct ipcg_seg *s)
{
	struct ipcg_rec r;

	ipcg_rec_begin(&r, IPCG_T_LIVE);
	ipcg_jw_kstr(&r.w, "object", IPCG_OBJ_SEGMENT);
	ipcg_jw_ki64(&r.w, "shmid", s->shmid);
	ipcg_fact_key(&r.w, "key", s->key_known ? s->key : IPC_PRIVATE);
	ipcg_jw_ku64(&r.w, "size", s->size);
	/* the creator, when it is this process and IPC_STAT was not asked */
	ipcg_jw_ki64(&r.w, "cpid", s->cpid ? s->cpid : s->created ? getpid() : 0);
	key_bool(&r.w, "created", s->created);
	key_bool(&r.w, "inherited", s->inherited);
	key_bool(&r.w, "removed", s->removed);
	ipcg_jw_ku64(&r.w, "nattch", s->nattach);
	ipcg_fact_seq(&r.w, "seq", s->create_seq);
	ipcg_fact_stack(&r.w, "stack", s->create_stack);
	(void)ipcg_rec_end(&r);
}

static void live_attach(const struct ipcg_att *a)
{
	char flg[96];
	struct ipcg_rec r;

	ipcg_rec_begin(&r, IPCG_T_LIVE);
	ipcg_jw_kstr(&r.w, "object", IPCG_OBJ_ATTACH);
	ipcg_jw_ki64(&r.w, "shmid", a->shmid);
	ipcg_jw_khex(&r.w, "shmaddr", a->addr);
	ipcg_jw_ku64(&r.w, "size", a->size);
	ipcg_xlat_shmat_flags(flg, sizeof(flg), a->shmflg);
	ipcg_jw_kstr(&r.w, "shmflg", flg);
	ipcg_jw_ku64(&r.w, "refs", a->refs);
	key_bool(&r.w, "inherited", a->inherited);
	ipcg_fact_seq(&r.w, "seq", a->seq);
	ipcg_fact_stack(&r.w, "stack", a->stack);
	(void)ipcg_rec_end(&r);
}

static void live_socket(const struct ipcg_bound *b)
{
	struct ipcg_sock so = { .type = -1 };
	struct ipcg_rec r;

	if (b->fd >= 0 && !ipcg_unix_sock_get(b->fd, &so))
		so.type = -1;
	ipcg_rec_begin(&r, IPCG_T_LIVE);
	ipcg_jw_kstr(&r.w, "object", IPCG_OBJ_SOCKET);
	ipcg_jw_ki64(&r.w, "sockfd", b->fd);
	ipcg_jw_key(&r.w, "addr");
	ipcg_jw_open(&r.w, '{');
	ipcg_jw_kstr(&r.w, "family", "AF_UNIX");
	ipcg_jw_kstr(&r.w, "path", b->name);
	ipcg_jw_close(&r.w, '}');
	if (strcmp(b->path, b->name) != 0 && strlen(b->path) < 256)
		ipcg_jw_kstr(&r.w, "resolved_path", b->path);
	key_bool(&r.w, "listening", so.listening);
	key_bool(&r.w, "inherited", so.inherited);
	ipcg_fact_seq(&r.w, "seq", b->seq);
	ipcg_fact_stack(&r.w, "stack", b->stack);
	(void)ipcg_rec_end(&r);
}

/* Every live object; with write false, only their carried stacks are
 * resolved (which may intern them: that takes the stack table's lock,
 * so it is done while the old part is still open).  Returns the count. */
static uint64_t live_objects(bool write)
{
	struct ipcg_seg s;
	struct ipcg_att a;
	struct ipcg_bound b;
	uint32_t cur = 0, id;
	uint64_t n = 0;

	for (cur = 0; ipcg_shm_seg_next(&cur, &s); n++)
		write ? live_segment(&s) : (void)ipcg_stack_resolve(s.create_stack);
	for (cur = 0; ipcg_shm_att_next(&cur, &a); n++)
		write ? live_attach(&a) : (void)ipcg_stack_resolve(a.stack);
	for (cur = 0; ipcg_unix_bound_next(&cur, &id, &b); n++)
		write ? live_socket(&b) : (void)ipcg_stack_resolve(b.stack);
	return n;
}

static void checkpoint_end(uint64_t seq, uint64_t objects)
{
	struct ipcg_rec r;

	ipcg_rec_begin(&r, IPCG_T_CHECKPOINT);
	ipcg_jw_ku64(&r.w, "ts_ns", ipcg_now_ns());
	ipcg_jw_ku64(&r.w, "seq", seq);
	ipcg_jw_ku64(&r.w, "objects", objects);
	(void)ipcg_rec_end(&r);
}

void ipcg_rotate_slow(void)
{
	char prev[256], next[256];
	struct ipcg_rec r;

	if (ipcg_tls_depth != 1 || !atomic_exchange(&ipcg_trace_rotate_due, 0) ||
	    !ipcg_trace_rotation_wanted())
		return;
	(void)live_objects(false);
	ipcg_repeats_flush();	/* counts of the part that ends */
	int part = ipcg_trace_rotate_begin(prev, next, sizeof(prev));
	if (part < 0)
		return;
	ipcg_record_header_part((unsigned)part, prev);
	ipcg_modules_rewrite();
	ipcg_stacks_rewrite();
	uint64_t seq = atomic_load(&ipcg_seq);
	checkpoint_end(seq, live_objects(true));
	size_t len = ipcg_record_rotate(&r, next);
	if (ipcg_trace_rotate_end(len ? r.buf : NULL, len))
		ipcg_manifest_note(ipcg_trace_path());
}
