/* shm/call.h: the logic behind each System V shm hook. */
#ifndef IPCG_SHM_CALL_H
#define IPCG_SHM_CALL_H

#include <sys/ipc.h>
#include <sys/shm.h>

int ipcg_shmget(key_t key, size_t size, int shmflg);
void *ipcg_shmat(int shmid, const void *shmaddr, int shmflg);
int ipcg_shmdt(const void *shmaddr);
int ipcg_shmctl(int shmid, int cmd, struct shmid_ds *buf);
key_t ipcg_ftok(const char *pathname, int proj_id);

#endif
