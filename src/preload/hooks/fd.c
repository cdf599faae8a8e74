/* hooks/fd.c: the descriptor calls daemons make at start, exported so
 * that ipcguard's own descriptors stay out of their way (core/ownfd.h). */
#include <unistd.h>

#include "ipcg/compiler.h"
#include "core/ownfd.h"

IPCG_EXPORT int close_range(unsigned first, unsigned last, int flags) { return ipcg_close_range(first, last, flags); }
IPCG_EXPORT void closefrom(int lowfd) { ipcg_closefrom(lowfd); }
IPCG_EXPORT int dup2(int oldfd, int newfd) { return ipcg_dup2(oldfd, newfd); }
IPCG_EXPORT int dup3(int oldfd, int newfd, int flags) { return ipcg_dup3(oldfd, newfd, flags); }
