/* unix/unlink.h: unlink, unlinkat and remove of the socket files this
 * process bound.  Every other path goes straight to libc: the hooks test
 * one lock-free flag (no bound path at all) before anything else, inline,
 * and only a handled call notes its call site (core/callsite.h). */
#ifndef IPCG_UNLINK_CALL_H
#define IPCG_UNLINK_CALL_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "core/callsite.h"
#include "ipcg/compiler.h"
#include "core/real.h"
#include "unix/state.h"

int ipcg_unlink_slow(const char *path);
int ipcg_unlinkat_slow(int dirfd, const char *path, int flags);
int ipcg_remove_slow(const char *path);

static inline __attribute__((always_inline)) int ipcg_unlink(const char *path)
{
	if (likely(!ipcg_unix_bound_any()))
		return REAL(unlink)(path);
	return IPCG_AT_SITE(ipcg_unlink_slow(path));
}

static inline __attribute__((always_inline)) int ipcg_unlinkat(int dirfd, const char *path, int flags)
{
	/* AT_REMOVEDIR removes a directory, never a socket file */
	if (likely(!ipcg_unix_bound_any()) || (flags & AT_REMOVEDIR))
		return REAL(unlinkat)(dirfd, path, flags);
	return IPCG_AT_SITE(ipcg_unlinkat_slow(dirfd, path, flags));
}

static inline __attribute__((always_inline)) int ipcg_remove(const char *path)
{
	if (likely(!ipcg_unix_bound_any()))
		return REAL(remove)(path);
	return IPCG_AT_SITE(ipcg_remove_slow(path));
}

#endif
