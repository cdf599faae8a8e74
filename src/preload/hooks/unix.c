/* hooks/unix.c: the exported socket entry points; one line each. */
#include <stdbool.h>

#include "ipcg/compiler.h"
#include "unix/call.h"

IPCG_EXPORT int socket(int domain, int type, int protocol) { return ipcg_socket(domain, type, protocol); }
IPCG_EXPORT int socketpair(int domain, int type, int protocol, int sv[2]) { return ipcg_socketpair(domain, type, protocol, sv); }
IPCG_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len) { return ipcg_bind(fd, addr, len); }
IPCG_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len) { return ipcg_connect(fd, addr, len); }
IPCG_EXPORT int listen(int fd, int backlog) { return ipcg_listen(fd, backlog); }
IPCG_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len) { return ipcg_accept4(fd, addr, len, 0, false); }
IPCG_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return ipcg_accept4(fd, addr, len, flags, true); }
IPCG_EXPORT int close(int fd) { return ipcg_close(fd); }
