/* core/call.h: the life of one intercepted call, shared by shm/call.c and
 * unix/call.c:
 *
 *	struct ipcg_call c;
 *	if (!ipcg_call_begin(&c, IPCG_FAM_SHM))
 *		return REAL(shmget)(key, size, flg);	// untouched pass-through
 *	ret = REAL(shmget)(key, size, flg);
 *	ipcg_call_after(&c);			// errno saved, guard held
 *	if (c.log) { ipcg_call_record(&c, "shmget"); ...args...; ipcg_call_ret_i(&c, ret); }
 *	...policy records, detectors...
 *	ipcg_call_end(&c);			// guard released, errno restored
 *
 * No lock is held and the guard is not taken across the real call, so a
 * blocking accept() never delays other threads and a signal handler that
 * runs during it is traced normally.
 *
 * ipcg_call_begin() also returns true, with c.log false, when a policy of
 * the family is active but the family is not logged: the policy checks and
 * the state hooks run, no call record is written (seq stays 0). */
#ifndef IPCG_CALL_H
#define IPCG_CALL_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "check/events.h"
#include "core/guard.h"
#include "ipcg/compiler.h"
#include "trace/records.h"
#include "trace/rotate.h"
#include "trace/trace.h"

enum ipcg_state { IPCG_UNINIT, IPCG_INITING, IPCG_READY, IPCG_OFF };
extern _Atomic int ipcg_state;
extern bool ipcg_logging;	/* a trace is open for this process */
extern unsigned ipcg_policy_families;	/* check/policy.h: families with an active rule */

bool ipcg_init_slow(void);	/* core/entry.c: lazy init; false = pass through */

struct ipcg_call {
	bool log;		/* write a call record */
	bool pol;		/* a policy rule of this family is active */
	int err;		/* errno after the real call, restored at the end */
	uint64_t seq;		/* 0 when not logged */
	uint32_t stack;		/* 0 when none */
	struct ipcg_rec rec;
};

static inline bool ipcg_call_begin(struct ipcg_call *c, unsigned family)
{
	if (unlikely(atomic_load_explicit(&ipcg_state, memory_order_acquire) != IPCG_READY) &&
	    !ipcg_init_slow())
		return false;
	if (unlikely(ipcg_guard_busy())) {
		/* e.g. a signal handler that interrupted our bookkeeping: the
		 * call goes to libc unrecorded, and the exit record says so */
		if (ipcg_logging && (ipcg_config.families & family))
			ipcg_trace_count_drop();
		return false;
	}
	c->log = ipcg_logging && (ipcg_config.families & family);
	/* policies apply whether or not the family is logged (IPCGUARD_TRACE=none) */
	c->pol = ipcg_policy_families & family;
	c->seq = 0;
	c->stack = 0;
	return c->log || c->pol;
}

static inline void ipcg_call_after(struct ipcg_call *c)
{
	c->err = errno;
	ipcg_guard_enter();
}

static inline void ipcg_call_end(struct ipcg_call *c)
{
	ipcg_rotate_if_due();	/* no lock held here (trace/rotate.c) */
	ipcg_guard_leave();
	errno = c->err;
}

/* What the detectors are told about this call (check/events.h). */
static inline struct ipcg_ev ipcg_call_ev(const struct ipcg_call *c, bool failed)
{
	return (struct ipcg_ev){ .seq = c->seq, .stack = c->stack, .err = failed ? c->err : 0 };
}

/* Take seq, time, thread and stack, and open the record up to "args":{ */
void ipcg_call_record(struct ipcg_call *c, const char *fn);
/* Close args and write ret (number), errno and stack. */
void ipcg_call_ret_i(struct ipcg_call *c, long ret, bool failed);
/* shmat: address string on success, -1 on failure */
void ipcg_call_ret_ptr(struct ipcg_call *c, const void *ret);
/* ftok: key string on success, -1 on failure */
void ipcg_call_ret_key(struct ipcg_call *c, long key);

#endif
