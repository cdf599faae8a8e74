/* xr_exit_race.c: eight threads call exit() at the same moment, each with
 * its own status (10 + its index); the main thread waits.  Which one wins
 * is up to the scheduler: the process's exit status says which did.  Each
 * thread first makes an AF_UNIX call so that the library is busy too.
 *
 *	xr_exit_race */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define NTHREADS 8

static pthread_barrier_t go;

static void *racer(void *arg)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s >= 0)
		close(s);
	pthread_barrier_wait(&go);
	exit(10 + (int)(long)arg);
}

int main(void)
{
	pthread_t t[NTHREADS];

	if (pthread_barrier_init(&go, NULL, NTHREADS) != 0)
		return 1;
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, racer, (void *)i) != 0)
			return 1;
	for (;;)
		pause();
}
