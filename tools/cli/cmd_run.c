/* cmd_run.c: `ipcguard run`: start a program under libipcguard.so.
 *
 * The options become IPCGUARD_* variables, validated here first with the
 * library's own rules (src/common: settings.c, policy_parse.c,
 * outpath.c), so a typo stops before the program starts.
 * The library is found beside this executable (build tree) or in
 * ../lib/ipcguard/ (installed).  Each process writes its trace path to a
 * private manifest, so that we can list the traces afterwards, count their
 * findings and trim the NUL tail a killed process leaves behind. A trace
 * rotated by IPCGUARD_MAX_SIZE lists each part in the manifest; the listing
 * shows a process once, as its first part's path "+ N parts". */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "ipcg/format.h"
#include "ipcg/outpath.h"
#include "ipcg/policy_parse.h"
#include "ipcg/settings.h"
#include "load/jsonr.h"
#include "model/live.h"
#include "out/esc.h"

#define MANIFEST_ENV "IPCGUARD_RUN_MANIFEST"

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "ipcguard run: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	return IPCG_EXIT_USAGE;
}

static int find_library(char *out, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	const char *cands[] = { "/libipcguard.so", "/../lib/ipcguard/libipcguard.so" };
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		if (strlen(self) + strlen(cands[i]) + 1 > cap)
			return -1;
		strcpy(out, self);
		strcat(out, cands[i]);
		if (access(out, R_OK) == 0) {
			char real[PATH_MAX];
			if (realpath(out, real))
				snprintf(out, cap, "%s", real);
			return 0;
		}
	}
	return -1;
}

/* CMD as execvp would find it */
static int resolve_cmd(const char *cmd, char *out, size_t cap)
{
	if (strchr(cmd, '/')) {
		snprintf(out, cap, "%s", cmd);
		return access(out, X_OK);
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");
		struct stat st;
		snprintf(out, cap, "%.*s/%s", (int)len, len ? p : ".", cmd);
		/* as execvp and the shell: a directory of that name is skipped */
		if (access(out, X_OK) == 0 && stat(out, &st) == 0 && !S_ISDIR(st.st_mode))
			return 0;
		p += len;
		if (*p == ':')
			p++;
	}
	return -1;
}

static const char *why_not_preloadable(const char *path);

/* A script's "#!" interpreter, when path is a script: its first word. */
static bool script_interpreter(const char *path, char *out, size_t cap)
{
	char buf[PATH_MAX + 3];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return false;
	buf[n] = '\0';
	char *p = buf + 2;
	p += strspn(p, " \t");
	size_t len = strcspn(p, " \t\n");
	if (!len || len >= cap)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/* A script whose interpreter the library cannot enter runs untraced:
 * say so instead (one level: an interpreter that is itself a script is
 * refused by the kernel's own limits long before us). */
static const char *why_script_not_preloadable(const char *path)
{
	static char why[PATH_MAX + 128];
	char interp[PATH_MAX];
	const char *w;

	if (!script_interpreter(path, interp, sizeof(interp)) || !(w = why_not_preloadable(interp)))
		return NULL;
	snprintf(why, sizeof(why), "its interpreter %s cannot be traced: %s", interp, w);
	return why;
}

/* A program the library cannot enter: setuid/setgid (the loader ignores
 * LD_PRELOAD) or a static ELF (no loader at all).  NULL when fine. */
static const char *why_not_preloadable(const char *path)
{
	struct stat st;
	Elf64_Ehdr eh;
	int fd;
	const char *why = NULL;

	if (stat(path, &st) < 0)
		return NULL;	/* execvp reports it */
	if (st.st_mode & (S_ISUID | S_ISGID))
		return "it is setuid or setgid, and the dynamic loader ignores LD_PRELOAD for it";
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (read(fd, &eh, sizeof(eh)) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		goto out_close;	/* a script or another format: its interpreter is checked at exec */
	bool interp = false;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP)
			interp = true;
	}
	if (!interp)
		why = "it is statically linked, so there is no dynamic loader to preload the library";
out_close:
	close(fd);
	return why;
}

