/* stack/cache.c: the caller's stack id, from a per-call-site cache checked
 * against the stack itself (see stack/cache.h).
 *
 * An entry is made from a full libunwind walk (stack/unwind.h) and keyed by the
 * call site: the program's return address from the hook and the depth of
 * its SP below the thread's outermost frame.  It holds, for every frame
 * above the first, the offset of its return-address slot from the call's
 * SP and the address that must be there.  A later call at the same site
 * and depth reads those slots (a load and a compare per frame) and, when
 * each holds the same return address, has the same stack: the frames are
 * the return addresses, and they are read from where the walk found them.
 * Anything else, or any doubt, is a full walk.
 *
 * The reads stay inside memory the walk saw to be this thread's stack:
 * [lowest call SP seen, outermost frame's SP] from walks without a signal
 * frame or a stack switch; a call outside that range (a signal handler on
 * an alternate stack, a coroutine) is walked.
 *
 * Entries are shared by the threads, each behind a sequence word (odd
 * while written): a reader that sees the word change retries as a walk,
 * a writer that finds it odd leaves the entry to the other writer.  The
 * table is invalidated as a whole (an epoch) on dlclose, when return
 * addresses may mean other code, and in a fork child, whose stack ids
 * start again.
 *
 * It is a cache, not the library's hash table (core/tab.h): one entry
 * per hash (ipcg_hash_fib), and a new site takes the entry from the one
 * there before.  A lookup is one entry checked under its sequence word;
 * a walk over slots would read and validate several on every traced
 * call, and evicting would move entries another thread may be reading. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/callsite.h"
#include "core/config.h"
#include "core/spin.h"
#include "core/tab.h"
#include "trace/fdwrite.h"
#include "ipcg/jsonw.h"
#include "stack/cache.h"
#include "stack/stacks.h"
#include "stack/unwind.h"

#define ENTRY_BITS 12			/* 4096 call sites and depths */
#define NENTRY (1u << ENTRY_BITS)

struct frame_check {
	uintptr_t ip;			/* what the slot must hold */
	uint32_t off;			/* slot - call SP */
};

struct entry {
	_Atomic uint32_t seq;		/* odd while being written */
	uint32_t id;			/* interned stack */
	uint32_t epoch;
	uint32_t n;			/* frames, the first one being ra */
	uintptr_t ra;
	uintptr_t dist;			/* outermost SP - call SP */
	struct frame_check f[];		/* n - 1 of them */
};

IPCG_TLS struct ipcg_site ipcg_tls_site;
static IPCG_TLS uintptr_t tls_low, tls_top;	/* this thread's known stack */
static IPCG_TLS uintptr_t tls_nowalk_ra;	/* a site off that stack, walked in vain */
#define NEAR_STACK (64ul << 20)	/* a call this far below the known stack may be on it */
static _Atomic uint32_t epoch = 1;
static char *table;
static size_t entry_size;
_Atomic uint64_t ipcg_stackcache_mismatches, ipcg_stackcache_hits, ipcg_stackcache_walks;

