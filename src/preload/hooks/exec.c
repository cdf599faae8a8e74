/* hooks/exec.c: the exec family.  The new image starts its own trace, so
 * this one is cut to its last record before the exec (a mapped file grows
 * in chunks) and reopened if the exec fails.  glibc's exec* call execve
 * internally, not through the PLT, so each entry point is wrapped.
 * With IPCGUARD_FOLLOW=0 the new image gets an envp without this library
 * in LD_PRELOAD (core/preload_strip.h says why the start-up edit is not enough). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include "core/call.h"
#include "core/exitseq.h"
#include "ipcg/compiler.h"
#include "core/preload_strip.h"
#include "core/real_exec.h"
#include "trace/trace.h"

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

static bool stripping(void)
{
	return atomic_load(&ipcg_state) == IPCG_READY && !ipcg_config.follow;
}

enum exec_kind { EXEC_VE, EXEC_VPE, EXEC_FD };

/* The real exec with envp minus this library in LD_PRELOAD.  A vfork
 * child (not the trace owner) builds the copy on its stack, up to
 * STRIP_STACK_MAX: a mapping would outlive a successful exec in the
 * parent's address space.  Others use a mapping, unmapped if exec fails. */
#define STRIP_STACK_MAX (64 * 1024)

static int exec_stripped(enum exec_kind kind, const char *path, int fd, char *const argv[],
			 char *const envp[])
{
	const struct ipcg_real_exec *r = ipcg_real_exec();
	size_t need = ipcg_preload_strip_size(envp);
	size_t cap = need && need <= STRIP_STACK_MAX && !ipcg_is_trace_owner() ? need : 1;
	char *buf[(cap + sizeof(char *) - 1) / sizeof(char *)];
	struct ipcg_strip st;
	char *const *env = ipcg_preload_strip(envp, need, &st, buf, cap);
	int ret = kind == EXEC_VE  ? r->execve(path, argv, env) :
		  kind == EXEC_VPE ? r->execvpe(path, argv, env) :
				     r->fexecve(fd, argv, env);
	int saved = errno;

	ipcg_strip_release(&st);
	errno = saved;
	return ret;
}

IPCG_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	bool s = before_exec();

	if (stripping())
		return after_failed_exec(s, exec_stripped(EXEC_VE, path, -1, argv, envp));
	return after_failed_exec(s, ipcg_real_exec()->execve(path, argv, envp));
}

IPCG_EXPORT int execv(const char *path, char *const argv[])
{
	if (stripping())
		return execve(path, argv, environ);	/* what glibc's execv does */
	bool s = before_exec();
	return after_failed_exec(s, ipcg_real_exec()->execv(path, argv));
}

IPCG_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	bool s = before_exec();

	if (stripping())
		return after_failed_exec(s, exec_stripped(EXEC_VPE, file, -1, argv, envp));
	return after_failed_exec(s, ipcg_real_exec()->execvpe(file, argv, envp));
}

IPCG_EXPORT int execvp(const char *file, char *const argv[])
{
	if (stripping())
		return execvpe(file, argv, environ);	/* what glibc's execvp does */
	bool s = before_exec();
	return after_failed_exec(s, ipcg_real_exec()->execvp(file, argv));
}

IPCG_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	bool s = before_exec();

	if (stripping())
		return after_failed_exec(s, exec_stripped(EXEC_FD, NULL, fd, argv, envp));
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
