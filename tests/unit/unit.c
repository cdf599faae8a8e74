/* tests/unit/unit.c: the scripted kernel, the row runner and the trace
 * reader of unit.h.  Linked with every library object except hooks/: no
 * constructor starts tracing, and nothing is preloaded. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check/detect.h"
#include "check/policy.h"
#include "core/call.h"
#include "core/config.h"
#include "core/guard.h"
#include "core/real.h"
#include "ipcg/xlat.h"
#include "shm/call.h"
#include "unix/call.h"
#include "trace/records.h"
#include "trace/trace.h"
#include "unit.h"

static struct ut_kernel K;	/* the row's kernel, in its child */

/* --- the scripted probes ------------------------------------------------- */

static struct ut_seg *seg_by_id(int shmid)
{
	for (int i = 0; i < UT_MAX && K.segs[i].shmid; i++)
		if (K.segs[i].shmid == shmid)
			return &K.segs[i];
	return NULL;
}

static int k_shm_lookup(key_t key)
{
	for (int i = 0; i < UT_MAX && K.segs[i].shmid; i++)
		if (K.segs[i].key == key && !(K.segs[i].mode & SHM_DEST))
			return K.segs[i].shmid;
	return -ENOENT;
}

static int k_shm_stat(int shmid, struct shmid_ds *ret)
{
	const struct ut_seg *s = seg_by_id(shmid);

	if (!s)
		return -EINVAL;
	if (s->stat_err)
		return -s->stat_err;
	memset(ret, 0, sizeof(*ret));
	/* the kernel shows key IPC_PRIVATE once a segment is removed */
	ret->shm_perm.__key = (s->mode & SHM_DEST) ? IPC_PRIVATE : s->key;
	ret->shm_perm.mode = s->mode;
	ret->shm_segsz = s->size;
	ret->shm_cpid = s->cpid;
	ret->shm_nattch = s->nattch;
	return 0;
}

static int k_shm_info(struct shm_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->used_ids = (int)K.used_ids;
	ret->shm_tot = K.shm_tot;
	return 0;
}

static void k_shm_limits(struct ipcg_limits *ret)
{
	*ret = K.limits;
	if (!ret->shmmax && !ret->shmall && !ret->shmmni)
		*ret = (struct ipcg_limits){ .shmmax = 1ull << 30, .shmall = 1ull << 20, .shmmni = 4096 };
}

static bool k_maps_is_attach(uintptr_t addr, uint64_t size, int shmid)
{
	return K.maps_attach;
}

static int k_maps_count(int shmid)
{
	return K.maps_count;
}

/* "/run/" names "/run", as in the kernel */
static const struct ut_file *file_at(const char *path, int *ret_idx)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (int i = 0; i < UT_MAX && K.files[i].path; i++) {
		if (strlen(K.files[i].path) == n && memcmp(K.files[i].path, path, n) == 0) {
			*ret_idx = i;
			return &K.files[i];
		}
	}
	return NULL;
}

static int k_lstat(const char *path, struct stat *ret)
{
	int i = 0;
	const struct ut_file *f = file_at(path, &i);

	if (!f)
		return -ENOENT;
	if (f->stat_err)
		return -f->stat_err;
	memset(ret, 0, sizeof(*ret));
	ret->st_mode = f->mode;
	ret->st_dev = 1;
	ret->st_ino = (ino_t)(100 + i);
	return 0;
}

static int k_search(const char *path)
{
	int i = 0;
	const struct ut_file *f = file_at(path, &i);

	return f && f->search_err ? -f->search_err : 0;
}

static enum ipcg_probe k_unix_path(const char *path)
{
	struct stat st;
	int r = k_lstat(path, &st);

	if (r == -EACCES)
		return IPCG_PROBE_DENIED;
	if (r < 0)
		return r == -ENOENT ? IPCG_PROBE_MISSING : IPCG_PROBE_UNKNOWN;
	if (!S_ISSOCK(st.st_mode))
		return IPCG_PROBE_NOT_SOCKET;
	int i = 0;
	return file_at(path, &i)->live ? IPCG_PROBE_LIVE : IPCG_PROBE_STALE;
}

static enum ipcg_probe k_unix_abstract(const char *name, size_t n)
{
	for (int i = 0; i < UT_MAX && K.abstract[i]; i++)
		if (strlen(K.abstract[i]) == n && memcmp(K.abstract[i], name, n) == 0)
			return IPCG_PROBE_LIVE;
	return IPCG_PROBE_MISSING;
}

