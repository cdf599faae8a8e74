/* trace/records.h: building and writing trace records (docs/trace-format.md). */
#ifndef IPCG_RECORDS_H
#define IPCG_RECORDS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcg/jsonw.h"

/* Fits any call or finding record: the longest argument is an escaped
 * sun_path (108 bytes, 6 bytes each when escaped) */
#define IPCG_REC_MAX 2048

struct ipcg_rec {
	bool counted_only;	/* a repeated finding: counted, not written */
	struct ipcg_jw w;
	char buf[IPCG_REC_MAX];
};

/* counters of this process, for the exit record */
extern _Atomic uint64_t ipcg_seq;		/* last call seq handed out */
extern _Atomic uint64_t ipcg_nfindings;
extern _Atomic uint64_t ipcg_calls_not_written;	/* call records lost */

uint64_t ipcg_now_ns(void);	/* CLOCK_MONOTONIC */

/* {"type":"<type>" ... then ipcg_rec_end() closes, adds '\n' and writes.
 * ipcg_rec_end returns 0, or -1 when the record was dropped. */
void ipcg_rec_begin(struct ipcg_rec *r, const char *type);
int ipcg_rec_end(struct ipcg_rec *r);

/* What start-up has read already, for the header: pid, exe (NULL: read
 * it), host (NULL: read it), argv (NULL: read /proc/self/cmdline). */
struct ipcg_self {
	pid_t pid;
	const char *exe, *host;
	char *const *argv;
};

/* The first line of a trace; forked is true in a fork child. */
void ipcg_record_header(bool forked, const struct ipcg_self *self);
/* The header of a part after the first (trace/rotate.c): the first part's,
 * plus part and the basename of the previous part. */
void ipcg_record_header_part(unsigned part, const char *previous);
void ipcg_record_fork(pid_t child);
/* The record that ends a part (next: basename of the next one), built in
 * r->buf; its length, or 0 when it does not fit. */
size_t ipcg_record_rotate(struct ipcg_rec *r, const char *next);
/* how: "exit", "_exit" or "_Exit"; status < 0 when unknown */
void ipcg_record_exit(const char *how, int status);

/* Findings: begin writes type, kind, severity, seq (0 = null), message and
 * stack (0 = null); the detector appends its facts with ipcg_jw_k*() on
 * r->w, then calls ipcg_finding_end(). */
void ipcg_finding_begin(struct ipcg_rec *r, const char *kind, const char *severity,
			uint64_t seq, const char *message, uint32_t stack);
int ipcg_finding_end(struct ipcg_rec *r);

/* Policy records: rule, action, seq, errno (0 = null), message. */
void ipcg_record_policy(const char *rule, const char *action, uint64_t seq, int err,
			const char *message);

#endif
