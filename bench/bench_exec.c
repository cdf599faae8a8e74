/* bench_exec.c: the start-up row of `make bench` (bench/bench_run.sh).
 *
 *	bench_exec LIB DIR EXECS ROUNDS none|ipc
 *
 * Starts this program EXECS times in a row (fork + execve + wait), once
 * with a plain environment (A: untraced) and once with LIB preloaded and
 * IPCGUARD_OUTPUT=DIR/t.%p (B: traced), A B in even rounds and B A in odd
 * ones, and prints per round, in ns per exec,
 *	round=R a_cpu=N a_wall=N b_cpu=N b_wall=N
 * where cpu is the children's user + system time.  The child image is
 * this program again: `none` makes no intercepted call, `ipc` one
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

static double children_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
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

static int block(char *self, char *what, char **env, long execs, double *cpu, double *wall)
{
	char *argv[] = { self, "--child", what, NULL };
	double c0 = children_cpu_ns(), w0 = now_ns();

	for (long i = 0; i < execs; i++) {
		int st;
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			execve(self, argv, env);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench_exec: child failed (status %d)\n", st);
			return -1;
		}
	}
	*wall = (now_ns() - w0) / execs;
	*cpu = (children_cpu_ns() - c0) / execs;
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
	for (long r = 0; r < rounds; r++) {
		double ac, aw, bc, bw;
		int rc = r % 2 ? block(self, argv[5], traced, execs, &bc, &bw) ||
					 block(self, argv[5], plain, execs, &ac, &aw)
			       : block(self, argv[5], plain, execs, &ac, &aw) ||
					 block(self, argv[5], traced, execs, &bc, &bw);
		clean_dir(argv[2]);
		if (rc)
			return 1;
		printf("round=%ld a_cpu=%.1f a_wall=%.1f b_cpu=%.1f b_wall=%.1f\n", r, ac, aw, bc, bw);
		fflush(stdout);
	}
	return 0;
}
