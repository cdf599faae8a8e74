/* trace/trace.c: the trace writer (see trace/trace.h).
 *
 * Layout.  Writers reserve byte ranges with one atomic add on the tail and
 * copy their record into a shared mapping of the file.  The file is mapped
 * through a ring of NWIN slots of 2 MiB, at addresses fixed when the
 * first window is entered, so the traced process never has more than
 * NWIN * 2 MiB of the trace mapped (address space and resident memory
 * bounded whatever the trace size).  Window idx (bytes idx * 2 MiB ...) lives in slot
 * idx % NWIN.  Each slot has a shared word: the window it holds (tag) and
 * the bytes written into it (done).  A writer waits until its window owns
 * the slot; the writer that completes a window hands the slot on to
 * window idx + NWIN.  So a slot is only remapped when nobody writes into
 * it, and because its address never changes, even a writer stuck past the
 * time-out (below) could only garble trace bytes, never program memory.
 *
 * The control words live in a small MAP_SHARED anonymous page: a child
 * made without our atfork handlers (raw clone, _Fork) then still reserves
 * distinct ranges instead of overwriting the parent's records.
 *
 * Failures never reach the program: the file is extended with fallocate
 * within RLIMIT_FSIZE (SIGXFSZ blocked and taken back), RESERVE bytes more
 * than writers may use (in a trace that holds only its header: a block
 * held past the end, see ipcg_trace_write_first), so that after ENOSPC,
 * EFBIG or any other failure the exit record still fits.  The first
 * failure stops the trace at the failing record (one line on stderr);
 * later records are counted as dropped; the exit record says so.
 *
 * The descriptor is kept at a high number and checked (st_dev/st_ino)
 * before each use: daemons close every fd at start or dup2 onto fixed
 * numbers, so it may be gone or reused; we then reopen the file by path
 * and never write into a descriptor the program owns. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace/fdwrite.h"
#include "ipcg/compiler.h"
#include "ipcg/jsonw.h"
#include "core/ownfd.h"
#include "core/real.h"
#include "core/sigquiet.h"
#include "core/spin.h"
#include "trace/trace.h"

#define WIN_SHIFT 21			/* 2 MiB windows */
#define WIN_SIZE (1ULL << WIN_SHIFT)
#define NWIN 8				/* slots: 16 MiB of address space */
#define TAG_SHIFT 24			/* slot word: window << 24 | bytes done */
#define DONE_MASK ((1ULL << TAG_SHIFT) - 1)
#define NO_WINDOW UINT64_MAX
#define RESERVE 4096ULL			/* kept allocated for the exit record */
#define EXIT_ROOM 1024ULL		/* an exit record fits (they are ~300 bytes) */
#define CHUNK_MIN (64ULL << 10)		/* first allocation: a fork+exec child wastes little */
#define CHUNK_MAX (64ULL << 20)
#define CLOSED (1ULL << 63)		/* tail bit: no more reservations */
#define NO_STOP UINT64_MAX
/* A writer waits this long for its slot (a writer of the window before
 * stopped mid-record: SIGSTOP of one process sharing the trace, a signal
 * handler that never returns) before taking the slot anyway. */
#define SLOT_WAIT_NS 1000000000L
#define FINISH_WAIT_NS 200000000L
/* A writer waits this long for a rotation in another thread (a
 * checkpoint of many thousands of stacks takes milliseconds) before its
 * record is dropped and counted. */
#define ROTATE_WAIT_NS 2000000000L
#define LEAN_NOFILE 128
/* Pages are made present and writable this far ahead of the writers, in
 * one madvise per step: a first store into a page of a shared file
 * mapping is a page fault that costs more than formatting a dozen
 * records (docs/performance.md); populating 16 pages at once costs a
 * fraction of 16 faults.  Steps start at a page and double with the trace
 * up to PREFAULT_STEP, so that an image writing a few records populates
 * a page or two, not 16. */
#define PREFAULT_STEP (64ULL << 10)
#define PREFAULT_FIRST 4096ULL
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23		/* Linux 5.14 */
#endif

struct wctl {				/* shared anonymous page */
	_Atomic uint64_t tail;		/* bytes reserved (| CLOSED) */
	_Atomic uint64_t size;		/* bytes writers may use */
	_Atomic uint64_t alloc;		/* bytes allocated in the file (its size) */
	_Atomic uint64_t kept;		/* blocks held past the end up to here (header only) */
	_Atomic uint64_t stop_off;	/* records from here on are not written */
	_Atomic uint64_t dropped;	/* records lost */
	_Atomic uint64_t slot[NWIN];
	_Atomic int stop_err;		/* errno of the failure that stopped the trace */
	_Atomic int said;		/* the stop was reported on stderr */
	_Atomic int lock;		/* growth, slot mapping, fd reopen */
};

enum { MODE_NONE, MODE_MAP, MODE_FD };

static struct {
	int mode;
	struct wctl *ctl;
	char *ring;			/* NWIN * WIN_SIZE at a 2 MiB boundary */
	_Atomic uint64_t lidx[NWIN];	/* window this process maps in each slot */
	int fd;				/* MODE_MAP: high fd of the file; MODE_FD: target */
	dev_t dev;
	ino_t ino;
	struct ipcg_fdid fdid;		/* MODE_FD: what fd:N was at open */
	_Atomic int fdlock;		/* MODE_FD: keeps lines whole */
	_Atomic int fd_stopped;		/* MODE_FD: errno that stopped it */
	_Atomic uint64_t local_dropped;	/* MODE_FD / before open */
	_Atomic uint64_t ready;		/* offsets below: populated in our mapping */
	_Atomic int pf_busy;		/* a writer is populating (others go on) */
	_Atomic uint64_t pf_ahead;	/* populate when a record ends this close to ready */
	bool pf_off;			/* the kernel has no MADV_POPULATE_WRITE */
	bool lean;			/* few descriptors allowed: ours is open only while used */
	uint64_t cap_at;		/* a record past this offset asks for rotation */
	uint64_t max_size;		/* IPCGUARD_MAX_SIZE, 0 = no cap */
	char path[PATH_MAX];		/* last: only their first bytes are touched */
	char first[PATH_MAX];		/* the first part's path: parts are first.N */
} tr = { .fd = -1, .cap_at = UINT64_MAX };

