/* Output helpers shared by the reader subcommands: JSON string escaping,
 * errno descriptions, colour, stack printing and checked stdout. */
#ifndef IPCG_TOOLS_OUT_H
#define IPCG_TOOLS_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "load/trace_load.h"
#include "out/esc.h"
#include "out/symbolize.h"

/* Writes s (len bytes) as a JSON string with quotes; bytes that are not
 * printable ASCII are written as \u00XX, one per byte (as the trace writer). */
void ipcg_json_str(FILE *f, const char *s, size_t len);
static inline void ipcg_json_cstr(FILE *f, const char *s)
{
	if (s)
		ipcg_json_str(f, s, __builtin_strlen(s));
	else
		fputs("null", f);
}

/* Writes s as a C string literal in strace's style ("..." with escapes). */
void ipcg_c_str(FILE *f, const char *s, size_t len);

/* "Invalid argument" for "EINVAL"; NULL when the name is unknown. */
const char *ipcg_errno_desc(const char *name);

/* Flushes stdout; on a write error prints one line and returns false. */
bool ipcg_out_finish(FILE *f);

/* Makes stdout fully buffered with a large buffer (the reader writes a lot). */
void ipcg_out_setup(void);

/* A growable list of strings; ipcg_strlist_add is an ipcg_frame_fn, so a
 * stack's symbolised lines can be collected with it.  A failed allocation
 * drops the line (the output shows fewer frames, never a wrong one). */
struct ipcg_strlist {
	char **v;
	unsigned n;
};
void ipcg_strlist_add(void *list, unsigned index, const char *text);
void ipcg_strlist_free(char **v, unsigned n);

/* Frames of a stack as symbolised lines: calls fn(ctx, index, text) for each
 * line (inlined callees get their own lines), innermost first, at most max
 * physical frames (0: all). */
typedef void (*ipcg_frame_fn)(void *ctx, unsigned index, const char *text);
void ipcg_stack_lines(struct ipcg_sym *sym, struct ipcg_proc *p, const struct ipcg_stack *st,
		      unsigned max, bool names, ipcg_frame_fn fn, void *ctx);

/* The same frames as a JSON array of strings, "[]" for none. */
void ipcg_json_frames(FILE *f, struct ipcg_sym *sym, struct ipcg_proc *p,
		      const struct ipcg_stack *st, unsigned max);

/* Parses an option value as an unsigned number; false if it is not one. */
bool ipcg_parse_uint(const char *s, unsigned long *ret);

#endif
