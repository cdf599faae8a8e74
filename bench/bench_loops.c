/* bench_loops.c: the loops `make bench` times, run with and without the
 * library preloaded (bench/bench_run.sh alternates the two).
 *
 *	bench_loops LOOP ITERS [DEPTH [THREADS]]
 *
 * LOOP is one of
 *	shm        shmget(IPC_PRIVATE)+shmat+shmdt+shmctl(IPC_RMID)      4 calls
 *	unix_bind  socket+bind+listen+unlink+close on AF_UNIX             4 calls
 *	unix_conn  socket+connect+accept+close+close to our own listener  5 calls
 *	inet_sock  socket(AF_INET)+close                       (pass-through) 2 calls
 *	inet_conn  connect on an AF_INET datagram socket       (pass-through) 1 call
 * DEPTH (default 0) runs the loop below that many extra stack frames;
 * THREADS (default 1) runs it in that many threads at once, each ITERS
 * times.  A few warm-up iterations run first (first stacks get interned,
 * pages faulted in), then the timed part.  Prints one line:
 *	ns_per_iter=N cpu_ns_per_iter=M calls_per_iter=C
 * where ns_per_iter is wall time of the timed part divided by ITERS and
 * cpu_ns_per_iter the thread's CPU time (user + system, which other
 * programs' load disturbs much less); with several threads, the slowest
 * thread's.  Under callgrind the
 * timed part alone is collected (run with --collect-atstart=no). */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#define WARMUP 64

struct job {
	int loop;
	long iters;
	int depth;
	int idx;		/* thread number: distinct socket paths */
	double ns;		/* result: wall ns of the timed part */
	double cpu;		/* result: this thread's CPU ns (user + system) */
	int fail;
};

enum { L_SHM, L_UNIX_BIND, L_UNIX_CONN, L_INET_SOCK, L_INET_CONN };
static const struct { const char *name; int calls; } loops[] = {
	[L_SHM] = { "shm", 4 },
	[L_UNIX_BIND] = { "unix_bind", 4 },
	[L_UNIX_CONN] = { "unix_conn", 5 },
	[L_INET_SOCK] = { "inet_sock", 2 },
	[L_INET_CONN] = { "inet_conn", 1 },
};

static pthread_barrier_t start_line;

static double now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_loops: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void sun_path(struct sockaddr_un *sa, socklen_t *len, const char *tag, int idx)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/tmp/ipcg-bench.%d.%s.%d", (int)getpid(),
		 tag, idx);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
}

static void run_shm(long n)
{
	for (long i = 0; i < n; i++) {
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (id < 0)
			die("shmget");
		void *p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			die("shmat");
		if (shmdt(p) < 0)
			die("shmdt");
		if (shmctl(id, IPC_RMID, NULL) < 0)
			die("shmctl");
	}
}

static void run_unix_bind(long n, int idx)
{
	struct sockaddr_un sa;
	socklen_t len;

	sun_path(&sa, &len, "b", idx);
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (bind(fd, (struct sockaddr *)&sa, len) < 0)
			die("bind");
		if (listen(fd, 4) < 0)
			die("listen");
		unlink(sa.sun_path);
		close(fd);
	}
}

static void run_unix_conn(long n, int idx)
{
	struct sockaddr_un sa;
	socklen_t len;
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

	sun_path(&sa, &len, "c", idx);
	unlink(sa.sun_path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, len) < 0 || listen(lfd, 16) < 0)
		die("listener");
	for (long i = 0; i < n; i++) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (c < 0)
			die("socket");
		if (connect(c, (struct sockaddr *)&sa, len) < 0)
			die("connect");
		int a = accept(lfd, NULL, NULL);
		if (a < 0)
			die("accept");
		close(a);
		close(c);
	}
	close(lfd);
	unlink(sa.sun_path);
}

static void run_inet_sock(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			die("socket");
		close(fd);
	}
}

static int inet_fd[64];	/* per thread, made before the timed part */

static void run_inet_conn(long n, int idx)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (long i = 0; i < n; i++)
		if (connect(inet_fd[idx], (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die("connect");
}

static void run(const struct job *j, long n)
{
	switch (j->loop) {
	case L_SHM: run_shm(n); break;
	case L_UNIX_BIND: run_unix_bind(n, j->idx); break;
	case L_UNIX_CONN: run_unix_conn(n, j->idx); break;
	case L_INET_SOCK: run_inet_sock(n); break;
	case L_INET_CONN: run_inet_conn(n, j->idx); break;
	}
}

/* DEPTH real frames (noinline, not a tail call) between the thread's
 * entry and the loop, so the unwinder has that many more to walk */
__attribute__((noinline)) static void nest(struct job *j, int d, int timed)
{
	if (d > 0) {
		nest(j, d - 1, timed);
		__asm__ volatile("" ::: "memory");	/* keeps the frame */
		return;
	}
	if (!timed) {
		run(j, WARMUP);
		return;
	}
	double t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	CALLGRIND_TOGGLE_COLLECT;
	run(j, j->iters);
	CALLGRIND_TOGGLE_COLLECT;
	j->cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	j->ns = now_ns(CLOCK_MONOTONIC) - t0;
}

static void *thread_main(void *arg)
{
	struct job *j = arg;

	nest(j, j->depth, 0);
	pthread_barrier_wait(&start_line);
	nest(j, j->depth, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	int loop = -1, depth = 0, nthreads = 1;
	long iters;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_loops LOOP ITERS [DEPTH [THREADS]]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
		if (strcmp(argv[1], loops[i].name) == 0)
			loop = (int)i;
	iters = atol(argv[2]);
	if (argc > 3)
		depth = atoi(argv[3]);
	if (argc > 4)
		nthreads = atoi(argv[4]);
	if (loop < 0 || iters <= 0 || depth < 0 || depth > 10000 || nthreads < 1 || nthreads > 64) {
		fprintf(stderr, "bench_loops: bad arguments\n");
		return 2;
	}
	struct job jobs[64];
	pthread_t th[64];
	pthread_barrier_init(&start_line, NULL, (unsigned)nthreads + 1);
	for (int t = 0; t < nthreads; t++) {
		jobs[t] = (struct job){ .loop = loop, .iters = iters, .depth = depth, .idx = t };
		inet_fd[t] = socket(AF_INET, SOCK_DGRAM, 0);
		if (pthread_create(&th[t], NULL, thread_main, &jobs[t]) != 0)
			die("pthread_create");
	}
	pthread_barrier_wait(&start_line);
	double worst = 0, worst_cpu = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(th[t], NULL);
		if (jobs[t].ns > worst)
			worst = jobs[t].ns;
		if (jobs[t].cpu > worst_cpu)
			worst_cpu = jobs[t].cpu;
	}
	printf("ns_per_iter=%.1f cpu_ns_per_iter=%.1f calls_per_iter=%d\n", worst / (double)iters,
	       worst_cpu / (double)iters, loops[loop].calls);
	return 0;
}
