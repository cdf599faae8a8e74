/* events.h: what shm_call.c and unix_call.c tell the detectors after each
 * intercepted call (detect_shm.c, detect_unix.c).  Called with the guard
 * held and errno saved; no lock held.  Pointers are only passed when the
 * real call proved them readable, otherwise NULL. */
#ifndef IPCG_EVENTS_H
#define IPCG_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>

struct ipcg_ev {
	uint64_t seq;		/* the call record, 0 when not logged */
	uint32_t stack;		/* its stack id, 0 when none */
	int err;		/* errno when the call failed, else 0 */
};

/* An AF_UNIX address as the kernel saw it (copied after the call). */
struct ipcg_sun {
	bool valid;		/* false: NULL or unreadable */
	socklen_t len;		/* addrlen as given */
	struct sockaddr_un sa;	/* the first min(len, sizeof sa) bytes */
};

void ipcg_on_shmget(const struct ipcg_ev *e, key_t key, size_t size, int shmflg, int ret);
void ipcg_on_shmat(const struct ipcg_ev *e, int shmid, const void *shmaddr, int shmflg, void *ret);
void ipcg_on_shmdt(const struct ipcg_ev *e, const void *shmaddr, int ret);
void ipcg_on_shmctl(const struct ipcg_ev *e, int shmid, int cmd, int ret);
/* path: NULL when unreadable */
void ipcg_on_ftok(const struct ipcg_ev *e, const char *path, int proj_id, key_t ret);

void ipcg_on_socket(const struct ipcg_ev *e, int domain, int type, int protocol, int ret);
void ipcg_on_socketpair(const struct ipcg_ev *e, int type, const int sv[2], int ret);
void ipcg_on_bind(const struct ipcg_ev *e, int fd, const struct ipcg_sun *a, int ret);
void ipcg_on_connect(const struct ipcg_ev *e, int fd, const struct ipcg_sun *a, int ret);
void ipcg_on_listen(const struct ipcg_ev *e, int fd, int backlog, int ret);
void ipcg_on_accept(const struct ipcg_ev *e, int fd, int ret);
void ipcg_on_close(const struct ipcg_ev *e, int fd, int ret);

#endif
