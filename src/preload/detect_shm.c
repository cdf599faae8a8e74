/* detect_shm.c: System V shared-memory finding kinds (SPEC section 4).
 * (Placeholder: the detectors land with their own change.) */
#include "events.h"

void ipcg_on_shmget(const struct ipcg_ev *e, key_t key, size_t size, int shmflg, int ret) {}
void ipcg_on_shmat(const struct ipcg_ev *e, int shmid, const void *shmaddr, int shmflg, void *ret) {}
void ipcg_on_shmdt(const struct ipcg_ev *e, const void *shmaddr, int ret) {}
void ipcg_on_shmctl(const struct ipcg_ev *e, int shmid, int cmd, int ret) {}
void ipcg_on_ftok(const struct ipcg_ev *e, const char *path, int proj_id, key_t ret) {}
