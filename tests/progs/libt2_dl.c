/* libt2_dl.c: a library the test programs dlopen; t2_dl_calls() makes
 * intercepted calls from inside it, so their stacks need its module. */
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((noinline)) int t2_dl_calls(void)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int bad = 0;

	bad += id < 0 || shmctl(id, IPC_RMID, NULL) != 0;
	bad += s < 0 || close(s) != 0;
	return bad;
}
