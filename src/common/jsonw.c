/* jsonw.c: fixed-buffer JSON builder, see include/ipcg/jsonw.h. */
#include <string.h>

#include "ipcg/jsonw.h"

void ipcg_jw_init(struct ipcg_jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = cap;
	w->comma = false;
	w->overflow = false;
}

static inline bool room(struct ipcg_jw *w, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return false;
	}
	return true;
}

void ipcg_jw_raw(struct ipcg_jw *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void put(struct ipcg_jw *w, char c)
{
	if (room(w, 1))
		w->buf[w->len++] = c;
}

void ipcg_jw_open(struct ipcg_jw *w, char c)
{
	put(w, c);
	w->comma = false;
}

void ipcg_jw_close(struct ipcg_jw *w, char c)
{
	put(w, c);
	w->comma = true;
}

void ipcg_jw_key(struct ipcg_jw *w, const char *key)
{
	size_t n = strlen(key);

	if (!room(w, n + 4))
		return;
	if (w->comma)
		w->buf[w->len++] = ',';
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, key, n);
	w->len += n;
	w->buf[w->len++] = '"';
	w->buf[w->len++] = ':';
	w->comma = false;
}

void ipcg_jw_sep(struct ipcg_jw *w)
{
	if (w->comma)
		put(w, ',');
	w->comma = false;
}

static const char hexdig[] = "0123456789abcdef";

void ipcg_jw_strn(struct ipcg_jw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	put(w, '"');
	for (size_t i = 0; i < n && !w->overflow; i++) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			put(w, (char)c);
			continue;
		}
		char esc[6] = { '\\', 0 };
		size_t k = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\t': esc[1] = 't'; break;
		case '\r': esc[1] = 'r'; break;
		default:
			esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
			esc[4] = hexdig[c >> 4]; esc[5] = hexdig[c & 15];
			k = 6;
		}
		ipcg_jw_raw(w, esc, k);
	}
	put(w, '"');
	w->comma = true;
}

void ipcg_jw_str(struct ipcg_jw *w, const char *s)
{
	ipcg_jw_strn(w, s, strlen(s));
}

size_t ipcg_fmt_u64(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

void ipcg_jw_u64(struct ipcg_jw *w, uint64_t v)
{
	char tmp[20];
	ipcg_jw_raw(w, tmp, ipcg_fmt_u64(tmp, v));
	w->comma = true;
}

void ipcg_jw_i64(struct ipcg_jw *w, int64_t v)
{
	if (v < 0) {
		put(w, '-');
		ipcg_jw_u64(w, (uint64_t)0 - (uint64_t)v);
	} else {
		ipcg_jw_u64(w, (uint64_t)v);
	}
}

static size_t fmt_hex(char *out, uint64_t v, int width)
{
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = hexdig[v & 15];
		v >>= 4;
	} while (v);
	while (n < width && n < 16)
		tmp[n++] = '0';
	out[0] = '0';
	out[1] = 'x';
	for (int i = 0; i < n; i++)
		out[2 + i] = tmp[n - 1 - i];
	return (size_t)n + 2;
}

void ipcg_jw_hex_width(struct ipcg_jw *w, uint64_t v, int width)
{
	char tmp[20];
	put(w, '"');
	ipcg_jw_raw(w, tmp, fmt_hex(tmp, v, width));
	put(w, '"');
	w->comma = true;
}

void ipcg_jw_hex(struct ipcg_jw *w, uint64_t v) { ipcg_jw_hex_width(w, v, 0); }

void ipcg_jw_null(struct ipcg_jw *w)
{
	ipcg_jw_raw(w, "null", 4);
	w->comma = true;
}

void ipcg_jw_bool(struct ipcg_jw *w, bool v)
{
	if (v)
		ipcg_jw_raw(w, "true", 4);
	else
		ipcg_jw_raw(w, "false", 5);
	w->comma = true;
}

void ipcg_jw_kstr(struct ipcg_jw *w, const char *key, const char *s)
{
	ipcg_jw_key(w, key);
	if (s)
		ipcg_jw_str(w, s);
	else
		ipcg_jw_null(w);
}

void ipcg_jw_ku64(struct ipcg_jw *w, const char *key, uint64_t v)
{
	ipcg_jw_key(w, key);
	ipcg_jw_u64(w, v);
}

void ipcg_jw_ki64(struct ipcg_jw *w, const char *key, int64_t v)
{
	ipcg_jw_key(w, key);
	ipcg_jw_i64(w, v);
}

void ipcg_jw_khex(struct ipcg_jw *w, const char *key, uint64_t v)
{
	ipcg_jw_key(w, key);
	ipcg_jw_hex(w, v);
}

size_t ipcg_txt(char *buf, size_t cap, size_t len, const char *s)
{
	while (*s && len + 1 < cap)
		buf[len++] = *s++;
	if (cap)
		buf[len < cap ? len : cap - 1] = '\0';
	return len;
}

size_t ipcg_txt_u64(char *buf, size_t cap, size_t len, uint64_t v)
{
	char tmp[21];
	tmp[ipcg_fmt_u64(tmp, v)] = '\0';
	return ipcg_txt(buf, cap, len, tmp);
}

size_t ipcg_txt_i64(char *buf, size_t cap, size_t len, int64_t v)
{
	if (v < 0) {
		len = ipcg_txt(buf, cap, len, "-");
		return ipcg_txt_u64(buf, cap, len, (uint64_t)0 - (uint64_t)v);
	}
	return ipcg_txt_u64(buf, cap, len, (uint64_t)v);
}

size_t ipcg_txt_hex(char *buf, size_t cap, size_t len, uint64_t v)
{
	char tmp[21];
	tmp[fmt_hex(tmp, v, 0)] = '\0';
	return ipcg_txt(buf, cap, len, tmp);
}
