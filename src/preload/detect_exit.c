/* detect_exit.c: exit-time findings: attached-at-exit, segment-leak and
 * socket-file-leak.  (Being written.) */
#include <unistd.h>

#include "detect.h"

static pid_t owner;

void ipcg_detect_owner_note(void)
{
	if (!owner)
		owner = getpid();
}

void ipcg_exit_detect_atfork_child(void)
{
	owner = getpid();
}

void ipcg_exit_detect(void)
{
}
