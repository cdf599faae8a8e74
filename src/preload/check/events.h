/* check/events.h: what shm/call.c and unix/call.c tell the detectors after each
 * intercepted call (shm/detect.c, unix/detect.c).  Called with the guard
 * held and errno saved; no lock held.  Pointers are only passed when the
 * real call proved them readable, otherwise NULL.
 *
 * The hooks also keep the state tables (shm/state.h, unix/state.h) that
 * policies read, so the call files should call them after every call they
 * handle, logged or not; the hooks write findings only while the family
 * is logged.  Arguments are the ones the kernel saw (after any change a
 * policy made, e.g. shm-mode on shmflg). */
#ifndef IPCG_EVENTS_H
#define IPCG_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Policy bits in ipcg_ev.policy: how a policy changed the call. */
#define IPCG_EV_DENIED (1u << 0)	/* refused: ret and err are what the caller got */
#define IPCG_EV_REUSED (1u << 1)	/* repeat-attach=reuse: shmat returned an existing address */
#define IPCG_EV_ABSORBED (1u << 2)	/* shmdt of a reused attach with refs > 1: not really detached */

struct ipcg_ev {
	uint64_t seq;		/* the call record, 0 when not logged */
	uint32_t stack;		/* its stack id, 0 when none */
	int err;		/* errno when the call failed, else 0 */
	unsigned policy;	/* IPCG_EV_* bits, 0 when no policy acted */
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
