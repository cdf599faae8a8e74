/* trace/records.c: header, fork, exit, finding and policy records.  Call records
 * are built in core/call.c, stacks in stack/stacks.c, modules in stack/modules.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "ipcg/compiler.h"
#include "ipcg/format.h"
#include "core/config.h"
#include "trace/finding_repeats.h"
#include "core/guard.h"
#include "ipcg/xlat.h"
#include "shm/limits.h"
#include "core/real.h"
#include "trace/records.h"
#include "trace/trace.h"

_Atomic uint64_t ipcg_seq;
_Atomic uint64_t ipcg_nfindings;
_Atomic uint64_t ipcg_calls_not_written;

uint64_t ipcg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ipcg_rec_begin(struct ipcg_rec *r, const char *type)
{
	r->counted_only = false;
	ipcg_jw_init(&r->w, r->buf, sizeof(r->buf) - 1);	/* room for '\n' */
	ipcg_jw_open(&r->w, '{');
	ipcg_jw_kstr(&r->w, "type", type);
}

/* Close the object and end the line; false (counted as dropped) when the
 * record did not fit its buffer. */
static bool rec_seal(struct ipcg_rec *r)
{
	ipcg_jw_close(&r->w, '}');
	if (!ipcg_jw_ok(&r->w)) {
		ipcg_trace_count_drop();
		return false;
	}
	r->buf[r->w.len++] = '\n';
	return true;
}

int ipcg_rec_end(struct ipcg_rec *r)
{
	return rec_seal(r) ? ipcg_trace_write(r->buf, r->w.len) : -1;
}

#define ARGV_READ 8192	/* bytes of the argument strings looked at */
#define ARGV_BUDGET 16384	/* bytes of escaped argv in the header, so the
				 * rest (exe, config: at most ~40 KiB escaped)
				 * always fits in the header buffer */

/* One argument, escaped straight into the header: the longest prefix whose
 * escaped form fits what is left of ARGV_BUDGET.  false (and *cut) when
 * that is not all of it: a cut argument is the last one written. */
static bool put_arg(struct ipcg_jw *w, const char *s, size_t len, size_t *used, bool *cut)
{
	if (*used >= ARGV_BUDGET) {
		*cut = true;
		return false;
	}
	for (size_t take = len;; take /= 2) {
		struct ipcg_jw save = *w;
		ipcg_jw_sep(w);
		size_t at = w->len, room = ARGV_BUDGET - *used;
		if (at + room - 1 < w->cap)
			w->cap = at + room - 1;	/* escaped length + 1 <= room */
		ipcg_jw_strn(w, s, take);
		w->cap = save.cap;
		if (ipcg_jw_ok(w) && (take || !len)) {
			*used += w->len - at + 1;
			*cut |= take < len;
			return take == len;
		}
		*w = save;	/* nothing of it stays */
		if (!take) {
			*cut = true;
			return false;
		}
	}
}

/* The arguments, as /proc/self/cmdline gives them: NUL-separated, at most
 * ARGV_READ bytes of them (then "argv_truncated").  A long or heavily
 * escaped argv (every byte >= 0x80 becomes \u00XX) is cut to ARGV_BUDGET
 * and marked too: the header must never be dropped for it.  From argv when
 * the constructor was given it (the image's first header: the same bytes,
 * four system calls fewer; core/entry.c says when it may be used), else
 * read with plain system calls. */
static void write_argv(struct ipcg_jw *w, char *const *argv)
{
	static IPCG_BULK char cmd[ARGV_READ];
	ssize_t n = 0, k;
	size_t used = 0;
	bool truncated = false;

	ipcg_jw_key(w, "argv");
	ipcg_jw_open(w, '[');
	if (argv) {
		size_t total = 0;
		for (bool last = false; *argv && !last; argv++) {
			size_t len = strlen(*argv);
			if (total + len + 1 >= ARGV_READ) {	/* where the read would end */
				last = truncated = true;
				if (len > ARGV_READ - total)
					len = ARGV_READ - total;
			}
			total += len + 1;
			if (!put_arg(w, *argv, len, &used, &truncated))
				break;
		}
	} else {
		int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			while (n < (ssize_t)sizeof(cmd) &&
			       (k = read(fd, cmd + n, sizeof(cmd) - (size_t)n)) > 0)
				n += k;
			ipcg_sys_close(fd);
		}
		truncated = n == (ssize_t)sizeof(cmd);
		for (ssize_t i = 0; i < n;) {
			size_t len = strnlen(cmd + i, (size_t)(n - i));
			if (!put_arg(w, cmd + i, len, &used, &truncated))
				break;
			i += (ssize_t)len + 1;
		}
	}
	ipcg_jw_close(w, ']');
	if (truncated) {
		ipcg_jw_key(w, "argv_truncated");
		ipcg_jw_bool(w, true);
	}
}

