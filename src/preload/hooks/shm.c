/* hooks/shm.c: the exported System V shm entry points; one line each. */
#include "core/callsite.h"
#include "ipcg/compiler.h"
#include "shm/call.h"

IPCG_EXPORT int shmget(key_t key, size_t size, int shmflg) { return IPCG_AT_SITE(ipcg_shmget(key, size, shmflg)); }
IPCG_EXPORT void *shmat(int shmid, const void *shmaddr, int shmflg) { return IPCG_AT_SITE(ipcg_shmat(shmid, shmaddr, shmflg)); }
IPCG_EXPORT int shmdt(const void *shmaddr) { return IPCG_AT_SITE(ipcg_shmdt(shmaddr)); }
IPCG_EXPORT int shmctl(int shmid, int cmd, struct shmid_ds *buf) { return IPCG_AT_SITE(ipcg_shmctl(shmid, cmd, buf)); }
IPCG_EXPORT key_t ftok(const char *pathname, int proj_id) { return IPCG_AT_SITE(ipcg_ftok(pathname, proj_id)); }
