/* trace.c: the trace writer (see trace.h).
 *
 * Layout: the file grows in chunks (fallocate) and is mapped in 256 MiB
 * windows that never move, so writers never race with a remap.  The
 * reservation counter lives in a small MAP_SHARED anonymous page: a child
 * made without our atfork handlers (raw clone, _Fork) then still reserves
 * distinct ranges instead of overwriting the parent's records.
 *
 * The descriptor is kept at a high number and checked (st_dev/st_ino)
 * before each use: daemons close every fd at start or dup2 onto fixed
 * numbers, so it may be gone or reused; we then reopen the file by path
 * and never write into a descriptor the program owns.  Records themselves
 * are written through the mapping, not the descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipcg/compiler.h"
#include "ipcg/jsonw.h"
#include "ownfd.h"
#include "real.h"
#include "trace.h"

#define WIN_SHIFT 28			/* 256 MiB windows of address space */
#define WIN_SIZE (1ULL << WIN_SHIFT)
#define MAX_WINS 256			/* 64 GiB of trace at most */
#define CHUNK_MIN (64ULL << 10)		/* first allocation: a fork+exec child wastes little */
#define CHUNK_MAX (64ULL << 20)
#define CLOSED (1ULL << 63)		/* tail bit: no more reservations */
/* Pages are made present and writable this far ahead of the writers, in
 * one madvise per step: a first store into a page of a shared file
 * mapping is a page fault that costs more than formatting a dozen
 * records (docs/performance.md); populating 16 pages at once costs a
 * fraction of 16 faults. */
#define PREFAULT_STEP (64ULL << 10)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23		/* Linux 5.14 */
#endif

struct wctl {				/* shared anonymous page */
	_Atomic uint64_t tail;		/* bytes reserved (| CLOSED) */
	_Atomic uint64_t committed;	/* bytes written or given up */
	_Atomic uint64_t size;		/* bytes allocated in the file */
	_Atomic uint64_t dropped;	/* records lost */
	_Atomic int lock;		/* growth, window mapping, fd reopen */
	_Atomic int broken;		/* allocation failed: stop writing */
};

enum { MODE_NONE, MODE_MAP, MODE_FD };

static struct {
	int mode;
	struct wctl *ctl;
	char *_Atomic win[MAX_WINS];	/* this process's mappings */
	int fd;				/* MODE_MAP: high fd of the file; MODE_FD: target */
	dev_t dev;
	ino_t ino;
	char path[PATH_MAX];
	_Atomic int fdlock;		/* MODE_FD: keeps lines whole */
	uint64_t local_dropped;		/* MODE_FD / before open */
	_Atomic uint64_t ready;		/* offsets below: populated in our mapping */
	_Atomic int pf_busy;		/* a writer is populating (others go on) */
	bool pf_off;			/* the kernel has no MADV_POPULATE_WRITE */
} tr = { .fd = -1 };

static void spin_lock(_Atomic int *l)
{
	unsigned n = 0;

	while (atomic_exchange_explicit(l, 1, memory_order_acquire)) {
		while (atomic_load_explicit(l, memory_order_relaxed)) {
			if (++n < 64)
				__builtin_ia32_pause();
			else
				sched_yield();
		}
	}
}

static void spin_unlock(_Atomic int *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}

/* Move fd above the numbers programs use; returns the new fd (closes fd). */
static int move_high(int fd)
{
	struct rlimit rl;
	long base = 1000;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur <= base + 16)
		base = (long)rl.rlim_cur * 3 / 4;
	if (base <= fd)
		return fd;
	int hi = fcntl(fd, F_DUPFD_CLOEXEC, (int)base);
	if (hi < 0)
		return fd;
	ipcg_sys_close(fd);
	return hi;
}

