/* Tolerant JSON parser for trace lines: recursive descent with a depth limit,
 * nodes in a reusable flat array, strings decoded into a reusable scratch
 * buffer. RFC 8259 syntax, strict: invalid UTF-8, raw control characters in
 * strings, NUL bytes and trailing garbage are errors. \u0000..\u00ff decode to
 * the single byte (the trace writer escapes raw bytes that way, see
 * docs/trace-format.md); higher code points decode to UTF-8. */
#include "load/jsonr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	struct ipcg_jsonr *p;
	const unsigned char *s, *end, *pos;
	char *out;			/* next free byte of p->scratch */
};

static bool fail(struct ctx *c, const char *msg)
{
	if (!c->p->err) {
		if (c->pos < c->end && *c->pos == 0)	/* say so, whatever was expected */
			msg = "NUL byte";
		c->p->err = msg;
		c->p->err_col = (size_t)(c->pos - c->s) + 1;
	}
	return false;
}

/* Returns the index of a fresh node, 0 on allocation failure. */
static uint32_t node_new(struct ctx *c, uint8_t type)
{
	struct ipcg_jsonr *p = c->p;

	if (p->nnodes == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 256;
		struct ipcg_jv *n;

		if (ncap > UINT32_MAX / 2)
			return 0;
		n = realloc(p->nodes, ncap * sizeof(*n));
		if (!n)
			return 0;
		p->nodes = n;
		p->cap = ncap;
	}
	memset(&p->nodes[p->nnodes], 0, sizeof(p->nodes[0]));
	p->nodes[p->nnodes].type = type;
	return (uint32_t)p->nnodes++;
}

static void skip_ws(struct ctx *c)
{
	while (c->pos < c->end && (*c->pos == ' ' || *c->pos == '\t' ||
				   *c->pos == '\n' || *c->pos == '\r'))
		c->pos++;
}

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool hex4(struct ctx *c, unsigned *ret)
{
	unsigned v = 0;

	if (c->end - c->pos < 4)
		return fail(c, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		int h = hexval(c->pos[i]);
		if (h < 0)
			return fail(c, "bad \\u escape");
		v = v << 4 | (unsigned)h;
	}
	c->pos += 4;
	*ret = v;
	return true;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), 0 if invalid. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char b = p[0];
	int n;
	unsigned cp;

	if (b >= 0xc2 && b <= 0xdf) {
		n = 2; cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 3; cp = b & 0x0f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 4; cp = b & 0x07;
	} else {
		return 0;
	}
	if (end - p < n)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Bytes that need no attention inside a string: 0x20..0x7f but '"' and '\\'. */
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const unsigned char plain[256] = {
	R16(0), R16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x22 is '"' */
	R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,	/* 0x5c is '\\' */
	R16(1), R16(1),
};
#undef R16

/* Parses a string at c->pos (on the opening quote) into the scratch buffer. */
static bool parse_str(struct ctx *c, const char **ret, uint32_t *ret_len)
{
	char *start = c->out, *o = c->out;

	c->pos++;
	for (;;) {
		const unsigned char *run = c->pos;

		/* fast path: plain printable ASCII, one table lookup per byte */
		while (c->pos < c->end && plain[*c->pos])
			c->pos++;
		memcpy(o, run, (size_t)(c->pos - run));
		o += c->pos - run;
		if (c->pos >= c->end)
			return fail(c, "unterminated string");
		unsigned char ch = *c->pos;
		if (ch == '"') {
			c->pos++;
			break;
		}
		if (ch == 0)
			return fail(c, "NUL byte in string");
		if (ch < 0x20)
			return fail(c, "control character in string");
		if (ch >= 0x80) {
			int n = utf8_len(c->pos, c->end);
			if (!n)
				return fail(c, "invalid UTF-8 in string");
			memcpy(o, c->pos, (size_t)n);
			o += n;
			c->pos += n;
			continue;
		}
		/* backslash */
		c->pos++;
		if (c->pos >= c->end)
			return fail(c, "unterminated string");
		ch = *c->pos++;
		switch (ch) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (!hex4(c, &cp))
				return false;
			if (cp <= 0xff) {		/* one raw byte, see file header */
				*o++ = (char)cp;
				break;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(c, "lone low surrogate in \\u escape");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (c->end - c->pos < 2 || c->pos[0] != '\\' || c->pos[1] != 'u')
					return fail(c, "lone high surrogate in \\u escape");
				c->pos += 2;
				if (!hex4(c, &lo))
					return false;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(c, "bad surrogate pair in \\u escape");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			o = put_utf8(o, cp);
			break;
		}
		default:
			c->pos--;
			return fail(c, "bad escape in string");
		}
	}
	*o++ = '\0';
	c->out = o;
	*ret = start;
	*ret_len = (uint32_t)(o - start - 1);
	return true;
}

