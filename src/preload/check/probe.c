/* check/probe.c: the kernel's answers to the probes of check/probe.h.  The
 * unix probes live in unix/probe.c, /proc/self/maps in shm/maps.c, the
 * shm limits in shm/limits.c; the rest are one system call each. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "check/probe.h"
#include "core/real.h"
#include "shm/maps.h"

static int shm_lookup(key_t key)
{
	int saved = errno;
	int ret = REAL(shmget)(key, 0, 0);

	ret = ret >= 0 ? ret : -errno;
	errno = saved;
	return ret;
}

static int shm_stat(int shmid, struct shmid_ds *ret)
{
	int saved = errno;
	int r = REAL(shmctl)(shmid, IPC_STAT, ret) == 0 ? 0 : -errno;

	errno = saved;
	return r;
}

static int shm_info(struct shm_info *ret)
{
	int saved = errno;
	int r = REAL(shmctl)(0, SHM_INFO, (struct shmid_ds *)ret) >= 0 ? 0 : -errno;

	errno = saved;
	return r;
}

static int do_stat(const char *path, struct stat *ret)
{
	int saved = errno;
	int r = stat(path, ret) == 0 ? 0 : -errno;

	errno = saved;
	return r;
}

static int do_lstat(const char *path, struct stat *ret)
{
	int saved = errno;
	int r = lstat(path, ret) == 0 ? 0 : -errno;

	errno = saved;
	return r;
}

static int search(const char *path)
{
	int saved = errno;
	int r = faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0 ? 0 : -errno;

	errno = saved;
	return r;
}

static bool pid_alive(pid_t pid)
{
	int saved = errno;
	bool r = kill(pid, 0) == 0 || errno == EPERM;

	errno = saved;
	return r;
}

const struct ipcg_probes ipcg_probes_kernel = {
	.shm_lookup = shm_lookup,
	.shm_stat = shm_stat,
	.shm_info = shm_info,
	.shm_limits = ipcg_limits_read_kernel,
	.maps_is_attach = ipcg_pol_maps_is_attach,
	.maps_count = ipcg_pol_maps_count,
	.stat = do_stat,
	.lstat = do_lstat,
	.search = search,
	.unix_path = ipcg_unix_probe,
	.unix_abstract = ipcg_unix_probe_abstract,
	.unix_file_id = ipcg_unix_file_id,
	.pid_alive = pid_alive,
};

const struct ipcg_probes *ipcg_probes = &ipcg_probes_kernel;
