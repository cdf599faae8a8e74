/* bench_loops.c: the loops `make bench` times (bench/bench_run.sh).
 *
 *	bench_loops LOOP ITERS [DEPTH [THREADS [ROUNDS]]]
 *
 * LOOP is one of
 *	shm        shmget(IPC_PRIVATE)+shmat+shmdt+shmctl(IPC_RMID)      4 calls
 *	unix_bind  socket+bind+listen+unlink+close on AF_UNIX             4 calls
 *	unix_conn  socket+connect+accept+close+close to our own listener  5 calls
 *	inet_sock  socket(AF_INET)+close                       (pass-through) 2 calls
 *	inet_conn  connect on an AF_INET datagram socket       (pass-through) 1 call
 * DEPTH (default 0) runs the loop below that many extra stack frames;
 * THREADS (default 1) runs it in that many threads at once, ITERS times
 * each.
 *
 * With ROUNDS > 0 (A/B mode), the process alternates ROUNDS times between
 * a block of ITERS iterations calling libc directly (A: untraced, whatever
 * is preloaded) and a block calling the ordinary symbols (B: through
 * libipcguard.so when it is preloaded), A B in even rounds and B A in odd
 * ones, the threads starting each block together.  Same process, same memory layout, same CPU: the comparison
 * that other load on the machine disturbs least.  One line per round:
 *	round=R a_cpu=N a_wall=N b_cpu=N b_wall=N
 * in ns per iteration: the thread's CPU time (user + system) and wall
 * time; with several threads, the slowest thread's.
 *
 * Without ROUNDS, one timed block through the ordinary symbols (for
 * callgrind, which collects only this block when run with
 * --collect-atstart=no, and for strace):
 *	ns_per_iter=N cpu_ns_per_iter=M calls_per_iter=C
 *
 * A few warm-up iterations of each kind run first (first stacks interned,
 * pages faulted in). */
#include <dlfcn.h>
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
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT do { } while (0)	/* no valgrind headers: no counts */
#endif

#define WARMUP 64
#define MAX_THREADS 64

/* the calls of the loops, through pointers: libc's own or the symbols */
struct ops {
	int (*shmget)(key_t, size_t, int);
	void *(*shmat)(int, const void *, int);
	int (*shmdt)(const void *);
	int (*shmctl)(int, int, struct shmid_ds *);
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*close)(int);
};

static struct ops ops_sym = {	/* resolved by the loader: ipcguard's when preloaded */
	shmget, shmat, shmdt, shmctl, socket, bind, listen, connect, accept, close,
};
static struct ops ops_libc;

struct job {
	int loop;
	long iters;
	int depth;
	int idx;		/* thread number: distinct socket paths */
	int rounds;		/* 0: one block through the symbols */
	double a_ns[1024], a_cpu[1024], b_ns[1024], b_cpu[1024];	/* per round */
};

enum { L_SHM, L_UNIX_BIND, L_UNIX_CONN, L_INET_SOCK, L_INET_CONN };
static const struct { const char *name; int calls; } loops[] = {
	[L_SHM] = { "shm", 4 },
	[L_UNIX_BIND] = { "unix_bind", 4 },
	[L_UNIX_CONN] = { "unix_conn", 5 },
	[L_INET_SOCK] = { "inet_sock", 2 },
	[L_INET_CONN] = { "inet_conn", 1 },
};

static pthread_barrier_t step;
static int inet_fd[MAX_THREADS];	/* per thread, made before the timed part */

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

static void resolve_libc(void)
{
	void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);

	if (!h)
		die("dlopen libc.so.6");
#define R(fn) if (!(*(void **)&ops_libc.fn = dlsym(h, #fn))) die("dlsym " #fn)
	R(shmget); R(shmat); R(shmdt); R(shmctl); R(socket); R(bind); R(listen);
	R(connect); R(accept); R(close);
#undef R
}

static void sun_path(struct sockaddr_un *sa, socklen_t *len, const char *tag, int idx)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/tmp/ipcg-bench.%d.%s.%d", (int)getpid(),
		 tag, idx);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
}

static void run_shm(const struct ops *o, long n)
{
	for (long i = 0; i < n; i++) {
		int id = o->shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (id < 0)
			die("shmget");
		void *p = o->shmat(id, NULL, 0);
		if (p == (void *)-1)
			die("shmat");
		if (o->shmdt(p) < 0)
			die("shmdt");
		if (o->shmctl(id, IPC_RMID, NULL) < 0)
			die("shmctl");
	}
}

static void run_unix_bind(const struct ops *o, long n, int idx)
{
	struct sockaddr_un sa;
	socklen_t len;

	sun_path(&sa, &len, "b", idx);
	for (long i = 0; i < n; i++) {
		int fd = o->socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (o->bind(fd, (struct sockaddr *)&sa, len) < 0)
			die("bind");
		if (o->listen(fd, 4) < 0)
			die("listen");
		unlink(sa.sun_path);
		o->close(fd);
	}
}

