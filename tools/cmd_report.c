/* ipcguard report: not written yet */
#include <stdio.h>
#include "commands.h"

int ipcg_cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ipcguard: report: not implemented yet\n");
	return IPCG_EXIT_USAGE;
}
