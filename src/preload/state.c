/* state.c: per-process bookkeeping shared by detectors and policies. */
#include "state.h"

_Atomic uint8_t ipcg_unix_fd[IPCG_FD_MAX];

void ipcg_state_atfork_prepare(void) {}
void ipcg_state_atfork_parent(void) {}
void ipcg_state_atfork_child(void) {}
void ipcg_state_at_exit(void) {}
