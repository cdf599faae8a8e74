/* Subcommands of the ipcguard tool: one entry point per file tools/cli/cmd_*.c.
 * Each returns the process exit status (enum ipcg_exit). */
#ifndef IPCG_TOOLS_COMMANDS_H
#define IPCG_TOOLS_COMMANDS_H

enum ipcg_exit {
	IPCG_EXIT_OK = 0,	/* success, no finding at or above --fail-on */
	IPCG_EXIT_FAIL_ON = 1,	/* a finding at or above --fail-on exists */
	IPCG_EXIT_USAGE = 2,	/* usage error or unreadable input */
};

int ipcg_cmd_run(int argc, char **argv);	/* tools/cli/cmd_run.c */
int ipcg_cmd_events(int argc, char **argv);	/* tools/cli/cmd_events.c */
int ipcg_cmd_report(int argc, char **argv);	/* tools/cli/cmd_report.c */
int ipcg_cmd_export(int argc, char **argv);	/* tools/cli/cmd_export.c */
int ipcg_cmd_leaks(int argc, char **argv);	/* tools/cli/cmd_leaks.c */

#endif