static bool parse_num(struct ctx *c, struct ipcg_jv *v)
{
	const unsigned char *st = c->pos;
	bool neg = false, overflow = false, frac = false;
	uint64_t u = 0;

	if (*c->pos == '-') {
		neg = true;
		c->pos++;
	}
	if (c->pos >= c->end || *c->pos < '0' || *c->pos > '9')
		return fail(c, "bad number");
	if (*c->pos == '0' && c->pos + 1 < c->end && c->pos[1] >= '0' && c->pos[1] <= '9')
		return fail(c, "leading zero in number");
	while (c->pos < c->end && *c->pos >= '0' && *c->pos <= '9') {
		unsigned d = *c->pos - '0';
		if (u > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			u = u * 10 + d;
		c->pos++;
	}
	if (c->pos < c->end && *c->pos == '.') {
		frac = true;
		c->pos++;
		if (c->pos >= c->end || *c->pos < '0' || *c->pos > '9')
			return fail(c, "bad number");
		while (c->pos < c->end && *c->pos >= '0' && *c->pos <= '9')
			c->pos++;
	}
	if (c->pos < c->end && (*c->pos == 'e' || *c->pos == 'E')) {
		frac = true;
		c->pos++;
		if (c->pos < c->end && (*c->pos == '+' || *c->pos == '-'))
			c->pos++;
		if (c->pos >= c->end || *c->pos < '0' || *c->pos > '9')
			return fail(c, "bad number");
		while (c->pos < c->end && *c->pos >= '0' && *c->pos <= '9')
			c->pos++;
	}
	v->nflags = 0;
	if (frac || overflow) {
		char tmp[64];
		size_t n = (size_t)(c->pos - st);
		if (n >= sizeof(tmp))		/* absurdly long: value is irrelevant */
			n = sizeof(tmp) - 1;
		memcpy(tmp, st, n);
		tmp[n] = '\0';
		v->d = strtod(tmp, NULL);
		v->nflags = IPCG_JN_FRAC;
		return true;
	}
	if (!neg) {
		v->u = u;
		v->nflags = IPCG_JN_UINT | (u <= INT64_MAX ? IPCG_JN_INT : 0);
	} else if (u <= (uint64_t)INT64_MAX + 1) {
		v->i = (int64_t)(0 - u);
		v->nflags = IPCG_JN_INT;
	} else {
		v->d = -(double)u;
		v->nflags = IPCG_JN_FRAC;
	}
	return true;
}

static bool lit(struct ctx *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->pos) < n || memcmp(c->pos, word, n))
		return fail(c, "unexpected character");
	c->pos += n;
	return true;
}

static uint32_t parse_value(struct ctx *c, int depth);

