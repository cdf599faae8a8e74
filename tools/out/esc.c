/* Human-output escaping (see esc.h). */
#include "out/esc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of the harmless character at s, or 0 when s[0] must be escaped
 * (the bytes of a rejected sequence are then escaped one by one). */
static size_t keep_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;
	uint32_t cp;

	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;		/* controls, DEL, continuation, overlong, > U+10FFFF */
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (c == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;		/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;		/* beyond U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < 0xa0 || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff)
		return 0;		/* C1 controls, invisible and bidi format characters */
	return len;
}

bool ipcg_esc_needed(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t k = keep_len(u + i, len - i);
		if (!k)
			return true;
		i += k;
	}
	return false;
}

/* Writes the escaped form into out (4 bytes per escaped byte at most);
 * returns its length. */
static size_t esc_to(char *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		size_t k = keep_len(u + i, len - i);
		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
		i++;
	}
	return o;
}

void ipcg_esc_put(FILE *f, const char *s, size_t len)
{
	char buf[256];

	while (len > 0) {
		size_t n = len < sizeof(buf) / 4 ? len : sizeof(buf) / 4;
		/* never cut a character in two: back off to its first byte */
		while (n < len && n > 1 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		fwrite(buf, 1, esc_to(buf, s, n), f);
		s += n;
		len -= n;
	}
}

const char *ipcg_esc(const char *s)
{
	static struct {
		char *s;
		size_t cap;
	} ring[IPCG_ESC_SLOTS];
	static unsigned next;
	size_t len;

	if (!s)
		return "";
	len = strlen(s);
	if (!ipcg_esc_needed(s, len))
		return s;
	unsigned i = next++ % IPCG_ESC_SLOTS;
	if (ring[i].cap < len * 4 + 1) {
		char *ns = realloc(ring[i].s, len * 4 + 1);
		if (!ns)
			return "?";
		ring[i].s = ns;
		ring[i].cap = len * 4 + 1;
	}
	ring[i].s[esc_to(ring[i].s, s, len)] = '\0';
	return ring[i].s;
}
