/* Kernel state of this host, read from /proc (see live.h).  Everything read
 * here is bounded per line and never trusted to be well formed. */
#include "model/live.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 4096		/* longer lines (a path in /proc/net/unix) are skipped */

/* fgets that skips over-long lines whole; false at end of file */
static bool read_line(FILE *f, char *buf, size_t n)
{
	while (fgets(buf, (int)n, f)) {
		size_t len = strlen(buf);
		if (len && buf[len - 1] == '\n') {
			buf[len - 1] = '\0';
			return true;
		}
		if (feof(f))
			return true;	/* last line without newline */
		int c;
		while ((c = getc(f)) != EOF && c != '\n')
			;
	}
	return false;
}

int ipcg_live_segments(struct ipcg_kseg **ret, size_t *ret_n)
{
	FILE *f = fopen("/proc/sysvipc/shm", "re");
	struct ipcg_kseg *v = NULL;
	size_t n = 0, cap = 0;
	char line[LINE_MAX_LEN];
	int rc = 0;

	*ret = NULL;
	*ret_n = 0;
	if (!f)
		return -errno;
	if (!read_line(f, line, sizeof(line)))	/* the column titles */
		goto out;
	while (read_line(f, line, sizeof(line))) {
		struct ipcg_kseg s = { 0 };
		int64_t gid, cgid;

		if (sscanf(line, "%" SCNd64 " %" SCNd64 " %o %" SCNu64 " %" SCNd64 " %" SCNd64
			   " %" SCNu64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64
			   " %" SCNd64 " %" SCNd64,
			   &s.key, &s.shmid, &s.mode, &s.size, &s.cpid, &s.lpid, &s.nattch, &s.uid,
			   &gid, &s.cuid, &cgid, &s.atime, &s.dtime, &s.ctime) != 14)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct ipcg_kseg *nv = realloc(v, nc * sizeof(*nv));
			if (!nv) {
				rc = -ENOMEM;
				goto out;
			}
			v = nv;
			cap = nc;
		}
		v[n++] = s;
	}
	if (ferror(f))
		rc = -EIO;
out:
	fclose(f);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int cmp_seg_id(const void *a, const void *b)
{
	const struct ipcg_kseg *x = a, *y = b;

	return x->shmid < y->shmid ? -1 : x->shmid > y->shmid;
}

static void add_user(struct ipcg_kseg *s, int64_t pid)
{
	if (s->nusers && s->users[s->nusers - 1] == pid)
		return;			/* several mappings of one process */
	int64_t *nv = realloc(s->users, (s->nusers + 1) * sizeof(*nv));
	if (!nv)
		return;
	s->users = nv;
	s->users[s->nusers++] = pid;
}

/* One process's maps: "start-end perms offset dev inode /SYSVkkkkkkkk (deleted)" */
static void scan_maps(struct ipcg_kseg *segs, size_t n, int64_t pid)
{
	char path[64], line[LINE_MAX_LEN];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%" PRId64 "/maps", pid);
	if (!(f = fopen(path, "re")))
		return;
	while (read_line(f, line, sizeof(line))) {
		const char *sysv = strstr(line, " /SYSV");
		uint64_t inode;

		if (!sysv || sscanf(line, "%*s %*s %*s %*s %" SCNu64, &inode) != 1)
			continue;
		struct ipcg_kseg k = { .shmid = (int64_t)inode };
		struct ipcg_kseg *s = bsearch(&k, segs, n, sizeof(*segs), cmp_seg_id);
		if (s)
			add_user(s, pid);
	}
	fclose(f);
}

void ipcg_live_segment_users(struct ipcg_kseg *segs, size_t n)
{
	DIR *d;
	struct dirent *e;

	if (!n || !(d = opendir("/proc")))
		return;
	qsort(segs, n, sizeof(*segs), cmp_seg_id);
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		scan_maps(segs, n, pid);
	}
	closedir(d);
}

void ipcg_live_segments_free(struct ipcg_kseg *segs, size_t n)
{
	for (size_t i = 0; segs && i < n; i++)
		free(segs[i].users);
	free(segs);
}

/* Realtime of the boot, in ns: now(REALTIME) - now(BOOTTIME). */
static uint64_t boot_realtime_ns(void)
{
	struct timespec rt, bt;

	if (clock_gettime(CLOCK_REALTIME, &rt) || clock_gettime(CLOCK_BOOTTIME, &bt))
		return 0;
	return ((uint64_t)rt.tv_sec - (uint64_t)bt.tv_sec) * 1000000000ull +
	       (uint64_t)rt.tv_nsec - (uint64_t)bt.tv_nsec;
}

