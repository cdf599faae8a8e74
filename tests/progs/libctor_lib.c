/* libctor_lib.c: a library whose constructor makes intercepted calls
 * before ipcguard's own constructor has run (the loader runs the
 * constructors of a program's dependencies before those of preloaded
 * libraries that do not depend on them).  ctor_user prints what these
 * calls returned. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

char ctor_lib_report[512];	/* what the constructor saw, for ctor_user */

__attribute__((constructor)) static void early(void)
{
	errno = E2BIG;	/* the first call starts ipcguard: errno must survive it */
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int e1 = errno;
	void *p = id >= 0 ? shmat(id, NULL, 0) : (void *)-1;
	int dt = p != (void *)-1 ? shmdt(p) : -1;
	int rm = id >= 0 ? shmctl(id, IPC_RMID, NULL) : -1;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int e2 = errno;
	int sv[2] = { -1, -1 };
	int sp = socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	int cl = s >= 0 ? close(s) : -1;
	errno = 0;
	int bad = shmdt(NULL);	/* a failure: errno must be the real one */
	int e3 = errno;

	snprintf(ctor_lib_report, sizeof(ctor_lib_report),
		 "ctor: shmget %s (errno %s), shmat %s, shmdt %d, rmid %d, socket fd=%d (%s), "
		 "socketpair %d fds=%d,%d, close %d, shmdt(NULL) %d %s",
		 id >= 0 ? "ok" : "failed", strerrorname_np(e1),
		 p != (void *)-1 ? "ok" : "failed", dt, rm, s, s >= 0 ? "-" : strerror(e2),
		 sp, sv[0], sv[1], cl, bad, strerrorname_np(e3));
	if (sp == 0) {
		close(sv[0]);
		close(sv[1]);
	}
}

/* Our destructor runs after ipcguard's (finalisers run in the reverse
 * order of constructors), when its trace is already closed: the calls must
 * still work.  Silent unless one fails. */
__attribute__((destructor)) static void late(void)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	int bad = id < 0 || shmctl(id, IPC_RMID, NULL) != 0 || s < 0 || close(s) != 0;

	if (bad)
		(void)!write(2, "dtor: a call failed\n", 20);
}
