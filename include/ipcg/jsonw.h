/* jsonw: a fixed-buffer JSON builder.  No allocation, no stdio, safe in
 * signal handlers.  Overflow is sticky: once a value does not fit, the
 * builder refuses further output and ipcg_jw_ok() reports false, so a
 * record is either complete or dropped, never cut in the middle.
 *
 * Every intercepted call builds a record with a dozen of these calls, so
 * the short ones are inline: a key given as a string literal then costs a
 * bounds check and a few stores (its length is known at compile time). */
#ifndef IPCG_JSONW_H
#define IPCG_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ipcg_jw {
	char *buf;	/* caller's buffer */
	size_t len;	/* bytes used */
	size_t cap;	/* buffer size */
	bool comma;	/* a value was written at this level: next key needs ',' */
	bool overflow;	/* something did not fit */
};

void ipcg_jw_init(struct ipcg_jw *w, char *buf, size_t cap);
static inline bool ipcg_jw_ok(const struct ipcg_jw *w) { return !w->overflow; }

/* true when n more bytes fit; otherwise marks the overflow */
static inline bool ipcg_jw_room(struct ipcg_jw *w, size_t n)
{
	if (__builtin_expect(w->overflow || w->cap - w->len < n, 0)) {
		w->overflow = true;
		return false;
	}
	return true;
}

static inline void ipcg_jw_raw(struct ipcg_jw *w, const char *s, size_t n)	/* verbatim */
{
	if (!ipcg_jw_room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void ipcg_jw_open(struct ipcg_jw *w, char c)	/* '{' or '[' */
{
	if (ipcg_jw_room(w, 1))
		w->buf[w->len++] = c;
	w->comma = false;
}

static inline void ipcg_jw_close(struct ipcg_jw *w, char c)	/* '}' or ']' */
{
	if (ipcg_jw_room(w, 1))
		w->buf[w->len++] = c;
	w->comma = true;
}

/* ,"key":  (key is written verbatim: callers pass plain names) */
static inline void ipcg_jw_keyn(struct ipcg_jw *w, const char *key, size_t n)
{
	if (!ipcg_jw_room(w, n + 4))
		return;
	char *p = w->buf + w->len;
	*p = ',';
	p += w->comma;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	w->len = (size_t)(p - w->buf);
	w->comma = false;
}

static inline void ipcg_jw_key(struct ipcg_jw *w, const char *key)
{
	ipcg_jw_keyn(w, key, strlen(key));
}

void ipcg_jw_sep(struct ipcg_jw *w);	/* ',' between array elements */
void ipcg_jw_strn(struct ipcg_jw *w, const char *s, size_t n);	/* escaped bytes */
static inline void ipcg_jw_str(struct ipcg_jw *w, const char *s)	/* escaped C string */
{
	ipcg_jw_strn(w, s, strlen(s));
}
void ipcg_jw_u64(struct ipcg_jw *w, uint64_t v);
void ipcg_jw_i64(struct ipcg_jw *w, int64_t v);
void ipcg_jw_hex(struct ipcg_jw *w, uint64_t v);	/* "0x1f" */
void ipcg_jw_hex_width(struct ipcg_jw *w, uint64_t v, int width);	/* "0x0001e240" */
void ipcg_jw_null(struct ipcg_jw *w);
void ipcg_jw_bool(struct ipcg_jw *w, bool v);

/* key + value shorthands */
static inline void ipcg_jw_kstr(struct ipcg_jw *w, const char *key, const char *s)
{
	ipcg_jw_key(w, key);
	if (s)
		ipcg_jw_str(w, s);
	else
		ipcg_jw_null(w);
}

static inline void ipcg_jw_ku64(struct ipcg_jw *w, const char *key, uint64_t v)
{
	ipcg_jw_key(w, key);
	ipcg_jw_u64(w, v);
}

static inline void ipcg_jw_ki64(struct ipcg_jw *w, const char *key, int64_t v)
{
	ipcg_jw_key(w, key);
	ipcg_jw_i64(w, v);
}

static inline void ipcg_jw_khex(struct ipcg_jw *w, const char *key, uint64_t v)
{
	ipcg_jw_key(w, key);
	ipcg_jw_hex(w, v);
}

/* Plain text helpers for messages: append without JSON escaping into a
 * NUL-terminated buffer; return the new length (bounded by cap - 1). */
size_t ipcg_txt(char *buf, size_t cap, size_t len, const char *s);
size_t ipcg_txt_u64(char *buf, size_t cap, size_t len, uint64_t v);
size_t ipcg_txt_i64(char *buf, size_t cap, size_t len, int64_t v);
size_t ipcg_txt_hex(char *buf, size_t cap, size_t len, uint64_t v);

/* digits of v in base 10 into out (>= 20 bytes), returns length */
size_t ipcg_fmt_u64(char *out, uint64_t v);

#endif
