/* export --format folded: "root;frame;...;leaf count" lines, outermost frame
 * first, sorted as strings, for flamegraph.pl, inferno or speedscope.
 *
 * Built compactly for traces with very many distinct stacks: records are
 * counted per (process, stack, leaf); at the end every distinct name (root,
 * function, leaf) is interned once and a line is an array of 4-byte name
 * ids, deduplicated and sorted without ever being spelled out; the text is
 * written as it is printed. */
#ifndef IPCG_TOOLS_FOLDED_H
#define IPCG_TOOLS_FOLDED_H

#include <stdio.h>

#include "load/trace_load.h"
#include "out/symbolize.h"

struct ipcg_folded;

struct ipcg_folded *ipcg_folded_new(struct ipcg_sym *sym);
/* Counts a call, finding or finding_repeats record; others are ignored. */
void ipcg_folded_record(struct ipcg_folded *fd, struct ipcg_proc *p, const struct ipcg_rec *r);
/* Writes the sorted lines (once, after the traces are read). */
void ipcg_folded_write(struct ipcg_folded *fd, FILE *out);
void ipcg_folded_free(struct ipcg_folded *fd);

#endif
