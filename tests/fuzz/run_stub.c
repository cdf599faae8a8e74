/* ipcg_cmd_run for the reader-only builds (sanitizer tool): those builds test
 * the trace reader and do not link the run implementation. */
#include <stdio.h>

#include "../../tools/cli/commands.h"

int ipcg_cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ipcguard: run: not available in this reader-only build\n");
	return IPCG_EXIT_USAGE;
}