/* ownfd.c: the program dup2s onto our number; continue on another one */
static int move_fd(int fd, int minfd)
{
	int nfd = -1;

	if (tr.mode != MODE_MAP)
		return -1;
	spin_lock(&tr.ctl->lock);
	if (fd == tr.fd && (nfd = fcntl(fd, F_DUPFD_CLOEXEC, minfd)) >= 0)
		tr.fd = nfd;
	spin_unlock(&tr.ctl->lock);
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

static int grow(struct wctl *c, uint64_t need)
{
	int ret = 0;

	spin_lock(&c->lock);
	uint64_t size = atomic_load(&c->size);
	if (size >= need)
		goto out_unlock;
	uint64_t chunk = size < CHUNK_MIN ? CHUNK_MIN : size > CHUNK_MAX ? CHUNK_MAX : size;
	uint64_t nsize = size + chunk;
	while (nsize < need)
		nsize += chunk;
	if ((ret = ensure_fd()) < 0)
		goto out_broken;
	/* fallocate reserves the blocks, so a full disk fails here instead of
	 * raising SIGBUS in the program on a later store into the mapping */
	if (fallocate(tr.fd, 0, (off_t)size, (off_t)(nsize - size)) < 0) {
		if (errno != EOPNOTSUPP || ftruncate(tr.fd, (off_t)nsize) < 0) {
			ret = -errno;
			goto out_broken;
		}
	}
	atomic_store(&c->size, nsize);
	goto out_unlock;
out_broken:
	atomic_store(&c->broken, 1);
out_unlock:
	spin_unlock(&c->lock);
	return ret;
}

/* Map window idx of the file at a 2 MiB boundary and ask for huge pages:
 * where the kernel and the file system can (Linux 6.16+ on ext4, for
 * instance), large page-cache folios are then mapped with one page-table
 * entry per 2 MiB instead of one per 4 KiB, which makes the first store
 * into each part of the trace several times cheaper (docs/performance.md).
 * Elsewhere MADV_HUGEPAGE changes nothing. */
static void *map_window(unsigned idx)
{
	const size_t align = 2u << 20;
	off_t off = (off_t)((uint64_t)idx << WIN_SHIFT);
	char *res = mmap(NULL, WIN_SIZE + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);

	if (res == MAP_FAILED)
		return mmap(NULL, WIN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, tr.fd, off);
	char *at = (char *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	void *p = mmap(at, WIN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, tr.fd, off);
	if (p == MAP_FAILED) {
		munmap(res, WIN_SIZE + align);
		return p;
	}
	if (at > res)
		munmap(res, (size_t)(at - res));
	if (at + WIN_SIZE < res + WIN_SIZE + align)
		munmap(at + WIN_SIZE, (size_t)(res + WIN_SIZE + align - (at + WIN_SIZE)));
	(void)madvise(at, WIN_SIZE, MADV_HUGEPAGE);
	return at;
}

static char *window(unsigned idx)
{
	char *w = atomic_load_explicit(&tr.win[idx], memory_order_acquire);

	if (likely(w))
		return w;
	spin_lock(&tr.ctl->lock);
	w = atomic_load(&tr.win[idx]);
	if (!w && ensure_fd() == 0) {
		void *p = map_window(idx);
		if (p != MAP_FAILED) {
			w = p;
			atomic_store_explicit(&tr.win[idx], w, memory_order_release);
		}
	}
	spin_unlock(&tr.ctl->lock);
	return w;
}

static int copy_out(uint64_t off, const char *rec, size_t len)
{
	unsigned idx0 = (unsigned)(off >> WIN_SHIFT);
	uint64_t in0 = off & (WIN_SIZE - 1);
	char *w0 = idx0 < MAX_WINS ? atomic_load_explicit(&tr.win[idx0], memory_order_acquire) : NULL;

	if (likely(w0 && in0 + len <= WIN_SIZE)) {	/* the record is inside a mapped window */
		memcpy(w0 + in0, rec, len);
		return 0;
	}
	while (len) {
		unsigned idx = (unsigned)(off >> WIN_SHIFT);
		uint64_t in = off & (WIN_SIZE - 1);
		size_t n = len < WIN_SIZE - in ? len : (size_t)(WIN_SIZE - in);
		char *w;

		if (idx >= MAX_WINS || !(w = window(idx)))
			return -1;
		memcpy(w + in, rec, n);
		off += n;
		rec += n;
		len -= n;
	}
	return 0;
}

/* Populate the next step of the mapping after end, unless another writer
 * is doing it: never waited for, and a failure only costs page faults. */
static void prefault(struct wctl *c, uint64_t end)
{
	if (tr.pf_off || atomic_exchange_explicit(&tr.pf_busy, 1, memory_order_acquire))
		return;
	int saved = errno;
	uint64_t from = atomic_load_explicit(&tr.ready, memory_order_relaxed);
	if (from < end)
		from = end & ~(uint64_t)4095;
	uint64_t to = (from + PREFAULT_STEP) & ~(PREFAULT_STEP - 1);
	uint64_t size = atomic_load_explicit(&c->size, memory_order_acquire);
	uint64_t win_end = (from | (WIN_SIZE - 1)) + 1;
	if (to > size)
		to = size;	/* past the allocated blocks a store would fault anyway */
	if (to > win_end)
		to = win_end;
	unsigned idx = (unsigned)(from >> WIN_SHIFT);
	char *w;
	if (from < to && idx < MAX_WINS && (w = window(idx))) {
		if (madvise(w + (from & (WIN_SIZE - 1)), (size_t)(to - from), MADV_POPULATE_WRITE) < 0 &&
		    (errno == EINVAL || errno == ENOSYS))
			tr.pf_off = true;
		atomic_store_explicit(&tr.ready, to, memory_order_relaxed);
	}
	atomic_store_explicit(&tr.pf_busy, 0, memory_order_release);
	errno = saved;
}

static int write_fd(const char *rec, size_t len)
{
	int ret = 0;

	spin_lock(&tr.fdlock);
	while (len) {
		ssize_t n = write(tr.fd, rec, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = -1;
			break;
		}
		rec += n;
		len -= (size_t)n;
	}
	spin_unlock(&tr.fdlock);
	return ret;
}

int ipcg_trace_write(const char *rec, size_t len)
{
	struct wctl *c = tr.ctl;

	if (tr.mode == MODE_FD) {
		if (write_fd(rec, len) == 0)
			return 0;
		goto out_dropped_local;
	}
	if (tr.mode != MODE_MAP)
		goto out_dropped_local;
	uint64_t off = atomic_fetch_add_explicit(&c->tail, len, memory_order_acq_rel);
	if (off & CLOSED)
		goto out_dropped;
	int ok = !atomic_load_explicit(&c->broken, memory_order_relaxed);
	if (ok && off + len > atomic_load_explicit(&c->size, memory_order_acquire))
		ok = grow(c, off + len) == 0;
	if (ok && unlikely(off + len + PREFAULT_STEP / 2 > atomic_load_explicit(&tr.ready, memory_order_relaxed)))
		prefault(c, off + len);
	if (ok)
		ok = copy_out(off, rec, len) == 0;
	atomic_fetch_add_explicit(&c->committed, len, memory_order_release);
	if (ok)
		return 0;
out_dropped:
	atomic_fetch_add_explicit(&c->dropped, 1, memory_order_relaxed);
	return -1;
out_dropped_local:
	__atomic_fetch_add(&tr.local_dropped, 1, __ATOMIC_RELAXED);
	return -1;
}

static int create_exclusive(const char *path)
{
	size_t n = strlen(path);

	if (n + 8 >= sizeof(tr.path))
		return -ENAMETOOLONG;
	memcpy(tr.path, path, n + 1);
	for (unsigned i = 0; i < 10000; i++) {
		if (i) {
			size_t k = ipcg_txt(tr.path, sizeof(tr.path), n, ".");
			ipcg_txt_u64(tr.path, sizeof(tr.path), k, i);
		}
		int fd = open(tr.path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			(void)fchmod(fd, 0600);	/* exact mode whatever the umask */
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
	int fd, ret;

	fd = create_exclusive(path);
	if (fd < 0)
		return fd;
	fd = move_high(fd);
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out_close;
	}
	void *ctl = mmap(NULL, sizeof(struct wctl), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED) {
		ret = -errno;
		goto out_close;
	}
	memset(ctl, 0, sizeof(struct wctl));
	tr.ctl = ctl;
	tr.fd = fd;
	tr.dev = st.st_dev;
	tr.ino = st.st_ino;
	for (unsigned i = 0; i < MAX_WINS; i++)
		atomic_store(&tr.win[i], NULL);
	tr.mode = MODE_MAP;
	ipcg_ownfd_set(IPCG_OWNFD_TRACE, fd, move_fd);
	return 0;
out_close:
	ipcg_sys_close(fd);
	(void)unlink(tr.path);
	tr.path[0] = '\0';
	return ret;
}

int ipcg_trace_open_fd(int fd)
{
	if (fcntl(fd, F_GETFD) < 0)
		return -errno;
	tr.fd = fd;
	tr.path[0] = '\0';
	tr.mode = MODE_FD;
	return 0;
}

static uint64_t suspended_at;	/* where ipcg_trace_finish() cut the file */

void ipcg_trace_finish(void)
{
	struct wctl *c = tr.ctl;
	struct timespec t0, now;

	if (tr.mode != MODE_MAP)
		return;
	uint64_t old = atomic_fetch_or(&c->tail, CLOSED);
	if (old & CLOSED)
		return;
	suspended_at = old;
	/* writers in flight finish within microseconds; do not hang an exiting
	 * program on a thread that was stopped mid-record */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load_explicit(&c->committed, memory_order_acquire) < old) {
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) > 200000000L)
			break;
	}
	spin_lock(&c->lock);
	if (ensure_fd() == 0 && !atomic_load(&c->broken))
		(void)ftruncate(tr.fd, (off_t)old);
	spin_unlock(&c->lock);
}

