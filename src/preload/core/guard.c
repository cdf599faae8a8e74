/* core/guard.c: per-thread state: re-entrancy depth and cached thread id. */
#include <sys/syscall.h>
#include <unistd.h>

#include "core/guard.h"

IPCG_TLS int ipcg_tls_depth;
IPCG_TLS int ipcg_tls_tid;

int ipcg_gettid(void)
{
	/* the forking thread's cache is reset in the atfork child handler */
	if (unlikely(!ipcg_tls_tid))
		ipcg_tls_tid = (int)syscall(SYS_gettid);
	return ipcg_tls_tid;
}
