/* A steady stream of traced calls, for the trace writer's limits:
 *	tw_loop N [STATUS [PATH]]
 * runs N rounds of shmget(IPC_PRIVATE)+shmat+shmdt+shmctl(IPC_RMID),
 * prints "rounds N ok M" (M rounds whose four calls all succeeded) and
 * "hwm KB" (peak resident memory, from /proc/self/status), and exits with
 * STATUS (default 0), so a test can compare what the program saw and
 * returned with and without the library.  With PATH, half-way through the
 * program opens PATH and dup2s it onto descriptor 3 (a daemon reusing the
 * number of an fd:3 trace), then writes one line of its own into it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/shm.h>
#include <unistd.h>

static long peak_rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, ok = 0;
	int status = argc > 2 ? atoi(argv[2]) : 0;

	for (long i = 0; i < n; i++) {
		if (argc > 3 && i == n / 2) {
			int fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd < 0 || dup2(fd, 3) < 0)
				return perror(argv[3]), 1;
			if (fd != 3)
				close(fd);
		}
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (id < 0)
			continue;
		void *p = shmat(id, NULL, 0);
		int good = p != (void *)-1 && shmdt(p) == 0;
		if (shmctl(id, IPC_RMID, NULL) == 0 && good)
			ok++;
	}
	printf("rounds %ld ok %ld\n", n, ok);
	printf("hwm %ld\n", peak_rss_kb());
	if (argc > 3 && write(3, "program data\n", 13) != 13)
		return perror("write"), 1;
	return status;
}
