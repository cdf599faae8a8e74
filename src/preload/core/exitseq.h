/* core/exitseq.h: the end of a process: exit-time findings, the exit record,
 * the trace cut to its last record.  Runs once. */
#ifndef IPCG_EXITSEQ_H
#define IPCG_EXITSEQ_H

#include <stdbool.h>

/* how: "exit", "_exit" or "_Exit"; status < 0 when unknown */
void ipcg_exit_sequence(const char *how, int status);

/* False in a child that shares our memory without its own trace (vfork,
 * raw clone, _Fork): it must not close or cut the parent's trace. */
bool ipcg_is_trace_owner(void);

#endif