/* Parses the members of an array or object; idx is the container's node. */
static bool parse_members(struct ctx *c, uint32_t idx, bool obj, int depth)
{
	uint32_t prev = 0, count = 0;
	char close = obj ? '}' : ']';

	c->pos++;
	skip_ws(c);
	if (c->pos < c->end && *c->pos == close) {
		c->pos++;
		return true;
	}
	for (;;) {
		const char *key = NULL;
		uint32_t klen, child;

		skip_ws(c);
		if (obj) {
			if (c->pos >= c->end || *c->pos != '"')
				return fail(c, c->pos >= c->end ? "unexpected end of line" :
					    "expected a string key");
			if (!parse_str(c, &key, &klen))
				return false;
			skip_ws(c);
			if (c->pos >= c->end || *c->pos != ':')
				return fail(c, "expected ':' after key");
			c->pos++;
		}
		child = parse_value(c, depth + 1);
		if (!child)
			return false;
		c->p->nodes[child].key = key;
		if (prev)
			c->p->nodes[prev].next = child;
		else
			c->p->nodes[idx].first = child;
		prev = child;
		count++;
		skip_ws(c);
		if (c->pos >= c->end)
			return fail(c, "unexpected end of line");
		if (*c->pos == ',') {
			c->pos++;
			continue;
		}
		if (*c->pos == close) {
			c->pos++;
			c->p->nodes[idx].len = count;
			return true;
		}
		return fail(c, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

/* Returns the new node's index, 0 on error. */
static uint32_t parse_value(struct ctx *c, int depth)
{
	uint32_t idx;

	skip_ws(c);
	if (c->pos >= c->end) {
		fail(c, "unexpected end of line");
		return 0;
	}
	if (depth > IPCG_JSONR_MAX_DEPTH) {
		fail(c, "nesting too deep");
		return 0;
	}
	switch (*c->pos) {
	case '{':
	case '[': {
		bool obj = *c->pos == '{';
		idx = node_new(c, obj ? IPCG_JV_OBJ : IPCG_JV_ARR);
		if (!idx || !parse_members(c, idx, obj, depth))
			return idx ? 0 : (fail(c, "out of memory"), 0);
		return idx;
	}
	case '"': {
		const char *s;
		uint32_t len;
		idx = node_new(c, IPCG_JV_STR);
		if (!idx)
			return fail(c, "out of memory"), 0;
		if (!parse_str(c, &s, &len))
			return 0;
		c->p->nodes[idx].s = s;
		c->p->nodes[idx].len = len;
		return idx;
	}
	case 't':
	case 'f':
		idx = node_new(c, IPCG_JV_BOOL);
		if (!idx)
			return fail(c, "out of memory"), 0;
		c->p->nodes[idx].b = *c->pos == 't';
		return lit(c, *c->pos == 't' ? "true" : "false") ? idx : 0;
	case 'n':
		idx = node_new(c, IPCG_JV_NULL);
		if (!idx)
			return fail(c, "out of memory"), 0;
		return lit(c, "null") ? idx : 0;
	case '\0':
		fail(c, "NUL byte");
		return 0;
	default:
		if (*c->pos == '-' || (*c->pos >= '0' && *c->pos <= '9')) {
			idx = node_new(c, IPCG_JV_NUM);
			if (!idx)
				return fail(c, "out of memory"), 0;
			return parse_num(c, &c->p->nodes[idx]) ? idx : 0;
		}
		fail(c, *c->pos >= 0x80 ? "invalid byte outside a string" : "unexpected character");
		return 0;
	}
}

void ipcg_jsonr_init(struct ipcg_jsonr *p)
{
	memset(p, 0, sizeof(*p));
}

void ipcg_jsonr_release(struct ipcg_jsonr *p)
{
	if (!p)
		return;
	free(p->nodes);
	free(p->scratch);
	memset(p, 0, sizeof(*p));
}

const struct ipcg_jv *ipcg_jsonr_parse(struct ipcg_jsonr *p, const char *buf, size_t len)
{
	struct ctx c = { .p = p, .s = (const unsigned char *)buf,
			 .end = (const unsigned char *)buf + len,
			 .pos = (const unsigned char *)buf };
	uint32_t root;

	p->err = NULL;
	p->err_col = 0;
	p->nnodes = 0;
	if (!p->cap)
		(void)node_new(&c, IPCG_JV_NULL);	/* index 0, reserved */
	if (!p->cap)
		return fail(&c, "out of memory"), NULL;
	p->nnodes = 1;			/* node 0 means "none" */
	/* each decoded string plus its NUL is no longer than its quoted source */
	if (p->scratch_cap < len + 1) {
		char *s = realloc(p->scratch, len + 1);
		if (!s)
			return fail(&c, "out of memory"), NULL;
		p->scratch = s;
		p->scratch_cap = len + 1;
	}
	c.out = p->scratch;
	root = parse_value(&c, 1);
	if (!root)
		return NULL;
	skip_ws(&c);
	if (c.pos != c.end)
		return fail(&c, *c.pos ? "trailing characters after the value" : "NUL byte"), NULL;
	return &p->nodes[root];
}

const struct ipcg_jv *ipcg_jv_first(const struct ipcg_jsonr *p, const struct ipcg_jv *v)
{
	if (!v || (v->type != IPCG_JV_OBJ && v->type != IPCG_JV_ARR) || !v->first)
		return NULL;
	return &p->nodes[v->first];
}

const struct ipcg_jv *ipcg_jv_next(const struct ipcg_jsonr *p, const struct ipcg_jv *v)
{
	return v && v->next ? &p->nodes[v->next] : NULL;
}

const struct ipcg_jv *ipcg_jv_get(const struct ipcg_jsonr *p, const struct ipcg_jv *o,
				  const char *key)
{
	if (!o || o->type != IPCG_JV_OBJ)
		return NULL;
	for (uint32_t i = o->first; i; i = p->nodes[i].next) {
		const char *k = p->nodes[i].key;
		if (k[0] == key[0] && (!key[0] || (k[1] == key[1] && !strcmp(k, key))))
			return &p->nodes[i];
	}
	return NULL;
}

bool ipcg_jv_u64(const struct ipcg_jv *v, uint64_t *ret)
{
	if (!v || v->type != IPCG_JV_NUM || !(v->nflags & IPCG_JN_UINT))
		return false;
	*ret = v->u;
	return true;
}

bool ipcg_jv_i64(const struct ipcg_jv *v, int64_t *ret)
{
	if (!v || v->type != IPCG_JV_NUM || !(v->nflags & IPCG_JN_INT))
		return false;
	*ret = v->i;
	return true;
}

bool ipcg_jv_hex(const struct ipcg_jv *v, uint64_t *ret)
{
	uint64_t u = 0;

	if (!v)
		return false;
	if (v->type == IPCG_JV_NUM)
		return ipcg_jv_u64(v, ret);
	if (v->type != IPCG_JV_STR || v->len < 3 || v->len > 18 ||
	    v->s[0] != '0' || (v->s[1] != 'x' && v->s[1] != 'X'))
		return false;
	for (uint32_t k = 2; k < v->len; k++) {
		int h = hexval((unsigned char)v->s[k]);
		if (h < 0)
			return false;
		u = u << 4 | (unsigned)h;
	}
	*ret = u;
	return true;
}
