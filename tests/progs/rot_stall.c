/* Writers stalled in the middle of their calls while the trace rotates:
 *	rot_stall SECONDS
 * four threads make shmget+shmctl(IPC_RMID) calls as fast as they can;
 * every 200 ms one of them gets SIGUSR1, whose handler sleeps 250 ms
 * (longer than the writer waits for records in flight), wherever the
 * thread was, inside ipcguard's record writing too.  Prints "done". */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/shm.h>
#include <time.h>

static atomic_int stop;

static void stall(int sig)
{
	struct timespec t = { 0, 250000000 };

	(void)sig;
	nanosleep(&t, NULL);
}

static void *worker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = stall, .sa_flags = SA_RESTART };
	struct timespec tick = { 0, 200000000 };
	pthread_t th[4];
	int ticks = (argc > 1 ? atoi(argv[1]) : 2) * 5;

	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, worker, NULL))
			return 1;
	for (int i = 0; i < ticks; i++) {
		nanosleep(&tick, NULL);
		pthread_kill(th[i % 4], SIGUSR1);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	puts("done");
	return 0;
}
