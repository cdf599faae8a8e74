/* unix/policy.h: the AF_UNIX policies (SPEC section 5, docs/policies.md):
 * socket-paths on bind and connect, stale-socket and socket-mode on bind.
 *
 * unix/call.c calls ipcg_pol_bind_connect() instead of the real call when
 * a unix rule is active.  As in shm/policy.h: it runs before
 * ipcg_call_after() (guard not held; it takes it only around its own
 * checks, never across the real call), returns what the program gets with
 * errno set, and ipcg_pol_sun_report() writes the policy records after
 * the call record. */
#ifndef IPCG_POLICY_UNIX_H
#define IPCG_POLICY_UNIX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "unix/state.h"

enum ipcg_pol_stale {
	IPCG_STALE_NONE,
	IPCG_STALE_SEEN,	/* warn: a stale file is in the way */
	IPCG_STALE_UNLINKED,	/* unlink: removed, bind retried (retry_err) */
	IPCG_STALE_CHANGED,	/* unlink: the file changed while it was checked: left alone */
	IPCG_STALE_UNLINK_FAILED,	/* unlink(2) failed (unlink_err) */
};

struct ipcg_pol_sun {
	bool copied;		/* kaddr holds the caller's address, read once */
	bool unknown;		/* the address could not be read nor found unreadable */
	unsigned ev;		/* IPCG_EV_DENIED */
	int deny;		/* errno of a refusal, else 0 */
	bool named;		/* a path or an abstract name */
	bool abstract;
	char name[IPCG_SUN_PATH + 2];	/* the path, or '@' and the abstract name */
	bool has_nul;		/* the abstract name holds a NUL byte */
	const char *why;	/* socket-paths: why it refused ("..", no glob, ...) */
	enum ipcg_pol_stale stale;
	int retry_err;		/* errno of the retried bind, 0 = it succeeded */
	int unlink_err;
	bool chmod_tried;	/* socket-mode */
	int chmod_err;		/* 0 = done */
	unsigned old_mode;	/* mode before the chmod */
	struct sockaddr_storage kaddr;	/* what the real call is given, so that
					 * the check and the call see the same bytes */
};

/* bind (is_bind) or connect through the AF_UNIX policies.  *ret_addr is
 * the address to write into the call record and give the hook: the copy
 * the kernel saw when one was taken, else addr. */
int ipcg_pol_bind_connect(struct ipcg_pol_sun *o, int fd, const struct sockaddr *addr,
			  socklen_t len, bool is_bind, const struct sockaddr **ret_addr);
/* The same decisions for a call that cannot be traced (guard busy): no
 * record, the record it would have written counted as dropped.  Lock-free. */
int ipcg_pol_bind_connect_untraced(struct ipcg_pol_sun *o, int fd, const struct sockaddr *addr,
				   socklen_t len, bool is_bind);
void ipcg_pol_sun_report(const struct ipcg_pol_sun *o, uint64_t seq, bool is_bind, int fd, int ret);

#endif
