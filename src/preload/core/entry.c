/* core/entry.c: start-up, fork, exec, dlopen and the exit sequence (the
 * exported entry points are one-liners in hooks/process.c).
 *
 * Start-up runs from our constructor or from the first intercepted call,
 * whichever comes first (another library's constructor may call socket()
 * before ours ran).  Calls made while start-up is running go to libc
 * untraced; they never wait and never fail because of us. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check/detect.h"
#include "check/policy.h"
#include "core/call.h"
#include "core/config.h"
#include "core/entry.h"
#include "core/exitseq.h"
#include "core/guard.h"
#include "ipcg/compiler.h"
#include "ipcg/outpath.h"
#include "trace/manifest.h"
#include "stack/modules.h"
#include "core/preload_strip.h"
#include "core/real.h"
#include "trace/records.h"
#include "shm/limits.h"
#include "stack/cache.h"
#include "stack/stacks.h"
#include "core/state.h"
#include "trace/trace.h"
#include "unix/state.h"
#include "stack/unwind.h"

_Atomic int ipcg_state;
bool ipcg_logging;
static _Atomic int exit_done;
static _Atomic int exit_owner;	/* tid of the thread whose exit() ends the process, 0 = none */
static int exit_status = -1;	/* its status, for the exit record */
static pid_t owner_pid;		/* the process the trace is for: a vfork child shares our memory */

bool ipcg_is_trace_owner(void)
{
	return getpid() == owner_pid;
}

static void say(const char *msg)
{
	size_t n = strlen(msg);
	(void)!write(2, msg, n);
	(void)!write(2, "\n", 1);
}

static void die_config(const char *msg)
{
	say(msg);
	syscall(SYS_exit_group, 2);
	__builtin_unreachable();
}

/* IPCGUARD_FOLLOW=0: take our library out of LD_PRELOAD so that programs
 * this one starts run untraced (posix_spawn, system and popen exec with
 * environ internally, past our exec hooks).  Not enough on its own: bash
 * ignores this edit, hence also the exec hooks (core/preload_strip.h). */
static void drop_from_preload(void)
{
	const char *pre = getenv("LD_PRELOAD");

	ipcg_preload_strip_init();
	if (!pre)
		return;
	size_t len = strlen(pre) + 1;	/* any length: no fixed buffer */
	char *out = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (out == MAP_FAILED)
		return;
	if (ipcg_preload_filter(pre, out)) {
		if (out[0])
			setenv("LD_PRELOAD", out, 1);
		else
			unsetenv("LD_PRELOAD");
	}
	(void)munmap(out, len);
}

static IPCG_BULK char start_dir[PATH_MAX];	/* working directory when this image started */

/* The image's arguments as the constructor was given them, for its first
 * header only (a fork child's header reads /proc/self/cmdline: the program
 * may have rewritten them since). */
static char *const *start_argv;

/* "ipcguard: cannot <what><name>: <why>; running untraced".  Its own
 * frame: the message buffer is only on the stack when there is an error. */
static IPCG_NOINLINE void say_untraced(const char *what, const char *name, const char *why)
{
	char msg[PATH_MAX + 128];

	size_t k = ipcg_txt(msg, sizeof(msg), 0, "ipcguard: cannot ");
	k = ipcg_txt(msg, sizeof(msg), k, what);
	k = ipcg_txt(msg, sizeof(msg), k, name);
	k = ipcg_txt(msg, sizeof(msg), k, ": ");
	k = ipcg_txt(msg, sizeof(msg), k, why);
	ipcg_txt(msg, sizeof(msg), k, "; running untraced");
	say(msg);
}

/* exe and un: filled for the header (self) when read here */
static void open_trace(struct ipcg_self *self, char *exe, struct utsname *un)
{
	char path[PATH_MAX];
	struct ipcg_outpath_vars v;
	ssize_t n;
	int ret;

	if (ipcg_config.out_kind != IPCG_OUT_FILE) {
		ret = ipcg_trace_open_fd(ipcg_config.out_fd);
		if (ret < 0)
			say_untraced("write the trace to ", ipcg_config.output,
				     ret == -EBADF ? "not open for writing" : strerror(-ret));
		ipcg_logging = ret == 0;
		return;
	}
	n = readlink("/proc/self/exe", exe, PATH_MAX - 1);
	exe[n > 0 ? n : 0] = '\0';
	self->exe = exe;
	v.pid = self->pid;
	v.exe = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe[0] ? exe : "unknown";
	v.start_sec = (uint64_t)time(NULL);
	if (uname(un) == 0)
		self->host = un->nodename;
	v.host = self->host ? self->host : "unknown";
	ret = ipcg_outpath_expand(path, sizeof(path), ipcg_config.output, &v);
	if (ret == 0 && path[0] != '/') {
		/* absolute, against the directory this image started in (kept
		 * across fork): a daemon that changes directory, and then forks
		 * as daemons do, writes every trace where it started */
		if (!start_dir[0] && !getcwd(start_dir, sizeof(start_dir)))
			start_dir[0] = '\0';
		size_t d = strlen(start_dir), p = strlen(path);
		if (!d || d + p + 2 > sizeof(path)) {
			ret = -ENAMETOOLONG;
		} else {
			memmove(path + d + 1, path, p + 1);
			memcpy(path, start_dir, d);
			path[d] = '/';
		}
	}
	if (ret == 0)
		ret = ipcg_trace_open_file(path);
	if (ret < 0)
		say_untraced("create trace file ", path, strerror(-ret));
	ipcg_logging = ret == 0;
}

