/* rw_exit_in_handler [shm|unix]: traced calls in a tight loop until a
 * timer signal whose handler calls _exit(3), as servers do on SIGTERM or
 * SIGQUIT (PostgreSQL's quickdie).  The signal may land while the thread
 * is inside ipcguard's bookkeeping: the exit must still happen. */
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void die(int sig)
{
	(void)sig;
	_exit(3);
}

int main(int argc, char **argv)
{
	bool shm = argc > 1 && !strcmp(argv[1], "shm");
	struct itimerval it = { .it_value = { 0, 2000 }, .it_interval = { 0, 500 } };

	signal(SIGALRM, die);
	setitimer(ITIMER_REAL, &it, NULL);
	for (;;) {
		if (shm) {
			int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
			void *p = shmat(id, NULL, 0);
			shmdt(p);
			shmctl(id, IPC_RMID, NULL);
		} else {
			int fd = socket(AF_UNIX, SOCK_STREAM, 0);
			close(fd);
		}
	}
}