/* The trace's writer still runs: same pid, not a zombie, started no later
 * than its trace (a reused pid is a newer process).  Unknown counts as
 * alive: a live writer's file must not be trimmed. */
static bool writer_alive(long pid, uint64_t start_realtime_ns)
{
	enum ipcg_pstate st = ipcg_live_proc(pid, start_realtime_ns);
	return st == IPCG_PROC_RUNNING || st == IPCG_PROC_UNKNOWN;
}

struct scanned {
	char *path;
	long findings;		/* -1: unreadable */
	int err;
	long pid, ppid;
	uint64_t start_realtime_ns;
	long part;		/* header "part", 0 for the first */
	bool forked, exit_seen, rotate_seen, gone;
	bool listed;		/* shown with an earlier part of its process */
};

static int64_t field_i64(const struct ipcg_jsonr *jp, const struct ipcg_jv *rec, const char *key)
{
	int64_t v;

	return ipcg_jv_i64(ipcg_jv_get(jp, rec, key), &v) ? v : 0;
}

/* What one record says about its trace: a finding, the exit, the end of
 * a part, or (the first header) which process wrote it.  A line that is
 * not a JSON object (a record cut short) says nothing, as for the reader. */
static void scan_record(struct scanned *t, struct ipcg_jsonr *jp, const char *line, size_t len,
			bool *header)
{
	const struct ipcg_jv *rec = ipcg_jsonr_parse(jp, line, len), *type, *v;

	if (!rec || !ipcg_jv_is_str(type = ipcg_jv_get(jp, rec, "type")))
		return;
	if (!strcmp(type->s, IPCG_T_FINDING)) {
		t->findings++;
	} else if (!strcmp(type->s, IPCG_T_EXIT)) {
		t->exit_seen = true;
	} else if (!strcmp(type->s, IPCG_T_ROTATE)) {
		t->rotate_seen = true;	/* a complete part: the next one goes on */
	} else if (!*header && !strcmp(type->s, IPCG_T_HEADER)) {
		*header = true;
		t->pid = (long)field_i64(jp, rec, "pid");
		t->ppid = (long)field_i64(jp, rec, "ppid");
		t->part = (long)field_i64(jp, rec, "part");
		v = ipcg_jv_get(jp, rec, "forked");
		t->forked = v && v->type == IPCG_JV_BOOL && v->b;
		if (!ipcg_jv_u64(ipcg_jv_get(jp, rec, "start_realtime_ns"), &t->start_realtime_ns))
			t->start_realtime_ns = 0;
	}
}

/* Only NUL bytes from off to the end: a tail, not a hole that another
 * thread's records follow. */
static bool zero_from(FILE *f, off_t off)
{
	char buf[8192];
	size_t n;

	if (fseeko(f, off, SEEK_SET) < 0)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return false;
	return !ferror(f);
}

/* Count findings; cut the NUL run a killed process leaves after its last
 * record, but only when that process is gone (a live writer still owns the
 * file's allocated tail). */
static void scan_trace(struct scanned *t)
{
	FILE *f = fopen(t->path, "r+e");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	off_t good_end = 0, pos = 0, nul_at = -1;
	bool header = false;
	struct ipcg_jsonr jp;

	t->findings = -1;
	if (!f) {
		t->err = errno;
		return;
	}
	t->findings = 0;
	ipcg_jsonr_init(&jp);
	while ((n = getline(&line, &cap, f)) > 0) {
		pos += n;
		const char *z = memchr(line, '\0', (size_t)n);
		if (z) {
			/* a record cut by the end of the process, then the zeroed
			 * rest of the chunk: the NUL run need not start a line.
			 * The last run after complete lines is the tail; an
			 * earlier one is a hole that other threads wrote past. */
			if (nul_at < 0 || good_end > nul_at)
				nul_at = pos - n + (z - line);
			continue;
		}
		if (line[n - 1] == '\n')
			good_end = pos;
		scan_record(t, &jp, line, (size_t)n - (line[n - 1] == '\n'), &header);
	}
	free(line);
	ipcg_jsonr_release(&jp);
	t->gone = t->pid && !writer_alive(t->pid, t->start_realtime_ns);
	if (nul_at >= 0 && t->gone && zero_from(f, nul_at) && good_end <= nul_at)
		(void)!ftruncate(fileno(f), good_end);
	fclose(f);
}