static int k_unix_file_id(const char *path, dev_t *ret_dev, ino_t *ret_ino, uint64_t *ret_btime_ns)
{
	struct stat st;
	int r = k_lstat(path, &st);

	if (r < 0)
		return r;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	*ret_dev = st.st_dev;
	*ret_ino = st.st_ino;
	*ret_btime_ns = 0;
	return 0;
}

static bool k_pid_alive(pid_t pid)
{
	for (int i = 0; i < UT_MAX && K.alive[i]; i++)
		if (K.alive[i] == pid)
			return true;
	return pid == getpid();
}

static const struct ipcg_probes ut_probes = {
	.shm_lookup = k_shm_lookup,
	.shm_stat = k_shm_stat,
	.shm_info = k_shm_info,
	.shm_limits = k_shm_limits,
	.maps_is_attach = k_maps_is_attach,
	.maps_count = k_maps_count,
	.stat = k_lstat,	/* the scripted kernel has no symbolic links */
	.lstat = k_lstat,
	.search = k_search,
	.unix_path = k_unix_path,
	.unix_abstract = k_unix_abstract,
	.unix_file_id = k_unix_file_id,
	.pid_alive = k_pid_alive,
};

/* --- one row, in its own process ------------------------------------------ */

static int real_seg = -1;	/* UT_REAL_SEG, once made */

static long resolve_id(long id)
{
	if (id != UT_REAL_SEG)
		return id;
	if (real_seg < 0) {
		real_seg = REAL(shmget)(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (real_seg < 0) {
			fprintf(stderr, "# row: shmget(IPC_PRIVATE, 4096): %s\n", strerror(errno));
			_exit(3);
		}
	}
	return real_seg;
}

static void resolve_seg(struct ut_seg *s)
{
	if (s->shmid == UT_REAL_SEG)
		s->shmid = (int)resolve_id(s->shmid);
	if (s->cpid == UT_ME)
		s->cpid = getpid();
}

static void ut_record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ut_record(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n > 0 && n < (int)sizeof(buf) - 1) {
		buf[n++] = '\n';
		(void)ipcg_trace_write(buf, (size_t)n);
	}
}

static const char *err_name(int err)
{
	const char *s = err ? ipcg_errno_name(err) : NULL;

	return s ? s : "null";
}

static void sun_of(const struct ut_step *st, struct ipcg_sun *ret)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	bool abstract = st->s[0] == '@';
	size_t n = strlen(st->s);

	memset(ret, 0, sizeof(*ret));
	ret->valid = true;
	ret->sa.sun_family = AF_UNIX;
	if (abstract) {
		memcpy(ret->sa.sun_path + 1, st->s + 1, n - 1 < sizeof(ret->sa.sun_path) - 1 ? n - 1 : sizeof(ret->sa.sun_path) - 1);
		ret->len = (socklen_t)(st->len ? st->len : off + n);
	} else {
		memcpy(ret->sa.sun_path, st->s, n < sizeof(ret->sa.sun_path) ? n : sizeof(ret->sa.sun_path));
		ret->len = (socklen_t)(st->len ? st->len : n >= sizeof(ret->sa.sun_path) ? sizeof(struct sockaddr_un) : off + n + 1);
	}
}

