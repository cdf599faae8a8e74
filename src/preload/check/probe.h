/* check/probe.h: everything the detectors, and the policies' decisions,
 * ask the kernel, behind one table of function pointers.
 *
 * The library uses ipcg_probes_kernel (check/probe.c: the real calls); a
 * unit test (tests/unit/) points ipcg_probes at a scripted table and
 * drives the detectors' hooks (check/events.h) without a preload.  Only
 * the probes go through here: the operations a policy performs for the
 * program (its shmget, bind, IPC_RMID, unlink) stay REAL() calls, and so
 * does the call layer.  Probes are taken on rare paths (errors, the first
 * sight of a segment, bind, listen, exit), so the indirect call costs the
 * hot path nothing.
 *
 * Every entry preserves errno; a failure is a -errno return value. */
#ifndef IPCG_PROBE_H
#define IPCG_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "shm/limits.h"
#include "unix/state.h"

struct ipcg_probes {
	/* shmget(key, 0, 0): the id of the segment that has key now, or -errno */
	int (*shm_lookup)(key_t key);
	/* shmctl(shmid, IPC_STAT, ret): 0 or -errno */
	int (*shm_stat)(int shmid, struct shmid_ds *ret);
	/* shmctl(0, SHM_INFO, ret): 0 or -errno */
	int (*shm_info)(struct shm_info *ret);
	/* shmmax, shmall, shmmni from /proc/sys/kernel (0 where unreadable) */
	void (*shm_limits)(struct ipcg_limits *ret);
	/* /proc/self/maps: is [addr, addr + size) an attach of shmid now?
	 * How many attaches of shmid (of every segment when < 0), -1 when
	 * maps cannot be read (shm/maps.h) */
	bool (*maps_is_attach)(uintptr_t addr, uint64_t size, int shmid);
	int (*maps_count)(int shmid);
	/* stat(2) and lstat(2): 0 or -errno */
	int (*stat)(const char *path, struct stat *ret);
	int (*lstat)(const char *path, struct stat *ret);
	/* faccessat(path, X_OK, AT_EACCESS): 0 or -errno */
	int (*search)(const char *path);
	/* what is behind a socket path, an abstract name (unix/state.h) */
	enum ipcg_probe (*unix_path)(const char *path);
	enum ipcg_probe (*unix_abstract)(const char *name, size_t n);
	/* identity of the socket file at path: 0, -ENOTSOCK or -errno */
	int (*unix_file_id)(const char *path, dev_t *ret_dev, ino_t *ret_ino,
			    uint64_t *ret_btime_ns);
	/* kill(pid, 0) succeeds or fails with EPERM: the process exists */
	bool (*pid_alive)(pid_t pid);
};

extern const struct ipcg_probes ipcg_probes_kernel;	/* the real calls */
extern const struct ipcg_probes *ipcg_probes;		/* in use: &ipcg_probes_kernel */

#endif
