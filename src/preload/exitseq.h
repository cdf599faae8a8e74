/* exitseq.h: the end of a process: exit-time findings, the exit record,
 * the trace cut to its last record.  Runs once. */
#ifndef IPCG_EXITSEQ_H
#define IPCG_EXITSEQ_H

/* how: "exit", "_exit" or "_Exit"; status < 0 when unknown */
void ipcg_exit_sequence(const char *how, int status);

#endif
