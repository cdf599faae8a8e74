/* t2_threads.c: N threads hammer the interposer at once.  Each iteration
 * is shmat + shmdt of a shared segment, then socket(AF_UNIX) + close: four
 * intercepted calls.  Prints the calls made and what they returned, in a
 * form that does not depend on the run (so the test can compare the
 * output with and without the library).
 *
 *	t2_threads THREADS ITERATIONS */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

static int shmid, iters;
static atomic_long calls, fails, mismatches;

static void *worker(void *arg)
{
	long me = (long)arg;

	for (int i = 0; i < iters; i++) {
		char *p = shmat(shmid, NULL, 0);
		if (p == (void *)-1) {
			atomic_fetch_add(&fails, 1);
		} else {
			/* each thread owns one byte of the segment */
			p[me] = (char)i;
			if (p[me] != (char)i)
				atomic_fetch_add(&mismatches, 1);
			if (shmdt(p) != 0)
				atomic_fetch_add(&fails, 1);
		}
		int s = socket(AF_UNIX, i & 1 ? SOCK_DGRAM : SOCK_STREAM, 0);
		if (s < 0 || close(s) != 0)
			atomic_fetch_add(&fails, 1);
		atomic_fetch_add(&calls, 4);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8;
	pthread_t th[64];

	iters = argc > 2 ? atoi(argv[2]) : 2000;
	if (n < 1 || n > 64)
		return 2;
	shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (shmid < 0)
		return 1;
	for (long i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	shmctl(shmid, IPC_RMID, NULL);
	printf("threads=%d calls=%ld (+2 in main) fails=%ld mismatches=%ld\n", n,
	       atomic_load(&calls), atomic_load(&fails), atomic_load(&mismatches));
	return 0;
}
