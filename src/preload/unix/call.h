/* unix/call.h: the logic behind each AF_UNIX socket hook.
 *
 * The hooks (hooks/unix.c) run the pass-through tests below inline, so that
 * a call on a descriptor that is not a tracked AF_UNIX socket goes to libc
 * with a tail call and nothing else; only a call that is handled notes its
 * call site (core/callsite.h) and enters unix/call.c. */
#ifndef IPCG_UNIX_CALL_H
#define IPCG_UNIX_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/callsite.h"
#include "ipcg/compiler.h"
#include "core/ownfd.h"
#include "core/real.h"
#include "core/state.h"

int ipcg_socket_unix(int domain, int type, int protocol);
int ipcg_socket_other(int domain, int type, int protocol);
int ipcg_socketpair_unix(int domain, int type, int protocol, int sv[2]);
int ipcg_bind_or_connect(int fd, const struct sockaddr *addr, socklen_t len, bool is_bind);
int ipcg_listen_unix(int fd, int backlog);
int ipcg_accept_unix(int fd, struct sockaddr *addr, socklen_t *len, int flags, bool is4);
int ipcg_accept_other(int fd, struct sockaddr *addr, socklen_t *len, int flags, bool is4);
int ipcg_close_slow(int fd);

#define IPCG_HOOK_INLINE static inline __attribute__((always_inline))

IPCG_HOOK_INLINE int ipcg_socket(int domain, int type, int protocol)
{
	if (domain != AF_UNIX)
		return ipcg_socket_other(domain, type, protocol);
	return IPCG_AT_SITE(ipcg_socket_unix(domain, type, protocol));
}

IPCG_HOOK_INLINE int ipcg_socketpair(int domain, int type, int protocol, int sv[2])
{
	if (domain != AF_UNIX)
		return REAL(socketpair)(domain, type, protocol, sv);
	return IPCG_AT_SITE(ipcg_socketpair_unix(domain, type, protocol, sv));
}

IPCG_HOOK_INLINE int ipcg_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (likely(!ipcg_fd_tracked(fd)))
		return REAL(bind)(fd, addr, len);
	return IPCG_AT_SITE(ipcg_bind_or_connect(fd, addr, len, true));
}

IPCG_HOOK_INLINE int ipcg_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (likely(!ipcg_fd_tracked(fd)))
		return REAL(connect)(fd, addr, len);
	return IPCG_AT_SITE(ipcg_bind_or_connect(fd, addr, len, false));
}

IPCG_HOOK_INLINE int ipcg_listen(int fd, int backlog)
{
	if (likely(!ipcg_fd_tracked(fd)))
		return REAL(listen)(fd, backlog);
	return IPCG_AT_SITE(ipcg_listen_unix(fd, backlog));
}

IPCG_HOOK_INLINE int ipcg_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags, bool is4)
{
	if (likely(!ipcg_fd_tracked(fd)))
		return ipcg_accept_other(fd, addr, len, flags, is4);
	return IPCG_AT_SITE(ipcg_accept_unix(fd, addr, len, flags, is4));
}

IPCG_HOOK_INLINE int ipcg_close(int fd)
{
	if (likely(!ipcg_fd_tracked(fd)) && !ipcg_ownfd_maybe(fd))
		return REAL(close)(fd);
	return IPCG_AT_SITE(ipcg_close_slow(fd));
}

#endif