/* An image without an exit record that a later trace of the same process
 * follows (same pid and parent, not a fork child) ended by exec: the
 * library writes no record there, and the manifest lists traces in the
 * order they were created. */
static bool replaced_by_exec(const struct scanned *v, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n; j++)
		if (v[j].findings >= 0 && v[j].pid == v[i].pid && v[j].ppid == v[i].ppid &&
		    !v[j].forked && v[j].start_realtime_ns != v[i].start_realtime_ns)
			return true;
	return false;
}

/* Parts of one process's trace: same pid and start (the header's identity). */
static bool same_process(const struct scanned *a, const struct scanned *b)
{
	return a->findings >= 0 && b->findings >= 0 && a->pid && a->pid == b->pid &&
	       a->start_realtime_ns && a->start_realtime_ns == b->start_realtime_ns;
}

/* The process of entry i: its findings over all parts listed, their number,
 * and the newest part (which says how it ended). Marks the others listed. */
static size_t process_parts(struct scanned *v, size_t n, size_t i, long *findings, size_t *nparts)
{
	size_t last = i;

	*findings = v[i].findings;
	*nparts = 1;
	for (size_t j = i + 1; j < n; j++)
		if (!v[j].listed && same_process(&v[i], &v[j])) {
			v[j].listed = true;
			*findings += v[j].findings;
			++*nparts;
			if (v[j].part > v[last].part)
				last = j;
		}
	return last;
}

/* A process killed with the rest of its group may still be tearing down
 * when CMD's own exit wakes us: give the others a moment to end before
 * calling them running (and leaving their files untrimmed). */
#define SETTLE_MS 300

static bool any_running(const struct scanned *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].findings >= 0 && !v[i].exit_seen && !v[i].rotate_seen && !v[i].gone)
			return true;
	return false;
}

/* Appends the manifest's entries (NUL-terminated paths) from the current
 * position of m to v.  An entry not yet terminated is left for the next
 * call: the library writes each in one write(2), but we may read between. */
static void read_manifest(FILE *m, struct scanned **v, size_t *n, size_t *cap)
{
	char *path = NULL;
	size_t len = 0;
	ssize_t got;

	clearerr(m);
	for (off_t at = ftello(m); (got = getdelim(&path, &len, '\0', m)) > 0; at = ftello(m)) {
		if (path[got - 1] != '\0') {
			(void)fseeko(m, at, SEEK_SET);
			break;
		}
		if (!path[0])
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? 2 * *cap : 16;
			struct scanned *nv = realloc(*v, nc * sizeof(**v));
			if (!nv)
				break;
			*v = nv;
			*cap = nc;
		}
		(*v)[*n] = (struct scanned){ .path = strdup(path) };
		if (!(*v)[*n].path)
			break;
		scan_trace(&(*v)[(*n)++]);
	}
	free(path);
}

/* A trace path for a terminal line: control bytes (a newline in a
 * directory name) as C escapes, the rest as it is. */
static void put_path(FILE *f, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else if (c == '\\')
			fputs("\\\\", f);
		else
			fputc(c, f);
	}
}

