/* core/call.c: the common part of every call record.
 *
 * This runs on every traced call, so the fixed parts of the record (type,
 * seq, ts_ns, tid, fn; ret, errno, stack) are written with one bounds
 * check and a local cursor instead of a builder call per key; the
 * per-function arguments in between go through the ipcg_jw_* builder.
 * The bytes are exactly what the builder would produce. */
#include "core/call.h"
#include "ipcg/format.h"
#include "ipcg/xlat.h"
#include "stack/cache.h"
#include "trace/trace.h"
#include "stack/unwind.h"

/* a string literal at p; evaluates to the new end */
#define PUT_LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) + sizeof(s) - 1)

#define HEAD_ROOM 128	/* the head without fn: 3 numbers of <= 20 digits + keys */
#define TAIL_ROOM 96	/* },"ret":-N,"errno":null,"stack":N} plus '\n' */

/* this thread's id as decimal digits, formatted once per thread */
static IPCG_TLS char tid_digits[12];
static IPCG_TLS int tid_len;
static IPCG_TLS int tid_of;	/* the id tid_digits spells (a fork child has a new one) */

static char *put_tid(char *p)
{
	int tid = ipcg_gettid();

	if (unlikely(tid != tid_of || !tid_len)) {
		size_t n = 0;
		if (tid < 0)
			tid_digits[n++] = '-';
		n += ipcg_fmt_u64(tid_digits + n, tid < 0 ? (uint64_t)0 - (uint64_t)tid : (uint64_t)tid);
		tid_len = (int)n;
		tid_of = tid;
	}
	memcpy(p, tid_digits, sizeof(tid_digits));	/* fixed size: no call to memcpy */
	return p + tid_len;
}

static inline uint32_t stack_here(void)
{
	int depth = ipcg_config.stack_depth;

	return depth ? ipcg_stack_capture(depth) : 0;
}

void ipcg_call_record(struct ipcg_call *c, const char *fn)
{
	struct ipcg_jw *w = &c->rec.w;
	size_t fnlen = strlen(fn);

	c->seq = atomic_fetch_add_explicit(&ipcg_seq, 1, memory_order_relaxed) + 1;
	c->stack = stack_here();
	ipcg_jw_init(w, c->rec.buf, sizeof(c->rec.buf) - 1);	/* room for '\n' */
	if (!ipcg_jw_room(w, HEAD_ROOM + fnlen))
		return;		/* an fn name longer than the record: dropped */
	char *p = w->buf;
	p = PUT_LIT(p, "{\"type\":\"" IPCG_T_CALL "\",\"seq\":");
	p += ipcg_fmt_u64(p, c->seq);
	p = PUT_LIT(p, ",\"ts_ns\":");
	p += ipcg_fmt_u64(p, ipcg_now_ns());
	p = PUT_LIT(p, ",\"tid\":");
	p = put_tid(p);
	p = PUT_LIT(p, ",\"fn\":\"");
	memcpy(p, fn, fnlen);	/* our own names: nothing to escape */
	p += fnlen;
	p = PUT_LIT(p, "\",\"args\":{");
	w->len = (size_t)(p - w->buf);
	w->comma = false;
}

/* },"ret": then the caller writes the value */
static void open_ret(struct ipcg_jw *w)
{
	if (likely(!w->overflow && w->cap - w->len >= TAIL_ROOM)) {
		memcpy(w->buf + w->len, "},\"ret\":", 8);
		w->len += 8;
		w->comma = false;
		return;
	}
	ipcg_jw_close(w, '}');	/* near the end of the buffer: exact fits still count */
	ipcg_jw_key(w, "ret");
}

/* ,"errno":...,"stack":...} and write the record (as ipcg_rec_end) */
static void finish(struct ipcg_call *c, bool failed)
{
	struct ipcg_jw *w = &c->rec.w;
	const char *en = failed ? ipcg_errno_name(c->err) : NULL;

	if (likely(!en && !w->overflow && w->cap - w->len >= TAIL_ROOM)) {
		char *p = w->buf + w->len;
		p = PUT_LIT(p, ",\"errno\":null,\"stack\":");
		if (c->stack)
			p += ipcg_fmt_u64(p, c->stack);
		else
			p = PUT_LIT(p, "null");
		*p++ = '}';
		w->len = (size_t)(p - w->buf);
	} else {
		ipcg_jw_kstr(w, "errno", en);
		ipcg_jw_key(w, "stack");
		if (c->stack)
			ipcg_jw_u64(w, c->stack);
		else
			ipcg_jw_null(w);
		ipcg_jw_close(w, '}');
		if (!ipcg_jw_ok(w)) {
			ipcg_trace_count_drop();
			atomic_fetch_add_explicit(&ipcg_calls_not_written, 1, memory_order_relaxed);
			return;
		}
	}
	w->buf[w->len++] = '\n';	/* the builder's cap kept a byte for it */
	if (unlikely(ipcg_trace_write(w->buf, w->len) < 0))
		atomic_fetch_add_explicit(&ipcg_calls_not_written, 1, memory_order_relaxed);
}

void ipcg_call_ret_i(struct ipcg_call *c, long ret, bool failed)
{
	open_ret(&c->rec.w);
	ipcg_jw_i64(&c->rec.w, ret);
	finish(c, failed);
}

void ipcg_call_ret_ptr(struct ipcg_call *c, const void *ret)
{
	bool failed = ret == (void *)-1;

	open_ret(&c->rec.w);
	if (failed)
		ipcg_jw_i64(&c->rec.w, -1);
	else
		ipcg_jw_hex(&c->rec.w, (uintptr_t)ret);
	finish(c, failed);
}

void ipcg_call_ret_key(struct ipcg_call *c, long key)
{
	bool failed = key == -1;

	open_ret(&c->rec.w);
	if (failed)
		ipcg_jw_i64(&c->rec.w, -1);
	else
		ipcg_jw_hex_width(&c->rec.w, (uint32_t)key, 8);
	finish(c, failed);
}