/* A new trace for this process: its header.  Module records come with
 * the first stack that needs them (stack/stacks.c), so that an image making no
 * traced call does not walk its libraries. */
static void start_trace(bool forked)
{
	char exe[PATH_MAX];
	struct utsname un;
	struct ipcg_self self = { .pid = owner_pid, .argv = forked ? NULL : start_argv };

	open_trace(&self, exe, &un);
	if (!ipcg_logging)
		return;
	ipcg_manifest_note(ipcg_trace_path());
	ipcg_record_header(forked, &self);
}

static void atfork_prepare(void)
{
	ipcg_guard_enter();
	ipcg_unwind_atfork_prepare();
	ipcg_state_atfork_prepare();
}

static void atfork_parent(void)
{
	ipcg_state_atfork_parent();
	ipcg_unwind_atfork_parent();
	ipcg_guard_leave();
}

static void atfork_child(void)
{
	int saved = errno;	/* fork() returns 0 with errno as it was */

	ipcg_tls_tid = 0;
	ipcg_unwind_atfork_child();
	ipcg_state_atfork_child();
	ipcg_trace_forget();
	ipcg_logging = false;
	atomic_store(&ipcg_seq, 0);
	atomic_store(&ipcg_nfindings, 0);
	atomic_store(&ipcg_calls_not_written, 0);
	atomic_store(&exit_done, 0);
	atomic_store(&exit_owner, 0);
	exit_status = -1;
	owner_pid = getpid();
	ipcg_stacks_reset();
	ipcg_stackcache_atfork_child();
	ipcg_modules_reset();
	if (ipcg_config.follow)
		start_trace(true);
	ipcg_guard_leave();
	errno = saved;
}

/* errno is kept: the program starts with errno 0 (C11 7.5), and a first
 * intercepted call that succeeds must not change it; start-up leaves
 * EAGAIN (libunwind's warm-up) or EEXIST (a taken trace name) behind */
static void init(void)
{
	char err[512];
	int saved = errno;

	ipcg_guard_enter();
	ipcg_real_resolve();
	/* secure execution (setuid, setgid, file capabilities): the
	 * environment belongs to a less privileged user, so no IPCGUARD_*
	 * variable is read at all and the library stays inert, every hook a
	 * pass-through, as ld.so does with LD_* and glibc with MALLOC_* */
	if (getauxval(AT_SECURE)) {
		atomic_store_explicit(&ipcg_state, IPCG_OFF, memory_order_release);
		goto out;
	}
	if (ipcg_config_load(err, sizeof(err)) < 0)
		die_config(err);
	if (!ipcg_config.follow)
		drop_from_preload();
	ipcg_limits_read();
	ipcg_manifest_init();
	ipcg_trace_set_max_size(ipcg_config.max_size);
	/* libunwind is loaded, and the stack tables are mapped, by the first
	 * call that wants a stack (stack/unwind.h, stack/stacks.c, stack/cache.c) */
	owner_pid = getpid();
	start_trace(false);
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	atomic_store_explicit(&ipcg_state, IPCG_READY, memory_order_release);
out:
	ipcg_guard_leave();
	errno = saved;
}

bool ipcg_init_slow(void)
{
	int expected = IPCG_UNINIT;

	if (atomic_compare_exchange_strong(&ipcg_state, &expected, IPCG_INITING)) {
		init();
		return atomic_load(&ipcg_state) == IPCG_READY;
	}
	/* READY after all, OFF, or being initialised by us or another thread */
	return expected == IPCG_READY;
}

/* Whether the constructor's argv is what /proc/self/cmdline holds: not
 * when ld.so was run as a program (it drops its own arguments; the kernel
 * then loaded no interpreter, AT_BASE is 0).  A preloaded library's
 * constructor runs before main, so getopt has not permuted the array yet;
 * a library loaded by dlopen later (not how ipcguard is loaded) would be
 * given the same array, permuted or not, and no flag of ours can tell:
 * our __libc_start_main never ran in such a process. */
static bool argv_is_cmdline(char *const *argv)
{
	return argv && argv[0] && getauxval(AT_BASE) != 0;
}

void ipcg_start(char *const *argv)
{
	if (atomic_load(&ipcg_state) != IPCG_UNINIT)
		return;
	if (argv_is_cmdline(argv))
		start_argv = argv;
	(void)ipcg_init_slow();
}

