/* ipcguard export: not written yet */
#include <stdio.h>
#include "commands.h"

int ipcg_cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ipcguard: export: not implemented yet\n");
	return IPCG_EXIT_USAGE;
}
