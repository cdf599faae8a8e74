/* How many descriptors a program under a tight RLIMIT_NOFILE gets:
 *	tw_fds ROUNDS
 * makes ROUNDS rounds of traced shm calls (the trace grows, stacks are
 * taken), then opens AF_UNIX sockets until socket() fails and prints
 * "sockets N first F errno E" (F the first number it got).  The same
 * numbers with and without the library is the point. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 100;
	int n = 0, first = -1, fd;

	for (long i = 0; i < rounds; i++) {
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
	}
	while ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0) {
		if (first < 0)
			first = fd;
		n++;
	}
	printf("sockets %d first %d errno %s\n", n, first, strerror(errno));
	return 0;
}
