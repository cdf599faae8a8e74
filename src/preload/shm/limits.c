/* shm/limits.c: read shmmax, shmall, shmmni once at start (SHMMIN is 1). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "check/probe.h"
#include "shm/limits.h"
#include "core/real.h"

struct ipcg_limits ipcg_limits;

static uint64_t read_u64(const char *path, uint64_t fallback)
{
	char buf[32];
	uint64_t v = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fallback;
	n = read(fd, buf, sizeof(buf) - 1);
	ipcg_sys_close(fd);
	if (n <= 0 || buf[0] < '0' || buf[0] > '9')
		return fallback;
	for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(buf[i] - '0');
	return v;
}

void ipcg_limits_read_kernel(struct ipcg_limits *ret)
{
	int saved = errno;

	ret->shmmax = read_u64("/proc/sys/kernel/shmmax", 0);
	ret->shmall = read_u64("/proc/sys/kernel/shmall", 0);
	ret->shmmni = read_u64("/proc/sys/kernel/shmmni", 0);
	errno = saved;
}

void ipcg_limits_read(void)
{
	ipcg_probes->shm_limits(&ipcg_limits);
}
