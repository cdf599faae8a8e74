/* hooks/unlink.c: the exported file-removal entry points; one line each. */
#include <stdio.h>
#include <unistd.h>

#include "ipcg/compiler.h"
#include "unix/unlink.h"

IPCG_EXPORT int unlink(const char *path) { return ipcg_unlink(path); }
IPCG_EXPORT int unlinkat(int dirfd, const char *path, int flags) { return ipcg_unlinkat(dirfd, path, flags); }
IPCG_EXPORT int remove(const char *path) { return ipcg_remove(path); }
