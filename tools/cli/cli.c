/* cli: one command-line front for the reader subcommands (see cli.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "out/out.h"

#define VAL_BASE 256			/* getopt values of options without a short name */

static size_t count_opts(const struct ipcg_cli_opt *opts)
{
	size_t n = 0;

	while (opts[n].kind != IPCG_CLI_END)
		n++;
	return n;
}

/* The getopt tables for opts plus --help: "+" (stop at the first
 * non-option), each short name (with ':' when it takes a value), "h". */
static int build_getopt(const struct ipcg_cli_opt *opts, size_t n, struct option **ret_long,
			char **ret_short)
{
	struct option *lo = calloc(n + 2, sizeof(*lo));
	char *so = malloc(2 * n + 3), *q = so;

	if (!lo || !so) {
		free(lo);
		free(so);
		return -1;
	}
	*q++ = '+';
	for (size_t i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].kind == IPCG_CLI_FLAG ? no_argument : required_argument;
		lo[i].val = opts[i].short_name ? opts[i].short_name : VAL_BASE + (int)i;
		if (opts[i].short_name) {
			*q++ = opts[i].short_name;
			if (opts[i].kind != IPCG_CLI_FLAG)
				*q++ = ':';
		}
	}
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	*q++ = 'h';
	*q = '\0';
	*ret_long = lo;
	*ret_short = so;
	return 0;
}

/* The table entry getopt_long's value o stands for; NULL for none. */
static const struct ipcg_cli_opt *opt_of(const struct ipcg_cli_opt *opts, size_t n, int o)
{
	if (o >= VAL_BASE && (size_t)(o - VAL_BASE) < n)
		return &opts[o - VAL_BASE];
	for (size_t i = 0; o > 0 && o < VAL_BASE && i < n; i++)
		if (opts[i].short_name == o)
			return &opts[i];
	return NULL;
}

static int usage_error(const struct ipcg_cli *c, const char *what, const char *arg)
{
	if (arg)
		fprintf(stderr, "ipcguard: %s: %s '%s'\n", c->cmd, what, arg);
	else
		fprintf(stderr, "ipcguard: %s: %s\n", c->cmd, what);
	fputs(c->usage, stderr);
	return IPCG_EXIT_USAGE;
}

int ipcg_cli_bad_value(const struct ipcg_cli *c, const struct ipcg_cli_opt *o,
		       const char *val, const char *why)
{
	fprintf(stderr, "ipcguard: %s: --%s: '%s' %s\n", c->cmd, o->name, val, why);
	return -1;
}

int ipcg_cli_oom(const struct ipcg_cli *c)
{
	fprintf(stderr, "ipcguard: %s: out of memory\n", c->cmd);
	return IPCG_EXIT_USAGE;
}

/* One option's value; 0, or -1 after its message. */
static int take(struct ipcg_cli *c, const struct ipcg_cli_opt *o, const char *val)
{
	switch (o->kind) {
	case IPCG_CLI_FLAG:
		*o->flag = true;
		return 0;
	case IPCG_CLI_UINT:
		return ipcg_parse_uint(val, o->num) ? 0 :
		       ipcg_cli_bad_value(c, o, val, "is not a number");
	case IPCG_CLI_VALUE:
		return o->fn(c, o, val);
	case IPCG_CLI_DEBUG_DIR:
		c->dirs[c->ndirs++] = (char *)val;
		return 0;
	case IPCG_CLI_END:
		break;
	}
	return -1;
}

int ipcg_cli_parse(struct ipcg_cli *c, const char *cmd, const char *usage,
		   const struct ipcg_cli_opt *opts, int argc, char **argv)
{
	size_t n = count_opts(opts);
	bool *given = calloc(n + 1, sizeof(*given));
	struct option *lo = NULL;
	char *so = NULL;
	int o, rc = -1;

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->usage = usage;
	/* at most one --debug-dir per argument */
	c->dirs = calloc((size_t)argc + 1, sizeof(*c->dirs));
	if (!given || !c->dirs || build_getopt(opts, n, &lo, &so) < 0) {
		rc = IPCG_EXIT_USAGE;
		goto out;
	}
	optind = 1;
	opterr = 0;
	while (rc < 0 && (o = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		const struct ipcg_cli_opt *opt = opt_of(opts, n, o);

		if (o == 'h' && !opt) {
			fputs(usage, stdout);
			rc = IPCG_EXIT_OK;
		} else if (!opt) {
			rc = usage_error(c, "unknown or incomplete option", argv[optind - 1]);
		} else if (take(c, opt, optarg) < 0) {
			rc = IPCG_EXIT_USAGE;
		} else {
			given[opt - opts] = true;
		}
	}
	for (size_t i = 0; rc < 0 && i < n; i++)
		if (opts[i].required && !given[i]) {
			char what[64];
			snprintf(what, sizeof(what), "--%s is required", opts[i].name);
			rc = usage_error(c, what, NULL);
		}
	if (rc < 0 && optind >= argc)
		rc = usage_error(c, "no trace file given", NULL);
	c->traces = argv + optind;
	c->ntraces = argc - optind;
out:
	free(given);
	free(lo);
	free(so);
	return rc;
}

int ipcg_cli_start(struct ipcg_cli *c)
{
	ipcg_out_setup();
	c->sym = ipcg_sym_new(c->dirs, c->ndirs);
	return c->sym ? 0 : -1;
}

int ipcg_cli_load(struct ipcg_cli *c, const struct ipcg_load_ops *ops, void *ctx,
		  struct ipcg_traceset *ts)
{
	return ipcg_load(c->traces, c->ntraces, ops, ctx, ts);
}

int ipcg_cli_finish(const struct ipcg_traceset *ts)
{
	bool written = ipcg_out_finish(stdout);

	return !written || ts->unreadable ? IPCG_EXIT_USAGE : IPCG_EXIT_OK;
}

void ipcg_cli_release(struct ipcg_cli *c)
{
	ipcg_sym_free(c->sym);
	free(c->dirs);
	memset(c, 0, sizeof(*c));
}