static void run_unix_conn(const struct ops *o, long n, int idx)
{
	struct sockaddr_un sa;
	socklen_t len;
	int lfd = o->socket(AF_UNIX, SOCK_STREAM, 0);

	sun_path(&sa, &len, "c", idx);
	unlink(sa.sun_path);
	if (lfd < 0 || o->bind(lfd, (struct sockaddr *)&sa, len) < 0 || o->listen(lfd, 16) < 0)
		die("listener");
	for (long i = 0; i < n; i++) {
		int c = o->socket(AF_UNIX, SOCK_STREAM, 0);
		if (c < 0)
			die("socket");
		if (o->connect(c, (struct sockaddr *)&sa, len) < 0)
			die("connect");
		int a = o->accept(lfd, NULL, NULL);
		if (a < 0)
			die("accept");
		o->close(a);
		o->close(c);
	}
	o->close(lfd);
	unlink(sa.sun_path);
}

static void run_inet_sock(const struct ops *o, long n)
{
	for (long i = 0; i < n; i++) {
		int fd = o->socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			die("socket");
		o->close(fd);
	}
}

static void run_inet_conn(const struct ops *o, long n, int idx)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (long i = 0; i < n; i++)
		if (o->connect(inet_fd[idx], (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die("connect");
}

static void run(const struct job *j, const struct ops *o, long n)
{
	switch (j->loop) {
	case L_SHM: run_shm(o, n); break;
	case L_UNIX_BIND: run_unix_bind(o, n, j->idx); break;
	case L_UNIX_CONN: run_unix_conn(o, n, j->idx); break;
	case L_INET_SOCK: run_inet_sock(o, n); break;
	case L_INET_CONN: run_inet_conn(o, n, j->idx); break;
	}
}

/* one timed block: wall and CPU ns per iteration */
static void block(const struct job *j, const struct ops *o, double *ret_ns, double *ret_cpu)
{
	double t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);

	run(j, o, j->iters);
	*ret_cpu = (now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / (double)j->iters;
	*ret_ns = (now_ns(CLOCK_MONOTONIC) - t0) / (double)j->iters;
}

/* DEPTH real frames (noinline, not a tail call) between the thread's
 * entry and the loop, so the unwinder has that many more to walk */
__attribute__((noinline)) static void nest(struct job *j, int d)
{
	if (d > 0) {
		nest(j, d - 1);
		__asm__ volatile("" ::: "memory");	/* keeps the frame */
		return;
	}
	run(j, &ops_sym, WARMUP);
	if (j->rounds)
		run(j, &ops_libc, WARMUP);
	pthread_barrier_wait(&step);
	if (!j->rounds) {
		CALLGRIND_TOGGLE_COLLECT;
		block(j, &ops_sym, &j->b_ns[0], &j->b_cpu[0]);
		CALLGRIND_TOGGLE_COLLECT;
		return;
	}
	for (int r = 0; r < j->rounds; r++) {	/* A B, B A, A B ...: order effects cancel */
		if (r & 1)
			block(j, &ops_sym, &j->b_ns[r], &j->b_cpu[r]);
		else
			block(j, &ops_libc, &j->a_ns[r], &j->a_cpu[r]);
		pthread_barrier_wait(&step);
		if (r & 1)
			block(j, &ops_libc, &j->a_ns[r], &j->a_cpu[r]);
		else
			block(j, &ops_sym, &j->b_ns[r], &j->b_cpu[r]);
		pthread_barrier_wait(&step);
	}
}

static void *thread_main(void *arg)
{
	nest(arg, ((struct job *)arg)->depth);
	return NULL;
}

static double worst(const struct job *jobs, int n, size_t off, int r)
{
	double w = 0;

	for (int t = 0; t < n; t++) {
		double v = ((const double *)((const char *)&jobs[t] + off))[r];
		if (v > w)
			w = v;
	}
	return w;
}

int main(int argc, char **argv)
{
	int loop = -1, depth = 0, nthreads = 1, rounds = 0;
	long iters;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_loops LOOP ITERS [DEPTH [THREADS [ROUNDS]]]\n");
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
	if (argc > 5)
		rounds = atoi(argv[5]);
	if (loop < 0 || iters <= 0 || depth < 0 || depth > 10000 || nthreads < 1 ||
	    nthreads > MAX_THREADS || rounds < 0 || rounds > 1024) {
		fprintf(stderr, "bench_loops: bad arguments\n");
		return 2;
	}
	if (rounds)
		resolve_libc();
	static struct job jobs[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	pthread_barrier_init(&step, NULL, (unsigned)nthreads);
	for (int t = 0; t < nthreads; t++) {
		jobs[t].loop = loop;
		jobs[t].iters = iters;
		jobs[t].depth = depth;
		jobs[t].idx = t;
		jobs[t].rounds = rounds;
		inet_fd[t] = socket(AF_INET, SOCK_DGRAM, 0);
	}
	for (int t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, thread_main, &jobs[t]) != 0)
			die("pthread_create");
	for (int t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	if (!rounds) {
		printf("ns_per_iter=%.1f cpu_ns_per_iter=%.1f calls_per_iter=%d\n",
		       worst(jobs, nthreads, offsetof(struct job, b_ns), 0),
		       worst(jobs, nthreads, offsetof(struct job, b_cpu), 0), loops[loop].calls);
		return 0;
	}
	for (int r = 0; r < rounds; r++)
		printf("round=%d a_cpu=%.1f a_wall=%.1f b_cpu=%.1f b_wall=%.1f\n", r,
		       worst(jobs, nthreads, offsetof(struct job, a_cpu), r),
		       worst(jobs, nthreads, offsetof(struct job, a_ns), r),
		       worst(jobs, nthreads, offsetof(struct job, b_cpu), r),
		       worst(jobs, nthreads, offsetof(struct job, b_ns), r));
	return 0;
}
