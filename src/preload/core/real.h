/* core/real.h: the one table of the real libc functions behind our hooks.
 * Resolved once with dlsym(RTLD_NEXT) by ipcg_real_resolve(); a hook that
 * runs before that (another library's constructor, or our own init) goes
 * through the raw-syscall fallbacks in core/real.c and never fails for it. */
#ifndef IPCG_REAL_H
#define IPCG_REAL_H

#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/types.h>

struct ipcg_real {
	int (*shmget)(key_t, size_t, int);
	void *(*shmat)(int, const void *, int);
	int (*shmdt)(const void *);
	int (*shmctl)(int, int, struct shmid_ds *);
	key_t (*ftok)(const char *, int);
	int (*socket)(int, int, int);
	int (*socketpair)(int, int, int, int[2]);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*close)(int);
	int (*unlink)(const char *);
	int (*unlinkat)(int, const char *, int);
	int (*remove)(const char *);
	pid_t (*fork)(void);
	void (*exit)(int) __attribute__((noreturn));
	void (*_exit)(int) __attribute__((noreturn));
	void (*_Exit)(int) __attribute__((noreturn));
	void *(*dlopen)(const char *, int);
	int (*dlclose)(void *);
};

extern struct ipcg_real ipcg_real;

/* Resolve every entry; safe to call more than once and from any thread. */
void ipcg_real_resolve(void);

/* Fallbacks used while ipcg_real is not resolved yet (raw syscalls). */
int ipcg_sys_shmget(key_t, size_t, int);
void *ipcg_sys_shmat(int, const void *, int);
int ipcg_sys_shmdt(const void *);
int ipcg_sys_shmctl(int, int, struct shmid_ds *);
key_t ipcg_sys_ftok(const char *, int);
int ipcg_sys_socket(int, int, int);
int ipcg_sys_socketpair(int, int, int, int[2]);
int ipcg_sys_bind(int, const struct sockaddr *, socklen_t);
int ipcg_sys_connect(int, const struct sockaddr *, socklen_t);
int ipcg_sys_listen(int, int);
int ipcg_sys_accept(int, struct sockaddr *, socklen_t *);
int ipcg_sys_accept4(int, struct sockaddr *, socklen_t *, int);
int ipcg_sys_close(int);
int ipcg_sys_unlink(const char *);
int ipcg_sys_unlinkat(int, const char *, int);
int ipcg_sys_remove(const char *);

/* REAL(fn)(args): the libc function, or its fallback before resolution. */
#define REAL(fn) (__builtin_expect(ipcg_real.fn != NULL, 1) ? ipcg_real.fn : ipcg_sys_##fn)

#endif
