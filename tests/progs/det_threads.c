/* det_threads.c: detectors under concurrency and over long runs.
 *
 *	det_threads attach THREADS ITER   every thread attaches the segment
 *	    main holds ITER times (each a repeated attach) and detaches it,
 *	    while as many other threads attach and detach private segments
 *	    of their own (never a finding)
 *	det_threads unix THREADS ITER     every thread connects ITER times to
 *	    a missing socket path (each a connect-failed)
 *	det_threads cycle N               attach and detach one segment N
 *	    times; prints the resident set growth in KiB
 *	det_threads forks THREADS DIR     THREADS threads bind, listen,
 *	    close and unlink sockets in DIR and connect to a missing abstract
 *	    name (the detectors' rare paths and their scratch locks) while
 *	    main forks 20 children that do the same once: none may hang */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int shared_id, iters;
static pthread_barrier_t start;
static _Atomic long failures;

static void *repeat_attach(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < iters; i++) {
		void *p = shmat(shared_id, NULL, 0);
		if (p == (void *)-1 || shmdt(p) < 0)
			failures++;
	}
	return NULL;
}

static void *own_segment(void *arg)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	(void)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < iters; i++) {
		void *p = shmat(id, NULL, 0);
		if (p == (void *)-1 || shmdt(p) < 0)
			failures++;
	}
	shmctl(id, IPC_RMID, NULL);
	return NULL;
}

static void *connect_missing(void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/nonexistent/ipcg-%d.sock", (int)(long)arg);
	pthread_barrier_wait(&start);
	for (int i = 0; i < iters; i++) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != ENOENT)
			failures++;
		close(s);
	}
	return NULL;
}

static const char *sock_dir;
static _Atomic int stop;

/* one round of the rare paths: bind + listen of a path, a failed connect
 * to an abstract name */
static int unix_round(int tag, int i)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), ok = 1;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/t%d.%d.sock", sock_dir, tag, i);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0)
		ok = 0;
	close(s);
	unlink(sa.sun_path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "ipcg-missing-%d", tag);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sa.sun_path + 1))) == 0)
		ok = 0;
	close(s);
	return ok;
}

static void *unix_rounds(void *arg)
{
	for (int i = 0; !stop; i++)
		if (!unix_round((int)(long)arg, i % 8))
			failures++;
	return NULL;
}

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int nthreads = argc > 2 ? atoi(argv[2]) : 4;
	pthread_t th[128];

	iters = argc > 3 ? atoi(argv[3]) : 100;
	if (strcmp(mode, "cycle") && (nthreads < 1 || nthreads > 64))
		return 2;
	if (!strcmp(mode, "attach")) {
		shared_id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		void *first = shmat(shared_id, NULL, 0);
		pthread_barrier_init(&start, NULL, (unsigned)(2 * nthreads));
		for (int i = 0; i < nthreads; i++) {
			pthread_create(&th[i], NULL, repeat_attach, NULL);
			pthread_create(&th[nthreads + i], NULL, own_segment, NULL);
		}
		for (int i = 0; i < 2 * nthreads; i++)
			pthread_join(th[i], NULL);
		shmdt(first);
		shmctl(shared_id, IPC_RMID, NULL);
		printf("shmid %d failures %ld\n", shared_id, (long)failures);
	} else if (!strcmp(mode, "unix")) {
		pthread_barrier_init(&start, NULL, (unsigned)nthreads);
		for (int i = 0; i < nthreads; i++)
			pthread_create(&th[i], NULL, connect_missing, (void *)(long)i);
		for (int i = 0; i < nthreads; i++)
			pthread_join(th[i], NULL);
		printf("failures %ld\n", (long)failures);
	} else if (!strcmp(mode, "forks")) {
		int bad = 0;
		sock_dir = argc > 3 ? argv[3] : "/tmp";
		for (int i = 0; i < nthreads; i++)
			pthread_create(&th[i], NULL, unix_rounds, (void *)(long)(i + 1));
		for (int k = 0; k < 20; k++) {
			int st;
			pid_t pid = fork();
			if (pid == 0)
				_exit(unix_round(100 + k, 0) ? 0 : 1);
			if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
				bad++;
		}
		stop = 1;
		for (int i = 0; i < nthreads; i++)
			pthread_join(th[i], NULL);
		printf("children-failed %d failures %ld\n", bad, (long)failures);
	} else if (!strcmp(mode, "cycle")) {
		long n = argc > 2 ? atol(argv[2]) : 1000000, before = 0;
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		for (long i = 0; i < n; i++) {
			void *p = shmat(id, NULL, 0);
			if (p == (void *)-1 || shmdt(p) < 0)
				failures++;
			if (i == n / 10)
				before = rss_kib();	/* after warm-up */
		}
		shmctl(id, IPC_RMID, NULL);
		printf("failures %ld growth_kib %ld\n", (long)failures, rss_kib() - before);
	} else {
		return 2;
	}
	return 0;
}
