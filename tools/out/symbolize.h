/* Offline symbolisation of trace frames with elfutils (libdwfl/libdw).
 *
 * A module record is matched to a file by its recorded path when the file
 * there has the recorded build-id, else by build-id under --debug-dir
 * directories (DIR/.build-id/xx/rest[.debug] or any ELF file below DIR) and
 * /usr/lib/debug/.build-id. Each file is opened once per run; results are
 * cached per (file, address). A module that cannot be matched yields
 * "module+0xNN" frames, never a name from another build. */
#ifndef IPCG_TOOLS_SYMBOLIZE_H
#define IPCG_TOOLS_SYMBOLIZE_H

#include <stdbool.h>
#include <stdio.h>

#include "load/trace_load.h"

struct ipcg_sym;

/* debug_dirs: the --debug-dir options, in order (may be empty). */
struct ipcg_sym *ipcg_sym_new(char **debug_dirs, int ndirs);
void ipcg_sym_free(struct ipcg_sym *s);

/* One frame, as text: one or more lines separated by '\n', innermost (inlined
 * callees) first, each "function+0xNN (file.c:123)" [+ " [inlined]"],
 * "function+0xNN (module)" or "module+0xNN". names is the same list with
 * function names only (for folded stacks). innermost: frame 0 of the stack
 * (every other frame is a return address: its line is looked up at addr-1).
 * The strings live as long as s. */
void ipcg_sym_frame(struct ipcg_sym *s, struct ipcg_proc *p, const struct ipcg_frame *f,
		    bool innermost, const char **ret_full, const char **ret_names);

/* Prints one line per module that could not be matched (once each). */
void ipcg_sym_notes(struct ipcg_sym *s, FILE *out);

#endif
