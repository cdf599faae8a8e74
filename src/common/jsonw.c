/* jsonw.c: fixed-buffer JSON builder, see include/ipcg/jsonw.h.  The
 * number and string writers are on every traced call's path: they write
 * straight into the buffer after one bounds check instead of byte by
 * byte. */
#include <string.h>

#include "ipcg/compiler.h"
#include "ipcg/jsonw.h"

void ipcg_jw_init(struct ipcg_jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = cap;
	w->comma = false;
	w->overflow = false;
}

static inline void put(struct ipcg_jw *w, char c)
{
	if (ipcg_jw_room(w, 1))
		w->buf[w->len++] = c;
}

void ipcg_jw_sep(struct ipcg_jw *w)
{
	if (w->comma)
		put(w, ',');
	w->comma = false;
}

static const char hexdig[] = "0123456789abcdef";

/* 1: the byte is written as an escape sequence */
static const unsigned char needs_esc[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

/* the general case, from the first byte that needs an escape */
static void strn_escaping(struct ipcg_jw *w, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n && !w->overflow; i++) {
		unsigned char c = p[i];
		if (!needs_esc[c]) {
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
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* does any of the 8 bytes of x need an escape: < 0x20, '"', '\\', >= 0x7f
 * (the classic "has a byte less than / equal to" tests, exact as yes/no) */
static inline bool word_needs_esc(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\'), d = x ^ (ONES * 0x7f);

	return ((x | ((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((b - ONES) & ~b) |
		 ((d - ONES) & ~d)) & HIGHS) != 0;
}

void ipcg_jw_strn(struct ipcg_jw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (likely(!w->overflow && w->cap - w->len >= n + 2)) {
		/* the whole string fits unescaped: copy plain bytes, 8 at a time */
		char *o = w->buf + w->len + 1;
		w->buf[w->len] = '"';
		for (; i + 8 <= n; i += 8) {
			uint64_t x;
			memcpy(&x, p + i, 8);
			if (word_needs_esc(x))
				break;
			memcpy(o + i, &x, 8);
		}
		while (i < n && !needs_esc[p[i]]) {
			o[i] = (char)p[i];
			i++;
		}
		if (i == n) {
			o[n] = '"';
			w->len += n + 2;
			w->comma = true;
			return;
		}
		w->len += 1 + i;	/* the quote and the plain part */
	} else {
		put(w, '"');
		if (ipcg_jw_room(w, n + 1)) {	/* a plain string needs n + 1 */
			char *o = w->buf + w->len;
			while (i < n && !needs_esc[p[i]]) {
				o[i] = (char)p[i];
				i++;
			}
			w->len += i;
		}
	}
	if (i < n)
		strn_escaping(w, p + i, n - i);
	put(w, '"');
	w->comma = true;
}

static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static inline void put2(char *p, unsigned d)
{
	memcpy(p, digits2 + 2 * d, 2);
}

/* the digits of v ending just before end, exactly as many as v has */
static inline void fmt_u32_back(char *end, uint32_t v)
{
	while (v >= 100) {
		uint32_t q = v / 100;
		end -= 2;
		put2(end, v - q * 100);
		v = q;
	}
	if (v >= 10)
		put2(end - 2, v);
	else
		end[-1] = (char)('0' + v);
}

static inline size_t u32_len(uint32_t v)
{
	size_t n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* exactly 8 digits of v < 10^8, without a loop */
static inline void fmt8(char *p, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v - hi * 10000;
	uint32_t a = hi / 100, b = lo / 100;

	put2(p, a);
	put2(p + 2, hi - a * 100);
	put2(p + 4, b);
	put2(p + 6, lo - b * 100);
}

static inline size_t fmt_small(char *out, uint32_t v)	/* v < 10^8 */
{
	size_t n = u32_len(v);

	fmt_u32_back(out + n, v);
	return n;
}

/* v >= 10^8 in 8-digit blocks: a time in nanoseconds (13 digits) is one
 * 64-bit division and two short 32-bit conversions */
static IPCG_NOINLINE size_t fmt_big(char *out, uint64_t v)
{
	uint64_t hi = v / 100000000;
	size_t n;

	if (hi < 100000000) {
		n = fmt_small(out, (uint32_t)hi);
	} else {	/* 17 to 20 digits: hi / 10^8 < 1845 */
		uint64_t top = hi / 100000000;
		n = fmt_small(out, (uint32_t)top);
		fmt8(out + n, (uint32_t)(hi - top * 100000000));
		n += 8;
	}
	fmt8(out + n, (uint32_t)(v - hi * 100000000));
	return n + 8;
}

size_t ipcg_fmt_u64(char *out, uint64_t v)
{
	if (likely(v < 100000000))
		return fmt_small(out, (uint32_t)v);
	return fmt_big(out, v);
}

void ipcg_jw_u64(struct ipcg_jw *w, uint64_t v)
{
	if (!w->overflow && w->cap - w->len >= 20) {
		w->len += ipcg_fmt_u64(w->buf + w->len, v);
	} else {	/* near the end: an exact fit is still allowed */
		char tmp[20];
		ipcg_jw_raw(w, tmp, ipcg_fmt_u64(tmp, v));
	}
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

/* "0x" and the hex digits of v, at least width of them (at most 16),
 * written in place from the last digit, two at a time */
static size_t fmt_hex(char *out, uint64_t v, int width)
{
	static const char hex2[513] =
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
		"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
		"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
		"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
		"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
		"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1;

	if (n < width)
		n = width < 16 ? width : 16;
	out[0] = '0';
	out[1] = 'x';
	char *p = out + 2 + n;
	int left = n;
	for (; left >= 2; left -= 2) {
		p -= 2;
		memcpy(p, hex2 + 2 * (v & 0xff), 2);
		v >>= 8;
	}
	if (left)
		p[-1] = hexdig[v & 15];
	return (size_t)n + 2;
}

void ipcg_jw_hex_width(struct ipcg_jw *w, uint64_t v, int width)
{
	if (!w->overflow && w->cap - w->len >= 20) {	/* "0x" + 16 digits + quotes */
		char *p = w->buf + w->len;
		size_t n = fmt_hex(p + 1, v, width);
		p[0] = '"';
		p[n + 1] = '"';
		w->len += n + 2;
	} else {	/* near the end: an exact fit is still allowed */
		char tmp[20];
		size_t n = fmt_hex(tmp, v, width);
		if (ipcg_jw_room(w, n + 2)) {
			char *p = w->buf + w->len;
			p[0] = '"';
			memcpy(p + 1, tmp, n);
			p[n + 1] = '"';
			w->len += n + 2;
		}
	}
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

size_t ipcg_txt(char *buf, size_t cap, size_t len, const char *s)
{
	if (!cap)
		return len;
	if (len < cap - 1) {
		size_t n = strnlen(s, cap - 1 - len);
		memcpy(buf + len, s, n);
		len += n;
	}
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