static IPCG_BULK char rot_path[PATH_MAX];	/* out of rot: touched only by a rotation */

/* Rotation (ipcg_trace_rotate_begin/end): one at a time.  While it runs
 * the current part is closed; the rotating thread's records go to the
 * new file with pwrite (the checkpoint), other writers wait for the new
 * part to open. */
static struct {
	_Atomic int busy;
	_Atomic unsigned gen;		/* rotations begun (ipcg_trace_generation) */
	bool off;			/* a rotation failed: the trace goes on in one file */
	unsigned part;			/* number of the current part */
	uint64_t end;			/* where the closed part ends */
	int fd;				/* the new part */
	dev_t dev;
	ino_t ino;
	uint64_t off_new;		/* bytes of checkpoint written */
	int err;			/* first checkpoint write failure */
	char *path;			/* the new part's name (PATH_MAX) */
} rot = { .fd = -1, .path = rot_path };
static IPCG_TLS bool rot_self;		/* this thread is rotating */
_Atomic int ipcg_trace_rotate_due;

static long elapsed_ns(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000000000L + (now.tv_nsec - t0->tv_nsec);
}

/* Move fd to base or above; returns the new fd (closes fd). */
static int move_high_to(int fd, int base)
{
	if (base <= fd)
		return fd;
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, base);
	if (hi < 0)
		return fd;
	ipcg_sys_close(fd);
	return hi;
}

/* Move fd above the numbers programs use */
static int move_high(int fd)
{
	return move_high_to(fd, ipcg_ownfd_high_base());
}

/* core/ownfd.c: the program dup2s onto our number; continue on another one */
static int move_fd(int fd, int minfd)
{
	int nfd = -1;

	if (tr.mode != MODE_MAP)
		return -1;
	ipcg_spin_lock(&tr.ctl->lock);
	if (fd == tr.fd && (nfd = fcntl(fd, F_DUPFD_CLOEXEC, minfd)) >= 0)
		tr.fd = nfd;
	ipcg_spin_unlock(&tr.ctl->lock);
	return nfd;
}

/* Under ctl->lock: make tr.fd our file again, reopening by path if the
 * program closed or reused the number.  0 or -errno. */
static int ensure_fd(void)
{
	struct stat st;

	if (tr.fd >= 0 && fstat(tr.fd, &st) == 0 && st.st_dev == tr.dev && st.st_ino == tr.ino)
		return 0;
	int fd = open(tr.path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_dev != tr.dev || st.st_ino != tr.ino) {
		ipcg_sys_close(fd);
		return -ESTALE;		/* replaced behind our back: do not write there */
	}
	tr.fd = move_high(fd);
	ipcg_ownfd_set(IPCG_OWNFD_TRACE, tr.fd, move_fd);
	return 0;
}

/* Under a tight RLIMIT_NOFILE (below LEAN_NOFILE) the descriptor is
 * closed after each use (growth, a new window, the final cut: a few per
 * 2 MiB of trace) and reopened by path, so that the program keeps every
 * number it would have untraced.  Under ctl->lock. */
static void release_fd(void)
{
	if (!tr.lean || tr.fd < 0)
		return;
	ipcg_ownfd_set(IPCG_OWNFD_TRACE, -1, NULL);
	ipcg_sys_close(tr.fd);
	tr.fd = -1;
}

static const char *err_text(int err)
{
	return strerrordesc_np(err) ? strerrordesc_np(err) : "error";
}

/* The first failure stops the trace at the record that failed: one line on
 * stderr, and every record from there on is dropped (and counted). */
static void stop_at(struct wctl *c, uint64_t off, int err)
{
	uint64_t cur = atomic_load(&c->stop_off);
	char msg[PATH_MAX + 160];

	while (off < cur && !atomic_compare_exchange_weak(&c->stop_off, &cur, off))
		;
	int none = 0;
	atomic_compare_exchange_strong(&c->stop_err, &none, err);
	if (atomic_exchange(&c->said, 1))
		return;
	size_t k = ipcg_txt(msg, sizeof(msg), 0, "cannot write the trace ");
	k = ipcg_txt(msg, sizeof(msg), k, tr.path);
	k = ipcg_txt(msg, sizeof(msg), k, ": ");
	k = ipcg_txt(msg, sizeof(msg), k, err_text(err));
	ipcg_txt(msg, sizeof(msg), k, "; tracing stopped, the program goes on");
	ipcg_say(msg);
}

static uint64_t fsize_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return (uint64_t)rl.rlim_cur;
}