static inline uint32_t ld32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline uintptr_t ldp(const uintptr_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

/* Mapped by the first stack captured (ipcg_once; NORESERVE: pages are
 * only used as entries are written): an image that captures none maps
 * nothing.  false: no cache (stacks or the cache are off, or no
 * memory), every stack is walked. */
static struct ipcg_once mapped;

static bool map_table(void)
{
	int depth = ipcg_config.stack_depth;

	if (table)
		return true;
	if (!depth || !ipcg_config.stack_cache)
		return false;
	entry_size = (sizeof(struct entry) + (size_t)(depth - 1) * sizeof(struct frame_check) + 7) &
		     ~(size_t)7;
	table = ipcg_map_zeroed(entry_size * NENTRY);
	return table != NULL;
}

/* cfa lies in what walks showed to be this thread's stack */
static inline bool on_known_stack(uintptr_t cfa)
{
	return cfa >= tls_low && cfa < tls_top;
}

static inline struct entry *slot_for(uintptr_t ra, uintptr_t dist)
{
	uint32_t i = ipcg_hash_fib(ra ^ (dist << 17) ^ (dist >> 7), ENTRY_BITS);

	return (struct entry *)(table + (size_t)i * entry_size);
}

#define NOT_CACHEABLE UINT32_MAX	/* lookup(): walk with unw_backtrace */

/* The id of the stack cached for this site, 0 when there is none, or
 * NOT_CACHEABLE when a walk from here could not seed the cache (a signal
 * handler's frame, a stack switch): libunwind's cursor walk costs several
 * times its backtrace, so that is only done to seed the cache. */
static uint32_t lookup(const struct ipcg_site *site)
{
	uintptr_t cfa = site->cfa;

	if (!on_known_stack(cfa))
		return 0;
	uintptr_t dist = tls_top - cfa;
	struct entry *e = slot_for(site->ra, dist);
	uint32_t s1 = atomic_load_explicit(&e->seq, memory_order_acquire);
	if ((s1 & 1) || ldp(&e->ra) != site->ra || ldp(&e->dist) != dist ||
	    ld32(&e->epoch) != atomic_load_explicit(&epoch, memory_order_relaxed))
		return 0;
	uint32_t n = ld32(&e->n), id = n ? ld32(&e->id) : NOT_CACHEABLE;
	for (uint32_t i = 0; i + 1 < n; i++) {
		uint32_t off = __atomic_load_n(&e->f[i].off, __ATOMIC_RELAXED);
		if (off >= dist)	/* a torn entry: stay inside the stack */
			return 0;
		if (*(const volatile uintptr_t *)(cfa + off) != ldp(&e->f[i].ip))
			return 0;
	}
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&e->seq, memory_order_relaxed) != s1)
		return 0;
	return id;
}

static void insert(const struct ipcg_site *site, const uintptr_t *ips, const uintptr_t *sps,
		   int n, uint32_t id, uint32_t ep)
{
	uintptr_t cfa = site->cfa, dist = tls_top - cfa;
	struct entry *e = slot_for(site->ra, dist);
	uint32_t s = atomic_load_explicit(&e->seq, memory_order_relaxed);

	if ((s & 1) || !atomic_compare_exchange_strong(&e->seq, &s, s + 1))
		return;	/* n == 0: this site and depth are not cacheable */
	e->id = id;
	e->epoch = ep;
	e->n = (uint32_t)n;
	e->ra = site->ra;
	e->dist = dist;
	for (int i = 1; i < n; i++) {
		e->f[i - 1].off = (uint32_t)(sps[i] - sizeof(uintptr_t) - cfa);
		e->f[i - 1].ip = ips[i];
	}
	atomic_store_explicit(&e->seq, s + 2, memory_order_release);
}

/* A walk that can seed the cache: it starts at the hook's caller, stays on
 * one stack, and its last slot lies below the thread's outermost frame. */
static bool cacheable(const struct ipcg_site *site, const uintptr_t *ips, const uintptr_t *sps,
		      int n, const struct ipcg_walk_info *info)
{
	if (!info->clean || n <= 0 || ips[0] != site->ra || sps[0] != site->cfa)
		return false;
	if (info->top) {
		if (info->top != tls_top) {	/* first walk here, or another stack */
			tls_top = 0;		/* empty while it changes: a signal handler here walks */
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			tls_low = site->cfa;
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			tls_top = info->top;
		} else if (site->cfa < tls_low)
			tls_low = site->cfa;
	}
	if (!on_known_stack(site->cfa))
		return false;
	uintptr_t dist = tls_top - site->cfa;
	return sps[n - 1] - site->cfa <= dist && dist < UINT32_MAX;	/* slots below sps[] */
}

