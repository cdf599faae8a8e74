/* Streaming trace loader: reads one or many trace files (docs/trace-format.md)
 * line by line, validates each record and hands it to a consumer.
 *
 * A process whose trace was rotated (IPCGUARD_MAX_SIZE) is given as several
 * files, its parts: files whose headers name the same host, pid and
 * start_realtime_ns (and different "part" numbers) are one struct
 * ipcg_proc, read one after the other in part order whatever the order on
 * the command line. "live" records (a part's checkpoint) are delivered only
 * when the part before the one read was not given (the first part read has
 * part > 0, or a part is missing between two given): they then start the
 * process's state; otherwise the earlier parts already said it all.
 *
 * Processes are merged by time: records carrying a CLOCK_MONOTONIC timestamp
 * (call, fork, exit) are delivered in ts order across files; the untimed ones
 * (header, module, stack, finding, policy) in file order right after the
 * record they follow. Each file's own order is never changed. Modules and
 * stacks are kept (compactly, stackstore.h: bounded by distinct ones); calls
 * are not: memory does not grow with the number of events. */
#ifndef IPCG_TOOLS_TRACE_LOAD_H
#define IPCG_TOOLS_TRACE_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "ipcg/format.h"
#include "load/jsonr.h"
#include "load/stackstore.h"

#define IPCG_MAX_FRAMES 256		/* longer stacks are cut (library default is 32) */

enum ipcg_sev {
	IPCG_SEV_INFO,
	IPCG_SEV_WARNING,
	IPCG_SEV_ERROR,
	IPCG_SEV_COUNT,
};

struct ipcg_symmod;

struct ipcg_module {
	uint32_t id;			/* id in its trace file */
	char *path;			/* recorded path */
	uint64_t base;			/* where the first PT_LOAD starts in memory */
	uint64_t size;			/* span of the PT_LOAD segments */
	char *build_id;			/* lowercase hex, or NULL */
	struct ipcg_symmod *sym;	/* resolved file, set by symbolize.c on first use */
	bool sym_done;			/* sym lookup attempted */
	UT_hash_handle hh;
};

/* One trace file: one process image (a fork child or an exec'd image has its own). */
struct ipcg_proc {
	unsigned idx;			/* position among the files given */
	const char *file;		/* path as given */
	bool have_header;
	int64_t pid, ppid;		/* -1 when unknown */
	char *exe, *host, *argv;	/* argv joined with spaces */
	bool forked;			/* header says: started by fork */
	uint64_t start_ns;		/* CLOCK_MONOTONIC at start (0 if unknown) */
	uint64_t start_realtime_ns;
	bool have_ts;
	uint64_t first_ts, last_ts;	/* over all timed records */
	bool have_exit;
	uint64_t exit_ts, exit_calls, exit_findings, exit_dropped;
	char *exit_how;			/* "exit", "_exit", ... or NULL */
	char *exit_trace_stopped;	/* errno name when the writer stopped, or NULL */
	uint64_t exit_calls_not_written;
	bool have_status;
	int64_t exit_status;
	/* parts: a process's trace rotated into several files */
	const char *last_file;		/* the last part read (file when only one) */
	unsigned nparts;		/* files read as this process */
	uint64_t first_part, last_part;	/* header "part" of the first and last file read */
	bool parts_gap;			/* a part between those two was not given */
	bool have_rotate;		/* the last part read ends with a rotate record ... */
	char *rotate_next;		/* ... naming this next part (basename, not given) */
	uint64_t rotate_ts, rotate_calls, rotate_findings, rotate_dropped;
	uint64_t nlines, nrecords, nmalformed, ncalls, nfindings;
	bool truncated;			/* the file ends with an incomplete line */
	bool unreadable;		/* could not be opened or read, or a newer version */
	int64_t *children;		/* child pids from fork records */
	size_t nchildren, children_cap;
	struct ipcg_proc *parent;	/* joined through the parent's fork record */
	struct ipcg_proc *exec_next;	/* no exit record: the image that replaced this one by exec */
	struct ipcg_module *mods;	/* by id */
	struct ipcg_stackstore stacks;	/* by id; frames through ipcg_stack_frame */
	void *user;			/* consumer's per-process state */
};

