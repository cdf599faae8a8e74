/* Output helpers shared by events, report and export (see out.h). */
#include "out/out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "..." with the usual short escapes; other bytes as \u00XX (JSON) or
 * \xXX (C, as strace prints them), one escape per byte */
static void quoted(FILE *f, const char *s, size_t len, bool json)
{
	static const char hex[] = "0123456789abcdef";

	putc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			putc(c, f);
			continue;
		}
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			fputs(json ? "\\u00" : "\\x", f);
			putc(hex[c >> 4], f);
			putc(hex[c & 15], f);
			break;
		}
	}
	putc('"', f);
}

void ipcg_json_str(FILE *f, const char *s, size_t len)
{
	quoted(f, s, len, true);
}

void ipcg_c_str(FILE *f, const char *s, size_t len)
{
	quoted(f, s, len, false);
}

void ipcg_strlist_add(void *list, unsigned index, const char *text)
{
	struct ipcg_strlist *l = list;
	char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	(void)index;
	if (!nv)
		return;
	l->v = nv;
	if ((l->v[l->n] = strdup(text)))
		l->n++;
}

void ipcg_strlist_free(char **v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

const char *ipcg_errno_desc(const char *name)
{
	/* glibc knows the names; errno values stop well below 200 on Linux */
	static const char *names[200];
	static bool init;

	if (!init) {
		for (int i = 1; i < 200; i++)
			names[i] = strerrorname_np(i);
		init = true;
	}
	for (int i = 1; i < 200; i++)
		if (names[i] && !strcmp(names[i], name))
			return strerrordesc_np(i);
	return NULL;
}

bool ipcg_out_finish(FILE *f)
{
	if (fflush(f) != 0 || ferror(f)) {
		fprintf(stderr, "ipcguard: write error on standard output: %s\n", strerror(errno));
		return false;
	}
	return true;
}

void ipcg_out_setup(void)
{
	static char buf[1 << 16];		/* 64 KiB: fewer write(2) calls */
	static bool done;			/* once: setvbuf must precede any output */

	if (!done)
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	done = true;
}

void ipcg_stack_lines(struct ipcg_sym *sym, struct ipcg_proc *p, const struct ipcg_stack *st,
		      unsigned max, bool names, ipcg_frame_fn fn, void *ctx)
{
	unsigned idx = 0;

	if (!st)
		return;
	for (uint32_t i = 0; i < st->nframes && (!max || i < max); i++) {
		const char *full, *nm, *text, *nl;
		char line[1024];

		ipcg_sym_frame(sym, p, ipcg_stack_frame(p, st, i), i == 0, &full, &nm);
		text = names ? nm : full;
		while ((nl = strchr(text, '\n'))) {
			size_t n = (size_t)(nl - text);
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
			memcpy(line, text, n);
			line[n] = '\0';
			fn(ctx, idx++, line);
			text = nl + 1;
		}
		fn(ctx, idx++, text);
	}
}

bool ipcg_parse_uint(const char *s, unsigned long *ret)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !*end && errno == 0;
}

struct jframes {
	FILE *f;
	bool first;
};

static void jframe(void *ctx, unsigned idx, const char *text)
{
	struct jframes *j = ctx;

	(void)idx;
	if (!j->first)
		fputc(',', j->f);
	j->first = false;
	ipcg_json_cstr(j->f, text);
}

void ipcg_json_frames(FILE *f, struct ipcg_sym *sym, struct ipcg_proc *p,
		      const struct ipcg_stack *st, unsigned max)
{
	struct jframes j = { f, true };

	fputc('[', f);
	ipcg_stack_lines(sym, p, st, max, false, jframe, &j);
	fputc(']', f);
}