/* Before exec: the new image writes its own trace, so cut this one to its
 * last record now (the mapping disappears with the old image).  When the
 * exec fails, ipcg_trace_resume() reopens for writing at the same end. */
void ipcg_trace_suspend(void)
{
	struct wctl *c = tr.ctl;

	if (tr.mode != MODE_MAP || (atomic_load(&c->tail) & CLOSED))
		return;
	ipcg_trace_finish();	/* sets suspended_at */
}

void ipcg_trace_resume(void)
{
	struct wctl *c = tr.ctl;

	if (tr.mode != MODE_MAP || !(atomic_load(&c->tail) & CLOSED) || atomic_load(&c->broken))
		return;
	/* the file now ends at suspended_at: size first, so a writer that gets
	 * an offset from the reopened tail sees the smaller size and grows */
	atomic_store(&c->size, suspended_at);
	atomic_store(&tr.ready, suspended_at);	/* the cut took the populated pages */
	atomic_store(&c->committed, suspended_at);
	atomic_store(&c->tail, suspended_at);
}

void ipcg_trace_forget(void)
{
	if (tr.mode == MODE_MAP) {
		for (unsigned i = 0; i < MAX_WINS; i++) {
			char *w = atomic_load(&tr.win[i]);
			if (w)
				munmap(w, WIN_SIZE);
			atomic_store(&tr.win[i], NULL);
		}
		munmap(tr.ctl, sizeof(struct wctl));
		if (tr.fd >= 0)
			ipcg_sys_close(tr.fd);
		ipcg_ownfd_set(IPCG_OWNFD_TRACE, -1, NULL);
	}
	tr.ctl = NULL;
	tr.fd = -1;
	tr.mode = MODE_NONE;
	tr.path[0] = '\0';
	tr.local_dropped = 0;
	atomic_store(&tr.fdlock, 0);
	atomic_store(&tr.ready, 0);
	atomic_store(&tr.pf_busy, 0);
}

bool ipcg_trace_active(void) { return tr.mode != MODE_NONE; }
const char *ipcg_trace_path(void) { return tr.path; }

uint64_t ipcg_trace_dropped(void)
{
	uint64_t n = __atomic_load_n(&tr.local_dropped, __ATOMIC_RELAXED);
	if (tr.mode == MODE_MAP)
		n += atomic_load(&tr.ctl->dropped);
	return n;
}

void ipcg_trace_count_drop(void)
{
	__atomic_fetch_add(&tr.local_dropped, 1, __ATOMIC_RELAXED);
}
