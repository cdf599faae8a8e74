/* ipcguard events [--stacks] [--debug-dir DIR] TRACE...
 * One line per call in strace's style, traces merged by time:
 *   [pid 123] shmat(shmid=5, shmaddr=NULL, shmflg=SHM_RDONLY) = 0x7f3a2c000000
 *   [pid 123] shmget(key=0x1, size=4096, shmflg=0600) = -1 ENOENT (No such file or directory)
 * With --stacks each call's symbolised frames follow, indented. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "load/trace_load.h"
#include "out/out.h"
#include "out/symbolize.h"

struct events_ctx {
	bool stacks;
	struct ipcg_sym *sym;
	FILE *out;
};

/* A string that strace would print bare: flags, hex, names, numbers. */
static bool symbolic(const struct ipcg_jv *v)
{
	if (!v->len)
		return false;
	for (uint32_t i = 0; i < v->len; i++) {
		char c = v->s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '|' || c == '-' || c == '+' || c == '<' || c == '>' ||
		      c == '~'))
			return false;
	}
	return true;
}

static void put_val(FILE *f, const struct ipcg_jsonr *jp, const struct ipcg_jv *v,
		    const char *key, int depth);

static void put_sockaddr(FILE *f, const struct ipcg_jsonr *jp, const struct ipcg_jv *v, int depth)
{
	bool first = true;

	putc('{', f);
	for (const struct ipcg_jv *m = ipcg_jv_first(jp, v); m; m = ipcg_jv_next(jp, m)) {
		if (!first)
			fputs(", ", f);
		first = false;
		if (!strcmp(m->key, "family")) {
			fputs("sa_family=", f);
			put_val(f, jp, m, m->key, depth + 1);
		} else if (!strcmp(m->key, "path") && m->type == IPCG_JV_STR) {
			fputs("sun_path=", f);
			ipcg_c_str(f, m->s, m->len);
		} else if (!strcmp(m->key, "abstract") && m->type == IPCG_JV_STR) {
			fputs("sun_path=@", f);
			ipcg_c_str(f, m->s, m->len);
		} else {
			fprintf(f, "%s=", ipcg_esc(m->key));
			put_val(f, jp, m, m->key, depth + 1);
		}
	}
	putc('}', f);
}

static void put_val(FILE *f, const struct ipcg_jsonr *jp, const struct ipcg_jv *v,
		    const char *key, int depth)
{
	switch (v->type) {
	case IPCG_JV_NULL:
		fputs("NULL", f);
		break;
	case IPCG_JV_BOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case IPCG_JV_NUM:
		if (v->nflags & IPCG_JN_INT)
			fprintf(f, "%" PRId64, v->i);
		else if (v->nflags & IPCG_JN_UINT)
			fprintf(f, "%" PRIu64, v->u);
		else
			fprintf(f, "%g", v->d);
		break;
	case IPCG_JV_STR:
		if (key && strcmp(key, "pathname") && symbolic(v))
			fwrite(v->s, 1, v->len, f);
		else
			ipcg_c_str(f, v->s, v->len);
		break;
	case IPCG_JV_ARR: {
		bool first = true;
		putc('[', f);
		for (const struct ipcg_jv *m = ipcg_jv_first(jp, v); m; m = ipcg_jv_next(jp, m)) {
			if (!first)
				fputs(", ", f);
			first = false;
			put_val(f, jp, m, "", depth + 1);
		}
		putc(']', f);
		break;
	}
	case IPCG_JV_OBJ:
		put_sockaddr(f, jp, v, depth);
		break;
	}
}

static void put_frame(void *ctx, unsigned idx, const char *text)
{
	fprintf((FILE *)ctx, "    #%u %s\n", idx, ipcg_esc(text));
}

static void on_record(void *vctx, struct ipcg_proc *p, const struct ipcg_rec *r)
{
	struct events_ctx *c = vctx;
	FILE *f = c->out;
	bool first = true;

	if (r->type != IPCG_R_CALL)
		return;
	fprintf(f, "[pid %" PRId64 "] %s(", p->pid, ipcg_esc(r->fn));
	for (const struct ipcg_jv *m = ipcg_jv_first(r->jp, r->args); m; m = ipcg_jv_next(r->jp, m)) {
		if (!first)
			fputs(", ", f);
		first = false;
		fprintf(f, "%s=", ipcg_esc(m->key));
		put_val(f, r->jp, m, m->key, 0);
	}
	fputs(") = ", f);
	put_val(f, r->jp, r->ret, "ret", 0);
	if (r->failed) {
		const char *d = ipcg_errno_desc(r->err);
		if (d)
			fprintf(f, " %s (%s)", ipcg_esc(r->err), d);
		else
			fprintf(f, " %s", ipcg_esc(r->err));
	}
	putc('\n', f);
	if (c->stacks && r->stack)
		ipcg_stack_lines(c->sym, p, r->stack, 0, false, put_frame, f);
}

int ipcg_cmd_events(int argc, char **argv)
{
	struct events_ctx ctx = { .out = stdout };
	const struct ipcg_cli_opt opts[] = {
		IPCG_CLI_OPT_FLAG("stacks", 's', &ctx.stacks),
		IPCG_CLI_OPT_DEBUG_DIR,
		IPCG_CLI_OPT_END,
	};
	struct ipcg_load_ops ops = { .record = on_record };
	struct ipcg_traceset ts = { 0 };
	struct ipcg_cli cli;
	int rc = ipcg_cli_parse(&cli, "events", "usage: ipcguard events [--stacks] [--debug-dir DIR] "
				"TRACE...\n", opts, argc, argv);

	if (rc >= 0)
		goto out;
	if (ipcg_cli_start(&cli) < 0 || (ctx.sym = cli.sym,
					 ipcg_cli_load(&cli, &ops, &ctx, &ts) < 0)) {
		rc = ipcg_cli_oom(&cli);
		goto out;
	}
	rc = ipcg_cli_finish(&ts);
	if (ctx.stacks)
		ipcg_sym_notes(ctx.sym, stderr);
out:
	ipcg_traceset_release(&ts);
	ipcg_cli_release(&cli);
	return rc;
}
