/* core/real.c: resolve the real libc functions once; raw-syscall fallbacks for
 * calls that arrive before resolution (they behave like glibc's wrappers:
 * -1 and errno on failure, cancellation aside). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/real.h"
#include "core/real_exec.h"

struct ipcg_real ipcg_real;

#define RESOLVE(fn) \
	do { \
		void *p_ = dlsym(RTLD_NEXT, #fn); \
		if (p_) \
			__atomic_store_n((void **)&ipcg_real.fn, p_, __ATOMIC_RELEASE); \
	} while (0)

void ipcg_real_resolve(void)
{
	/* dlsym may run before our constructor; it is idempotent, so racing
	 * threads at worst resolve the same pointers twice. */
	RESOLVE(shmget); RESOLVE(shmat); RESOLVE(shmdt); RESOLVE(shmctl); RESOLVE(ftok);
	RESOLVE(socket); RESOLVE(socketpair); RESOLVE(bind); RESOLVE(connect);
	RESOLVE(listen); RESOLVE(accept); RESOLVE(accept4); RESOLVE(close);
	RESOLVE(unlink); RESOLVE(unlinkat); RESOLVE(remove);
	RESOLVE(fork); RESOLVE(exit); RESOLVE(_exit); RESOLVE(_Exit);
	RESOLVE(dlopen); RESOLVE(dlclose);
}

int ipcg_sys_shmget(key_t k, size_t s, int f) { return (int)syscall(SYS_shmget, k, s, f); }
void *ipcg_sys_shmat(int id, const void *a, int f) { return (void *)syscall(SYS_shmat, id, a, f); }
int ipcg_sys_shmdt(const void *a) { return (int)syscall(SYS_shmdt, a); }
int ipcg_sys_shmctl(int id, int cmd, struct shmid_ds *b) { return (int)syscall(SYS_shmctl, id, cmd, b); }
int ipcg_sys_socket(int d, int t, int p) { return (int)syscall(SYS_socket, d, t, p); }
int ipcg_sys_socketpair(int d, int t, int p, int sv[2]) { return (int)syscall(SYS_socketpair, d, t, p, sv); }
int ipcg_sys_bind(int fd, const struct sockaddr *a, socklen_t l) { return (int)syscall(SYS_bind, fd, a, l); }
int ipcg_sys_connect(int fd, const struct sockaddr *a, socklen_t l) { return (int)syscall(SYS_connect, fd, a, l); }
int ipcg_sys_listen(int fd, int b) { return (int)syscall(SYS_listen, fd, b); }
int ipcg_sys_accept(int fd, struct sockaddr *a, socklen_t *l) { return (int)syscall(SYS_accept, fd, a, l); }
int ipcg_sys_accept4(int fd, struct sockaddr *a, socklen_t *l, int f) { return (int)syscall(SYS_accept4, fd, a, l, f); }
int ipcg_sys_close(int fd) { return (int)syscall(SYS_close, fd); }
int ipcg_sys_unlink(const char *p) { return (int)syscall(SYS_unlinkat, AT_FDCWD, p, 0); }
int ipcg_sys_unlinkat(int d, const char *p, int f) { return (int)syscall(SYS_unlinkat, d, p, f); }

/* remove(3): a file, or else an empty directory (glibc's order) */
int ipcg_sys_remove(const char *p)
{
	if (ipcg_sys_unlink(p) == 0)
		return 0;
	if (errno != EISDIR)
		return -1;
	return (int)syscall(SYS_unlinkat, AT_FDCWD, p, AT_REMOVEDIR);
}

key_t ipcg_sys_ftok(const char *path, int proj_id)
{
	struct stat st;

	/* glibc's formula (sysvipc/ftok.c semantics) */
	if (stat(path, &st) < 0)
		return (key_t)-1;
	return (key_t)((st.st_ino & 0xffff) | ((st.st_dev & 0xff) << 16) |
		       (((unsigned)proj_id & 0xff) << 24));
}

static struct ipcg_real_exec real_exec;

const struct ipcg_real_exec *ipcg_real_exec(void)
{
	if (!__atomic_load_n(&real_exec.fexecve, __ATOMIC_ACQUIRE)) {
		real_exec.execve = dlsym(RTLD_NEXT, "execve");
		real_exec.execv = dlsym(RTLD_NEXT, "execv");
		real_exec.execvp = dlsym(RTLD_NEXT, "execvp");
		real_exec.execvpe = dlsym(RTLD_NEXT, "execvpe");
		__atomic_store_n(&real_exec.fexecve, dlsym(RTLD_NEXT, "fexecve"), __ATOMIC_RELEASE);
	}
	return &real_exec;
}
