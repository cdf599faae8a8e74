/* stack/cache.h: the caller's stack, from a per-call-site cache checked
 * against the stack (stack/cache.c), or from a full libunwind walk. */
#ifndef IPCG_STACKCACHE_H
#define IPCG_STACKCACHE_H

#include <stdatomic.h>
#include <stdint.h>

/* Id of the caller's stack (at most depth frames), 0 when none. */
uint32_t ipcg_stack_capture(int depth);
/* dlclose: cached stacks are void */
void ipcg_stackcache_invalidate(void);
/* fork child: the same, and the table's mapping may be redone */
void ipcg_stackcache_atfork_child(void);
/* IPCGUARD_STACK_VERIFY: stacks that differed from a full walk, stacks
 * from the cache, stacks walked */
extern _Atomic uint64_t ipcg_stackcache_mismatches, ipcg_stackcache_hits, ipcg_stackcache_walks;
/* IPCGUARD_STACK_VERIFY: one stderr line with the three counts */
void ipcg_stackcache_report(void);

#endif
