/* core/state.c: per-process bookkeeping shared by detectors and policies: the
 * fd filter, and the fork and exit hooks that fan out to the shm and
 * AF_UNIX tables. */
#include "ipcg/compiler.h"
#include "check/detect.h"
#include "trace/finding_repeats.h"
#include "shm/state.h"
#include "core/spin.h"
#include "stack/carry.h"
#include "core/state.h"
#include "unix/state.h"

IPCG_BULK _Atomic uint8_t ipcg_unix_fd[IPCG_FD_MAX];
_Atomic int ipcg_scratch_lock[IPCG_SCRATCH_N];

void ipcg_state_atfork_prepare(void)
{
	ipcg_shm_state_atfork_prepare();
	ipcg_unix_state_atfork_prepare();
}

void ipcg_state_atfork_parent(void)
{
	ipcg_unix_state_atfork_parent();
	ipcg_shm_state_atfork_parent();
}

/* Runs before the child's trace exists and before its stack table is
 * emptied: the stacks the tables refer to are copied out here and written
 * into the child's trace when first needed. */
void ipcg_state_atfork_child(void)
{
	for (int i = 0; i < IPCG_SCRATCH_N; i++)
		atomic_store(&ipcg_scratch_lock[i], 0);	/* their holders did not fork */
	ipcg_unix_state_atfork_child();
	ipcg_shm_state_atfork_child();
	ipcg_exit_detect_atfork_child();
	ipcg_repeats_atfork_child();
	if (ipcg_stack_carry_begin()) {
		ipcg_shm_state_stacks(ipcg_stack_carry_want);
		ipcg_unix_state_stacks(ipcg_stack_carry_want);
		ipcg_stack_carry_collect();
		ipcg_shm_state_stacks(ipcg_stack_carry_map);
		ipcg_unix_state_stacks(ipcg_stack_carry_map);
		ipcg_stack_carry_end();
	}
}
