/* trace/finding_repeats.h: compaction of findings repeated at one call site.
 *
 * A detector that fires on every request (repeated-attach in a server's
 * request loop) would otherwise write the same ~400-byte finding millions
 * of times.  The first IPCGUARD_REPEATS (core/config.h) findings of one kind at one stack
 * are written in full; later ones are only counted, and the counts are
 * written as finding_repeats records before the exit record, so a reader's
 * totals stay exact (docs/trace-format.md).  Exit-time findings (one per
 * leaked object) are never compacted.  Lock-free: a fixed table of atomic
 * slots in static memory; when it is full, findings are written in full. */
#ifndef IPCG_FINDING_REPEATS_H
#define IPCG_FINDING_REPEATS_H

#include <stdbool.h>
#include <stdint.h>

/* Count one finding; true when it is to be written in full.  kind and
 * severity are string literals (kept by pointer). */
bool ipcg_repeats_count(const char *kind, const char *severity, uint32_t stack);
/* Write one finding_repeats record per site with findings counted and
 * not written since the last flush (at rotation and at exit: counts are
 * per part, docs/trace-format.md).  One flush at a time. */
void ipcg_repeats_flush(void);
/* A fork child starts with an empty table: its trace has its own findings. */
void ipcg_repeats_atfork_child(void);

#endif
