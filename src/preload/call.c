/* call.c: the common part of every call record. */
#include "call.h"
#include "ipcg/xlat.h"
#include "stacks.h"

void ipcg_call_record(struct ipcg_call *c, const char *fn)
{
	struct ipcg_jw *w = &c->rec.w;

	c->seq = atomic_fetch_add_explicit(&ipcg_seq, 1, memory_order_relaxed) + 1;
	c->stack = ipcg_stack_here();
	ipcg_rec_begin(&c->rec, "call");
	ipcg_jw_ku64(w, "seq", c->seq);
	ipcg_jw_ku64(w, "ts_ns", ipcg_now_ns());
	ipcg_jw_ki64(w, "tid", ipcg_gettid());
	ipcg_jw_kstr(w, "fn", fn);
	ipcg_jw_key(w, "args");
	ipcg_jw_open(w, '{');
}

static void finish(struct ipcg_call *c, bool failed)
{
	struct ipcg_jw *w = &c->rec.w;

	ipcg_jw_kstr(w, "errno", failed ? ipcg_errno_name(c->err) : NULL);
	ipcg_jw_key(w, "stack");
	if (c->stack)
		ipcg_jw_u64(w, c->stack);
	else
		ipcg_jw_null(w);
	(void)ipcg_rec_end(&c->rec);
}

void ipcg_call_ret_i(struct ipcg_call *c, long ret, bool failed)
{
	ipcg_jw_close(&c->rec.w, '}');
	ipcg_jw_ki64(&c->rec.w, "ret", ret);
	finish(c, failed);
}

void ipcg_call_ret_ptr(struct ipcg_call *c, const void *ret)
{
	bool failed = ret == (void *)-1;

	ipcg_jw_close(&c->rec.w, '}');
	if (failed)
		ipcg_jw_ki64(&c->rec.w, "ret", -1);
	else
		ipcg_jw_khex(&c->rec.w, "ret", (uintptr_t)ret);
	finish(c, failed);
}

void ipcg_call_ret_key(struct ipcg_call *c, long key)
{
	bool failed = key == -1;

	ipcg_jw_close(&c->rec.w, '}');
	ipcg_jw_key(&c->rec.w, "ret");
	if (failed)
		ipcg_jw_i64(&c->rec.w, -1);
	else
		ipcg_jw_hex_width(&c->rec.w, (uint32_t)key, 8);
	finish(c, failed);
}
