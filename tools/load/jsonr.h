/* Tolerant, allocation-light JSON parser for one line at a time.
 *
 * A line is parsed into a flat array of nodes owned by the parser and reused
 * for the next line; strings are decoded into a scratch buffer of the same
 * lifetime. Nothing survives the next ipcg_jsonr_parse() call: callers copy
 * what they keep. Errors carry the column (1-based, in bytes). */
#ifndef IPCG_TOOLS_JSONR_H
#define IPCG_TOOLS_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPCG_JSONR_MAX_DEPTH 32		/* trace records nest at most 4 deep */

enum ipcg_jv_type {
	IPCG_JV_NULL,
	IPCG_JV_BOOL,
	IPCG_JV_NUM,
	IPCG_JV_STR,
	IPCG_JV_ARR,
	IPCG_JV_OBJ,
};

enum ipcg_jv_numflags {
	IPCG_JN_INT = 1 << 0,		/* integer that fits int64_t (in .i) */
	IPCG_JN_UINT = 1 << 1,		/* non-negative integer that fits uint64_t (in .u) */
	IPCG_JN_FRAC = 1 << 2,		/* has a fraction or exponent (value in .d) */
};

struct ipcg_jv {
	uint8_t type;			/* enum ipcg_jv_type */
	uint8_t nflags;			/* enum ipcg_jv_numflags, numbers only */
	uint32_t len;			/* string: bytes (may contain NUL); array/object: members */
	uint32_t next;			/* index of the next sibling, 0 at the end */
	uint32_t first;			/* array/object: index of the first member, 0 if empty */
	const char *key;		/* member of an object: its key (NUL-terminated) */
	union {
		const char *s;		/* string: decoded bytes, NUL-terminated */
		int64_t i;
		uint64_t u;
		double d;
		bool b;
	};
};

struct ipcg_jsonr {
	struct ipcg_jv *nodes;		/* nodes[0] unused so that 0 means "none" */
	size_t nnodes, cap;
	char *scratch;			/* decoded strings */
	size_t scratch_cap;
	const char *err;		/* last error message (static string) */
	size_t err_col;			/* 1-based column of the error */
};

void ipcg_jsonr_init(struct ipcg_jsonr *p);
void ipcg_jsonr_release(struct ipcg_jsonr *p);

/* Parse buf[0..len) as exactly one JSON value (whitespace around it allowed).
 * Returns the root node, or NULL with p->err and p->err_col set. */
const struct ipcg_jv *ipcg_jsonr_parse(struct ipcg_jsonr *p, const char *buf, size_t len);

/* Member of an object by key, or NULL (also when o is not an object). */
const struct ipcg_jv *ipcg_jv_get(const struct ipcg_jsonr *p, const struct ipcg_jv *o,
				  const char *key);
/* First member / next sibling, or NULL. */
const struct ipcg_jv *ipcg_jv_first(const struct ipcg_jsonr *p, const struct ipcg_jv *v);
const struct ipcg_jv *ipcg_jv_next(const struct ipcg_jsonr *p, const struct ipcg_jv *v);

/* Typed accessors: true when v has that shape. */
bool ipcg_jv_u64(const struct ipcg_jv *v, uint64_t *ret);
bool ipcg_jv_i64(const struct ipcg_jv *v, int64_t *ret);
/* Hex string "0x..." (at most 16 digits) or a non-negative integer. */
bool ipcg_jv_hex(const struct ipcg_jv *v, uint64_t *ret);
static inline bool ipcg_jv_is_str(const struct ipcg_jv *v) { return v && v->type == IPCG_JV_STR; }
static inline bool ipcg_jv_is_null(const struct ipcg_jv *v) { return v && v->type == IPCG_JV_NULL; }

#endif