/* What every part's header repeats: a reader joins the parts of one
 * process by host, pid and start_realtime_ns. */
static struct {
	bool forked;
	pid_t ppid;
	uint64_t realtime_ns, mono_ns;
} started;

/* exe and host read here (a rotation's header): their buffers are on the
 * stack only then */
static IPCG_NOINLINE void key_exe(struct ipcg_jw *w)
{
	char exe[PATH_MAX];	/* as start-up reads it (core/entry.c) */
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	ipcg_jw_kstr(w, "exe", exe);
}

static IPCG_NOINLINE void key_host(struct ipcg_jw *w)
{
	struct utsname un;

	ipcg_jw_kstr(w, "host", uname(&un) == 0 ? un.nodename : "");
}

/* part 0: a new trace (then previous is NULL); self: what the caller
 * knows already (NULL: read here) */
static void header(unsigned part, const char *previous, const struct ipcg_self *self)
{
	/* argv, exe and config escaped; init, fork child, rotation.  Page
	 * aligned: a header of a few hundred bytes touches one page. */
	static IPCG_BULK char buf[65536] __attribute__((aligned(4096)));
	struct ipcg_jw w;

	ipcg_jw_init(&w, buf, sizeof(buf) - 1);
	ipcg_jw_open(&w, '{');
	ipcg_jw_kstr(&w, "type", IPCG_T_HEADER);
	ipcg_jw_kstr(&w, "format", IPCG_FORMAT_NAME);
	ipcg_jw_ku64(&w, "version", IPCG_FORMAT_VERSION);
	ipcg_jw_ki64(&w, "pid", self ? self->pid : getpid());
	ipcg_jw_ki64(&w, "ppid", started.ppid);
	if (self && self->exe)
		ipcg_jw_kstr(&w, "exe", self->exe);
	else
		key_exe(&w);
	write_argv(&w, self ? self->argv : NULL);
	if (self && self->host)
		ipcg_jw_kstr(&w, "host", self->host);
	else
		key_host(&w);
	ipcg_jw_ku64(&w, "start_realtime_ns", started.realtime_ns);
	ipcg_jw_ku64(&w, "start_ns", started.mono_ns);
	ipcg_jw_key(&w, "config");
	ipcg_jw_open(&w, '{');
	ipcg_jw_kstr(&w, "output", ipcg_config.output);
	ipcg_jw_ku64(&w, "stack", (uint64_t)ipcg_config.stack_depth);
	ipcg_jw_kstr(&w, "trace", ipcg_config.families == (IPCG_FAM_SHM | IPCG_FAM_UNIX) ? "shm,unix"
			 : ipcg_config.families == IPCG_FAM_SHM ? "shm"
			 : ipcg_config.families == IPCG_FAM_UNIX ? "unix" : "none");
	ipcg_jw_kstr(&w, "policy", ipcg_config.policy);
	ipcg_jw_key(&w, "follow");
	ipcg_jw_bool(&w, ipcg_config.follow);
	ipcg_jw_ku64(&w, "repeats", ipcg_config.repeats);
	ipcg_jw_ku64(&w, "max_size", ipcg_config.max_size);
	ipcg_jw_close(&w, '}');
	ipcg_jw_key(&w, "limits");
	ipcg_jw_open(&w, '{');
	ipcg_jw_ku64(&w, "shmmax", ipcg_limits.shmmax);
	ipcg_jw_ku64(&w, "shmall", ipcg_limits.shmall);
	ipcg_jw_ku64(&w, "shmmni", ipcg_limits.shmmni);
	ipcg_jw_ku64(&w, "shmmin", 1);
	ipcg_jw_close(&w, '}');
	ipcg_jw_key(&w, "forked");
	ipcg_jw_bool(&w, started.forked);
	if (part) {
		ipcg_jw_ku64(&w, "part", part);
		ipcg_jw_kstr(&w, "previous", previous);
	}
	ipcg_jw_close(&w, '}');
	if (!ipcg_jw_ok(&w))
		return;
	buf[w.len++] = '\n';
	(void)ipcg_trace_write_first(buf, w.len);
}

