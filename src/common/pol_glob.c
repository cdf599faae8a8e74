/* pol_glob.c: the socket-paths globs: fnmatch(3) with FNM_PATHNAME in
 * the C locale, without allocation, and the check that refuses at start-up
 * every glob on which this matcher and fnmatch could disagree (checked
 * against fnmatch on random globs by tests/progs/pol_glob.c). */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "ipcg/compiler.h"
#include "ipcg/pol_glob.h"

/* POSIX classes of the C locale, for [[:alpha:]] in socket-paths globs */
static const struct { const char *name; int (*fn)(int); } classes[] = {
	{ "alnum", isalnum }, { "alpha", isalpha }, { "blank", isblank }, { "cntrl", iscntrl },
	{ "digit", isdigit }, { "graph", isgraph }, { "lower", islower }, { "print", isprint },
	{ "punct", ispunct }, { "space", isspace }, { "upper", isupper }, { "xdigit", isxdigit },
};

/* The class named by the n bytes at s, or -1. */
static int class_of(const char *s, size_t n)
{
	for (size_t i = 0; i < IPCG_ARRAY_SIZE(classes); i++)
		if (strlen(classes[i].name) == n && !memcmp(classes[i].name, s, n))
			return (int)i;
	return -1;
}

/* [...] at p (just after the '['): does it take c?  Returns the byte after
 * the closing ']', or NULL when there is none (then '[' is an ordinary
 * byte, as in fnmatch).  Byte ranges and the POSIX classes of the C locale. */
static const char *bracket(const char *p, unsigned char c, bool *ret)
{
	const char *start;
	bool neg = false, match = false;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	start = p;
	while (*p && (*p != ']' || p == start)) {
		if (p[0] == '[' && p[1] == ':') {
			const char *end = strstr(p + 2, ":]");
			int k = end ? class_of(p + 2, (size_t)(end - p - 2)) : -1;
			if (k >= 0) {
				match |= c < 128 && classes[k].fn(c);
				p = end + 2;
				continue;
			}
		}
		unsigned char lo = (unsigned char)*p, hi;
		if (lo == '\\' && p[1])
			lo = (unsigned char)*++p;
		p++;
		hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			if (p[1] == '\\' && p[2]) {
				hi = (unsigned char)p[2];
				p += 3;
			} else {
				hi = (unsigned char)p[1];
				p += 2;
			}
		}
		match |= lo <= c && c <= hi;
	}
	if (*p != ']')
		return NULL;
	*ret = match != neg;
	return p + 1;
}

/* fnmatch(pat, s, FNM_PATHNAME) in the C locale, without allocation (glibc's
 * fnmatch may allocate in a multibyte locale, and bind and connect are
 * async-signal-safe).  The classic single-star backtracking: a later star
 * supersedes an earlier one, and since no wildcard crosses '/', a star
 * that would have to is a mismatch. */
bool ipcg_pol_glob_match(const char *pat, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s) {
		unsigned char c = (unsigned char)*s;
		const char *next = NULL;
		bool m = false;

		if (*pat == '*') {
			while (*pat == '*')
				pat++;
			star_p = pat;
			star_s = s;
			continue;
		}
		if (*pat == '?') {
			m = c != '/';
			next = pat + 1;
		} else if (*pat == '[') {
			next = bracket(pat + 1, c, &m);
			if (!next) {	/* no closing ']': an ordinary '[' */
				m = c == '[';
				next = pat + 1;
			}
			m = m && c != '/';
		} else if (*pat == '\\' && pat[1]) {
			m = c == (unsigned char)pat[1];
			next = pat + 2;
		} else if (*pat) {
			m = c == (unsigned char)*pat;
			next = pat + 1;
		}
		if (m) {
			pat = next;
			s++;
		} else if (star_p && *star_s != '/') {
			s = ++star_s;
			pat = star_p;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* The inside of a bracket expression, [p, close): no collating symbol
 * ([.a.]) or equivalence class ([=a=]), which the matcher does not
 * support, and every "[:" a known class closed by ":]" (fnmatch makes a
 * pattern with another one never match: easy to write, hard to see). */
static bool bracket_ok(const char *p, const char *close)
{
	for (; p < close; p++) {
		if (*p == '\\') {
			p++;
		} else if (p[0] == '[' && (p[1] == '.' || p[1] == '=')) {
			return false;
		} else if (p[0] == '[' && p[1] == ':') {
			const char *end = memmem(p + 2, (size_t)(close - p - 2), ":]", 2);
			if (!end || class_of(p + 2, (size_t)(end - p - 2)) < 0)
				return false;
			p = end + 1;
		}
	}
	return true;
}

/* Length of the glob at s (NUL-terminated, at most len bytes): up to an
 * unescaped ':' outside [...], or the end.  -1 when it is a glob on which
 * this matcher and fnmatch(3) could disagree: a lone trailing '\\', an
 * escaped '/', a '[' without its ']', or a bracket that bracket_ok()
 * refuses. */
long ipcg_pol_glob_len(const char *s, size_t len)
{
	size_t i = 0;
	bool m;

	while (i < len && s[i] != ':') {
		if (s[i] == '\\') {
			if (i + 1 == len || s[i + 1] == '/')
				return -1;
			i += 2;
		} else if (s[i] == '[') {
			const char *end = bracket(s + i + 1, 'a', &m);
			if (!end || end > s + len || !bracket_ok(s + i + 1, end - 1))
				return -1;
			i = (size_t)(end - s);
		} else {
			i++;
		}
	}
	return (long)i;
}

bool ipcg_pol_glob_valid(const char *g, size_t n)
{
	return n && (g[0] == '/' || g[0] == '@') && ipcg_pol_glob_len(g, n) == (long)n;
}
