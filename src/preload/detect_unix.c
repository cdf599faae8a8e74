/* detect_unix.c: AF_UNIX finding kinds (SPEC section 4).
 * (Placeholder: the detectors land with their own change.) */
#include "events.h"

void ipcg_on_socket(const struct ipcg_ev *e, int domain, int type, int protocol, int ret) {}
void ipcg_on_socketpair(const struct ipcg_ev *e, int type, const int sv[2], int ret) {}
void ipcg_on_bind(const struct ipcg_ev *e, int fd, const struct ipcg_sun *a, int ret) {}
void ipcg_on_connect(const struct ipcg_ev *e, int fd, const struct ipcg_sun *a, int ret) {}
void ipcg_on_listen(const struct ipcg_ev *e, int fd, int backlog, int ret) {}
void ipcg_on_accept(const struct ipcg_ev *e, int fd, int ret) {}
void ipcg_on_close(const struct ipcg_ev *e, int fd, int ret) {}
