/* outpath: the IPCGUARD_OUTPUT template.  Shared by the library (to name
 * its trace) and `ipcguard run` (to validate -o before starting). */
#ifndef IPCG_OUTPATH_H
#define IPCG_OUTPATH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ipcg_outpath_vars {
	pid_t pid;		/* %p */
	const char *exe;	/* %e: executable basename */
	uint64_t start_sec;	/* %t: unix seconds */
	const char *host;	/* %h */
};

/* Expand tmpl into out (cap bytes).  %e and %h stay one file-name
 * component: '/' and a leading '.' in them become '_'.  Returns 0,
 * -EINVAL for an unknown %-sequence or a trailing '%', -ENAMETOOLONG when
 * it does not fit. */
int ipcg_outpath_expand(char *out, size_t cap, const char *tmpl,
			const struct ipcg_outpath_vars *v);

/* Check a template without expanding it: 0 or -EINVAL. */
int ipcg_outpath_check(const char *tmpl);

#endif
