/* unix/detect.h: helpers shared by the AF_UNIX detectors (unix/detect.c:
 * socket life, bind, listen; unix/detect_connect.c: connect). */
#ifndef IPCG_DETECT_UNIX_H
#define IPCG_DETECT_UNIX_H

#include <stdbool.h>
#include <stddef.h>

#include "check/detect.h"
#include "check/probe.h"
#include "unix/state.h"

/* An AF_UNIX address taken apart. */
struct ipcg_sun_name {
	bool named;		/* AF_UNIX with at least one byte of sun_path */
	bool abstract;		/* sun_path[0] == '\0' */
	bool cut;		/* pathname fills all 108 bytes without a NUL */
	size_t len;		/* pathname: bytes before the NUL; abstract: bytes after the leading NUL */
	size_t trailing_nuls;	/* abstract: NUL bytes at the end of the name */
	const char *name;	/* into the ipcg_sun: the path, or the abstract name after its NUL */
};

void ipcg_sun_name(const struct ipcg_sun *a, struct ipcg_sun_name *ret);
/* path-truncated and abstract-trailing-nul, for bind and connect */
void ipcg_check_sun(const struct ipcg_ev *e, const char *op, int fd, const struct ipcg_sun *a,
		    const struct ipcg_sun_name *n);
/* "path" or "abstract" fact (the abstract name without trailing NULs) */
void ipcg_fact_sun(struct ipcg_jw *w, const struct ipcg_sun_name *n);
/* "\"/run/a.sock\"" or "\"@name\"" */
void ipcg_msg_sun(struct ipcg_msg *m, const struct ipcg_sun_name *n);

#endif
