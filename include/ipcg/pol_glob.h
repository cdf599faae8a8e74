/* pol_glob: the globs of the socket-paths policy.  Shared by the parser
 * (which refuses a bad glob at start-up) and the library (which matches
 * paths on bind and connect).  No allocation: usable in a signal handler. */
#ifndef IPCG_POL_GLOB_H
#define IPCG_POL_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* Does s match pat as fnmatch(pat, s, FNM_PATHNAME) does in the C locale
 * ('*', '?' and [...] never match '/'; a backslash escapes)? */
bool ipcg_pol_glob_match(const char *pat, const char *s);

/* Length of the glob at s (NUL-terminated, at most len bytes) up to an
 * unescaped ':' outside [...], or -1 when it is malformed or fnmatch could
 * read it differently: a lone trailing backslash, an escaped '/', a '['
 * without its ']', a collating symbol ([.a.]), an equivalence class
 * ([=a=]) or an unknown character class. */
long ipcg_pol_glob_len(const char *s, size_t len);

/* A glob socket-paths accepts (n bytes): absolute or @abstract, and
 * ipcg_pol_glob_len() of all of it. */
bool ipcg_pol_glob_valid(const char *g, size_t n);

#endif
