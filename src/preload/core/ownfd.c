/* core/ownfd.c: ipcguard's own descriptors, protected from the program's
 * close loops, close_range, closefrom and dup2/dup3 (see core/ownfd.h). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/guard.h"
#include "core/ownfd.h"
#include "core/real.h"
#include "core/state.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct own {
	_Atomic int fd;			/* -1: slot empty */
	dev_t dev;			/* identity when registered */
	ino_t ino;
	ipcg_ownfd_move_fn move;
};

static struct own own[IPCG_OWNFD_N] = {
	[IPCG_OWNFD_TRACE] = { .fd = -1 },
	[IPCG_OWNFD_UNW_R] = { .fd = -1 },
	[IPCG_OWNFD_UNW_W] = { .fd = -1 },
	[IPCG_OWNFD_SAFE_R] = { .fd = -1 },
	[IPCG_OWNFD_SAFE_W] = { .fd = -1 },
};
_Atomic int ipcg_ownfd_lo = INT_MAX;

int ipcg_ownfd_base_for(const struct rlimit *nofile)
{
	long base = 1000;

	if (nofile && nofile->rlim_cur != RLIM_INFINITY && (long)nofile->rlim_cur <= base + 16)
		base = (long)nofile->rlim_cur * 3 / 4;
	return (int)base;
}

int ipcg_ownfd_high_base(void)
{
	struct rlimit rl;

	return ipcg_ownfd_base_for(getrlimit(RLIMIT_NOFILE, &rl) == 0 ? &rl : NULL);
}
static _Atomic int reg_lock;		/* registry updates */

/* The real functions, resolved when the first descriptor is registered
 * (in start-up, not in a hook that may run in a signal handler); until
 * then nothing needs protecting and the raw system calls serve. */
static struct {
	int (*close_range)(unsigned, unsigned, int);
	void (*closefrom)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
} real_fd;

static void resolve(void)
{
	if (real_fd.dup2)
		return;
	real_fd.close_range = (int (*)(unsigned, unsigned, int))dlsym(RTLD_NEXT, "close_range");
	real_fd.closefrom = (void (*)(int))dlsym(RTLD_NEXT, "closefrom");
	real_fd.dup3 = (int (*)(int, int, int))dlsym(RTLD_NEXT, "dup3");
	__atomic_store_n(&real_fd.dup2, (int (*)(int, int))dlsym(RTLD_NEXT, "dup2"), __ATOMIC_RELEASE);
}

