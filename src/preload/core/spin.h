/* core/spin.h: the spin lock of the state tables (shm/state.c, unix/state.c)
 * and the once of tables mapped on first use.
 * Held for a few hundred instructions at most, never across a real call
 * or a record write, and only by a thread that holds the re-entrancy
 * guard, so a signal handler never spins on a lock its own thread holds.
 * A waiter yields after a short spin: the holder may have been preempted. */
#ifndef IPCG_SPIN_H
#define IPCG_SPIN_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

static inline void ipcg_spin_lock(_Atomic int *l)
{
	unsigned n = 0;

	while (atomic_exchange_explicit(l, 1, memory_order_acquire)) {
		while (atomic_load_explicit(l, memory_order_relaxed)) {
			if (++n < 128)
				__builtin_ia32_pause();
			else
				sched_yield();
		}
	}
}

static inline void ipcg_spin_unlock(_Atomic int *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}

/* The lock of a family's state tables, which are mapped on first use
 * (shm/state.c, unix/state.c).  broken: the mapping failed, nothing is
 * tracked. */
struct ipcg_tables_lock {
	_Atomic int lock;
	bool mapped, broken;
};

/* Take the lock, mapping the tables with map() the first time.  false
 * (and the lock not held) when they could not be mapped. */
static inline bool ipcg_tables_take(struct ipcg_tables_lock *t, bool (*map)(void))
{
	ipcg_spin_lock(&t->lock);
	if (__builtin_expect(!t->mapped, 0)) {
		t->broken = !map();
		t->mapped = true;
	}
	if (__builtin_expect(t->broken, 0)) {
		ipcg_spin_unlock(&t->lock);
		return false;
	}
	return true;
}

/* The same for walks: false when the tables were never mapped, so that
 * the exit of a process that made no call of the family maps nothing only
 * to find the tables empty. */
static inline bool ipcg_tables_take_mapped(struct ipcg_tables_lock *t)
{
	ipcg_spin_lock(&t->lock);
	if (!t->mapped || t->broken) {
		ipcg_spin_unlock(&t->lock);
		return false;
	}
	return true;
}

static inline void ipcg_tables_give(struct ipcg_tables_lock *t)
{
	ipcg_spin_unlock(&t->lock);
}

/* Run fn once, for tables made on first use (the stack tables, the stack
 * cache): its result, with one load once done.  (The state tables keep
 * ipcg_tables_lock above: their mapped flag is read under the lock they
 * take anyway; going through ipcg_once cost 16 instructions per shm call,
 * measured with callgrind in `make bench`.)  Callers hold the guard,
 * like the spin lock's.  A fork child calls ipcg_once_forked(): a fork
 * may copy the lock held by another thread; fn then runs again in the
 * child, so it must accept what a run cut short left behind. */
struct ipcg_once {
	_Atomic int lock;
	_Atomic bool done;
	bool ok;
};

static inline bool ipcg_once(struct ipcg_once *o, bool (*fn)(void))
{
	if (__builtin_expect(atomic_load_explicit(&o->done, memory_order_acquire), 1))
		return o->ok;
	ipcg_spin_lock(&o->lock);
	if (!atomic_load_explicit(&o->done, memory_order_relaxed)) {
		o->ok = fn();
		atomic_store_explicit(&o->done, true, memory_order_release);
	}
	ipcg_spin_unlock(&o->lock);
	return o->ok;
}

static inline void ipcg_once_forked(struct ipcg_once *o)
{
	atomic_store(&o->lock, 0);
}

/* Locks of the static scratch buffers some rare paths use instead of a
 * large stack frame (paths, /proc/net/unix lines).  Fork may copy one
 * held by another thread, so the fork child resets them all
 * (ipcg_state_atfork_child). */
enum ipcg_scratch {
	IPCG_SCRATCH_BIND,	/* unix/detect.c: the bound-file record */
	IPCG_SCRATCH_WORLD,	/* unix/detect.c: directory walk */
	IPCG_SCRATCH_SWEEP,	/* unix/state.c: bound-file sweep */
	IPCG_SCRATCH_PROC,	/* unix/probe.c: /proc/net/unix reader */
	IPCG_SCRATCH_N
};
extern _Atomic int ipcg_scratch_lock[IPCG_SCRATCH_N];

#endif
