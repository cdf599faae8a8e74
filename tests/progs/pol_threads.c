/* pol_threads.c: repeat-attach=reuse and max-attach under threads.
 *
 *	pol_threads reuse THREADS ROUNDS
 *		main attaches a private segment once; each thread attaches it
 *		and detaches it ROUNDS times.  Prints whether every attach got
 *		main's address, whether it stayed mapped throughout, nattch
 *		as the kernel counts it, and whether main's own shmdt then
 *		really detaches.
 *	pol_threads max THREADS
 *		THREADS threads each attach a segment of their own at the same
 *		moment (a barrier) and keep it: prints how many succeeded and
 *		how many failed with ENOMEM. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

static int shmid, rounds;
static void *base;
static _Atomic int other_addr, unmapped, failed, ok_n, enomem_n;
static pthread_barrier_t bar;

static void *reuse_thread(void *arg)
{
	unsigned char vec;

	pthread_barrier_wait(&bar);
	for (int i = 0; i < rounds; i++) {
		void *p = shmat(shmid, NULL, 0);
		if (p == (void *)-1) {
			failed++;
			continue;
		}
		if (p != base)
			other_addr++;
		*(volatile char *)p = 1;
		if (shmdt(p) != 0)
			failed++;
		if (mincore(base, 1, &vec) != 0)
			unmapped++;
	}
	return arg;
}

static void *max_thread(void *arg)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	pthread_barrier_wait(&bar);
	void *p = shmat(id, NULL, 0);
	if (p != (void *)-1)
		ok_n++;
	else if (errno == ENOMEM)
		enomem_n++;
	else
		failed++;
	shmctl(id, IPC_RMID, NULL);	/* goes with the last detach (at exit) */
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	int n = argc > 2 ? atoi(argv[2]) : 4;
	unsigned char vec;
	struct shmid_ds ds;

	if (argc < 3 || n < 1 || n > 64)
		return 3;
	pthread_barrier_init(&bar, NULL, (unsigned)n);
	if (!strcmp(argv[1], "reuse")) {
		rounds = argc > 3 ? atoi(argv[3]) : 100;
		shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		base = shmat(shmid, NULL, 0);
		if (shmid < 0 || base == (void *)-1)
			return 3;
		for (int i = 0; i < n; i++)
			pthread_create(&t[i], NULL, reuse_thread, NULL);
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		shmctl(shmid, IPC_STAT, &ds);
		printf("other-address %d\nunmapped %d\nfailed %d\nnattch %lu\n", other_addr, unmapped,
		       failed, (unsigned long)ds.shm_nattch);
		printf("mapped-before-last-shmdt %s\n", mincore(base, 1, &vec) == 0 ? "yes" : "no");
		printf("last-shmdt %d\n", shmdt(base));
		printf("mapped-after-last-shmdt %s\n", mincore(base, 1, &vec) == 0 ? "yes" : "no");
		shmctl(shmid, IPC_RMID, NULL);
	} else {
		for (int i = 0; i < n; i++)
			pthread_create(&t[i], NULL, max_thread, NULL);
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		printf("attached %d\nenomem %d\nfailed %d\n", ok_n, enomem_n, failed);
	}
	return 0;
}
