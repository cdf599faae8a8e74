/* det_prodcons.c: a correct producer and consumer sharing a segment
 * through ftok on an existing file.  The producer creates the segment
 * with IPC_CREAT|IPC_EXCL (falling back to the existing one on EEXIST),
 * writes, starts the consumer (fork + exec of this program), waits for
 * it, detaches and removes the segment.  The consumer finds the segment
 * with shmget(key, 0, 0), attaches read-only, reads and detaches.
 *
 *	det_prodcons produce FILE
 *	det_prodcons consume FILE */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 4096

static int consume(const char *file)
{
	key_t key = ftok(file, 'P');
	int id = key == (key_t)-1 ? -1 : shmget(key, 0, 0);
	const char *p = id < 0 ? (void *)-1 : shmat(id, NULL, SHM_RDONLY);

	if (p == (void *)-1) {
		perror("consumer");
		return 1;
	}
	printf("consumer read: %s\n", p);
	return shmdt(p) < 0;
}

static int produce(const char *self, const char *file)
{
	key_t key = ftok(file, 'P');
	int id, st;

	if (key == (key_t)-1) {
		perror("ftok");
		return 1;
	}
	id = shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0 && errno == EEXIST)
		id = shmget(key, 0, 0);
	char *p = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
	if (p == (void *)-1) {
		perror("producer");
		return 1;
	}
	snprintf(p, SIZE, "hello from %d", (int)getpid());
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl(self, self, "consume", file, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("consumer status %d\n", WEXITSTATUS(st));
	shmdt(p);
	return shmctl(id, IPC_RMID, NULL) < 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "produce"))
		return produce(argv[0], argv[2]);
	if (argc == 3 && !strcmp(argv[1], "consume"))
		return consume(argv[2]);
	return 2;
}
