/* stack/unwind.c: backtraces through libunwind's unw_backtrace (its fast path
 * reuses cached frame descriptions and costs a few ns per frame). */
#include <dlfcn.h>
#include <sched.h>
#include <time.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <link.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <ucontext.h>

#include "ipcg/compiler.h"
#include "core/ownfd.h"
#include "core/real.h"
#include "stack/unwind.h"

#define UNW_CACHE_PER_THREAD 2	/* libunwind.h: unw_caching_policy_t */

int (*ipcg_unw_backtrace)(void **, int);
_Atomic int ipcg_unwind_state;
_Atomic int ipcg_unwind_busy;
_Atomic int ipcg_unwind_forking;
IPCG_TLS int ipcg_tls_unwinding;

void ipcg_unwind_atfork_prepare(void)
{
	struct timespec t0, now;

	atomic_store(&ipcg_unwind_forking, 1);
	/* a fork from a signal handler that interrupted our own walk must
	 * not wait for itself; and never hang the fork on a stopped thread */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&ipcg_unwind_busy) > ipcg_tls_unwinding) {
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 2)
			break;
	}
}

void ipcg_unwind_atfork_parent(void)
{
	atomic_store(&ipcg_unwind_forking, 0);
}

void ipcg_unwind_atfork_child(void)
{
	atomic_store(&ipcg_unwind_busy, ipcg_tls_unwinding);	/* the others are gone */
	int loading = IPCG_UNW_LOADING;	/* a load the fork cut short never ends here */
	atomic_compare_exchange_strong(&ipcg_unwind_state, &loading, IPCG_UNW_FAILED);
	atomic_store(&ipcg_unwind_forking, 0);
}
static void (*p_flush)(void *, uintptr_t, uintptr_t);
static int (*p_set_caching)(void *, int);
static void **p_local_as;
static uintptr_t self_lo, self_hi, unw_lo, unw_hi;

struct range_q {
	uintptr_t addr, lo, hi;
	uintptr_t rw_lo, rw_hi;	/* its writable PT_LOAD */
};

static int range_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct range_q *q = arg;
	uintptr_t lo = UINTPTR_MAX, hi = 0, rw_lo = 0, rw_hi = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_flags & PF_W) {
			rw_lo = a;
			rw_hi = a + ph->p_memsz;
		}
		if (a < lo)
			lo = a;
		if (a + ph->p_memsz > hi)
			hi = a + ph->p_memsz;
	}
	if (q->addr >= lo && q->addr < hi) {
		q->lo = lo;
		q->hi = hi;
		q->rw_lo = rw_lo;
		q->rw_hi = rw_hi;
		return 1;
	}
	return 0;
}

/* the loaded image containing addr: [lo, hi) */
static void range_of(const void *addr, uintptr_t *lo, uintptr_t *hi)
{
	struct range_q q = { .addr = (uintptr_t)addr };

	if (dl_iterate_phdr(range_cb, &q)) {
		*lo = q.lo;
		*hi = q.hi;
	}
}

static int *unw_pipe;	/* libunwind's own int[2] of the pipe's descriptors */

/* core/ownfd.c: the program dup2s onto a number of the pipe; point libunwind
 * at a duplicate elsewhere first */
static int move_pipe_fd(int fd, int minfd)
{
	int i = unw_pipe && unw_pipe[0] == fd ? 0 : unw_pipe && unw_pipe[1] == fd ? 1 : -1;
	int nfd = i < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, minfd);

	if (nfd >= 0)
		__atomic_store_n(&unw_pipe[i], nfd, __ATOMIC_RELEASE);
	return nfd;
}

static bool fd_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

static int lowest_free(int from)
{
	while (from < 65536 && fd_open(from))
		from++;
	return from;
}

/* libunwind keeps a pipe (for validating memory when it unwinds through
 * code without unwind info) on the lowest free descriptors, taken by its
 * first backtrace: the program would then see its own descriptors shifted,
 * and a daemon that closes and reuses those numbers would have libunwind
 * read and write them.  Move the pipe high: find the two descriptors the
 * warm-up created, find the one place in libunwind's data that holds them,
 * and point it at high duplicates.  When anything is not exactly as
 * expected, leave libunwind alone. */
