/* rw_exec_attached: attach a segment (already marked for removal), then
 * exec argv[1..]: the kernel detaches every segment at exec, so the
 * image that exec'd holds nothing afterwards. */
#include <stdio.h>
#include <sys/shm.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	void *p = id >= 0 ? shmat(id, NULL, 0) : (void *)-1;

	if (id < 0 || p == (void *)-1) {
		perror("rw_exec_attached");
		return 1;
	}
	shmctl(id, IPC_RMID, NULL);
	if (argc > 1)
		execvp(argv[1], argv + 1);
	perror("rw_exec_attached: exec");
	return 1;
}
