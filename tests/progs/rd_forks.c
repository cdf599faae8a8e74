/* rd_forks.c: forks N children, at most 16 alive at a time; each makes two
 * traced calls (socket, close) and exits, so a run leaves N + 1 small real
 * traces (reader scale tests: many files at once).
 *
 *	rd_forks N */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BATCH 16

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10, good = 0, alive = 0, st;

	for (int i = 0; i < n; i++) {
		if (alive == BATCH) {
			if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
				good++;
			alive--;
		}
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			break;
		}
		if (pid == 0) {
			int s = socket(AF_UNIX, SOCK_STREAM, 0);
			if (s < 0 || close(s) < 0)
				_exit(1);
			exit(0);
		}
		alive++;
	}
	while (alive > 0 && wait(&st) > 0) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			good++;
		alive--;
	}
	printf("children=%d ok=%d\n", n, good);
	return good == n ? 0 : 1;
}
