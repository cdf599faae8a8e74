/* trace/trace.h: the trace writer.  A regular file is written through a shared
 * mapping with an atomic reservation per record, so a record is in the page
 * cache (and survives SIGKILL) as soon as ipcg_trace_write() returns, at
 * the cost of a memcpy; at most 16 MiB of it is mapped at a time.  stderr
 * and fd:N get one bounded, signal-free write per record (trace/fdwrite.h).  A
 * failure stops tracing with one line on stderr, never the program.
 * Everything here is async-signal-safe and allocation-free. */
#ifndef IPCG_TRACE_H
#define IPCG_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Create the trace at path (absolute), appending .1, .2 ... when the name
 * is taken.  0 or -errno.  The name chosen is ipcg_trace_path(). */
int ipcg_trace_open_file(const char *path);
/* Write records to an existing descriptor (stderr, fd:N). */
int ipcg_trace_open_fd(int fd);
/* Append one complete record (ending in '\n').  0, or -1 when dropped. */
int ipcg_trace_write(const char *rec, size_t len);
/* The exit record: close the trace, wait briefly for writers in flight and
 * leave rec as the file's last line, after a failure too (blocks are kept
 * for it).  0, or -1 when dropped. */
int ipcg_trace_write_last(const char *rec, size_t len);
/* The first record of a new trace (its header), without setting up the
 * ring yet; ipcg_trace_write() when the trace is not new. */
int ipcg_trace_write_first(const char *rec, size_t len);
/* Stop accepting records, wait briefly for writers in flight and cut the
 * file to its last record.  Idempotent. */
void ipcg_trace_finish(void);
/* Around exec: cut the file to its last record; reopen if exec failed. */
void ipcg_trace_suspend(void);
void ipcg_trace_resume(void);
/* In a fork child: forget the parent's trace without touching it. */
void ipcg_trace_forget(void);
bool ipcg_trace_active(void);
const char *ipcg_trace_path(void);	/* "" when not writing to a file */
uint64_t ipcg_trace_dropped(void);	/* records that could not be written */
void ipcg_trace_count_drop(void);
/* NULL, or the errno name ("ENOSPC") of the failure that stopped tracing */
const char *ipcg_trace_stopped(void);

/* Rotation (IPCGUARD_MAX_SIZE, docs/trace-format.md).  A record that
 * takes the file past the cap sets ipcg_trace_rotate_due; the thread that
 * sees it at the end of a call, holding no lock, rotates (trace/rotate.c):
 * ipcg_trace_rotate_begin() creates the next part and closes the current
 * one (other writers wait for the new part, at most 2 s); the records
 * this thread writes until ipcg_trace_rotate_end() are the new part's
 * checkpoint; rotate_end ends the old part with rec (its rotate record)
 * and opens the new one.  A failure prints one line and the trace goes
 * on, uncapped, in the current file. */
extern _Atomic int ipcg_trace_rotate_due;
void ipcg_trace_set_max_size(uint64_t max);	/* 0 = no cap */
/* The current part is past the cap and no rotation runs (a cheap test
 * before the checkpoint's preparation). */
bool ipcg_trace_rotation_wanted(void);
/* The new part's number, or -1; prev and next (cap bytes each) get the
 * basenames of the part that ends and of the new one. */
int ipcg_trace_rotate_begin(char *prev, char *next, size_t cap);
/* true when the new part is open (false: the old one goes on) */
bool ipcg_trace_rotate_end(const char *rec, size_t len);
/* Rotations begun: a stack written under one generation and published
 * under another is written again (stack/stacks.c). */
unsigned ipcg_trace_generation(void);

#endif
