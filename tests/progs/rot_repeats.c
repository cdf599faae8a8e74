/* One repeated-attach finding per round, from one call site, with a
 * fork child every 5000 rounds:
 *	rot_repeats ROUNDS
 * so that with a small IPCGUARD_MAX_SIZE the findings compacted by
 * IPCGUARD_REPEATS are spread over many parts, and each child writes its
 * own trace.  Exits 0 when every call succeeded. */
#include <stdlib.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int bad = 0;
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	if (id < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		void *p = shmat(id, NULL, 0);
		void *q = shmat(id, NULL, 0);	/* repeated attach */
		bad |= p == (void *)-1 || q == (void *)-1 || shmdt(q) || shmdt(p);
		if (i % 5000 == 0) {
			pid_t c = fork();
			if (c == 0)
				_exit(0);
			if (c < 0 || waitpid(c, NULL, 0) != c)
				bad = 1;
		}
	}
	bad |= shmctl(id, IPC_RMID, NULL) != 0;
	return bad;
}
