/* hooks_exec.c: the exec family.  The new image starts its own trace, so
 * this one is cut to its last record before the exec (a mapped file grows
 * in chunks) and reopened if the exec fails.  glibc's exec* call execve
 * internally, not through the PLT, so each entry point is wrapped. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include "call.h"
#include "exitseq.h"
#include "ipcg/compiler.h"
#include "real_exec.h"
#include "trace.h"

static bool before_exec(void)
{
	if (atomic_load(&ipcg_state) != IPCG_READY || ipcg_guard_busy() || !ipcg_is_trace_owner())
		return false;
	ipcg_guard_enter();
	ipcg_trace_suspend();
	ipcg_guard_leave();
	return true;
}

static int after_failed_exec(bool suspended, int ret)
{
	int saved = errno;

	if (suspended) {
		ipcg_guard_enter();
		ipcg_trace_resume();
		ipcg_guard_leave();
	}
	errno = saved;
	return ret;
}

IPCG_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	bool s = before_exec();
	return after_failed_exec(s, ipcg_real_exec()->execve(path, argv, envp));
}

IPCG_EXPORT int execv(const char *path, char *const argv[])
{
	bool s = before_exec();
	return after_failed_exec(s, ipcg_real_exec()->execv(path, argv));
}

IPCG_EXPORT int execvp(const char *file, char *const argv[])
{
	bool s = before_exec();
	return after_failed_exec(s, ipcg_real_exec()->execvp(file, argv));
}

IPCG_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	bool s = before_exec();
	return after_failed_exec(s, ipcg_real_exec()->execvpe(file, argv, envp));
}

IPCG_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	bool s = before_exec();
	return after_failed_exec(s, ipcg_real_exec()->fexecve(fd, argv, envp));
}

/* execl, execlp, execle: gather the variadic list into an argv on the
 * stack (exec must not allocate: it may run in a vfork child) */
#define GATHER(first, ap, ret_argv, n)                                   \
	size_t n = 1;                                                    \
	va_start(ap, first);                                             \
	while (va_arg(ap, char *))                                       \
		n++;                                                     \
	va_end(ap);                                                      \
	char *ret_argv[n + 1];                                           \
	ret_argv[0] = (char *)(first);                                   \
	va_start(ap, first);                                             \
	for (size_t i_ = 1; i_ <= n; i_++)                               \
		ret_argv[i_] = va_arg(ap, char *);                       \

IPCG_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	GATHER(arg, ap, argv, n)
	va_end(ap);
	return execv(path, argv);
}

IPCG_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	GATHER(arg, ap, argv, n)
	va_end(ap);
	return execvp(file, argv);
}

IPCG_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	GATHER(arg, ap, argv, n)
	char *const *envp = va_arg(ap, char *const *);
	va_end(ap);
	return execve(path, argv, envp);
}
