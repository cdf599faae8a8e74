/* trace/rotate.h: the switch to the next trace part (trace/rotate.c, trace/trace.h). */
#ifndef IPCG_ROTATE_H
#define IPCG_ROTATE_H

#include <stdatomic.h>

#include "ipcg/compiler.h"
#include "trace/trace.h"

void ipcg_rotate_slow(void);

/* At the end of an intercepted call: one load while no rotation is due. */
static inline void ipcg_rotate_if_due(void)
{
	if (unlikely(atomic_load_explicit(&ipcg_trace_rotate_due, memory_order_relaxed)))
		ipcg_rotate_slow();
}

#endif
