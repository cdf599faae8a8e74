/* stack/stacks.h: interned backtraces.  A distinct stack is written once as a
 * `stack` record (after the module records it needs) and referred to by
 * id afterwards, so a steady-state call record stays small. */
#ifndef IPCG_STACKS_H
#define IPCG_STACKS_H

#include <stdint.h>

/* Id of a stack given as return addresses (stack/cache.c captures them),
 * 0 when the table is full. */
uint32_t ipcg_stack_intern(const uintptr_t *ips, int n);
/* The frames of an interned stack (valid until ipcg_stacks_reset());
 * returns their number, 0 when the id is unknown.  Used in a fork child
 * before the reset, to carry the parent's stacks over (stack/carry.h). */
int ipcg_stack_frames(uint32_t id, const uintptr_t **ret_ips);
/* Write every interned stack again, with its id (a rotation's
 * checkpoint: the new part is self-contained).  Takes no lock. */
void ipcg_stacks_rewrite(void);
/* dlclose: addresses may mean other code from now on. */
void ipcg_stacks_new_generation(void);
/* fork child: new trace, ids restart. */
void ipcg_stacks_reset(void);

#endif
