/* trace/fdwrite.h: writing ipcguard's own bytes to a descriptor it does not own
 * (stderr, fd:N) without ever signalling, blocking or misdirecting the
 * program.  Async-signal-safe and allocation-free. */
#ifndef IPCG_FDWRITE_H
#define IPCG_FDWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How long one write may wait for a pipe or socket that is full. */
#define IPCG_FDWRITE_WAIT_MS 100

/* Write all of buf to fd.  A reader that went away gives -EPIPE, never a
 * SIGPIPE (one the program had pending is left pending); a descriptor
 * nobody drains gives -EAGAIN after IPCG_FDWRITE_WAIT_MS instead of
 * blocking.  0 or -errno; errno is preserved. */
int ipcg_fdwrite(int fd, const char *buf, size_t len);

/* The identity of what fd refers to, to notice that the program closed
 * or reused the number.  ipcg_fd_same() is false when it changed. */
struct ipcg_fdid {
	dev_t dev;
	ino_t ino;
	bool valid;
};
int ipcg_fd_identify(int fd, struct ipcg_fdid *id);	/* 0 or -errno */
/* ipcg_fdwrite() when fd still is id (one fstat for both), else -ESTALE */
int ipcg_fdwrite_same(int fd, const struct ipcg_fdid *id, const char *buf, size_t len);
bool ipcg_fd_same(int fd, const struct ipcg_fdid *id);

/* One line on stderr ("ipcguard: " msg "\n") through ipcg_fdwrite. */
void ipcg_say(const char *msg);

#endif