static void step(int i, const struct ut_step *st)
{
	struct ipcg_ev e = { .seq = (uint64_t)i + 1, .err = st->err, .policy = st->policy };
	struct ipcg_sun sun;
	long a = resolve_id(st->a);
	void *r;

	switch (st->op) {
	case UT_SHMGET:
		ipcg_on_shmget(&e, (key_t)st->a, (size_t)st->b, (int)st->c, (int)resolve_id(st->ret));
		break;
	case UT_SHMAT:
		ipcg_on_shmat(&e, (int)a, NULL, (int)st->c, (void *)st->ret);
		break;
	case UT_SHMDT:
		ipcg_on_shmdt(&e, (const void *)st->b, (int)st->ret);
		break;
	case UT_SHMCTL:
		ipcg_on_shmctl(&e, (int)a, (int)st->c, (int)st->ret);
		break;
	case UT_FTOK:
		ipcg_on_ftok(&e, st->s, (int)st->c, (key_t)st->ret);
		break;
	case UT_SOCKET:
		ipcg_on_socket(&e, AF_UNIX, (int)st->c, 0, (int)st->ret);
		break;
	case UT_BIND:
		sun_of(st, &sun);
		ipcg_on_bind(&e, (int)st->a, &sun, (int)st->ret);
		break;
	case UT_CONNECT:
		sun_of(st, &sun);
		ipcg_on_connect(&e, (int)st->a, &sun, (int)st->ret);
		break;
	case UT_LISTEN:
		ipcg_on_listen(&e, (int)st->a, 16, (int)st->ret);
		break;
	case UT_CLOSE:
		ipcg_on_close(&e, (int)st->a, (int)st->ret);
		break;
	case UT_EXIT:
		ipcg_exit_detect();
		ipcg_policy_at_exit();
		break;
	case UT_KSEG: {
		struct ut_seg s = st->seg, *have;
		resolve_seg(&s);
		if ((have = seg_by_id(s.shmid))) {
			*have = s;
		} else {
			for (int k = 0; k < UT_MAX; k++) {
				if (!K.segs[k].shmid) {
					K.segs[k] = s;
					break;
				}
			}
		}
		break;
	}
	case UT_KRMFILE:
		for (int k = 0; k < UT_MAX && K.files[k].path; k++)
			if (strcmp(K.files[k].path, st->s) == 0)
				K.files[k].stat_err = ENOENT;
		break;
	case UT_POL_SHMAT:
		/* through the call layer, as the hook calls it: the guard is
		 * not held, the call gets this step's seq */
		atomic_store(&ipcg_seq, (uint64_t)i);
		ipcg_guard_leave();
		r = ipcg_shmat((int)a, NULL, (int)st->c);
		e.err = r == (void *)-1 ? errno : 0;
		ipcg_guard_enter();
		ut_record("{\"type\":\"ut\",\"step\":%d,\"ret\":\"%s\",\"errno\":\"%s\"}", i + 1,
			  r == (void *)-1 ? "-1" : "addr", err_name(e.err));
		break;
	case UT_POL_SHMAT_UNTRACED:
		/* the guard held: the call layer cannot trace it (as in a
		 * signal handler that interrupted our bookkeeping) */
		r = ipcg_shmat((int)a, NULL, (int)st->c);
		e.err = r == (void *)-1 ? errno : 0;
		ut_record("{\"type\":\"ut\",\"step\":%d,\"ret\":\"%s\",\"errno\":\"%s\"}", i + 1,
			  r == (void *)-1 ? "-1" : "addr", err_name(e.err));
		break;
	case UT_POL_BIND:
	case UT_POL_CONNECT: {
		/* three calls: socket (seq i + 1), the bind or connect, close */
		sun_of(st, &sun);
		atomic_store(&ipcg_seq, (uint64_t)i);
		ipcg_guard_leave();
		int fd = ipcg_socket_unix(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ret = ipcg_bind_or_connect(fd, (const struct sockaddr *)&sun.sa, sun.len,
					       st->op == UT_POL_BIND);
		e.err = ret < 0 ? errno : 0;
		(void)ipcg_close_slow(fd);
		ipcg_guard_enter();
		ut_record("{\"type\":\"ut\",\"step\":%d,\"ret\":\"%d\",\"errno\":\"%s\"}", i + 1, ret,
			  err_name(e.err));
		break;
	}
	case UT_END:
		break;
	}
}

static void run_row(const struct ut_row *row, const char *path)
{
	char err[512];

	K = row->k;
	for (int i = 0; i < UT_MAX && K.segs[i].shmid; i++)
		resolve_seg(&K.segs[i]);
	ipcg_probes = &ut_probes;
	ipcg_config.families = row->families ? row->families : IPCG_FAM_SHM | IPCG_FAM_UNIX;
	ipcg_config.stack_depth = 0;
	ipcg_config.repeats = 0;
	ipcg_config.follow = false;
	ipcg_config.max_size = 0;
	if (row->policy && ipcg_policy_parse(row->policy, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		_exit(2);
	}
	ipcg_limits_read();
	if (ipcg_trace_open_file(path) < 0) {
		fprintf(stderr, "# row: cannot open the trace %s\n", path);
		_exit(4);
	}
	ipcg_logging = true;
	atomic_store(&ipcg_state, IPCG_READY);
	ipcg_guard_enter();	/* the hooks run with the guard held (core/call.h) */
	ipcg_record_header(false, NULL);
	for (int i = 0; i < (int)IPCG_ARRAY_SIZE(row->steps) && row->steps[i].op != UT_END; i++)
		step(i, &row->steps[i]);
	if (real_seg >= 0) {
		struct shmid_ds ds;
		bool left = REAL(shmctl)(real_seg, IPC_STAT, &ds) == 0 && !(ds.shm_perm.mode & SHM_DEST);
		ut_record("{\"type\":\"ut\",\"real_segment\":\"%s\"}", left ? "left" : "removed");
		if (left)
			(void)REAL(shmctl)(real_seg, IPC_RMID, NULL);
	}
	ipcg_record_exit("exit", 0);
	ipcg_trace_finish();
	ipcg_guard_leave();
}

/* --- reading the trace back ----------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0, k;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			if (!buf)
				tap_bail("out of memory");
		}
		k = fread(buf + n, 1, cap - n - 1, f);
		n += k;
	} while (k > 0);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* the string value of key in line, into out */
static bool field(const char *line, const char *end, const char *key, char *out, size_t cap)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(line, pat);
	if (!p || p >= end)
		return false;
	p += strlen(pat);
	size_t n = 0;
	while (p < end && *p != '"' && n + 1 < cap)
		out[n++] = *p++;
	out[n] = '\0';
	return true;
}

static void summarise(const char *trace, char *out, size_t cap)
{
	char a[128], b[128];
	size_t n = 0;

	out[0] = '\0';
	for (const char *line = trace; line && *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		const char *t = strstr(line, "\"type\":\"");
		a[0] = b[0] = '\0';
		if (t && t < end && strncmp(t, "\"type\":\"finding\"", 16) == 0) {
			field(line, end, "kind", a, sizeof(a));
			field(line, end, "severity", b, sizeof(b));
			n += (size_t)snprintf(out + n, cap - n, "%s%s:%s", n ? "," : "", a, b);
		} else if (t && t < end && strncmp(t, "\"type\":\"policy\"", 15) == 0) {
			field(line, end, "rule", a, sizeof(a));
			n += (size_t)snprintf(out + n, cap - n, "%spolicy:%s", n ? "," : "", a);
		}
		if (n >= cap)
			n = cap - 1;
		line = *end ? end + 1 : end;
	}
}

int ut_count(const struct ut_row *rows, size_t n)
{
	int c = 0;

	for (size_t i = 0; i < n; i++) {
		c++;
		for (int k = 0; k < (int)IPCG_ARRAY_SIZE(rows[i].has) && rows[i].has[k]; k++)
			c++;
	}
	return c;
}

void ut_run(const struct ut_row *rows, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], path[4200], got[4096];
	bool keep = getenv("UT_KEEP") != NULL;

	snprintf(dir, sizeof(dir), "%s/ipcg-unit.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		tap_bail("mkdtemp %s: %s", dir, strerror(errno));
	ipcg_real_resolve();
	for (size_t i = 0; i < n; i++) {
		const struct ut_row *row = &rows[i];
		int status = 0;

		snprintf(path, sizeof(path), "%s/%02zu.jsonl", dir, i);
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			tap_bail("fork: %s", strerror(errno));
		if (pid == 0) {
			run_row(row, path);
			_exit(0);
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		char *trace = slurp(path);
		summarise(trace ? trace : "", got, sizeof(got));
		bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		bool pass = is_str(clean ? got : NULL, row->want, "%s: %s", row->name,
				   *row->want ? row->want : "no finding");
		for (int k = 0; k < (int)IPCG_ARRAY_SIZE(row->has) && row->has[k]; k++)
			pass &= ok(trace && strstr(trace, row->has[k]), "%s: trace has %s", row->name, row->has[k]);
		if (!pass) {
			tap_diag("     child status 0x%x, trace %s%s:", status, path, keep ? "" : " (UT_KEEP=1 keeps it)");
			tap_diag("%s", trace ? trace : "(no trace)");
		}
		free(trace);
		if (!keep)
			(void)unlink(path);
	}
	if (!keep)
		(void)rmdir(dir);
	else
		tap_diag("traces kept in %s", dir);
}