/* Fields 3 (state) and 22 (starttime, clock ticks after boot) of
 * /proc/PID/stat; the command name in field 2 may hold spaces and ')'. */
static int read_stat(int64_t pid, char *ret_state, uint64_t *ret_start)
{
	char path[64], buf[1024];
	FILE *f;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%" PRId64 "/stat", pid);
	if (!(f = fopen(path, "re")))
		return -errno;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EINVAL;
	*ret_state = p[2];
	p += 3;
	for (int field = 4; field < 22; field++) {	/* skip to field 22 */
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	return sscanf(p, "%" SCNu64, ret_start) == 1 ? 0 : -EINVAL;
}

/* A process is the trace's writer when it started no later than the trace
 * (its start is the fork, the trace starts at our constructor, after it);
 * a reused pid started later.  Slack: clock ticks are 10 ms. */
#define START_SLACK_NS 30000000ull

enum ipcg_pstate ipcg_live_proc(int64_t pid, uint64_t start_realtime_ns)
{
	char state;
	uint64_t ticks, boot;
	long hz = sysconf(_SC_CLK_TCK);
	int rc;

	if (pid <= 0)
		return IPCG_PROC_UNKNOWN;
	rc = read_stat(pid, &state, &ticks);
	if (rc == -ENOENT || rc == -ESRCH)
		return IPCG_PROC_GONE;
	if (rc < 0)
		return IPCG_PROC_UNKNOWN;
	if (state == 'Z' || state == 'X' || state == 'x')
		return IPCG_PROC_ZOMBIE;
	if (!start_realtime_ns || hz <= 0 || !(boot = boot_realtime_ns()))
		return IPCG_PROC_UNKNOWN;
	uint64_t started = boot + ticks * (1000000000ull / (uint64_t)hz);
	return started <= start_realtime_ns + START_SLACK_NS ? IPCG_PROC_RUNNING : IPCG_PROC_REUSED;
}

const char *ipcg_pstate_name(enum ipcg_pstate s)
{
	switch (s) {
	case IPCG_PROC_GONE: return "gone";
	case IPCG_PROC_ZOMBIE: return "zombie";
	case IPCG_PROC_RUNNING: return "running";
	case IPCG_PROC_REUSED: return "pid reused";
	case IPCG_PROC_UNKNOWN: break;
	}
	return "unknown";
}

/* "Num RefCount Protocol Flags Type St Inode Path" */
#define SO_ACCEPTCON_FLAG 0x10000	/* __SO_ACCEPTCON: listen() was called */
#define UNIX_TYPE_DGRAM 2

int ipcg_live_unix_names(struct ipcg_knames *ret)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char line[LINE_MAX_LEN];
	size_t cap = 0;

	memset(ret, 0, sizeof(*ret));
	if (!f)
		return -errno;
	(void)read_line(f, line, sizeof(line));	/* titles */
	while (read_line(f, line, sizeof(line))) {
		unsigned flags, type, st;
		int off = 0;

		if (sscanf(line, "%*s %*x %*x %x %x %x %*u %n", &flags, &type, &st, &off) != 3 ||
		    !off || line[off] != '/')
			continue;	/* unbound or abstract */
		if (ret->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **np = realloc(ret->path, nc * sizeof(*np));
			if (!np)
				break;
			ret->path = np;
			bool *nl = realloc(ret->listening, nc * sizeof(*nl));
			if (!nl)
				break;
			ret->listening = nl;
			cap = nc;
		}
		if (!(ret->path[ret->n] = strdup(line + off)))
			break;
		ret->listening[ret->n++] = (flags & SO_ACCEPTCON_FLAG) || type == UNIX_TYPE_DGRAM;
	}
	fclose(f);
	return 0;
}

int ipcg_live_unix_state(const struct ipcg_knames *k, const char *path)
{
	int st = -1;

	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->path[i], path)) {
			if (k->listening[i])
				return 1;
			st = 0;
		}
	return st;
}

void ipcg_live_unix_names_free(struct ipcg_knames *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->path[i]);
	free(k->path);
	free(k->listening);
	memset(k, 0, sizeof(*k));
}

const char *ipcg_live_host(void)
{
	static struct utsname un;
	static bool done;

	if (!done && uname(&un) < 0)
		un.nodename[0] = '\0';
	done = true;
	return un.nodename;
}
