/* xlat.c: symbolic names for flags, commands, families and errno values,
 * spelled exactly as strace prints them (as in the strace xlat tables). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>

#include "ipcg/compiler.h"
#include "ipcg/jsonw.h"
#include "ipcg/xlat.h"

#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif
#ifndef SHM_NORESERVE
#define SHM_NORESERVE 010000
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#define IPCG_IPC_64 0x0100	/* the kernel's IPC_64 command bit */

static const struct ipcg_xlat shmget_flags[] = {
	{ IPC_CREAT, "IPC_CREAT" },
	{ IPC_EXCL, "IPC_EXCL" },
	{ SHM_HUGETLB, "SHM_HUGETLB" },
	{ SHM_NORESERVE, "SHM_NORESERVE" },
	{ 0, NULL },
};

static const struct ipcg_xlat shm_huge_sizes[] = {	/* value << 26 */
	{ 16, "SHM_HUGE_64KB" }, { 19, "SHM_HUGE_512KB" }, { 20, "SHM_HUGE_1MB" },
	{ 21, "SHM_HUGE_2MB" }, { 23, "SHM_HUGE_8MB" }, { 24, "SHM_HUGE_16MB" },
	{ 25, "SHM_HUGE_32MB" }, { 28, "SHM_HUGE_256MB" }, { 29, "SHM_HUGE_512MB" },
	{ 30, "SHM_HUGE_1GB" }, { 31, "SHM_HUGE_2GB" }, { 34, "SHM_HUGE_16GB" },
	{ 0, NULL },
};

static const struct ipcg_xlat shmat_flags[] = {
	{ SHM_RDONLY, "SHM_RDONLY" },
	{ SHM_RND, "SHM_RND" },
	{ SHM_REMAP, "SHM_REMAP" },
	{ SHM_EXEC, "SHM_EXEC" },
	{ 0, NULL },
};

static const struct ipcg_xlat shmctl_cmds[] = {
	{ IPC_RMID, "IPC_RMID" }, { IPC_SET, "IPC_SET" }, { IPC_STAT, "IPC_STAT" },
	{ IPC_INFO, "IPC_INFO" }, { SHM_LOCK, "SHM_LOCK" }, { SHM_UNLOCK, "SHM_UNLOCK" },
	{ SHM_STAT, "SHM_STAT" }, { SHM_INFO, "SHM_INFO" }, { SHM_STAT_ANY, "SHM_STAT_ANY" },
	{ 0, NULL },
};

static const struct ipcg_xlat families[] = {
	{ AF_UNSPEC, "AF_UNSPEC" }, { AF_UNIX, "AF_UNIX" }, { AF_INET, "AF_INET" },
	{ AF_AX25, "AF_AX25" }, { AF_IPX, "AF_IPX" }, { AF_APPLETALK, "AF_APPLETALK" },
	{ AF_INET6, "AF_INET6" }, { AF_KEY, "AF_KEY" }, { AF_NETLINK, "AF_NETLINK" },
	{ AF_PACKET, "AF_PACKET" }, { AF_RDS, "AF_RDS" }, { AF_IRDA, "AF_IRDA" },
	{ AF_CAN, "AF_CAN" }, { AF_TIPC, "AF_TIPC" }, { AF_BLUETOOTH, "AF_BLUETOOTH" },
	{ AF_ALG, "AF_ALG" }, { AF_VSOCK, "AF_VSOCK" }, { AF_XDP, "AF_XDP" },
	{ 0, NULL },
};

static const struct ipcg_xlat socktypes[] = {
	{ SOCK_STREAM, "SOCK_STREAM" }, { SOCK_DGRAM, "SOCK_DGRAM" },
	{ SOCK_RAW, "SOCK_RAW" }, { SOCK_RDM, "SOCK_RDM" },
	{ SOCK_SEQPACKET, "SOCK_SEQPACKET" }, { SOCK_DCCP, "SOCK_DCCP" },
	{ SOCK_PACKET, "SOCK_PACKET" },
	{ 0, NULL },
};

static const struct ipcg_xlat sock_flags[] = {
	{ SOCK_CLOEXEC, "SOCK_CLOEXEC" },
	{ SOCK_NONBLOCK, "SOCK_NONBLOCK" },
	{ 0, NULL },
};

static const char *lookup(const struct ipcg_xlat *t, uint64_t v)
{
	for (; t->name; t++)
		if (t->val == v)
			return t->name;
	return NULL;
}

/* Append "|name" for each set flag; returns the bits no entry named. */
static uint64_t flags(char *out, size_t cap, size_t *len, const struct ipcg_xlat *t,
		      uint64_t v)
{
	for (; t->name; t++) {
		if (t->val && (v & t->val) == t->val) {
			if (*len)
				*len = ipcg_txt(out, cap, *len, "|");
			*len = ipcg_txt(out, cap, *len, t->name);
			v &= ~t->val;
		}
	}
	return v;
}

static void append_hex(char *out, size_t cap, size_t *len, uint64_t v)
{
	if (*len)
		*len = ipcg_txt(out, cap, *len, "|");
	*len = ipcg_txt_hex(out, cap, *len, v);
}

