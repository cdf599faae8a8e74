/* What the kernel says is alive now on this host: System V segments
 * (/proc/sysvipc/shm), who has them mapped (/proc/PID/maps), bound AF_UNIX
 * names (/proc/net/unix), and whether a traced process is still the one
 * running under its pid (/proc/PID/stat).  Used by `ipcguard leaks` and by
 * whatever needs to tell "running" from "killed" (docs/leaks.md). */
#ifndef IPCG_TOOLS_LIVE_H
#define IPCG_TOOLS_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One line of /proc/sysvipc/shm. */
struct ipcg_kseg {
	int64_t key;			/* as the kernel prints it (signed decimal) */
	int64_t shmid;
	unsigned mode;			/* perms column: 0777 bits plus SHM_DEST (01000) */
	uint64_t size;
	int64_t cpid, lpid;
	uint64_t nattch;
	int64_t uid, cuid;
	int64_t atime, dtime, ctime;	/* unix seconds, 0 = never */
	int64_t *users;			/* pids that have it mapped (maps scan) */
	size_t nusers;
};

/* Reads /proc/sysvipc/shm into a malloc'd array.  Returns 0 or -errno
 * (-ENOENT: no System V IPC on this kernel).  Malformed lines are skipped. */
int ipcg_live_segments(struct ipcg_kseg **ret, size_t *ret_n);
/* Fills each segment's users from /proc/[0-9]* /maps ("/SYSV" mappings whose
 * inode is the shmid).  Processes we may not read are skipped: the kernel's
 * nattch stays the authority. */
void ipcg_live_segment_users(struct ipcg_kseg *segs, size_t n);
void ipcg_live_segments_free(struct ipcg_kseg *segs, size_t n);

enum ipcg_pstate {
	IPCG_PROC_GONE,			/* no such pid */
	IPCG_PROC_ZOMBIE,		/* dead, not yet reaped */
	IPCG_PROC_RUNNING,		/* the same process: started no later than its trace */
	IPCG_PROC_REUSED,		/* the pid belongs to a process started after the trace */
	IPCG_PROC_UNKNOWN,		/* could not tell (no /proc, no start time) */
};

/* State of the process that wrote a trace starting at start_realtime_ns
 * (0 = unknown) under pid on this host. */
enum ipcg_pstate ipcg_live_proc(int64_t pid, uint64_t start_realtime_ns);
const char *ipcg_pstate_name(enum ipcg_pstate s);

/* Bound AF_UNIX path names (not abstract) from /proc/net/unix of this
 * network namespace; listening[i] is true when one socket bound to it listens
 * (or, for datagram sockets, is bound at all). */
struct ipcg_knames {
	char **path;
	bool *listening;
	size_t n;
};
int ipcg_live_unix_names(struct ipcg_knames *ret);
/* 1: a socket bound to path listens, 0: bound but not listening, -1: no socket
 * bound to that name. */
int ipcg_live_unix_state(const struct ipcg_knames *k, const char *path);
void ipcg_live_unix_names_free(struct ipcg_knames *k);

/* Local host name as the library records it (uname nodename), or "". */
const char *ipcg_live_host(void);

#endif
