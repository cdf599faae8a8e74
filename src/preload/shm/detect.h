/* shm/detect.h: helpers shared by the System V shared-memory detectors
 * (shm/detect.c: shmget; shm/detect_ftok.c: ftok; shm/detect_attach.c: shmat, shmdt, shmctl). */
#ifndef IPCG_DETECT_SHM_H
#define IPCG_DETECT_SHM_H

#include <stdbool.h>
#include <sys/shm.h>

#include "check/detect.h"
#include "check/probe.h"
#include "shm/state.h"

/* IPC_STAT through the shm_stat probe: 0 or -errno (errno preserved). */
static inline int ipcg_shm_stat(int shmid, struct shmid_ds *ds)
{
	return ipcg_probes->shm_stat(shmid, ds);
}
/* What this process knows about shmid; learnt with IPC_STAT (and
 * remembered) the first time the id is seen.  false when unknown and
 * IPC_STAT failed. */
bool ipcg_shm_learn(int shmid, key_t key_hint, const struct ipcg_ev *e, struct ipcg_seg *ret);
/* "shmid 5 (key 0x0001e240, 4096 bytes)" */
void ipcg_msg_seg(struct ipcg_msg *m, const struct ipcg_seg *s);
/* shmid, and key when one is known */
void ipcg_fact_seg(struct ipcg_jw *w, const struct ipcg_seg *s);

#endif
