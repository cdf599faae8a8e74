/* Traced calls from several threads while the trace rotates:
 *	rot_threads THREADS ROUNDS
 * First one segment is created and attached and never removed (a leak
 * that must stay visible in every part's checkpoint); then each thread
 * runs ROUNDS rounds of shmget+shmat+shmdt+shmctl(IPC_RMID), each round
 * from a call depth that changes with the round, so new stacks are
 * interned all the time, during rotations too.  Prints "leak SHMID" and
 * "ok N" (rounds whose four calls succeeded). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/shm.h>

static long rounds;
static atomic_long good;

static __attribute__((noinline)) int one_round(int depth)
{
	if (depth > 0) {
		int r = one_round(depth - 1);
		__asm__ volatile("" ::: "memory");	/* not a tail call: one frame per level */
		return r;
	}
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0)
		return 0;
	void *p = shmat(id, NULL, 0);
	int ok = p != (void *)-1 && shmdt(p) == 0;
	return shmctl(id, IPC_RMID, NULL) == 0 && ok;
}

static void *worker(void *arg)
{
	long t = (long)arg;

	for (long i = 0; i < rounds; i++)
		if (one_round((int)((i / 64 + t) % 40)))
			atomic_fetch_add(&good, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int n = atoi(argv[1]);
	rounds = atol(argv[2]);
	pthread_t th[64];
	if (n < 1 || n > 64)
		return 2;
	int leak = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	if (leak < 0 || shmat(leak, NULL, 0) == (void *)-1)
		return 1;
	printf("leak %d\n", leak);
	fflush(stdout);
	for (long i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i))
			return 1;
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("ok %ld\n", atomic_load(&good));
	return 0;
}