/* All of buf at off (a short write goes on where it stopped); 0 or -errno */
static int pwrite_full(int fd, const char *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t w = pwrite(fd, buf, len, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		buf += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

/* Extend the file to `to` bytes with real blocks: fallocate, so that a full
 * disk fails here instead of raising SIGBUS in the program on a later
 * store into the mapping; where fallocate is missing (or refused by a
 * seccomp filter), written zeros do the same. */
static int extend(uint64_t from, uint64_t to)
{
	static const char zeros[64 << 10];
	struct ipcg_sigquiet q;
	int ret = 0;

	if (!ipcg_sigquiet_begin(&q, SIGXFSZ))
		return -EINVAL;
	if (fallocate(tr.fd, 0, (off_t)from, (off_t)(to - from)) < 0) {
		ret = -errno;
		if (ret == -EOPNOTSUPP || ret == -ENOSYS || ret == -EPERM || ret == -EINVAL) {
			ret = 0;
			for (; from < to && ret == 0; from += sizeof(zeros)) {
				size_t n = to - from < sizeof(zeros) ? (size_t)(to - from) : sizeof(zeros);
				ret = pwrite_full(tr.fd, zeros, n, from);
			}
		}
	}
	ipcg_sigquiet_end(&q, ret == -EFBIG);
	return ret;
}

/* Make [0, need) usable by writers.  0 or -errno. */
static int grow(struct wctl *c, uint64_t need)
{
	int ret = 0;

	ipcg_spin_lock(&c->lock);
	uint64_t size = atomic_load(&c->size);
	if (size >= need)
		goto out_unlock;
	uint64_t chunk = size < CHUNK_MIN ? CHUNK_MIN : size > CHUNK_MAX ? CHUNK_MAX : size;
	uint64_t nsize = size + chunk, least = (need + 4095) & ~4095ULL;
	while (nsize < need)
		nsize += chunk;
	uint64_t lim = fsize_limit();
	if (lim < RESERVE || least > lim - RESERVE) {
		ret = -EFBIG;		/* checked here: the kernel would send SIGXFSZ */
		goto out_unlock;
	}
	if (nsize > lim - RESERVE)
		nsize = (lim - RESERVE) & ~4095ULL;
	if (nsize < least)
		nsize = least;
	if ((ret = ensure_fd()) < 0)
		goto out_unlock;
	uint64_t alloc = atomic_load(&c->alloc);
	if (nsize + RESERVE > alloc) {
		ret = extend(alloc, nsize + RESERVE);
		if (ret < 0 && least < nsize) {	/* a nearly full disk: take what is left */
			nsize = least;
			ret = nsize + RESERVE > alloc ? extend(alloc, nsize + RESERVE) : 0;
		}
		if (ret < 0)
			goto out_unlock;
		atomic_store(&c->alloc, nsize + RESERVE);
	}
	atomic_store_explicit(&c->size, nsize, memory_order_release);
out_unlock:
	release_fd();
	ipcg_spin_unlock(&c->lock);
	return ret;
}

static inline char *slot_base(unsigned s)
{
	return tr.ring + ((size_t)s << WIN_SHIFT);
}

/* NWIN slots of address space at a 2 MiB boundary, so that where the
 * kernel and the file system can (Linux 6.16+ on ext4, for instance)
 * large page-cache folios are mapped with one page-table entry per 2 MiB
 * (docs/performance.md).  Reserved only: nothing is mapped in yet. */
static char *reserve_ring(void)
{
	const size_t len = (size_t)NWIN << WIN_SHIFT, align = WIN_SIZE;
	char *res = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (res == MAP_FAILED)
		return NULL;
	char *at = (char *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	if (at > res)
		munmap(res, (size_t)(at - res));
	if (at + len < res + len + align)
		munmap(at + len, (size_t)(res + len + align - (at + len)));
	return at;
}

/* Wait until window idx owns its slot, then map it in this process. */
static int enter_window(struct wctl *c, uint64_t idx)
{
	unsigned s = (unsigned)(idx % NWIN);
	struct timespec t0 = { 0, 0 };
	unsigned n = 0;
	int ret = 0;

	for (;;) {
		uint64_t v = atomic_load_explicit(&c->slot[s], memory_order_acquire);
		uint64_t tag = v >> TAG_SHIFT;
		if (tag == idx)
			break;
		if (tag > idx)
			return -EOWNERDEAD;	/* our window was taken over (below) */
		if (++n < 128) {
			__builtin_ia32_pause();
			continue;
		}
		if (!t0.tv_sec && !t0.tv_nsec)
			clock_gettime(CLOCK_MONOTONIC, &t0);
		sched_yield();
		if (elapsed_ns(&t0) > SLOT_WAIT_NS)	/* take the slot anyway */
			atomic_compare_exchange_strong(&c->slot[s], &v, idx << TAG_SHIFT);
	}
	if (atomic_load_explicit(&tr.lidx[s], memory_order_acquire) == idx)
		return 0;
	ipcg_spin_lock(&c->lock);
	if (atomic_load(&tr.lidx[s]) != idx) {
		if (!tr.ring && !(tr.ring = reserve_ring()))
			ret = -ENOMEM;
		else if ((ret = ensure_fd()) == 0 &&
		    mmap(slot_base(s), WIN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 tr.fd, (off_t)(idx << WIN_SHIFT)) == MAP_FAILED)
			ret = -errno;
		if (ret == 0) {
			(void)madvise(slot_base(s), WIN_SIZE, MADV_HUGEPAGE);
			atomic_store_explicit(&tr.lidx[s], idx, memory_order_release);
		} else
			atomic_store(&tr.lidx[s], NO_WINDOW);	/* the slot may be half replaced */
		release_fd();
	}
	ipcg_spin_unlock(&c->lock);
	return ret;
}

/* Window idx is complete: drop its pages from this process's memory (the
 * page cache keeps them) and hand the slot to window idx + NWIN. */
static void leave_window(struct wctl *c, uint64_t idx)
{
	unsigned s = (unsigned)(idx % NWIN);

	if (atomic_load_explicit(&tr.lidx[s], memory_order_acquire) == idx)
		(void)madvise(slot_base(s), WIN_SIZE, MADV_DONTNEED);
	/* only if the slot is still this complete window: a rotation (or a
	 * writer that timed out waiting) may have given it away meanwhile */
	uint64_t full = idx << TAG_SHIFT | WIN_SIZE;
	atomic_compare_exchange_strong_explicit(&c->slot[s], &full, (idx + NWIN) << TAG_SHIFT,
						memory_order_release, memory_order_relaxed);
}

/* Populate the next step of the mapping after end, unless another writer
 * is doing it: never waited for, and a failure only costs page faults. */
static void prefault(struct wctl *c, uint64_t end)
{
	if (tr.pf_off || atomic_exchange_explicit(&tr.pf_busy, 1, memory_order_acquire))
		return;
	uint64_t from = atomic_load_explicit(&tr.ready, memory_order_relaxed);
	if (from < end)
		from = end & ~(uint64_t)4095;
	uint64_t idx = from >> WIN_SHIFT, step = PREFAULT_STEP;
	while (step > PREFAULT_FIRST && step > from)
		step >>= 1;	/* about what was written so far */
	uint64_t to = (from + step) & ~(step - 1);
	uint64_t size = atomic_load_explicit(&c->size, memory_order_acquire);
	if (to > size)
		to = size;	/* past the allocated blocks a store would fault anyway */
	if (to > (idx + 1) << WIN_SHIFT)
		to = (idx + 1) << WIN_SHIFT;
	/* only inside a window this process has mapped and still writes */
	if (from < to && atomic_load_explicit(&tr.lidx[idx % NWIN], memory_order_acquire) == idx) {
		int saved = errno;
		char *p = slot_base((unsigned)(idx % NWIN)) + (from & (WIN_SIZE - 1));
		if (madvise(p, (size_t)(to - from), MADV_POPULATE_WRITE) < 0 &&
		    (errno == EINVAL || errno == ENOSYS || errno == EPERM))
			tr.pf_off = true;
		atomic_store_explicit(&tr.ready, to, memory_order_relaxed);
		atomic_store_explicit(&tr.pf_ahead, step / 2, memory_order_relaxed);
		errno = saved;
	}
	atomic_store_explicit(&tr.pf_busy, 0, memory_order_release);
}

/* Copy rec to [off, off + len) of the file, window by window. */
static int put(struct wctl *c, uint64_t off, const char *rec, size_t len)
{
	while (len) {
		uint64_t idx = off >> WIN_SHIFT, in = off & (WIN_SIZE - 1);
		unsigned s = (unsigned)(idx % NWIN);
		size_t n = len < WIN_SIZE - in ? len : (size_t)(WIN_SIZE - in);

		if (unlikely(atomic_load_explicit(&tr.lidx[s], memory_order_acquire) != idx ||
			     (atomic_load_explicit(&c->slot[s], memory_order_relaxed) >> TAG_SHIFT) != idx)) {
			int ret = enter_window(c, idx);
			if (ret < 0)
				return ret;
		}
		if (unlikely(off + n + atomic_load_explicit(&tr.pf_ahead, memory_order_relaxed) >
			     atomic_load_explicit(&tr.ready, memory_order_relaxed)))
			prefault(c, off + n);
		memcpy(slot_base(s) + in, rec, n);
		uint64_t before = atomic_fetch_add_explicit(&c->slot[s], n, memory_order_acq_rel);
		if (unlikely((before >> TAG_SHIFT) != idx)) {
			/* the slot was taken from us while we were stopped */
			atomic_fetch_sub_explicit(&c->slot[s], n, memory_order_relaxed);
			return -EOWNERDEAD;
		}
		if (((before & DONE_MASK) + n) == WIN_SIZE)
			leave_window(c, idx);
		off += n;
		rec += n;
		len -= n;
	}
	return 0;
}

static void stop_fd(int err)
{
	char msg[160];

	if (atomic_exchange(&tr.fd_stopped, err))
		return;
	size_t k = ipcg_txt(msg, sizeof(msg), 0, "cannot write the trace to fd ");
	k = ipcg_txt_u64(msg, sizeof(msg), k, (uint64_t)tr.fd);
	k = ipcg_txt(msg, sizeof(msg), k, ": ");
	k = ipcg_txt(msg, sizeof(msg), k,
		     err == ESTALE ? "the program closed or reused it" :
		     err == EAGAIN ? "nobody reads it" : err_text(err));
	ipcg_txt(msg, sizeof(msg), k, "; tracing stopped, the program goes on");
	ipcg_say(msg);
}

/* stderr / fd:N: the descriptor belongs to the program.  Once it is gone,
 * reused, widowed or not drained, the trace stops for good: a line cut in
 * the middle would glue later records into garbage. */
static int write_fd(const char *rec, size_t len)
{
	if (atomic_load_explicit(&tr.fd_stopped, memory_order_relaxed))
		return -1;
	ipcg_spin_lock(&tr.fdlock);
	int ret = atomic_load(&tr.fd_stopped) ? -ECANCELED : ipcg_fdwrite_same(tr.fd, &tr.fdid, rec, len);
	if (ret < 0 && ret != -ECANCELED)
		stop_fd(-ret);
	ipcg_spin_unlock(&tr.fdlock);
	return ret < 0 ? -1 : 0;
}

static void ask_rotation(void)
{
	if (!rot.off && !atomic_load_explicit(&ipcg_trace_rotate_due, memory_order_relaxed))
		atomic_store_explicit(&ipcg_trace_rotate_due, 1, memory_order_release);
}

/* Wait (bounded) until no rotation runs in another thread; false when
 * the time ran out. */
static bool wait_rotation(void)
{
	struct timespec t0;

	if (rot_self || !atomic_load(&rot.busy))
		return true;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&rot.busy)) {
		if (elapsed_ns(&t0) > ROTATE_WAIT_NS)
			return false;
		sched_yield();
	}
	return true;
}

static int pwrite_quiet(int fd, const char *rec, size_t len, uint64_t off);

/* The part is closed: for good (exit, exec), or for a rotation.  The
 * rotating thread writes the checkpoint into the new file; any other
 * writer waits for the new part and writes there. */
static int closed_write(const char *rec, size_t len)
{
	if (rot_self) {
		int ret = rot.err ? -rot.err : pwrite_quiet(rot.fd, rec, len, rot.off_new);
		if (ret == 0) {
			rot.off_new += len;
			return 0;
		}
		if (!rot.err)
			rot.err = -ret;
		return -1;	/* the checkpoint fails: the old part goes on, nothing of the program's is lost */
	}
	/* reopened by a rotation that ended (or failed) since our reservation */
	if (wait_rotation() && !(atomic_load(&tr.ctl->tail) & CLOSED))
		return ipcg_trace_write(rec, len);
	atomic_fetch_add_explicit(&tr.ctl->dropped, 1, memory_order_relaxed);
	return -1;
}

int ipcg_trace_write(const char *rec, size_t len)
{
	struct wctl *c = tr.ctl;
	int ret;

	if (tr.mode == MODE_FD) {
		if (write_fd(rec, len) == 0)
			return 0;
		goto out_dropped_local;
	}
	if (tr.mode != MODE_MAP)
		goto out_dropped_local;
	uint64_t off = atomic_fetch_add_explicit(&c->tail, len, memory_order_acq_rel);
	if (off & CLOSED)
		return closed_write(rec, len);
	if (unlikely(off + len > atomic_load_explicit(&c->stop_off, memory_order_relaxed)))
		goto out_dropped;
	if (unlikely(off + len > atomic_load_explicit(&c->size, memory_order_acquire)) &&
	    (ret = grow(c, off + len)) < 0)
		goto out_stop;
	if (likely((ret = put(c, off, rec, len)) == 0)) {
		if (unlikely(off + len > tr.cap_at))
			ask_rotation();
		return 0;
	}
	if (ret == -EOWNERDEAD)
		goto out_dropped;	/* a slot taken after a time-out: this record only */
out_stop:
	stop_at(c, off, -ret);
out_dropped:
	atomic_fetch_add_explicit(&c->dropped, 1, memory_order_relaxed);
	return -1;
out_dropped_local:
	atomic_fetch_add_explicit(&tr.local_dropped, 1, memory_order_relaxed);
	return -1;
}

/* pwrite_full with SIGXFSZ quieted (core/sigquiet.h) */
static int pwrite_quiet(int fd, const char *rec, size_t len, uint64_t off)
{
	struct ipcg_sigquiet q;

	if (!ipcg_sigquiet_begin(&q, SIGXFSZ))
		return -EINVAL;
	int ret = pwrite_full(fd, rec, len, off);
	ipcg_sigquiet_end(&q, ret == -EFBIG);
	return ret;
}

/* The header, the first record of a new trace: written with pwrite rather
 * than through the ring, which is set up by the first record after it.  A
 * process image that makes no traced call then costs no window mapped, no
 * 64 KiB allocated and populated (docs/performance.md).  The reserve for
 * the exit record is a block held past the end (below); cut() writes the
 * record into it, or gives it back. */
int ipcg_trace_write_first(const char *rec, size_t len)
{
	struct wctl *c = tr.ctl;
	int ret;

	if (tr.mode != MODE_MAP || atomic_load(&c->tail) != 0 || len >= WIN_SIZE)
		return ipcg_trace_write(rec, len);
	uint64_t lim = fsize_limit();
	if (lim < RESERVE || len > lim - RESERVE)
		return ipcg_trace_write(rec, len);	/* grow() reports EFBIG */
	ipcg_spin_lock(&c->lock);
	if ((ret = ensure_fd()) == 0 && (ret = pwrite_quiet(tr.fd, rec, len, 0)) == 0) {
		/* the exit record's blocks, held past the end of the file
		 * (FALLOC_FL_KEEP_SIZE: no size change, so no SIGXFSZ either):
		 * an image that writes nothing else ends with one pwrite into
		 * them, where a file grown for it would be cut back with a
		 * truncate that costs ~0.1-0.3 ms on ext4 (docs/performance.md).
		 * Without them, cut() allocates at exit. */
		uint64_t kept = (len + EXIT_ROOM + 4095) & ~4095ULL;
		if (fallocate(tr.fd, FALLOC_FL_KEEP_SIZE, (off_t)len, (off_t)(kept - len)) == 0)
			atomic_store(&c->kept, kept);
		atomic_store(&c->alloc, (uint64_t)len);
		atomic_store(&c->size, len);
		atomic_store(&c->slot[0], (uint64_t)len);	/* window 0 holds len bytes */
		atomic_store(&tr.ready, len);
		atomic_store(&c->tail, len);
	}
	release_fd();
	ipcg_spin_unlock(&c->lock);
	return ret == 0 ? 0 : ipcg_trace_write(rec, len);
}

/* Create path, or path.1, path.2 ... when it is taken, mode 0600 whatever
 * the umask; the name is left in out (PATH_MAX), its fstat in st.  The fd,
 * or -errno. */
static int create_exclusive(const char *path, char *out, struct stat *st)
{
	size_t n = strlen(path);

	if (n + 8 >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, path, n + 1);
	for (unsigned i = 0; i < 10000; i++) {
		if (i) {
			size_t k = ipcg_txt(out, PATH_MAX, n, ".");
			ipcg_txt_u64(out, PATH_MAX, k, i);
		}
		int fd = open(out, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (fstat(fd, st) < 0) {
				int err = errno;
				ipcg_sys_close(fd);
				(void)unlink(out);
				return -err;
			}
			if ((st->st_mode & 07777) != 0600)
				(void)fchmod(fd, 0600);
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int ipcg_trace_open_file(const char *path)
{
	struct stat st;
	struct wctl *ctl;
	struct rlimit nofile;
	bool nofile_known = getrlimit(RLIMIT_NOFILE, &nofile) == 0;	/* fd base and lean mode */
	int fd, ret;

	fd = create_exclusive(path, tr.path, &st);
	if (fd < 0)
		return fd;
	fd = move_high_to(fd, ipcg_ownfd_base_for(nofile_known ? &nofile : NULL));
	ctl = mmap(NULL, sizeof(struct wctl), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED) {
		ret = -errno;
		goto out_close;
	}
	/* the ring is reserved by the first record after the header (enter_window) */
	memset(ctl, 0, sizeof(*ctl));
	atomic_store(&ctl->stop_off, NO_STOP);
	for (unsigned s = 0; s < NWIN; s++) {
		atomic_store(&ctl->slot[s], (uint64_t)s << TAG_SHIFT);
		atomic_store(&tr.lidx[s], NO_WINDOW);
	}
	tr.ctl = ctl;
	tr.fd = fd;
	tr.dev = st.st_dev;
	tr.ino = st.st_ino;
	atomic_store(&tr.ready, 0);
	tr.mode = MODE_MAP;
	ipcg_ownfd_set_stat(IPCG_OWNFD_TRACE, fd, &st, move_fd);
	tr.lean = nofile_known && nofile.rlim_cur < LEAN_NOFILE;
	tr.cap_at = tr.max_size ? tr.max_size : UINT64_MAX;
	ipcg_spin_lock(&ctl->lock);
	release_fd();
	ipcg_spin_unlock(&ctl->lock);
	return 0;
out_close:
	ipcg_sys_close(fd);
	(void)unlink(tr.path);
	tr.path[0] = '\0';
	return ret;
}

int ipcg_trace_open_fd(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if ((fl & O_ACCMODE) == O_RDONLY)
		return -EBADF;		/* would lose every record */
	int ret = ipcg_fd_identify(fd, &tr.fdid);
	if (ret < 0)
		return ret;
	tr.fd = fd;
	tr.path[0] = '\0';
	atomic_store(&tr.fd_stopped, 0);
	tr.mode = MODE_FD;
	return 0;
}

/* Every record that starts below target has been written or given up. */
static bool committed_below(struct wctl *c, uint64_t target)
{
	if (target == 0)
		return true;
	uint64_t last = (target - 1) >> WIN_SHIFT;
	for (uint64_t k = 0; k < NWIN && k <= last; k++) {
		uint64_t idx = last - k;
		uint64_t v = atomic_load_explicit(&c->slot[idx % NWIN], memory_order_acquire);
		uint64_t need = idx == last ? target - (idx << WIN_SHIFT) : WIN_SIZE;
		if ((v >> TAG_SHIFT) > idx)
			continue;	/* complete and handed on */
		if ((v >> TAG_SHIFT) < idx || (v & DONE_MASK) < need)
			return false;
	}
	return true;
}

/* Close the trace for reservations; returns where it ends (the failing
 * record when it was stopped), or NO_STOP when it was closed already.
 * Writers in flight finish within microseconds; an exiting program is not
 * hung on a thread that was stopped mid-record. */
static uint64_t close_trace(struct wctl *c)
{
	struct timespec t0;
	uint64_t old = atomic_fetch_or(&c->tail, CLOSED);

	if (old & CLOSED)
		return NO_STOP;
	uint64_t stop = atomic_load(&c->stop_off);
	uint64_t end = old < stop ? old : stop;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!committed_below(c, end) && elapsed_ns(&t0) < FINISH_WAIT_NS)
		sched_yield();
	return end;
}

/* Under ctl->lock: len bytes at off, within the allocated file, through a
 * short-lived mapping (a store into a mapping is not subject to
 * RLIMIT_FSIZE, unlike write(2)). */
static int put_direct(uint64_t off, const char *rec, size_t len)
{
	uint64_t page = off & ~4095ULL;
	size_t span = (size_t)(off + len - page);
	char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_SHARED, tr.fd, (off_t)page);

	if (p == MAP_FAILED)
		return -errno;
	memcpy(p + (off - page), rec, len);
	munmap(p, span);
	return 0;
}

/* Without a descriptor (the program holds every one it may have): the
 * exit record through the window this process still maps, if it fits. */
static bool put_mapped(struct wctl *c, uint64_t off, const char *rec, size_t len)
{
	uint64_t idx = off >> WIN_SHIFT, in = off & (WIN_SIZE - 1);
	unsigned s = (unsigned)(idx % NWIN);

	if (atomic_load(&tr.lidx[s]) != idx || in + len > WIN_SIZE ||
	    off + len > atomic_load(&c->alloc))
		return false;
	memcpy(slot_base(s) + in, rec, len);
	return true;
}

static uint64_t suspended_at;	/* where the file was cut */

/* Cut the file to end, after the last record (the blocks beyond were only
 * allocated), leaving the exit record at end first when there is one. */
static void cut(struct wctl *c, uint64_t end, const char *rec, size_t len)
{
	ipcg_spin_lock(&c->lock);
	if (ensure_fd() == 0) {
		uint64_t alloc = atomic_load(&c->alloc), kept = atomic_load(&c->kept);
		bool short_write = false;
		/* only the header was written: the record goes at the end of
		 * the file, into the block held for it (ipcg_trace_write_first),
		 * within RLIMIT_FSIZE, and whole or not at all */
		if (rec && end == alloc && end + len <= kept && end + len <= fsize_limit()) {
			short_write = pwrite_quiet(tr.fd, rec, len, end) != 0;
			if (!short_write) {
				end += len;
				atomic_store(&c->alloc, end);
				alloc = end;
				rec = NULL;
			}
		}
		/* a short write's bytes, and blocks held past the end and not
		 * used, go (ext4 frees held blocks on a truncate to the same size) */
		if (short_write || (kept > ((end + 4095) & ~4095ULL) && end >= alloc))
			(void)ftruncate(tr.fd, (off_t)end);
		atomic_store(&c->kept, 0);
		/* no room left (the first allocation failed, or a stopped trace
		 * was cut at exec): try for the record's own blocks */
		if (rec && end + len > alloc && end + len <= fsize_limit() &&
		    extend(alloc, end + len) == 0)
			atomic_store(&c->alloc, end + len);
		if (rec && end + len <= atomic_load(&c->alloc) && put_direct(end, rec, len) == 0)
			end += len;
		else if (rec)
			atomic_fetch_add(&c->dropped, 1);
		if (end < atomic_load(&c->alloc))
			(void)ftruncate(tr.fd, (off_t)end);
	} else if (rec && !put_mapped(c, end, rec, len)) {
		atomic_fetch_add(&c->dropped, 1);
	} else if (rec) {
		end += len;	/* not cut: the NUL bytes after it are the reader's to skip */
	}
	suspended_at = end;
	release_fd();
	ipcg_spin_unlock(&c->lock);
}

int ipcg_trace_write_last(const char *rec, size_t len)
{
	struct wctl *c = tr.ctl;

	if (tr.mode != MODE_MAP)
		return ipcg_trace_write(rec, len);
	(void)wait_rotation();
	uint64_t end = close_trace(c);
	if (end == NO_STOP) {
		atomic_fetch_add(&c->dropped, 1);
		return -1;
	}
	cut(c, end, rec, len);
	return 0;
}

void ipcg_trace_finish(void)
{
	if (tr.mode != MODE_MAP)
		return;
	(void)wait_rotation();
	uint64_t end = close_trace(tr.ctl);
	if (end != NO_STOP)
		cut(tr.ctl, end, NULL, 0);
}

/* Before exec: the new image writes its own trace, so cut this one to its
 * last record now (the mapping disappears with the old image).  When the
 * exec fails, ipcg_trace_resume() reopens for writing at the same end. */
static bool suspended;	/* ipcg_trace_suspend() closed the trace */

void ipcg_trace_suspend(void)
{
	if (tr.mode != MODE_MAP)
		return;
	(void)wait_rotation();	/* a rotation closes the trace for a while */
	if (atomic_load(&tr.ctl->tail) & CLOSED)
		return;
	ipcg_trace_finish();	/* sets suspended_at */
	suspended = true;
}

void ipcg_trace_resume(void)
{
	struct wctl *c = tr.ctl;

	if (tr.mode != MODE_MAP || !suspended || !(atomic_load(&c->tail) & CLOSED))
		return;
	suspended = false;
	/* the file now ends at suspended_at: sizes first, so a writer that gets
	 * an offset from the reopened tail sees the smaller size and grows */
	atomic_store(&c->size, suspended_at);
	atomic_store(&c->alloc, suspended_at);
	atomic_store(&tr.ready, suspended_at);	/* the cut took the populated pages */
	atomic_store(&c->tail, suspended_at);	/* a stopped trace stays stopped */
}

void ipcg_trace_forget(void)
{
	if (tr.mode == MODE_MAP) {
		if (tr.ring)
			munmap(tr.ring, (size_t)NWIN << WIN_SHIFT);
		munmap(tr.ctl, sizeof(struct wctl));
		if (tr.fd >= 0)
			ipcg_sys_close(tr.fd);
		ipcg_ownfd_set(IPCG_OWNFD_TRACE, -1, NULL);
	}
	tr.ctl = NULL;
	tr.ring = NULL;
	tr.fd = -1;
	tr.mode = MODE_NONE;
	tr.path[0] = '\0';
	tr.first[0] = '\0';
	tr.cap_at = UINT64_MAX;
	if (rot.fd >= 0 && atomic_load(&rot.busy))
		ipcg_sys_close(rot.fd);	/* the parent's rotation, not ours */
	rot.fd = -1;
	rot.part = 0;
	rot.off = false;
	rot_self = false;
	atomic_store(&rot.busy, 0);
	atomic_store(&ipcg_trace_rotate_due, 0);
	atomic_store(&tr.local_dropped, 0);
	atomic_store(&tr.fdlock, 0);
	atomic_store(&tr.fd_stopped, 0);
	atomic_store(&tr.ready, 0);
	atomic_store(&tr.pf_busy, 0);
	atomic_store(&tr.pf_ahead, 0);
}

/* --- rotation (IPCGUARD_MAX_SIZE) ----------------------------------------- */

void ipcg_trace_set_max_size(uint64_t max)
{
	tr.max_size = max;
	if (tr.mode == MODE_MAP)
		tr.cap_at = max ? max : UINT64_MAX;
}

unsigned ipcg_trace_generation(void)
{
	return atomic_load(&rot.gen);
}

static void put_base_name(char *out, size_t cap, const char *path)
{
	const char *slash = strrchr(path, '/');

	ipcg_txt(out, cap, 0, slash ? slash + 1 : path);
}

/* One line on stderr; the trace goes on in the current file, uncapped. */
static void rotation_failed(const char *name, int err)
{
	char msg[2 * PATH_MAX + 160];

	rot.off = true;
	size_t k = ipcg_txt(msg, sizeof(msg), 0, "cannot start the trace part ");
	k = ipcg_txt(msg, sizeof(msg), k, name);
	k = ipcg_txt(msg, sizeof(msg), k, ": ");
	k = ipcg_txt(msg, sizeof(msg), k, err_text(err));
	k = ipcg_txt(msg, sizeof(msg), k, "; the trace goes on in ");
	k = ipcg_txt(msg, sizeof(msg), k, tr.path);
	ipcg_txt(msg, sizeof(msg), k, " past IPCGUARD_MAX_SIZE");
	ipcg_say(msg);
}

bool ipcg_trace_rotation_wanted(void)
{
	if (tr.mode != MODE_MAP || rot.off || atomic_load(&rot.busy))
		return false;
	uint64_t tail = atomic_load(&tr.ctl->tail);
	return !(tail & CLOSED) && tail > tr.cap_at;
}

int ipcg_trace_rotate_begin(char *prev, char *next, size_t cap)
{
	struct wctl *c = tr.ctl;
	char name[PATH_MAX];
	struct stat st;

	if (tr.mode != MODE_MAP || rot.off || atomic_load(&c->stop_err) || atomic_exchange(&rot.busy, 1))
		return -1;
	uint64_t tail = atomic_load(&c->tail);
	if ((tail & CLOSED) || tail <= tr.cap_at) {	/* another thread rotated already */
		atomic_store(&rot.busy, 0);
		return -1;
	}
	if (rot.part == 0)	/* parts are named after the first one */
		ipcg_txt(tr.first, sizeof(tr.first), 0, tr.path);
	put_base_name(prev, cap, tr.path);
	size_t k = ipcg_txt(name, sizeof(name), 0, tr.first);
	k = ipcg_txt(name, sizeof(name), k, ".");
	ipcg_txt_u64(name, sizeof(name), k, rot.part + 1);
	int fd = create_exclusive(name, rot.path, &st);
	if (fd < 0) {
		rotation_failed(name, -fd);
		atomic_store(&rot.busy, 0);
		return -1;
	}
	uint64_t end = close_trace(c);
	if (end == NO_STOP || !committed_below(c, end)) {
		ipcg_sys_close(fd);
		(void)unlink(rot.path);
		if (end != NO_STOP) {
			/* a writer stopped in the middle of a record (a signal
			 * handler, a preempted thread): switching the ring under it
			 * could fault in the program; go on, and try again a
			 * quarter of a cap later (a writer stuck for good costs
			 * FINISH_WAIT_NS per attempt) */
			tr.cap_at = end + tr.max_size / 4;
			atomic_store(&c->tail, end);
		}
		atomic_store(&rot.busy, 0);
		return -1;
	}
	/* stacks interned from here on are written again (stack/stacks.c) */
	atomic_fetch_add(&rot.gen, 1);
	put_base_name(next, cap, rot.path);
	rot.fd = move_high(fd);
	rot.dev = st.st_dev;
	rot.ino = st.st_ino;
	rot.end = end;
	rot.off_new = 0;
	rot.err = 0;
	rot_self = true;
	return (int)(rot.part + 1);
}

/* Under ctl->lock: close tr.fd if it is still our file (the program may
 * have closed or reused the number). */
static void drop_fd(void)
{
	struct stat st;

	if (tr.fd >= 0 && fstat(tr.fd, &st) == 0 && st.st_dev == tr.dev && st.st_ino == tr.ino)
		ipcg_sys_close(tr.fd);
	ipcg_ownfd_set(IPCG_OWNFD_TRACE, -1, NULL);
	tr.fd = -1;
}

/* Under ctl->lock: the ring and the slot words as if the len bytes of
 * the checkpoint had been written through it. */
static void ring_restart(struct wctl *c, uint64_t len)
{
	uint64_t m = len >> WIN_SHIFT;

	if (tr.ring)	/* drop every window: MAP_FIXED over the reservation */
		(void)mmap(tr.ring, (size_t)NWIN << WIN_SHIFT, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	for (unsigned s = 0; s < NWIN; s++) {
		uint64_t idx = m + (s + NWIN - m % NWIN) % NWIN;
		uint64_t done = idx == m ? len & (WIN_SIZE - 1) : 0;
		atomic_store(&tr.lidx[s], NO_WINDOW);
		atomic_store(&c->slot[s], idx << TAG_SHIFT | done);
	}
	atomic_store(&tr.ready, len);
}

bool ipcg_trace_rotate_end(const char *rec, size_t len)
{
	struct wctl *c = tr.ctl;
	uint64_t n = rot.off_new;

	rot_self = false;
	if (rot.err || n == 0) {
		ipcg_sys_close(rot.fd);
		(void)unlink(rot.path);
		rot.fd = -1;
		rotation_failed(rot.path, rot.err ? rot.err : EIO);
		atomic_store(&c->tail, rot.end);	/* the part goes on where it was */
		atomic_store(&rot.busy, 0);
		return false;
	}
	cut(c, rot.end, rec, len);
	ipcg_spin_lock(&c->lock);
	drop_fd();
	tr.fd = rot.fd;
	tr.dev = rot.dev;
	tr.ino = rot.ino;
	ipcg_txt(tr.path, sizeof(tr.path), 0, rot.path);
	rot.fd = -1;
	rot.part++;
	ipcg_ownfd_set(IPCG_OWNFD_TRACE, tr.fd, move_fd);
	ring_restart(c, n);
	uint64_t alloc = n;
	if (extend(n, n + RESERVE) == 0)
		alloc = n + RESERVE;
	atomic_store(&c->alloc, alloc);
	atomic_store(&c->size, n);
	atomic_store(&c->stop_off, NO_STOP);
	/* a part keeps at least half a cap of records after its checkpoint */
	tr.cap_at = n + tr.max_size / 2 > tr.max_size ? n + tr.max_size / 2 : tr.max_size;
	release_fd();
	ipcg_spin_unlock(&c->lock);
	/* raised meanwhile by records that went to the old part */
	atomic_store(&ipcg_trace_rotate_due, 0);
	atomic_store(&c->tail, n);	/* writers go on in the new part */
	atomic_store(&rot.busy, 0);
	return true;
}

bool ipcg_trace_active(void) { return tr.mode != MODE_NONE; }
const char *ipcg_trace_path(void) { return tr.path; }

uint64_t ipcg_trace_dropped(void)
{
	uint64_t n = atomic_load_explicit(&tr.local_dropped, memory_order_relaxed);
	if (tr.mode == MODE_MAP)
		n += atomic_load(&tr.ctl->dropped);
	return n;
}

void ipcg_trace_count_drop(void)
{
	atomic_fetch_add_explicit(&tr.local_dropped, 1, memory_order_relaxed);
}

const char *ipcg_trace_stopped(void)
{
	int err = 0;

	if (tr.mode == MODE_MAP)
		err = atomic_load(&tr.ctl->stop_err);
	else if (tr.mode == MODE_FD)
		err = atomic_load(&tr.fd_stopped);
	if (!err)
		return NULL;
	return strerrorname_np(err) ? strerrorname_np(err) : "error";
}
