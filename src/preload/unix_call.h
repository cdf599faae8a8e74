/* unix_call.h: the logic behind each AF_UNIX socket hook. */
#ifndef IPCG_UNIX_CALL_H
#define IPCG_UNIX_CALL_H

#include <stdbool.h>
#include <sys/socket.h>

int ipcg_socket(int domain, int type, int protocol);
int ipcg_socketpair(int domain, int type, int protocol, int sv[2]);
int ipcg_bind(int fd, const struct sockaddr *addr, socklen_t len);
int ipcg_connect(int fd, const struct sockaddr *addr, socklen_t len);
int ipcg_listen(int fd, int backlog);
int ipcg_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags, bool is4);
int ipcg_close(int fd);

#endif
