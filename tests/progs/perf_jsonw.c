/* perf_jsonw.c: the JSON builder's fast paths against plain references.
 * Numbers against snprintf (edges and 2 million pseudo-random values), hex
 * with widths, strings against a byte-at-a-time escaper (every byte value
 * at every position of strings that cross the 8-byte blocks), and
 * overflow: an exact fit is written, one byte short is refused and sticks.
 * Prints one line per check: "NAME ok" or "NAME FAIL <detail>". */
#include <stdio.h>
#include <string.h>

#include "../../src/common/jsonw.c"

static int fails;

static void check(const char *name, int bad, const char *detail)
{
	if (bad)
		fails++;
	printf("%s %s%s%s\n", name, bad ? "FAIL" : "ok", bad ? " " : "", bad ? detail : "");
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* the escaping docs/trace-format.md specifies, one byte at a time */
static size_t ref_escape(char *out, const unsigned char *s, size_t n)
{
	size_t k = 0;

	out[k++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			out[k++] = '\\';
			out[k++] = (char)c;
		} else if (c == '\n') {
			k += (size_t)sprintf(out + k, "\\n");
		} else if (c == '\t') {
			k += (size_t)sprintf(out + k, "\\t");
		} else if (c == '\r') {
			k += (size_t)sprintf(out + k, "\\r");
		} else if (c < 0x20 || c >= 0x7f) {
			k += (size_t)sprintf(out + k, "\\u%04x", c);
		} else {
			out[k++] = (char)c;
		}
	}
	out[k++] = '"';
	return k;
}

static void numbers(void)
{
	char a[64], b[64], detail[160] = "";
	int bad = 0;
	unsigned long long p = 1;

	for (int e = 0; e < 20 && !bad; e++, p *= 10)
		for (int d = -2; d <= 2 && !bad; d++) {
			unsigned long long v = p + (unsigned long long)(long long)d;
			a[ipcg_fmt_u64(a, v)] = '\0';
			snprintf(b, sizeof(b), "%llu", v);
			if (strcmp(a, b)) {
				bad = 1;
				snprintf(detail, sizeof(detail), "%s != %s", a, b);
			}
		}
	for (int i = 0; i < 2000000 && !bad; i++) {
		unsigned long long r = next(), v = r >> (r % 64);
		if (i == 0)
			v = ~0ULL;
		a[ipcg_fmt_u64(a, v)] = '\0';
		snprintf(b, sizeof(b), "%llu", v);
		if (strcmp(a, b)) {
			bad = 1;
			snprintf(detail, sizeof(detail), "%s != %s", a, b);
		}
	}
	check("u64", bad, detail);

	bad = 0;
	for (int i = 0; i < 200000 && !bad; i++) {
		unsigned long long r = next();
		long long v = (long long)(r >> (r % 64)) * ((r & 1) ? -1 : 1);
		struct ipcg_jw w;
		ipcg_jw_init(&w, a, sizeof(a));
		ipcg_jw_i64(&w, v);
		a[w.len] = '\0';
		snprintf(b, sizeof(b), "%lld", v);
		if (strcmp(a, b)) {
			bad = 1;
			snprintf(detail, sizeof(detail), "%s != %s", a, b);
		}
	}
	check("i64", bad, detail);

	bad = 0;
	for (int i = 0; i < 500000 && !bad; i++) {
		unsigned long long r = next(), v = i < 64 ? (unsigned long long)i : r >> (r % 64);
		int width = (int)((r >> 20) % 20);
		char fmt[32];
		struct ipcg_jw w;
		ipcg_jw_init(&w, a, sizeof(a));
		ipcg_jw_hex_width(&w, v, width);
		a[w.len] = '\0';
		snprintf(fmt, sizeof(fmt), "\"0x%%0%dllx\"", width > 16 ? 16 : width ? width : 1);
		snprintf(b, sizeof(b), fmt, v);
		if (strcmp(a, b)) {
			bad = 1;
			snprintf(detail, sizeof(detail), "%s != %s (width %d)", a, b, width);
		}
	}
	check("hex", bad, detail);
}

static void strings(void)
{
	unsigned char s[40];
	char a[400], b[400], detail[160] = "";
	int bad = 0;

	for (size_t len = 0; len <= 33 && !bad; len++)
		for (size_t pos = 0; pos < (len ? len : 1) && !bad; pos++)
			for (int v = 0; v < 256 && !bad; v++) {
				memset(s, 'a' + (int)(len % 26), sizeof(s));
				if (len)
					s[pos] = (unsigned char)v;
				if (len > 20)
					s[len - 1] = (unsigned char)(v ^ 0x55);
				struct ipcg_jw w;
				ipcg_jw_init(&w, a, sizeof(a));
				ipcg_jw_strn(&w, (const char *)s, len);
				size_t n = ref_escape(b, s, len);
				if (w.len != n || memcmp(a, b, n)) {
					bad = 1;
					snprintf(detail, sizeof(detail), "len %zu pos %zu byte %d", len, pos, v);
				}
			}
	check("strings", bad, detail);
}

static void overflow(void)
{
	char buf[64];
	struct ipcg_jw w;
	int bad = 0;

	/* "1234567890" exactly fills a 10-byte builder; 9 bytes refuse it */
	ipcg_jw_init(&w, buf, 10);
	ipcg_jw_u64(&w, 1234567890);
	bad |= !ipcg_jw_ok(&w) || w.len != 10 || memcmp(buf, "1234567890", 10);
	ipcg_jw_init(&w, buf, 9);
	ipcg_jw_u64(&w, 1234567890);
	bad |= ipcg_jw_ok(&w);
	ipcg_jw_raw(&w, "x", 1);	/* sticky: nothing more is written */
	bad |= ipcg_jw_ok(&w);
	/* a string: quotes + 8 bytes fit in 10, not in 9 */
	ipcg_jw_init(&w, buf, 10);
	ipcg_jw_str(&w, "abcdefgh");
	bad |= !ipcg_jw_ok(&w) || w.len != 10 || memcmp(buf, "\"abcdefgh\"", 10);
	ipcg_jw_init(&w, buf, 9);
	ipcg_jw_str(&w, "abcdefgh");
	bad |= ipcg_jw_ok(&w);
	/* hex with its quotes: "0xff" is 6 bytes */
	ipcg_jw_init(&w, buf, 6);
	ipcg_jw_hex(&w, 0xff);
	bad |= !ipcg_jw_ok(&w) || w.len != 6 || memcmp(buf, "\"0xff\"", 6);
	ipcg_jw_init(&w, buf, 5);
	ipcg_jw_hex(&w, 0xff);
	bad |= ipcg_jw_ok(&w);
	check("overflow", bad, "exact fit or refusal wrong");
}

int main(void)
{
	numbers();
	strings();
	overflow();
	return fails != 0;
}