static void report_traces(const char *manifest, bool quiet)
{
	FILE *m = fopen(manifest, "re");
	struct scanned *v = NULL;
	size_t n = 0, cap = 0;

	if (!m)
		return;
	read_manifest(m, &v, &n, &cap);
	/* a descendant forked just before CMD ended may not have listed its
	 * trace yet, and one killed with its group may still be ending */
	for (int ms = 0; ms < SETTLE_MS; ms += 20) {
		struct timespec ts = { 0, 20 * 1000000 };
		size_t before = n;
		if (ms >= 60 && !any_running(v, n))
			break;
		nanosleep(&ts, NULL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;	/* orphans reparented to us meanwhile */
		for (size_t i = 0; i < before; i++)
			if (v[i].findings >= 0 && !v[i].exit_seen && !v[i].rotate_seen && !v[i].gone)
				scan_trace(&v[i]);
		read_manifest(m, &v, &n, &cap);
	}
	fclose(m);
	for (size_t i = 0; i < n; i++) {
		struct scanned *t = &v[i];
		long findings;
		size_t nparts, last;

		if (quiet || t->listed)
			;
		else if (t->findings < 0) {
			fputs("ipcguard: ", stderr);
			put_path(stderr, t->path);
			fprintf(stderr, ": cannot read: %s\n", strerror(t->err));
		} else {
			/* parts are listed in the order they were created: i is the first */
			last = process_parts(v, n, i, &findings, &nparts);
			const struct scanned *e = &v[last];
			fputs("ipcguard: ", stderr);
			put_path(stderr, t->path);
			if (nparts > 1)
				fprintf(stderr, " + %zu part%s", nparts - 1, nparts == 2 ? "" : "s");
			fprintf(stderr, ": %ld finding%s%s\n", findings,
				findings == 1 ? "" : "s",
				e->exit_seen || replaced_by_exec(v, n, last) ? "" :
				e->rotate_seen ? " (its last part listed ends with rotate: the next one is missing)" :
				e->gone ? " (process ended without exit: killed or crashed)" :
				" (pid still running: findings so far; its exit findings come later)");
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

int ipcg_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "stack", required_argument, NULL, 's' },
		{ "trace", required_argument, NULL, 't' },
		{ "policy", required_argument, NULL, 'p' },
		{ "no-follow", no_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *stack = NULL, *trace = NULL, *policy = NULL;
	bool follow = true, quiet = false, wait_all = false;
	char lib[PATH_MAX], cmdpath[PATH_MAX], abs_out[PATH_MAX * 2], err[512];
	char manifest[] = "/tmp/ipcguard-run.XXXXXX";
	int c, status, mfd;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': stack = optarg; break;
		case 't': trace = optarg; break;
		case 'p': policy = optarg; break;
		case 'F': follow = false; break;
		case 'q': quiet = true; break;
		case 'w': wait_all = true; break;
		case 'h':
			printf("usage: ipcguard run [-o TEMPLATE] [--stack N] [--trace FAMILIES] "
			       "[--policy RULES] [--no-follow] [--wait] [-q] -- CMD [ARG...]\n");
			return fflush(stdout) ? IPCG_EXIT_USAGE : IPCG_EXIT_OK;
		case ':':
			return usage_error("option needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no command given (ipcguard run [OPTION...] -- CMD [ARG...])", NULL);

	/* the library's own rules, checked before anything starts */
	if (out && strcmp(out, "stderr") && strncmp(out, "fd:", 3) && ipcg_outpath_check(out) < 0)
		return usage_error("invalid -o template (use %p %e %t %h %%, 'stderr' or 'fd:N')", out);
	if (out && !strncmp(out, "fd:", 3)) {
		/* the library's rule, and the descriptor must be open for
		 * writing here, since CMD inherits it */
		int fd;
		if (!ipcg_set_out_fd(out + 3, &fd))
			return usage_error("invalid -o fd:N (a descriptor number)", out);
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
			return usage_error("-o fd:N: the descriptor is not open for writing", out);
	}
	int frames;
	unsigned families;
	if (stack && !ipcg_set_stack(stack, &frames)) {
		snprintf(err, sizeof(err), "invalid --stack (a number of frames from 0 to %d)",
			 IPCG_SET_STACK_MAX);
		return usage_error(err, stack);
	}
	if (trace && !ipcg_set_families(trace, &families))
		return usage_error("invalid --trace (shm, unix, shm,unix or none)", trace);
	if (policy && ipcg_policy_check(policy, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return IPCG_EXIT_USAGE;
	}
	if (find_library(lib, sizeof(lib)) < 0) {
		fprintf(stderr, "ipcguard run: cannot find libipcguard.so next to the ipcguard executable\n");
		return IPCG_EXIT_USAGE;
	}
	if (resolve_cmd(argv[optind], cmdpath, sizeof(cmdpath)) < 0) {
		fprintf(stderr, "ipcguard run: %s: command not found\n", argv[optind]);
		return 127;
	}
	const char *why = why_not_preloadable(cmdpath);
	if (!why)
		why = why_script_not_preloadable(cmdpath);
	if (why) {
		fprintf(stderr, "ipcguard run: refusing to run %s: %s\n", cmdpath, why);
		return IPCG_EXIT_USAGE;
	}

	/* absolute output path: a daemon that changes directory still writes here */
	if (!out)
		out = "ipcguard.%e.%p.jsonl";
	if (out[0] != '/' && strcmp(out, "stderr") && strncmp(out, "fd:", 3)) {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return usage_error("cannot get the working directory", strerror(errno));
		snprintf(abs_out, sizeof(abs_out), "%s/%s", cwd, out);
		out = abs_out;
	}
	if ((mfd = mkstemp(manifest)) < 0) {
		fprintf(stderr, "ipcguard run: cannot create %s: %s\n", manifest, strerror(errno));
		return IPCG_EXIT_USAGE;
	}
	close(mfd);

	setenv("IPCGUARD_OUTPUT", out, 1);
	if (stack)
		setenv("IPCGUARD_STACK", stack, 1);
	if (trace)
		setenv("IPCGUARD_TRACE", trace, 1);
	if (policy)
		setenv("IPCGUARD_POLICY", policy, 1);
	setenv("IPCGUARD_FOLLOW", follow ? "1" : "0", 1);
	setenv(MANIFEST_ENV, manifest, 1);
	const char *pre = getenv("LD_PRELOAD");
	char *newpre = malloc(strlen(lib) + (pre ? strlen(pre) : 0) + 2);
	if (!newpre)
		return usage_error("out of memory", NULL);
	sprintf(newpre, "%s%s%s", lib, pre && *pre ? ":" : "", pre && *pre ? pre : "");
	setenv("LD_PRELOAD", newpre, 1);
	free(newpre);

	/* descendants orphaned by CMD (a daemon's workers when the master dies)
	 * are reparented to us: --wait can wait for them, and their zombies
	 * are reaped here instead of looking alive */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(NULL);
	child = fork();
	if (child < 0) {
		fprintf(stderr, "ipcguard run: fork: %s\n", strerror(errno));
		unlink(manifest);
		return IPCG_EXIT_USAGE;
	}
	if (child == 0) {
		execv(cmdpath, argv + optind);
		fprintf(stderr, "ipcguard run: cannot execute %s: %s\n", cmdpath, strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	/* the terminal's ^C reaches the child through the process group;
	 * signals sent to us alone are passed on */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "ipcguard run: waitpid: %s\n", strerror(errno));
			status = 0;
			break;
		}
	}
	/* --wait: every descendant, as strace -f does; otherwise only the
	 * zombies already ours, and the report says which traces still run */
	for (;;) {
		pid_t d = waitpid(-1, NULL, wait_all ? 0 : WNOHANG);
		if (d > 0 || (d < 0 && errno == EINTR))
			continue;
		break;
	}
	report_traces(manifest, quiet);
	unlink(manifest);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