void ipcg_exit_sequence(const char *how, int status)
{
	/* a vfork child's _exit must neither write into nor finish the
	 * parent's trace */
	if (atomic_load(&ipcg_state) != IPCG_READY || getpid() != owner_pid ||
	    atomic_exchange(&exit_done, 1))
		return;
	/* a signal handler that exits (quickdie, SIGTERM -> _exit) interrupted
	 * this thread inside our bookkeeping: the tables' locks may be held
	 * by the frames below and a record half written.  End like a kill:
	 * no exit record, rather than hang the exit forever. */
	if (ipcg_guard_busy())
		return;
	int saved = errno;
	ipcg_guard_enter();
	ipcg_exit_detect();	/* findings first: a leak is reported ... */
	ipcg_policy_at_exit();	/* ... before rmid-at-exit removes it */
	ipcg_stackcache_report();
	if (ipcg_logging) {
		ipcg_record_exit(how, status);
		ipcg_trace_finish();
	}
	ipcg_guard_leave();
	errno = saved;
}

/* exit() and the return from main: the first thread to get here ends the
 * process and gives the exit record its status.  Another thread calling
 * exit() meanwhile (undefined in C11 7.22.4.4) would otherwise run on to
 * _exit with its own status, often first, and end the process before the
 * record is written; it waits here instead until the process is gone, as
 * glibc 2.41 makes it wait.  The same thread may exit() again (from an
 * atexit handler or a signal handler).  A child sharing our memory
 * without its own trace (vfork) claims nothing. */
static void claim_exit(int status)
{
	int me = (int)syscall(SYS_gettid), owner = 0;

	if (atomic_load(&ipcg_state) != IPCG_READY || getpid() != owner_pid)
		return;
	if (!atomic_compare_exchange_strong(&exit_owner, &owner, me) && owner != me) {
		for (;;)	/* exit_owner never changes again in this process */
			syscall(SYS_futex, &exit_owner, FUTEX_WAIT_PRIVATE, owner, NULL, NULL, 0);
	}
	exit_status = status & 0xff;
}

void ipcg_exit_at_dtor(void)
{
	ipcg_exit_sequence("exit", exit_status);
}

/* Wrap main so that a return from it gives the exit record its status
 * (glibc then calls exit internally, past our exit() wrapper). */
static ipcg_main_fn real_main;

static int main_wrapper(int argc, char **argv, char **envp)
{
	int ret = real_main(argc, argv, envp);
	claim_exit(ret);
	return ret;
}

int ipcg_libc_start_main(ipcg_main_fn main, int argc, char **argv, void (*init_fn)(void),
			 void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	int (*real)(ipcg_main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void),
		    void *) = dlsym(RTLD_NEXT, "__libc_start_main");

	real_main = main;
	return real(main_wrapper, argc, argv, init_fn, fini, rtld_fini, stack_end);
}

void ipcg_exit(int status)
{
	claim_exit(status);
	if (!ipcg_real.exit)
		ipcg_real_resolve();
	ipcg_real.exit(status);
}

void ipcg__exit(int status)
{
	ipcg_exit_sequence("_exit", status & 0xff);
	if (ipcg_real._exit)
		ipcg_real._exit(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

void ipcg__Exit(int status)
{
	ipcg_exit_sequence("_Exit", status & 0xff);
	if (ipcg_real._Exit)
		ipcg_real._Exit(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

pid_t ipcg_fork(void)
{
	if (!ipcg_real.fork)
		ipcg_real_resolve();
	pid_t pid = ipcg_real.fork();
	if (pid > 0 && ipcg_logging && atomic_load(&ipcg_state) == IPCG_READY &&
	    !ipcg_guard_busy()) {
		int saved = errno;
		ipcg_guard_enter();
		ipcg_record_fork(pid);
		ipcg_unix_bound_forked(pid);
		ipcg_guard_leave();
		errno = saved;
	}
	return pid;
}

void *ipcg_dlopen(const char *file, int mode)
{
	if (!ipcg_real.dlopen)
		ipcg_real_resolve();
	void *h = ipcg_real.dlopen(file, mode);
	if (h && ipcg_logging && atomic_load(&ipcg_state) == IPCG_READY && !ipcg_guard_busy()) {
		int saved = errno;
		ipcg_guard_enter();
		ipcg_modules_scan();
		ipcg_guard_leave();
		errno = saved;
	}
	return h;
}

int ipcg_dlclose(void *handle)
{
	if (!ipcg_real.dlclose)
		ipcg_real_resolve();
	int ret = ipcg_real.dlclose(handle);
	if (ret == 0 && atomic_load(&ipcg_state) == IPCG_READY && !ipcg_guard_busy()) {
		int saved = errno;
		ipcg_guard_enter();
		ipcg_unwind_flush();
		ipcg_stacks_new_generation();
		ipcg_stackcache_invalidate();
		ipcg_modules_invalidate();
		ipcg_guard_leave();
		errno = saved;
	}
	return ret;
}
