/* t2_signals.c: intercepted calls from signal handlers.
 *
 *	t2_signals once		a handler closes a tracked socket; another
 *				handler does socket, bind, listen, connect, close
 *	t2_signals storm MS	for MS milliseconds the main thread makes calls
 *				(shmat/shmdt, socket/close) while a second thread
 *				signals it as fast as it can; the handler makes
 *				calls of its own, including closing the socket
 *				main just opened.  Any deadlock hangs the program
 *				(the test runs it under timeout).
 *
 * Prints counts that do not depend on timing ("failures=0"), and the
 * number of calls made to stderr. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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

static volatile sig_atomic_t victim = -1;	/* a socket main opened, for the handler to close */
static volatile sig_atomic_t close_ret = -2, close_err;
static atomic_long handler_runs, handler_calls, handler_fail, main_calls, main_fail, victims_closed;
static atomic_int stop;
static pthread_t main_thread;

static socklen_t abstract(struct sockaddr_un *a, const char *tag, long n)
{
	char name[64];
	int len = snprintf(name, sizeof(name), "ipcg-sig-%d-%s-%ld", (int)getpid(), tag, n);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, (size_t)len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len);
}

static void on_close(int sig)
{
	int e = errno;

	(void)sig;
	close_ret = close(victim);
	close_err = errno;
	errno = e;
}

/* socket, bind, listen, connect, close x2: 6 calls */
static void on_busy(int sig)
{
	int e = errno, fails = 0;
	long n = atomic_fetch_add(&handler_runs, 1);
	struct sockaddr_un a;
	socklen_t len = abstract(&a, "h", n);

	(void)sig;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	fails += s < 0 || c < 0;
	fails += bind(s, (struct sockaddr *)&a, len) != 0;
	fails += listen(s, 1) != 0;
	fails += connect(c, (struct sockaddr *)&a, len) != 0;
	fails += close(c) != 0;
	fails += close(s) != 0;
	atomic_fetch_add(&handler_calls, 7);
	/* the socket main has just opened: close it under main's feet */
	int v = victim;
	if (v >= 0) {
		victim = -1;
		fails += close(v) != 0;
		atomic_fetch_add(&handler_calls, 1);
		atomic_fetch_add(&victims_closed, 1);
	}
	atomic_fetch_add(&handler_fail, fails);
	errno = e;
}

static void *signaller(void *arg)
{
	struct timespec ts = { 0, 20000 };

	(void)arg;
	while (!atomic_load(&stop)) {
		pthread_kill(main_thread, SIGUSR1);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static int once(void)
{
	struct sigaction sa = { .sa_handler = on_close };

	sigaction(SIGUSR1, &sa, NULL);
	victim = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("socket: %d\n", victim);
	raise(SIGUSR1);
	printf("close in handler: %d %s\n", close_ret, close_ret < 0 ? strerrorname_np(close_err) : "-");
	int again = close(victim);
	printf("close again: %d %s\n", again, strerrorname_np(errno));
	victim = -1;
	sa.sa_handler = on_busy;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	printf("busy handler: runs=%ld failures=%ld\n", atomic_load(&handler_runs), atomic_load(&handler_fail));
	return 0;
}

static int storm(int ms)
{
	struct sigaction sa = { .sa_handler = on_busy, .sa_flags = SA_RESTART };
	struct timespec t0, now;
	pthread_t th;
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	pthread_create(&th, NULL, signaller, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 50; i++) {
			void *p = shmat(id, NULL, 0);
			main_fail += p == (void *)-1 || shmdt(p) != 0;
			int s = socket(AF_UNIX, SOCK_DGRAM, 0);
			main_fail += s < 0;
			victim = s;
			/* a window for the handler to close it under our feet */
			p = shmat(id, NULL, SHM_RDONLY);
			main_fail += p == (void *)-1 || shmdt(p) != 0;
			/* the handler may have closed it: then it is not ours to close */
			sigset_t set, old;
			sigemptyset(&set);
			sigaddset(&set, SIGUSR1);
			pthread_sigmask(SIG_BLOCK, &set, &old);
			if (victim == s) {
				victim = -1;
				main_fail += close(s) != 0;
				atomic_fetch_add(&main_calls, 1);
			}
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			atomic_fetch_add(&main_calls, 5);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	shmctl(id, IPC_RMID, NULL);
	printf("storm: main failures=%ld handler failures=%ld handler ran=%s\n",
	       atomic_load(&main_fail), atomic_load(&handler_fail),
	       atomic_load(&handler_runs) > 0 ? "yes" : "no");
	fprintf(stderr, "calls %ld handler-runs %ld victims %ld\n",
		atomic_load(&main_calls) + atomic_load(&handler_calls) + 2,
		atomic_load(&handler_runs), atomic_load(&victims_closed));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "once") == 0)
		return once();
	if (argc > 2 && strcmp(argv[1], "storm") == 0)
		return storm(atoi(argv[2]));
	return 2;
}
