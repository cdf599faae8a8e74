/* sec_probe.c: what a policy could change, observed from inside.  Creates
 * a private segment with mode 0666 and prints the mode the kernel gave it
 * (shm-mode would clear bits), then connects to the AF_UNIX path argv[1]
 * and prints the errno (socket-paths would give EACCES instead of ENOENT).
 * Prints its real and effective uids so a test can see it ran setuid.
 *
 *	sec_probe PATH */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct shmid_ds ds;
	int id, s;

	if (argc != 2 || strlen(argv[1]) >= sizeof(a.sun_path))
		return 64;
	printf("uid %d euid %d\n", (int)getuid(), (int)geteuid());
	id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0666);
	if (id < 0 || shmctl(id, IPC_STAT, &ds) < 0) {
		printf("shm: %s\n", strerrorname_np(errno));
	} else {
		printf("shm mode %o\n", (unsigned)(ds.shm_perm.mode & 0777));
		(void)shmctl(id, IPC_RMID, NULL);
	}
	strcpy(a.sun_path, argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		return 1;
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		printf("connect: %s\n", strerrorname_np(errno));
	else
		printf("connect: ok\n");
	close(s);
	return 0;
}