void ipcg_record_header(bool forked, const struct ipcg_self *self)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	started.forked = forked;
	started.ppid = getppid();
	started.realtime_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
	started.mono_ns = ipcg_now_ns();
	header(0, NULL, self);
}

void ipcg_record_header_part(unsigned part, const char *previous)
{
	header(part, previous, NULL);
}

void ipcg_record_fork(pid_t child)
{
	struct ipcg_rec r;

	ipcg_rec_begin(&r, IPCG_T_FORK);
	ipcg_jw_ku64(&r.w, "ts_ns", ipcg_now_ns());
	ipcg_jw_ki64(&r.w, "tid", ipcg_gettid());
	ipcg_jw_ki64(&r.w, "child_pid", child);
	(void)ipcg_rec_end(&r);
}

void ipcg_record_exit(const char *how, int status)
{
	struct ipcg_rec r;

	ipcg_repeats_flush();
	ipcg_rec_begin(&r, IPCG_T_EXIT);
	ipcg_jw_ku64(&r.w, "ts_ns", ipcg_now_ns());
	ipcg_jw_ku64(&r.w, "calls", atomic_load(&ipcg_seq));
	ipcg_jw_ku64(&r.w, "findings", atomic_load(&ipcg_nfindings));
	ipcg_jw_kstr(&r.w, "how", how);
	ipcg_jw_key(&r.w, "status");
	if (status >= 0)
		ipcg_jw_i64(&r.w, status);
	else
		ipcg_jw_null(&r.w);
	ipcg_jw_ku64(&r.w, "dropped", ipcg_trace_dropped());
	const char *stopped = ipcg_trace_stopped();
	if (stopped) {
		ipcg_jw_kstr(&r.w, "trace_stopped", stopped);
		ipcg_jw_ku64(&r.w, "calls_not_written", atomic_load(&ipcg_calls_not_written));
	}
	if (rec_seal(&r))
		(void)ipcg_trace_write_last(r.buf, r.w.len);
}

size_t ipcg_record_rotate(struct ipcg_rec *r, const char *next)
{
	ipcg_rec_begin(r, IPCG_T_ROTATE);
	ipcg_jw_ku64(&r->w, "ts_ns", ipcg_now_ns());
	ipcg_jw_ku64(&r->w, "calls", atomic_load(&ipcg_seq));
	ipcg_jw_ku64(&r->w, "findings", atomic_load(&ipcg_nfindings));
	ipcg_jw_ku64(&r->w, "dropped", ipcg_trace_dropped());
	ipcg_jw_kstr(&r->w, "next", next);
	return rec_seal(r) ? r->w.len : 0;
}

static void key_seq(struct ipcg_jw *w, uint64_t seq)
{
	ipcg_jw_key(w, "seq");
	if (seq)
		ipcg_jw_u64(w, seq);
	else
		ipcg_jw_null(w);
}

void ipcg_finding_begin(struct ipcg_rec *r, const char *kind, const char *severity,
			uint64_t seq, const char *message, uint32_t stack)
{
	ipcg_rec_begin(r, IPCG_T_FINDING);
	/* one per call site and kind past the first few (exit-time ones,
	 * one per leaked object, always in full) */
	r->counted_only = seq && !ipcg_repeats_count(kind, severity, stack);
	ipcg_jw_kstr(&r->w, "kind", kind);
	ipcg_jw_kstr(&r->w, "severity", severity);
	key_seq(&r->w, seq);
	ipcg_jw_kstr(&r->w, "message", message);
	ipcg_jw_key(&r->w, "stack");
	if (stack)
		ipcg_jw_u64(&r->w, stack);
	else
		ipcg_jw_null(&r->w);
}

int ipcg_finding_end(struct ipcg_rec *r)
{
	atomic_fetch_add(&ipcg_nfindings, 1);
	if (r->counted_only)
		return 0;
	return ipcg_rec_end(r);
}

void ipcg_record_policy(const char *rule, const char *action, uint64_t seq, int err,
			const char *message)
{
	struct ipcg_rec r;

	ipcg_rec_begin(&r, IPCG_T_POLICY);
	ipcg_jw_kstr(&r.w, "rule", rule);
	ipcg_jw_kstr(&r.w, "action", action);
	key_seq(&r.w, seq);
	ipcg_jw_kstr(&r.w, "errno", ipcg_errno_name(err));
	ipcg_jw_kstr(&r.w, "message", message);
	(void)ipcg_rec_end(&r);
}
