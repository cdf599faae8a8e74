/* hp_shm: System V shm scenarios for the hardening tests 720-729.
 *   reuse-munmap   attach, munmap the attach, attach again and write to it
 *   reuse-sysdt    the same with syscall(SYS_shmdt) instead of munmap
 *   noread [UID]   (setgid/setuid to UID first) create a segment with mode
 *                  0000, print its id, exit
 *   busy-deny N    attach once, then N attaches from a SIGALRM handler while
 *                  the main loop makes traced shm calls; print how many of
 *                  the handler's attaches succeeded
 * Prints one line per step; a SIGSEGV is the bug. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static int reuse_after(int sys)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	char *a = shmat(id, NULL, 0);

	if (id < 0 || a == (void *)-1)
		return perror("setup"), 1;
	if (sys ? syscall(SYS_shmdt, a) : munmap(a, 4096))
		return perror("detach"), 1;
	char *b = shmat(id, NULL, 0);
	if (b == (void *)-1)
		return perror("shmat"), 1;
	b[0] = 7;	/* SIGSEGV when b is the dead address */
	printf("write ok\n");
	printf("shmdt %d\n", shmdt(b));
	shmctl(id, IPC_RMID, NULL);
	return 0;
}

static int busy_id;
static _Atomic int handler_ok, handler_calls;

static void on_alarm(int sig)
{
	void *p = shmat(busy_id, NULL, 0);

	(void)sig;
	handler_calls++;
	if (p != (void *)-1) {
		handler_ok++;
		shmdt(p);
	}
}

static int busy_deny(int n)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	struct shmid_ds ds;

	busy_id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (busy_id < 0 || shmat(busy_id, NULL, 0) == (void *)-1)
		return perror("setup"), 1;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	while (handler_calls < n)
		(void)shmctl(busy_id, IPC_STAT, &ds);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	/* a tick may land between the loop and the disarm: n calls at least */
	printf("handler attaches %d of %d\n", handler_ok, handler_calls < n ? handler_calls : n);
	shmctl(busy_id, IPC_RMID, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[1], "reuse-munmap"))
		return reuse_after(0);
	if (!strcmp(argv[1], "reuse-sysdt"))
		return reuse_after(1);
	if (!strcmp(argv[1], "noread")) {
		if (argc > 2 && (setgid((gid_t)atoi(argv[2])) || setuid((uid_t)atoi(argv[2]))))
			return perror("setuid"), 1;
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0000);
		printf("%d\n", id);
		return id < 0;
	}
	if (!strcmp(argv[1], "busy-deny") && argc > 2)
		return busy_deny(atoi(argv[2]));
	return 2;
}
