/* shm/limits.h: System V shm limits, read once from /proc/sys/kernel. */
#ifndef IPCG_LIMITS_H
#define IPCG_LIMITS_H

#include <stdint.h>

struct ipcg_limits {
	uint64_t shmmax;	/* largest segment, bytes */
	uint64_t shmall;	/* all segments, pages */
	uint64_t shmmni;	/* number of segments */
};

extern struct ipcg_limits ipcg_limits;
/* Refresh ipcg_limits through the shm_limits probe (check/probe.h). */
void ipcg_limits_read(void);
/* The kernel's values, for the probe table; errno preserved. */
void ipcg_limits_read_kernel(struct ipcg_limits *ret);

#endif
