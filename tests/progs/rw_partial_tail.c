/* rw_partial_tail TRACE: make a traced call, then put a cut record after
 * the last complete line of our own trace file (as a process ended in the
 * middle of copying a record leaves it: part of a line, then the zeroed
 * rest of the chunk) and die by SIGKILL, so nothing else is written. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], buf[65536];
	static const char cut[] = "{\"type\":\"call\",\"seq\":99,\"fn\":";

	if (argc != 2)
		return 2;
	close(socket(AF_UNIX, SOCK_STREAM, 0));
	snprintf(path, sizeof(path), argv[1], (int)getpid());
	int fd = open(path, O_RDWR);
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf), 0);
	char *z = n > 0 ? memchr(buf, '\0', (size_t)n) : NULL;
	if (!z || pwrite(fd, cut, strlen(cut), z - buf) != (ssize_t)strlen(cut)) {
		fprintf(stderr, "rw_partial_tail: no NUL tail in %s\n", path);
		return 1;
	}
	raise(SIGKILL);
	return 1;
}
