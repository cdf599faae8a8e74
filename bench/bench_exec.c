/* bench_exec.c: the start-up row of `make bench` (bench/bench_run.sh).
 *
 *	bench_exec LIB DIR EXECS ROUNDS none|ipc
 *
 * Starts this program 2 * EXECS times per round (fork + execve + wait),
 * alternating one plain start (A: untraced) with one with LIB preloaded
 * and IPCGUARD_OUTPUT=DIR/t.%p (B: traced), A B, then B A, and so on, so
 * that the machine's drift and its hiccups hit both sides alike, and
 * prints per round the medians over the round's starts, in ns per exec,
 *	round=R a_cpu=N a_wall=N b_cpu=N b_wall=N
 * where cpu is the child's user + system time (wait4).  The child image
 * is this program again: `none` makes no intercepted call, `ipc` one
 * shmget(IPC_PRIVATE) and its shmctl(IPC_RMID).  The traces of a round are
 * removed after it, so the directory does not grow. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int child_main(const char *what)
{
	if (strcmp(what, "ipc") == 0) {
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (id < 0 || shmctl(id, IPC_RMID, NULL) < 0)
			return 1;
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* the environment minus LD_PRELOAD and IPCGUARD_*, plus extra (NULL-ended) */
static char **make_env(char **extra)
{
	size_t n = 0, k = 0;

	while (environ[n])
		n++;
	char **env = calloc(n + 4, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) && strncmp(environ[i], "IPCGUARD_", 9))
			env[k++] = environ[i];
	while (extra && *extra)
		env[k++] = *extra++;
	env[k] = NULL;
	return env;
}

/* one start of this program with env; its CPU and wall time in ns */
static int start_one(char *self, char *what, char **env, double *cpu, double *wall)
{
	char *argv[] = { self, "--child", what, NULL };
	struct rusage ru;
	int st = 0;
	double w0 = now_ns();
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(self, argv, env);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench_exec: child failed (status %d)\n", st);
		return -1;
	}
	*wall = now_ns() - w0;
	*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* one round: EXECS starts of each kind, interleaved; medians in out[4] */
static int round_of(char *self, char *what, char **plain, char **traced, long execs,
		    double *v, double out[4])
{
	double *ac = v, *aw = v + execs, *bc = v + 2 * execs, *bw = v + 3 * execs;

	for (long i = 0; i < execs; i++) {
		int rc = i % 2 ? start_one(self, what, traced, &bc[i], &bw[i]) ||
				 start_one(self, what, plain, &ac[i], &aw[i])
			       : start_one(self, what, plain, &ac[i], &aw[i]) ||
				 start_one(self, what, traced, &bc[i], &bw[i]);
		if (rc)
			return -1;
	}
	out[0] = median(ac, execs);
	out[1] = median(aw, execs);
	out[2] = median(bc, execs);
	out[3] = median(bw, execs);
	return 0;
}

static void clean_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "t.", 2) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
}

int main(int argc, char **argv)
{
	static char self[4096];
	char pre[4200], out[4200];

	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child_main(argv[2]);
	if (argc != 6) {
		fprintf(stderr, "usage: bench_exec LIB DIR EXECS ROUNDS none|ipc\n");
		return 2;
	}
	long execs = atol(argv[3]), rounds = atol(argv[4]);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || execs <= 0 || rounds <= 0) {
		fprintf(stderr, "bench_exec: bad arguments or no /proc/self/exe\n");
		return 2;
	}
	snprintf(pre, sizeof(pre), "LD_PRELOAD=%s", argv[1]);
	snprintf(out, sizeof(out), "IPCGUARD_OUTPUT=%s/t.%%p", argv[2]);
	char *extra[] = { pre, out, NULL };
	char **plain = make_env(NULL), **traced = make_env(extra);
	if (!plain || !traced)
		return 1;
	double *v = calloc(4 * (size_t)execs, sizeof(*v));
	if (!v)
		return 1;
	for (long r = 0; r < rounds; r++) {
		double m[4];
		int rc = round_of(self, argv[5], plain, traced, execs, v, m);
		clean_dir(argv[2]);
		if (rc)
			return 1;
		printf("round=%ld a_cpu=%.1f a_wall=%.1f b_cpu=%.1f b_wall=%.1f\n", r, m[0], m[1], m[2],
		       m[3]);
		fflush(stdout);
	}
	free(v);
	return 0;
}