enum ipcg_rtype {
	IPCG_R_HEADER,
	IPCG_R_MODULE,
	IPCG_R_STACK,
	IPCG_R_CALL,
	IPCG_R_FINDING,
	IPCG_R_POLICY,
	IPCG_R_FORK,
	IPCG_R_EXIT,
	IPCG_R_FINDING_REPEATS,		/* findings counted, not written (kind, sev, stack, repeats) */
	IPCG_R_ROTATE,			/* end of a part (ts); the counts are in the proc */
	IPCG_R_CHECKPOINT,		/* end of a part's checkpoint (ts, seq) */
	IPCG_R_LIVE,			/* an object held at the checkpoint (live, seq, stack) */
};

enum ipcg_live_obj {
	IPCG_LIVE_SEGMENT,
	IPCG_LIVE_ATTACH,
	IPCG_LIVE_SOCKET,
};

/* A live record's facts (docs/trace-format.md); seq and stack are those of
 * the call that created, got, attached or bound the object (has_seq false
 * and stack NULL when unknown). */
struct ipcg_live {
	enum ipcg_live_obj obj;
	int64_t shmid;			/* segment, attach */
	const char *key;		/* segment: "0x..." or "IPC_PRIVATE" */
	uint64_t size;			/* segment, attach */
	int64_t cpid;			/* segment */
	bool created, removed;		/* segment: by this image; IPC_RMID done here */
	uint64_t nattch;		/* segment: this process's attaches */
	uint64_t shmaddr;		/* attach */
	const char *shmflg;		/* attach */
	uint64_t refs;			/* attach */
	int64_t sockfd;			/* socket: -1 once closed */
	const struct ipcg_jv *addr;	/* socket: sockaddr object */
	bool listening;			/* socket */
	bool inherited;
};

/* A validated record; pointers are valid only during the callback. */
struct ipcg_rec {
	enum ipcg_rtype type;
	const struct ipcg_jsonr *jp;	/* the parser, for walking jv nodes */
	const struct ipcg_jv *obj;	/* the whole record */
	uint64_t lineno;
	bool has_ts;
	uint64_t ts;			/* ts_ns */
	bool has_seq;
	uint64_t seq;
	uint64_t tid;
	const char *fn;			/* call */
	const struct ipcg_jv *args;	/* call: object */
	const struct ipcg_jv *ret;	/* call: number or string */
	bool failed;			/* call: errno not null */
	const char *err;		/* call, policy: errno name or NULL */
	const struct ipcg_stack *stack;	/* call, finding: NULL if none or unknown */
	const char *kind;		/* finding, finding_repeats */
	enum ipcg_sev sev;		/* finding, finding_repeats */
	uint64_t repeats;		/* finding_repeats: findings of the site not written */
	const char *message;		/* finding, policy */
	const char *rule, *action;	/* policy */
	int64_t child_pid;		/* fork */
	const struct ipcg_module *mod;	/* module */
	struct ipcg_live live;		/* live */
};

struct ipcg_load_ops {
	void (*record)(void *ctx, struct ipcg_proc *p, const struct ipcg_rec *r);
	void (*proc_end)(void *ctx, struct ipcg_proc *p);	/* file fully read; may be NULL */
};

struct ipcg_traceset {
	struct ipcg_proc **procs;
	size_t nprocs;
	bool unreadable;		/* some file could not be read: exit status 2 */
	uint64_t nmalformed;
};

/* Reads the files, calling ops for each record, then joins forks.
 * Header records are read first (to join parts) and not delivered.
 * Returns 0, or -errno on allocation failure. Per-file errors are printed and
 * flagged in the procs and in ts->unreadable. */
int ipcg_load(char **files, int nfiles, const struct ipcg_load_ops *ops, void *ctx,
	      struct ipcg_traceset *ts);
void ipcg_traceset_release(struct ipcg_traceset *ts);

const struct ipcg_module *ipcg_proc_module(const struct ipcg_proc *p, uint32_t id);
/* Frame i (innermost first) of a stack of process p. */
static inline const struct ipcg_frame *ipcg_stack_frame(const struct ipcg_proc *p,
							const struct ipcg_stack *st, uint32_t i)
{
	return ipcg_ss_frame(&p->stacks, st, i);
}
const char *ipcg_sev_name(enum ipcg_sev s);
/* Parses "info", "warning", "error"; returns -1 otherwise. */
int ipcg_sev_parse(const char *s);
/* The last part read ends with rotate and no exit: the trace goes on in
 * p->rotate_next, which was not given. */
static inline bool ipcg_proc_continues(const struct ipcg_proc *p)
{
	return p->have_rotate && !p->have_exit;
}
/* Display name of a process: basename of exe, or "?" */
const char *ipcg_proc_name(const struct ipcg_proc *p);

#endif
