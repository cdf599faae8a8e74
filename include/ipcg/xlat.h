/* xlat: value <-> name tables, spelled as strace prints them, used by
 * the library to write flags, commands and errno names into the trace
 * (and by tests/unit to read errno names back).  The reader never needs
 * them: it prints the names the trace holds (and `ipcguard events` asks
 * glibc, tools/out.c, for an errno's description).  All formatters write a
 * NUL-terminated string into out (cap bytes, 64 is always enough) and
 * never allocate. */
#ifndef IPCG_XLAT_H
#define IPCG_XLAT_H

#include <stddef.h>
#include <stdint.h>

struct ipcg_xlat {
	uint64_t val;
	const char *name;
};

#define IPCG_XLAT_BUF 96	/* fits the longest flag combination we print */

void ipcg_xlat_shmflg(char *out, size_t cap, int flg);		/* IPC_CREAT|IPC_EXCL|0600 */
void ipcg_xlat_shmat_flags(char *out, size_t cap, int flg);	/* SHM_RDONLY|SHM_RND */
void ipcg_xlat_shmctl_cmd(char *out, size_t cap, int cmd);	/* IPC_RMID */
void ipcg_xlat_family(char *out, size_t cap, int family);	/* AF_UNIX */
void ipcg_xlat_socktype(char *out, size_t cap, int type);	/* SOCK_STREAM|SOCK_CLOEXEC */
void ipcg_xlat_sock_flags(char *out, size_t cap, int flags);	/* SOCK_CLOEXEC|SOCK_NONBLOCK */
/* "EINVAL" for EINVAL, NULL for 0 or an unknown value */
const char *ipcg_errno_name(int err);
/* EINVAL for "EINVAL", 0 when unknown */
int ipcg_errno_from_name(const char *name);

#endif
