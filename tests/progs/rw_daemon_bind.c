/* rw_daemon_bind PATH MODE: bind and listen on PATH, fork, and exit
 * without unlinking PATH.
 *   daemon: the child (which inherited the listening socket) outlives the
 *           parent, as nginx's master does after it detaches, and removes
 *           the file once the parent is gone;
 *   reaped: the parent waits for the child first: the file is left behind.
 * Prints what it did. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int p[2];

	if (argc != 3 || strlen(argv[1]) >= sizeof(a.sun_path) || pipe(p) < 0)
		return 2;
	strcpy(a.sun_path, argv[1]);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		perror("rw_daemon_bind");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		char c;
		close(p[1]);
		if (!strcmp(argv[2], "daemon")) {
			while (read(p[0], &c, 1) > 0)	/* EOF: the parent has exited */
				;
			unlink(argv[1]);
		}
		close(fd);
		_exit(0);
	}
	close(p[0]);
	if (!strcmp(argv[2], "reaped"))
		waitpid(pid, NULL, 0);
	printf("parent exits, child %s\n", !strcmp(argv[2], "reaped") ? "reaped" : "alive");
	return 0;	/* exit(3): the pipe closes, the daemon child goes on */
}