static void relocate_pipe(int r, int w, const void *in_libunwind)
{
	struct range_q q = { .addr = (uintptr_t)in_libunwind };
	struct stat st;
	int *hit = NULL;

	if (!fd_open(r) || !fd_open(w) || fstat(r, &st) < 0 || !S_ISFIFO(st.st_mode))
		return;
	if (!dl_iterate_phdr(range_cb, &q) || !q.rw_lo)
		return;
	for (uintptr_t p = (q.rw_lo + 3) & ~(uintptr_t)3; p + 2 * sizeof(int) <= q.rw_hi;
	     p += sizeof(int)) {
		int *v = (int *)p;
		if (v[0] == r && v[1] == w) {
			if (hit)
				return;	/* ambiguous */
			hit = v;
		}
	}
	if (!hit)
		return;
	int hr = fcntl(r, F_DUPFD_CLOEXEC, ipcg_ownfd_high_base());
	int hw = hr < 0 ? -1 : fcntl(w, F_DUPFD_CLOEXEC, hr + 1);
	if (hr < 0 || hw < 0) {
		if (hr >= 0)
			ipcg_sys_close(hr);
		return;
	}
	hit[0] = hr;
	hit[1] = hw;
	ipcg_sys_close(r);
	ipcg_sys_close(w);
	unw_pipe = hit;
	ipcg_ownfd_set(IPCG_OWNFD_UNW_R, hr, move_pipe_fd);
	ipcg_ownfd_set(IPCG_OWNFD_UNW_W, hw, move_pipe_fd);
}

/* libunwind's local cursor (libunwind-x86_64.h: 127 words) and context
 * (a ucontext_t); only passed through */
struct unw_cursor { uint64_t opaque[127]; };
#define UNW_X86_64_RSP 7
#define UNW_X86_64_RIP 16

static int (*p_getcontext)(ucontext_t *);
static int (*p_init_local)(struct unw_cursor *, ucontext_t *);
static int (*p_step)(struct unw_cursor *);
static int (*p_get_reg)(struct unw_cursor *, int, uintptr_t *);
static int (*p_is_signal_frame)(struct unw_cursor *);

static int load(void)
{
	void *h;

	int r = lowest_free(0), w = lowest_free(r + 1);	/* where libunwind's pipe will go */
	h = (ipcg_real.dlopen ? ipcg_real.dlopen : dlopen)("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -1;
	p_flush = (void (*)(void *, uintptr_t, uintptr_t))dlsym(h, "_Ux86_64_flush_cache");
	p_set_caching = (int (*)(void *, int))dlsym(h, "_ULx86_64_set_caching_policy");
	p_local_as = (void **)dlsym(h, "_ULx86_64_local_addr_space");
	p_getcontext = (int (*)(ucontext_t *))dlsym(h, "_Ux86_64_getcontext");
	p_init_local = (int (*)(struct unw_cursor *, ucontext_t *))dlsym(h, "_ULx86_64_init_local");
	p_step = (int (*)(struct unw_cursor *))dlsym(h, "_ULx86_64_step");
	p_get_reg = (int (*)(struct unw_cursor *, int, uintptr_t *))dlsym(h, "_ULx86_64_get_reg");
	p_is_signal_frame = (int (*)(struct unw_cursor *))dlsym(h, "_ULx86_64_is_signal_frame");
	void *bt = dlsym(h, "unw_backtrace");
	if (!bt || !p_getcontext || !p_init_local || !p_step || !p_get_reg || !p_is_signal_frame)
		return -1;
	/* per-thread caches avoid libunwind's global lock, so a backtrace in a
	 * signal handler cannot deadlock on it */
	if (p_set_caching && p_local_as)
		p_set_caching(*p_local_as, UNW_CACHE_PER_THREAD);
	range_of(bt, &unw_lo, &unw_hi);
	range_of((void *)ipcg_unwind_trim, &self_lo, &self_hi);
	/* warm up: libunwind's first cursor maps memory and makes its pipe */
	ucontext_t uc;
	struct unw_cursor cur;
	if (p_getcontext(&uc) == 0 && p_init_local(&cur, &uc) == 0)
		(void)p_step(&cur);
	relocate_pipe(r, w, bt);
	ipcg_unw_backtrace = (int (*)(void **, int))bt;
	return 0;
}

/* A program started with 0, 1 or 2 closed: the pipe would land there, and
 * a {0, 3} pair is not unique in libunwind's data, so the pipe would stay
 * on the program's numbers.  Hold those numbers with /dev/null meanwhile. */
static int load_held(void)
{
	int hold[3], nhold = 0, ret;

	for (int fd = 0; fd < 3; fd++) {
		if (fd_open(fd))
			continue;
		int d = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (d >= 0)
			hold[nhold++] = d;
	}
	ret = load();
	while (nhold)
		ipcg_sys_close(hold[--nhold]);
	return ret;
}

static IPCG_TLS int tls_loading;
#define LOAD_WAIT_NS 2000000000L

/* The first stack wanted loads libunwind: a process image that makes no
 * traced call never pays for it (docs/performance.md).  One thread loads,
 * the others wait for it; a signal handler that interrupted the load in
 * its own thread gets no stack.  The load counts as a walk, so that a
 * fork waits for it. */
bool ipcg_unwind_load_slow(void)
{
	int s = atomic_load(&ipcg_unwind_state);

	if (s == IPCG_UNW_NONE &&
	    atomic_compare_exchange_strong(&ipcg_unwind_state, &s, IPCG_UNW_LOADING)) {
		atomic_fetch_add(&ipcg_unwind_busy, 1);
		tls_loading = 1;
		int ok = load_held() == 0;
		tls_loading = 0;
		atomic_store_explicit(&ipcg_unwind_state, ok ? IPCG_UNW_READY : IPCG_UNW_FAILED,
				      memory_order_release);
		atomic_fetch_sub(&ipcg_unwind_busy, 1);
		return ok;
	}
	if (s == IPCG_UNW_LOADING && !tls_loading) {
		struct timespec t0, now;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while ((s = atomic_load(&ipcg_unwind_state)) == IPCG_UNW_LOADING) {
			sched_yield();
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) >
			    LOAD_WAIT_NS)
				break;
		}
	}
	return s == IPCG_UNW_READY;
}

