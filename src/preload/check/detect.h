/* check/detect.h: what the detectors (shm/detect.c, unix/detect.c,
 * check/detect_exit.c) share: when to write findings, the message builder, and
 * the facts every kind writes the same way.  Severities per kind are
 * documented in docs/detectors.md. */
#ifndef IPCG_DETECT_H
#define IPCG_DETECT_H

#include "ipcg/format.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>

#include "core/call.h"
#include "check/events.h"
#include "core/config.h"
#include "ipcg/jsonw.h"
#include "trace/records.h"
#include "stack/carry.h"

#define IPCG_SEV_INFO IPCG_SEVERITY_INFO
#define IPCG_SEV_WARNING IPCG_SEVERITY_WARNING
#define IPCG_SEV_ERROR IPCG_SEVERITY_ERROR

/* Findings are written only while the family is logged; the tables are
 * kept up to date regardless (policies read them). */
static inline bool ipcg_detect_logging(unsigned family)
{
	return ipcg_logging && (ipcg_config.families & family);
}

/* One message sentence, cut (never overflowing) at the buffer size: the
 * record holds the message and the facts in IPCG_REC_MAX bytes. */
struct ipcg_msg {
	size_t n;
	char buf[640];
};

static inline void ipcg_msg_init(struct ipcg_msg *m) { m->n = 0; m->buf[0] = '\0'; }
static inline void ipcg_msg_s(struct ipcg_msg *m, const char *s) { m->n = ipcg_txt(m->buf, sizeof(m->buf), m->n, s); }
static inline void ipcg_msg_u(struct ipcg_msg *m, uint64_t v) { m->n = ipcg_txt_u64(m->buf, sizeof(m->buf), m->n, v); }
static inline void ipcg_msg_i(struct ipcg_msg *m, int64_t v) { m->n = ipcg_txt_i64(m->buf, sizeof(m->buf), m->n, v); }
static inline void ipcg_msg_hex(struct ipcg_msg *m, uint64_t v) { m->n = ipcg_txt_hex(m->buf, sizeof(m->buf), m->n, v); }
/* a key as the call record prints it: IPC_PRIVATE or 0x0001e240 */
void ipcg_msg_key(struct ipcg_msg *m, key_t key);
/* printable bytes as they are, others as \xNN, at most max bytes */
void ipcg_msg_bytes(struct ipcg_msg *m, const char *s, size_t n, size_t max);
/* " failed with EINVAL" */
void ipcg_msg_failed(struct ipcg_msg *m, int err);
/* " (at seq N)" when seq is known */
void ipcg_msg_seq(struct ipcg_msg *m, const char *what, uint64_t seq);

/* facts */
void ipcg_fact_key(struct ipcg_jw *w, const char *name, key_t key);
/* a stack id from the tables (resolved after fork), null when none */
void ipcg_fact_stack(struct ipcg_jw *w, const char *name, uint32_t id);
/* a seq, null when 0 */
void ipcg_fact_seq(struct ipcg_jw *w, const char *name, uint64_t seq);

/* Exit-time findings (check/detect_exit.c): attached-at-exit, segment-leak,
 * socket-file-leak.  Once, guard held, before the exit-time policies
 * (check/policy.h) so a leak is reported before a policy cleans it up. */
void ipcg_exit_detect(void);
/* In a fork child: this process is a new owner of the exit sequence. */
void ipcg_exit_detect_atfork_child(void);
/* Note the process that owns the tables (vfork children share them). */
void ipcg_detect_owner_note(void);

#endif
