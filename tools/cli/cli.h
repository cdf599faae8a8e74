/* cli: the command-line front of the reader subcommands (report, events,
 * leaks, export).  Each command describes its options in a table; this
 * module parses them with getopt_long, handles what every command has
 * (--help, --debug-dir, the TRACE arguments, "no trace file given"), starts
 * the output and the symboliser, loads the traces and turns the outcome
 * into the exit status.  Every message is one line "ipcguard: CMD: ...";
 * a usage error also prints the command's usage line (enum ipcg_exit). */
#ifndef IPCG_TOOLS_CLI_H
#define IPCG_TOOLS_CLI_H

#include <stdbool.h>

#include "cli/commands.h"
#include "load/trace_load.h"
#include "out/symbolize.h"

struct ipcg_cli;
struct ipcg_cli_opt;

/* Checks and stores an option's value; 0, or -1 after printing why (with
 * ipcg_cli_bad_value, or the callee's own message). */
typedef int (*ipcg_cli_value_fn)(struct ipcg_cli *c, const struct ipcg_cli_opt *o,
				 const char *val);

enum ipcg_cli_kind {
	IPCG_CLI_END,			/* ends a table */
	IPCG_CLI_FLAG,			/* no value: *flag = true */
	IPCG_CLI_UINT,			/* an unsigned number in *num ("is not a number") */
	IPCG_CLI_VALUE,			/* a value checked by fn */
	IPCG_CLI_DEBUG_DIR,		/* --debug-dir DIR: collected in c->dirs */
};

struct ipcg_cli_opt {
	const char *name;		/* long name without "--" */
	char short_name;		/* a one-letter alias, 0 for none */
	enum ipcg_cli_kind kind;
	bool required;			/* "--NAME is required" when not given */
	bool *flag;			/* IPCG_CLI_FLAG */
	unsigned long *num;		/* IPCG_CLI_UINT */
	ipcg_cli_value_fn fn;		/* IPCG_CLI_VALUE */
	void *ctx;			/* for fn */
};

#define IPCG_CLI_OPT_FLAG(n, s, p) { .name = (n), .short_name = (s), .kind = IPCG_CLI_FLAG, .flag = (p) }
#define IPCG_CLI_OPT_UINT(n, p) { .name = (n), .kind = IPCG_CLI_UINT, .num = (p) }
#define IPCG_CLI_OPT_VALUE(n, s, f, c) { .name = (n), .short_name = (s), .kind = IPCG_CLI_VALUE, \
					 .fn = (f), .ctx = (c) }
#define IPCG_CLI_OPT_DEBUG_DIR { .name = "debug-dir", .kind = IPCG_CLI_DEBUG_DIR }
#define IPCG_CLI_OPT_END { .kind = IPCG_CLI_END }

struct ipcg_cli {
	const char *cmd;		/* "report": messages start "ipcguard: report: " */
	const char *usage;		/* the usage line, newline included */
	char **dirs;			/* --debug-dir values, in order */
	int ndirs;
	char **traces;			/* the TRACE arguments */
	int ntraces;
	struct ipcg_sym *sym;		/* set by ipcg_cli_start */
};

/* Parses argv (argv[0] is the command name) by opts; --help (-h) is added
 * to every table.  Returns -1 when the command should go on, otherwise the
 * exit status to return at once: IPCG_EXIT_OK after --help,
 * IPCG_EXIT_USAGE after a usage error (already printed).  Call
 * ipcg_cli_release in both cases. */
int ipcg_cli_parse(struct ipcg_cli *c, const char *cmd, const char *usage,
		   const struct ipcg_cli_opt *opts, int argc, char **argv);

/* "ipcguard: CMD: --NAME: 'VAL' WHY" (no usage line); returns -1. */
int ipcg_cli_bad_value(const struct ipcg_cli *c, const struct ipcg_cli_opt *o,
		       const char *val, const char *why);

/* "ipcguard: CMD: out of memory"; returns IPCG_EXIT_USAGE. */
int ipcg_cli_oom(const struct ipcg_cli *c);

/* Makes stdout a large buffer and opens the symboliser over --debug-dir.
 * 0, or -1 when out of memory (nothing printed). */
int ipcg_cli_start(struct ipcg_cli *c);

/* Loads the TRACE arguments into ts, handing records to ops (ipcg_load). */
int ipcg_cli_load(struct ipcg_cli *c, const struct ipcg_load_ops *ops, void *ctx,
		  struct ipcg_traceset *ts);

/* Flushes stdout; IPCG_EXIT_USAGE when that failed (one line printed) or
 * a trace was unreadable, IPCG_EXIT_OK otherwise. */
int ipcg_cli_finish(const struct ipcg_traceset *ts);

void ipcg_cli_release(struct ipcg_cli *c);

#endif
