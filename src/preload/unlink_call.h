/* unlink_call.h: unlink, unlinkat and remove of the socket files this
 * process bound.  Every other path goes straight to libc: the hooks test
 * one lock-free flag (no bound path at all) before anything else. */
#ifndef IPCG_UNLINK_CALL_H
#define IPCG_UNLINK_CALL_H

int ipcg_unlink(const char *path);
int ipcg_unlinkat(int dirfd, const char *path, int flags);
int ipcg_remove(const char *path);

#endif
