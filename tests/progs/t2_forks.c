/* t2_forks.c: fork CHILDREN children at once, each making CALLS
 * intercepted calls (shmget, shmctl IPC_RMID, socket, close, repeated),
 * while THREADS threads of the parent keep making calls, so that forks
 * happen while other threads are inside the library.  Prints the
 * children's pids (to stderr: they differ between runs), and on stdout
 * the results, which do not.
 *
 *	t2_forks CHILDREN CALLS THREADS */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop;
static atomic_long parent_calls;

/* 1-4 calls; returns how many, or -1 when one failed */
static int round4(int left)
{
	int n = 0, id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	if (id < 0)
		return -1;
	n++;
	if (left > n) {
		if (shmctl(id, IPC_RMID, NULL) < 0)
			return -1;
		n++;
	} else {
		shmctl(id, IPC_RMID, NULL);	/* not counted: keeps IPC clean */
		return -2;
	}
	if (left > n) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (s < 0)
			return -1;
		n++;
		if (left > n) {
			if (close(s) < 0)
				return -1;
			n++;
		} else {
			close(s);
			return -2;
		}
	}
	return n;
}

static void *spinner(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		int s = socket(AF_UNIX, SOCK_DGRAM, 0);
		close(s);
		atomic_fetch_add(&parent_calls, 2);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nchild = argc > 1 ? atoi(argv[1]) : 20;
	int ncalls = argc > 2 ? atoi(argv[2]) : 100;
	int nthr = argc > 3 ? atoi(argv[3]) : 0;
	pthread_t th[16];
	pid_t pids[256];
	int good = 0;

	if (nchild > 256 || nthr > 16 || ncalls % 4)
		return 2;
	for (int i = 0; i < nthr; i++)
		pthread_create(&th[i], NULL, spinner, NULL);
	for (int i = 0; i < nchild; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int made = 0;
			while (made < ncalls) {
				int r = round4(ncalls - made);
				if (r < 0)
					_exit(1);
				made += r;
			}
			exit(made == ncalls ? 0 : 1);
		}
	}
	for (int i = 0; i < nchild; i++) {
		int st;
		if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			good++;
		fprintf(stderr, "child %d\n", (int)pids[i]);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < nthr; i++)
		pthread_join(th[i], NULL);
	printf("children=%d ok=%d calls-each=%d\n", nchild, good, ncalls);
	fprintf(stderr, "parent-calls %ld\n", atomic_load(&parent_calls));
	return 0;
}
