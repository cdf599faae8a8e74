/* Suppressions for `ipcguard report --suppress FILE` (valgrind-style,
 * docs/reader.md): known findings that are not to be reported or fail CI.
 *
 * One rule per line, '#' starts a comment:
 *	KIND-GLOB [fun:GLOB]... [obj:GLOB]...
 * A rule matches a finding when KIND-GLOB matches its kind and every fun:
 * glob matches the function name of some frame of its stack (inlined
 * callees included) and every obj: glob the path or file name of some
 * frame's module.  Globs are fnmatch(3) patterns. */
#ifndef IPCG_TOOLS_SUPPRESS_H
#define IPCG_TOOLS_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load/trace_load.h"
#include "out/symbolize.h"

struct ipcg_supp_rule {
	char *kind;
	char **fun, **obj;
	unsigned nfun, nobj;
	unsigned line;			/* in the file, for messages */
	uint64_t hits;			/* findings it suppressed */
};

struct ipcg_supp {
	const char *file;
	struct ipcg_supp_rule *v;
	size_t n;
};

/* Reads path; 0, or -1 after printing "ipcguard: FILE:LINE: ..." to stderr. */
int ipcg_supp_load(struct ipcg_supp *s, const char *path);
/* Does a rule match a finding of kind at stack st of process p?  Counts
 * count hits on the first rule that matches. */
bool ipcg_supp_match(struct ipcg_supp *s, struct ipcg_sym *sym, struct ipcg_proc *p,
		     const char *kind, const struct ipcg_stack *st, uint64_t count);
void ipcg_supp_release(struct ipcg_supp *s);

#endif
