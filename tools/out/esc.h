/* Escaping for human (non-JSON) output: the one place that decides which
 * bytes of a string from a trace may reach a terminal.
 *
 * Kept: printable ASCII and valid UTF-8 of printable characters. Escaped
 * as \xNN, one per byte: C0 controls (ESC, BEL, CR, LF, ...), DEL, C1
 * controls (U+0080-U+009F: 8-bit CSI and OSC), invalid UTF-8 (stray,
 * overlong, surrogate, beyond U+10FFFF), and the invisible format
 * characters that reorder or hide text (U+200B-U+200F, U+2028-U+202E,
 * U+2060-U+206F, U+FEFF). A backslash is kept, as the trace writer's
 * messages (which already carry \xNN) print it. JSON output does not use
 * this: ipcg_json_str escapes every non-ASCII byte itself. */
#ifndef IPCG_TOOLS_ESC_H
#define IPCG_TOOLS_ESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when s[0..len) has a byte that must be escaped. */
bool ipcg_esc_needed(const char *s, size_t len);
/* Writes s[0..len) escaped. */
void ipcg_esc_put(FILE *f, const char *s, size_t len);
/* s escaped, for printf arguments: s itself when nothing needs escaping,
 * else a copy valid until IPCG_ESC_SLOTS more calls ("?" when out of
 * memory, "" for NULL): never the raw bytes. */
#define IPCG_ESC_SLOTS 16
const char *ipcg_esc(const char *s);

#endif