static void append_octal(char *out, size_t cap, size_t *len, unsigned mode)
{
	char tmp[8];
	int n = 0;

	tmp[n++] = '0';
	for (int shift = 6; shift >= 0 && mode; shift -= 3)
		if (mode >> shift || n > 1)
			tmp[n++] = (char)('0' + ((mode >> shift) & 7));
	tmp[n] = '\0';
	if (*len)
		*len = ipcg_txt(out, cap, *len, "|");
	*len = ipcg_txt(out, cap, *len, tmp);
}

static void fmt_shmflg(char *out, size_t cap, int flg)
{
	size_t len = 0;
	uint64_t v = (unsigned)flg;
	unsigned mode = (unsigned)flg & 0777;

	out[0] = '\0';
	v &= ~(uint64_t)0777;
	v = flags(out, cap, &len, shmget_flags, v);
	uint64_t huge = (v >> 26) & 0x3f;
	const char *hn = huge ? lookup(shm_huge_sizes, huge) : NULL;
	if (hn) {
		len = ipcg_txt(out, cap, len, len ? "|" : "");
		len = ipcg_txt(out, cap, len, hn);
		v &= ~((uint64_t)0x3f << 26);
	}
	if (v)
		append_hex(out, cap, &len, v);
	if (mode || !len)
		append_octal(out, cap, &len, mode);
}

static void xlat_flags_or_zero(char *out, size_t cap, const struct ipcg_xlat *t, uint64_t v)
{
	size_t len = 0;

	out[0] = '\0';
	v = flags(out, cap, &len, t, v);
	if (v)
		append_hex(out, cap, &len, v);
	if (!len)
		ipcg_txt(out, cap, 0, "0");
}

static void fmt_shmat_flags(char *out, size_t cap, int flg)
{
	xlat_flags_or_zero(out, cap, shmat_flags, (unsigned)flg);
}

static void fmt_sock_flags(char *out, size_t cap, int flg)
{
	xlat_flags_or_zero(out, cap, sock_flags, (unsigned)flg);
}

static void fmt_shmctl_cmd(char *out, size_t cap, int cmd)
{
	size_t len = 0;
	unsigned v = (unsigned)cmd;
	const char *n;

	out[0] = '\0';
	if (v & IPCG_IPC_64) {
		len = ipcg_txt(out, cap, len, "IPC_64");
		v &= ~IPCG_IPC_64;
	}
	n = lookup(shmctl_cmds, v);
	if (n) {
		len = ipcg_txt(out, cap, len, len ? "|" : "");
		ipcg_txt(out, cap, len, n);
	} else {
		append_hex(out, cap, &len, v);
	}
}

static void fmt_family(char *out, size_t cap, int family)
{
	const char *n = lookup(families, (unsigned)family);

	if (n)
		ipcg_txt(out, cap, 0, n);
	else
		ipcg_txt_i64(out, cap, 0, family);
}

static void fmt_socktype(char *out, size_t cap, int type)
{
	unsigned v = (unsigned)type;
	unsigned base = v & 0xf;
	size_t len = 0;
	const char *n = lookup(socktypes, base);

	out[0] = '\0';
	if (n) {
		len = ipcg_txt(out, cap, len, n);
		v &= ~0xfu;
	}
	v = (unsigned)flags(out, cap, &len, sock_flags, v);
	if (v || !len)
		append_hex(out, cap, &len, v);
}

/* Every traced call formats its flags, and a program passes the same few
 * values over and over: each formatter remembers, per thread, the last
 * value and its text.  A signal handler's traced call may run in the
 * middle of an update only if the interrupted code was not in here (our
 * hooks pass through while the thread is inside ipcguard). */
struct memo {
	int in;			/* the value formatted */
	bool valid;
	char out[IPCG_XLAT_BUF];
};

#define MEMOIZED(name, arg)								\
	void ipcg_xlat_##name(char *out, size_t cap, int arg)				\
	{										\
		static IPCG_TLS struct memo m;						\
											\
		if (cap >= IPCG_XLAT_BUF && m.valid && m.in == arg) {			\
			memcpy(out, m.out, IPCG_XLAT_BUF);				\
			return;								\
		}									\
		fmt_##name(out, cap, arg);						\
		if (cap >= IPCG_XLAT_BUF) {						\
			memcpy(m.out, out, IPCG_XLAT_BUF);				\
			m.in = arg;							\
			m.valid = true;							\
		}									\
	}

MEMOIZED(shmflg, flg)
MEMOIZED(shmat_flags, flg)
MEMOIZED(sock_flags, flg)
MEMOIZED(shmctl_cmd, cmd)
MEMOIZED(family, family)
MEMOIZED(socktype, type)

const char *ipcg_errno_name(int err)
{
	if (err <= 0)
		return NULL;
	return strerrorname_np(err);
}

int ipcg_errno_from_name(const char *name)
{
	for (int e = 1; e < 256; e++) {
		const char *n = strerrorname_np(e);
		if (n && strcmp(n, name) == 0)
			return e;
	}
	return 0;
}