/* IPCGUARD_STACK_VERIFY: the id a full unw_backtrace gives, for comparison */
static uint32_t reference_id(int depth)
{
	uintptr_t ips[IPCG_STACK_MAX + 64];
	int n = ipcg_unwind_capture(ips, depth + 64);

	return ipcg_stack_intern(ips, n < depth ? n : depth);
}

/* IPCGUARD_STACK_VERIFY: count the stack, compare it with a full walk */
static void check(uint32_t got, int depth, const char *how, _Atomic uint64_t *counter)
{
	atomic_fetch_add(counter, 1);
	if (got == reference_id(depth))
		return;

	char msg[96];
	atomic_fetch_add(&ipcg_stackcache_mismatches, 1);
	size_t k = ipcg_txt(msg, sizeof(msg), 0, "stack check failed: a ");
	k = ipcg_txt(msg, sizeof(msg), k, how);
	ipcg_txt(msg, sizeof(msg), k, " stack differs from a full walk");
	ipcg_say(msg);
}

/* unw_backtrace, for what the cache cannot hold */
static uint32_t backtrace_id(int depth)
{
	uintptr_t ips[depth + IPCG_UNWIND_SKIP];

	return ipcg_stack_intern(ips, ipcg_unwind_stack(ips, depth));
}

uint32_t ipcg_stack_capture(int depth)
{
	struct ipcg_site site = ipcg_tls_site;
	uint32_t id;

	if (depth <= 0 || !ipcg_unwind_ready())
		return 0;
	if (!site.ra || !ipcg_once(&mapped, map_table))
		return backtrace_id(depth);
	if ((id = lookup(&site)) == NOT_CACHEABLE)
		return backtrace_id(depth);
	if (id) {
		if (unlikely(ipcg_config.stack_verify))
			check(id, depth, "cached", &ipcg_stackcache_hits);
		return id;
	}
	bool known = on_known_stack(site.cfa);
	if (!known && tls_top && (site.cfa > tls_top || tls_top - site.cfa > NEAR_STACK ||
				  site.ra == tls_nowalk_ra))
		return backtrace_id(depth);	/* another stack: an alternate signal stack... */
	uintptr_t ips[depth], sps[depth];	/* depth <= IPCG_STACK_MAX */
	uint32_t ep = atomic_load_explicit(&epoch, memory_order_relaxed);
	struct ipcg_walk_info info;
	int n = ipcg_unwind_walk(ips, sps, depth, !known, &info);
	id = ipcg_stack_intern(ips, n);
	if (unlikely(ipcg_config.stack_verify))
		check(id, depth, "walked", &ipcg_stackcache_walks);
	if (id && cacheable(&site, ips, sps, n, &info))
		insert(&site, ips, sps, n, id, ep);
	else if (on_known_stack(site.cfa))
		insert(&site, ips, sps, 0, 0, ep);
	else
		tls_nowalk_ra = site.ra;
	return id;
}

void ipcg_stackcache_invalidate(void)
{
	atomic_fetch_add(&epoch, 1);
}

void ipcg_stackcache_atfork_child(void)
{
	ipcg_stackcache_invalidate();
	ipcg_once_forked(&mapped);
}

void ipcg_stackcache_report(void)
{
	char msg[160];

	if (!ipcg_config.stack_verify)
		return;
	size_t k = ipcg_txt(msg, sizeof(msg), 0, "stack check: ");
	k = ipcg_txt_u64(msg, sizeof(msg), k, atomic_load(&ipcg_stackcache_hits));
	k = ipcg_txt(msg, sizeof(msg), k, " cached, ");
	k = ipcg_txt_u64(msg, sizeof(msg), k, atomic_load(&ipcg_stackcache_walks));
	k = ipcg_txt(msg, sizeof(msg), k, " walked, ");
	k = ipcg_txt_u64(msg, sizeof(msg), k, atomic_load(&ipcg_stackcache_mismatches));
	ipcg_txt(msg, sizeof(msg), k, " differed from a full walk");
	ipcg_say(msg);
}
