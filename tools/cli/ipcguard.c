/* ipcguard: run programs under libipcguard.so and read the traces.
 * main() dispatches to one function per subcommand (tools/cli/cmd_*.c); exit
 * statuses are enum ipcg_exit (commands.h). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

#define IPCG_VERSION "0.1"
#define IPCG_TRACE_VERSION 1		/* trace format version read and written */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "run", ipcg_cmd_run, "run [-o TEMPLATE] [--stack N] [--trace FAMILIES] [--policy RULES] "
	  "[--no-follow] [--wait] [-q] -- CMD [ARG...]" },
	{ "report", ipcg_cmd_report, "report [--json] [--fail-on SEVERITY] [--top N] [--suppress FILE] "
	  "[--debug-dir DIR] TRACE..." },
	{ "events", ipcg_cmd_events, "events [--stacks] [--debug-dir DIR] TRACE..." },
	{ "leaks", ipcg_cmd_leaks, "leaks [--json] [--top N] [--list N] [--debug-dir DIR] TRACE..." },
	{ "export", ipcg_cmd_export, "export --format chrome|folded [--debug-dir DIR] TRACE..." },
};

static void usage(FILE *f)
{
	fputs("usage: ipcguard COMMAND [OPTION...] [ARG...]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  ipcguard %s\n", commands[i].usage);
	fputs("\nipcguard --help | --version\n"
	      "exit status: 0 ok, 1 a finding at or above --fail-on (report), "
	      "2 usage error or unreadable input\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "ipcguard: no command given\n");
		usage(stderr);
		return IPCG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return fflush(stdout) ? IPCG_EXIT_USAGE : IPCG_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ipcguard %s (trace format %d)\n", IPCG_VERSION, IPCG_TRACE_VERSION);
		return fflush(stdout) ? IPCG_EXIT_USAGE : IPCG_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ipcguard: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return IPCG_EXIT_USAGE;
}
