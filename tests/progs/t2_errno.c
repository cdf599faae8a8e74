/* t2_errno.c: errno as the program sees it around the library's own work:
 * at the start of main (C11 7.5: zero), after fork in parent and child
 * (the child opens its own trace), after dlopen/dlclose (the library
 * rescans modules) and after a successful first call of each family. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(int e)
{
	return e ? strerrorname_np(e) : "0";
}

int main(int argc, char **argv)
{
	int e = errno;

	printf("errno at main: %s\n", en(e));
	errno = E2BIG;
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	printf("after a successful shmget: %s\n", en(errno));
	errno = ERANGE;
	shmctl(id, IPC_RMID, NULL);
	printf("after a successful shmctl: %s\n", en(errno));
	errno = EDOM;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("after a successful socket: %s\n", en(errno));
	errno = ENOTTY;
	close(s);
	printf("after closing it: %s\n", en(errno));
	fflush(stdout);
	errno = ECHILD;
	pid_t pid = fork();
	if (pid == 0) {
		printf("child after fork: %s\n", en(errno));
		fflush(stdout);
		_exit(0);
	}
	printf("parent after fork: %s\n", en(errno));
	waitpid(pid, NULL, 0);
	if (argc > 1) {
		errno = EXDEV;
		void *h = dlopen(argv[1], RTLD_NOW);
		printf("after dlopen: %s %s\n", h ? "ok" : "failed", en(errno));
		errno = ENOSPC;
		if (h)
			dlclose(h);
		printf("after dlclose: %s\n", en(errno));
	}
	return 0;
}