static int real_close_range(unsigned first, unsigned last, int flags)
{
	if (real_fd.close_range)
		return real_fd.close_range(first, last, flags);
#ifdef SYS_close_range
	return (int)syscall(SYS_close_range, first, last, flags);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static int real_dup2(int oldfd, int newfd)
{
	if (__atomic_load_n(&real_fd.dup2, __ATOMIC_ACQUIRE))
		return real_fd.dup2(oldfd, newfd);
	return (int)syscall(SYS_dup2, oldfd, newfd);
}

static int real_dup3(int oldfd, int newfd, int flags)
{
	if (real_fd.dup3)
		return real_fd.dup3(oldfd, newfd, flags);
	return (int)syscall(SYS_dup3, oldfd, newfd, flags);
}

static void lock(void)
{
	while (atomic_exchange_explicit(&reg_lock, 1, memory_order_acquire))
		__builtin_ia32_pause();
}

static void unlock(void) { atomic_store_explicit(&reg_lock, 0, memory_order_release); }

static void recompute_lo(void)
{
	int lo = INT_MAX;

	for (int i = 0; i < IPCG_OWNFD_N; i++) {
		int fd = atomic_load(&own[i].fd);
		if (fd >= 0 && fd < lo)
			lo = fd;
	}
	atomic_store(&ipcg_ownfd_lo, lo);
}

void ipcg_ownfd_set_stat(enum ipcg_ownfd_slot slot, int fd, const struct stat *st,
			 ipcg_ownfd_move_fn move)
{
	resolve();
	lock();
	if (fd >= 0) {
		own[slot].dev = st->st_dev;
		own[slot].ino = st->st_ino;
		own[slot].move = move;
	}
	atomic_store(&own[slot].fd, fd);
	recompute_lo();
	unlock();
}

void ipcg_ownfd_set(enum ipcg_ownfd_slot slot, int fd, ipcg_ownfd_move_fn move)
{
	struct stat st;
	int saved = errno;

	if (fd >= 0 && fstat(fd, &st) < 0)
		fd = -1;
	ipcg_ownfd_set_stat(slot, fd, &st, move);
	errno = saved;
}

/* The slot that registered fd, if fd is still that file; -1 otherwise.
 * Costs an fstat, and only for our own numbers.  errno is kept. */
static int slot_of(int fd)
{
	struct stat st;
	int saved = errno, ret = -1;

	for (int i = 0; i < IPCG_OWNFD_N && ret < 0; i++) {
		if (atomic_load_explicit(&own[i].fd, memory_order_relaxed) != fd)
			continue;
		if (fstat(fd, &st) == 0 && st.st_dev == own[i].dev && st.st_ino == own[i].ino)
			ret = i;
	}
	errno = saved;
	return ret;
}

bool ipcg_ownfd_refuse_close(int fd)
{
	/* our own code (libunwind renewing its pipe) closes what it likes */
	return !ipcg_guard_busy() && slot_of(fd) >= 0;
}

/* dup2/dup3 onto newfd: if it is ours, move ours out of the way first.
 * Returns true when something was moved (the number still holds our old
 * duplicate until the program's call replaces it). */
static bool make_room(int newfd)
{
	int slot = slot_of(newfd);

	if (slot < 0)
		return false;
	ipcg_guard_enter();
	int nfd = own[slot].move ? own[slot].move(newfd, newfd + 1) : -1;
	int saved = errno;
	lock();
	own[slot].fd = nfd;	/* same file: dev and ino stay */
	recompute_lo();
	unlock();
	errno = saved;
	ipcg_guard_leave();
	return true;
}

/* our stale duplicate is still at newfd when the program's call failed */
static int after_dup(int ret, int oldfd, int newfd, bool moved)
{
	/* newfd is now a copy of oldfd: whatever socket it was is gone */
	if (ret >= 0 && oldfd != newfd && ipcg_fd_tracked(newfd))
		ipcg_fd_track(newfd, false);
	if (ret < 0 && moved) {
		int saved = errno;
		(void)ipcg_sys_close(newfd);
		errno = saved;
	}
	return ret;
}

int ipcg_dup2(int oldfd, int newfd)
{
	bool moved = false;

	if (!ipcg_guard_busy()) {
		if (ipcg_ownfd_maybe(oldfd) && slot_of(oldfd) >= 0) {
			errno = EBADF;	/* not the program's descriptor */
			return -1;
		}
		if (ipcg_ownfd_maybe(newfd) && oldfd != newfd)
			moved = make_room(newfd);
	}
	return after_dup(real_dup2(oldfd, newfd), oldfd, newfd, moved);
}

int ipcg_dup3(int oldfd, int newfd, int flags)
{
	bool moved = false;

	/* dup3(fd, fd) is EINVAL before anything else is looked at */
	if (!ipcg_guard_busy() && oldfd != newfd) {
		if (ipcg_ownfd_maybe(oldfd) && slot_of(oldfd) >= 0) {
			errno = EBADF;
			return -1;
		}
		if (ipcg_ownfd_maybe(newfd))
			moved = make_room(newfd);
	}
	return after_dup(real_dup3(oldfd, newfd, flags), oldfd, newfd, moved);
}

/* Our descriptors within [first, last], ascending, still ours. */
static int ours_in(unsigned first, unsigned last, int out[IPCG_OWNFD_N])
{
	int n = 0;

	for (int i = 0; i < IPCG_OWNFD_N; i++) {
		int fd = atomic_load(&own[i].fd);
		if (fd >= 0 && (unsigned)fd >= first && (unsigned)fd <= last && slot_of(fd) >= 0)
			out[n++] = fd;
	}
	for (int i = 1; i < n; i++)	/* at most three: insertion sort */
		for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
			int t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

int ipcg_close_range(unsigned first, unsigned last, int flags)
{
	int mine[IPCG_OWNFD_N], n;

	/* CLOEXEC only marks descriptors, ours are marked already */
	if (!(flags & CLOSE_RANGE_CLOEXEC) && first <= last)
		ipcg_fd_untrack_range(first, last);
	if (ipcg_guard_busy() || (flags & CLOSE_RANGE_CLOEXEC) || first > last ||
	    (n = ours_in(first, last, mine)) == 0)
		return real_close_range(first, last, flags);
	int ret = 0, err = 0;
	unsigned from = first;
	for (int i = 0; i <= n; i++) {
		unsigned to = i < n ? (unsigned)mine[i] - 1 : last;
		if ((i == n || (unsigned)mine[i] > from) && from <= to &&
		    real_close_range(from, to, flags) < 0 && !err) {
			ret = -1;
			err = errno;
		}
		if (i < n)
			from = (unsigned)mine[i] + 1;
	}
	if (ret < 0)
		errno = err;
	return ret;
}

void ipcg_closefrom(int lowfd)
{
	int mine[IPCG_OWNFD_N], n;

	if (lowfd >= 0)
		ipcg_fd_untrack_range((unsigned)lowfd, ~0U);
	if (ipcg_guard_busy() || lowfd < 0 || (n = ours_in((unsigned)lowfd, ~0U, mine)) == 0) {
		if (real_fd.closefrom)
			real_fd.closefrom(lowfd);
		else
			(void)real_close_range((unsigned)lowfd, ~0U, 0);
		return;
	}
	int saved = errno;
	int from = lowfd;
	for (int i = 0; i < n; i++) {
		/* the gaps below our numbers; without close_range (Linux < 5.9),
		 * one close per number, as glibc's own fallback does */
		if (mine[i] > from && real_close_range((unsigned)from, (unsigned)mine[i] - 1, 0) < 0)
			for (int fd = from; fd < mine[i]; fd++)
				(void)ipcg_sys_close(fd);
		from = mine[i] + 1;
	}
	errno = saved;
	if (real_fd.closefrom)
		real_fd.closefrom(from);
	else
		(void)real_close_range((unsigned)from, ~0U, 0);
}
