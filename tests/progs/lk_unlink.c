/* Binds five socket files, removes four of them by unlink (absolute and
 * relative), unlinkat (through a directory fd) and remove, then makes
 * calls that fail (missing file, bad pointer, a second unlink); prints the
 * return values and errno.  Usage: lk_unlink ABS_PATH (run in a scratch dir). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *names[] = { argv[1], "b.sock", "c.sock", "d.sock", "e.sock" };
	for (int i = 0; i < 5; i++) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		strcpy(a.sun_path, names[i]);
		if (bind(fd, (void *)&a, sizeof(a)))
			perror("bind");
		close(fd);
	}
	int r1 = unlink(argv[1]);
	int r2 = unlink("b.sock");
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	int r3 = unlinkat(dfd, "c.sock", 0);
	int r4 = remove("d.sock");
	int r5 = unlink("nonexistent");
	int e5 = errno;
	int r6 = unlink((char *)1);
	int e6 = errno;
	int r7 = unlink("b.sock");
	int e7 = errno;
	unlink("plain-file");	/* not a socket this process bound */
	printf("%d %d %d %d %d/%d %d/%d %d/%d\n", r1, r2, r3, r4, r5, e5, r6, e6, r7, e7);
	return 0;
}