static inline bool ours(uintptr_t ip)
{
	return (ip >= self_lo && ip < self_hi) || (ip >= unw_lo && ip < unw_hi);
}

_Atomic int ipcg_unwind_own;

int ipcg_unwind_trim(uintptr_t *ips, int n)
{
	int skip = 0;

	while (skip < n && ours(ips[skip]))
		skip++;
	if (skip > atomic_load_explicit(&ipcg_unwind_own, memory_order_relaxed))
		atomic_store_explicit(&ipcg_unwind_own, skip, memory_order_relaxed);
	/* drop a null tail some unwinders leave at the outermost frame */
	while (n > skip && !ips[n - 1])
		n--;
	/* and ours further out: main() itself runs under our main wrapper
	 * (core/entry.c), which would otherwise sit in every stack; one pass
	 * moves the caller's frames to the front as well */
	int k = 0;
	for (int i = skip; i < n; i++)
		if (!ours(ips[i]))
			ips[k++] = ips[i];
	return k;
}

void ipcg_unwind_flush(void)
{
	if (p_flush && p_local_as)
		p_flush(*p_local_as, 0, 0);
}

#define WALK_MAX_STEPS 4096	/* a walk to the outermost frame gives up here */
#define WALK_MAX_GAP (1u << 20)	/* a frame larger than this is taken for a stack switch */

/* See stack/unwind.h.  Frames are taken as unw_backtrace takes them (unw_step,
 * then the IP), ours and libunwind's dropped as ipcg_unwind_trim drops
 * them. */
static int walk(uintptr_t *ips, uintptr_t *sps, int depth, bool need_top, struct ipcg_walk_info *info)
{
	ucontext_t uc;
	struct unw_cursor cur;
	uintptr_t ip, sp, prev_sp = 0;
	int n = 0, r = 0;

	info->top = 0;
	info->clean = true;
	if (p_getcontext(&uc) < 0 || p_init_local(&cur, &uc) < 0)
		return 0;
	for (int steps = 0; steps < WALK_MAX_STEPS; steps++) {
		if ((r = p_step(&cur)) <= 0)
			break;
		if (p_get_reg(&cur, UNW_X86_64_RIP, &ip) < 0 || p_get_reg(&cur, UNW_X86_64_RSP, &sp) < 0) {
			r = -1;
			break;
		}
		bool own = ours(ip);
		if (n == 0 && own)
			continue;	/* ipcguard's frames above the caller's */
		if (n > 0 && info->clean &&
		    (sp <= prev_sp || sp - prev_sp > WALK_MAX_GAP || p_is_signal_frame(&cur) != 0))
			info->clean = false;	/* a signal frame or another stack */
		prev_sp = sp;
		if (n < depth && !own) {
			/* the return address must sit just below the frame's SP for
			 * a cached stack to be checked by reading it (stack/cache.c) */
			if (n > 0 && *(const uintptr_t *)(sp - sizeof(uintptr_t)) != ip)
				info->clean = false;
			ips[n] = ip;
			sps[n] = sp;
			n++;
		} else if (n >= depth && (!need_top || !info->clean)) {
			r = 1;
			break;
		}
	}
	if (r == 0 && info->clean)
		info->top = prev_sp;
	while (n > 0 && !ips[n - 1])	/* a null outermost frame, as trim drops it */
		n--;
	return n;
}

int ipcg_unwind_walk(uintptr_t *ips, uintptr_t *sps, int depth, bool need_top,
		     struct ipcg_walk_info *info)
{
	int n = 0;

	info->top = 0;
	info->clean = false;
	if (!ipcg_unwind_ready())
		return 0;
	if (ipcg_unw_enter()) {
		n = walk(ips, sps, depth, need_top, info);
		ipcg_unw_leave();
	}
	return n;
}
