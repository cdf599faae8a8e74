/* stack/carry.h: stack ids across fork.  A fork child starts a new trace
 * in which stack ids restart from 1, but the attaches (and the other
 * objects) it inherited refer to the parent's ids.  In the atfork child
 * handler, before the stack table is emptied, the frames of every id the
 * tables hold are copied aside and the ids replaced by "carried" handles;
 * ipcg_stack_resolve() interns a carried stack in the child's trace the
 * first time a record needs it (writing its stack record then).
 *
 * Fork child sequence (core/state.c):
 *	if (ipcg_stack_carry_begin()) {
 *		tables_stacks(ipcg_stack_carry_want);	// note every id held
 *		ipcg_stack_carry_collect();		// copy their frames
 *		tables_stacks(ipcg_stack_carry_map);	// id -> carried handle
 *		ipcg_stack_carry_end();
 *	} */
#ifndef IPCG_STACK_CARRY_H
#define IPCG_STACK_CARRY_H

#include <stdbool.h>
#include <stdint.h>

#define IPCG_STACK_CARRIED 0x80000000u	/* handle bit: frames held aside */

bool ipcg_stack_carry_begin(void);	/* false: stacks are off */
uint32_t ipcg_stack_carry_want(uint32_t id);	/* returns id unchanged */
void ipcg_stack_carry_collect(void);
uint32_t ipcg_stack_carry_map(uint32_t id);	/* carried handle, or 0 */
void ipcg_stack_carry_end(void);

/* A stack id from the tables as an id of this process's trace: plain ids
 * pass through; a carried one is interned now.  0 when none. */
uint32_t ipcg_stack_resolve(uint32_t id);

#endif
