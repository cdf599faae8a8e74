/* A pre-forking daemon with two planted bugs, for `ipcguard leaks` and the
 * report at daemon scale:
 *   - every LEAK_EVERY-th request creates a segment that is never removed;
 *   - every request attaches the main segment again and never detaches it.
 * Usage: lk_daemon WORKERS REQUESTS LEAK_EVERY SOCKPATH [hold]
 * The parent creates the main segment and a listening socket at SOCKPATH,
 * forks WORKERS workers that each serve REQUESTS requests (a connect to the
 * listener, accepted by the parent, stands for a client).  With "hold" every
 * process prints "ready PID" when done and waits to be killed; without it
 * the workers exit and the parent reaps them and exits 0 (leaving SOCKPATH
 * bound and the leaked segments behind).  Prints "leak SHMID" per leak. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAIN_SIZE (64 * 1024)

static int main_shmid;
static const char *sock_path;
static unsigned long leaked_bytes;

static int leak_segment(unsigned long req)
{
	size_t size = 4096 * (1 + req % 3);
	int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);

	if (id < 0)
		return -1;
	leaked_bytes += size;
	printf("leak %d\n", id);
	return id;
}

static int client_request(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	strncpy(a.sun_path, sock_path, sizeof(a.sun_path) - 1);
	int rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return rc;
}

static void handle_request(unsigned long req, unsigned long leak_every)
{
	volatile char *stats = shmat(main_shmid, NULL, 0);	/* bug: never detached */

	if (stats != (void *)-1)
		stats[req % MAIN_SIZE]++;
	if (leak_every && req % leak_every == 0)
		(void)leak_segment(req);			/* bug: never removed */
	(void)client_request();
}

static void worker_loop(unsigned long requests, unsigned long leak_every, int hold)
{
	for (unsigned long r = 1; r <= requests; r++)
		handle_request(r, leak_every);
	fflush(stdout);
	if (hold) {
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		for (;;)
			pause();
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: lk_daemon WORKERS REQUESTS LEAK_EVERY SOCKPATH [hold]\n");
		return 2;
	}
	unsigned long workers = strtoul(argv[1], NULL, 10), requests = strtoul(argv[2], NULL, 10);
	unsigned long leak_every = strtoul(argv[3], NULL, 10);
	int hold = argc > 5 && !strcmp(argv[5], "hold");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int lfd;

	sock_path = argv[4];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((main_shmid = shmget(IPC_PRIVATE, MAIN_SIZE, IPC_CREAT | 0600)) < 0) {
		perror("shmget");
		return 1;
	}
	strncpy(a.sun_path, sock_path, sizeof(a.sun_path) - 1);
	unlink(sock_path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 512) < 0) {
		perror("listen");
		return 1;
	}
	for (unsigned long w = 0; w < workers; w++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(lfd);
			worker_loop(requests, leak_every, hold);
		}
	}
	/* accept the workers' connections; without hold, until every worker is done */
	if (hold)
		printf("ready %d\n", (int)getpid());
	unsigned long live = workers;
	while (hold || live) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		if (poll(&p, 1, 20) > 0) {
			int c = accept(lfd, NULL, NULL);
			if (c >= 0)
				close(c);
		}
		int st;
		while (!hold && live && waitpid(-1, &st, WNOHANG) > 0)
			live--;
	}
	return 0;
}
