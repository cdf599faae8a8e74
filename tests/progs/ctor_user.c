/* ctor_user.c: linked against libctor_lib.so, whose constructor makes
 * intercepted calls before ipcguard's constructor runs; prints what they
 * returned, then makes calls of its own. */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

extern char ctor_lib_report[];

int main(void)
{
	printf("%s\n", ctor_lib_report);
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("main: shmget %s, rmid %d, socket fd=%d, close %d\n", id >= 0 ? "ok" : "failed",
	       shmctl(id, IPC_RMID, NULL), s, close(s));
	return 0;
}
