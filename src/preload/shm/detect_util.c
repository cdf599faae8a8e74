/* shm/detect_util.c: helpers of shm/detect.h. */
#include <string.h>

#include "shm/detect.h"

bool ipcg_shm_learn(int shmid, key_t key_hint, const struct ipcg_ev *e, struct ipcg_seg *ret)
{
	struct shmid_ds ds;

	if (ipcg_shm_seg_get(shmid, ret))
		return true;
	if (ipcg_shm_stat(shmid, &ds) < 0)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->shmid = shmid;
	/* a removed segment reports key 0: keep the key we were given */
	ret->key = ds.shm_perm.__key != IPC_PRIVATE ? ds.shm_perm.__key : key_hint;
	/* IPC_PRIVATE is a real key unless IPC_RMID reset it (SHM_DEST) */
	ret->key_known = ret->key != IPC_PRIVATE || !(ds.shm_perm.mode & SHM_DEST);
	ret->size = ds.shm_segsz;
	ret->mode = ds.shm_perm.mode & 0777;
	ret->cpid = ds.shm_cpid;
	ret->create_seq = e ? e->seq : 0;
	ret->create_stack = e ? e->stack : 0;
	(void)ipcg_shm_seg_put(ret);
	return true;
}

void ipcg_msg_seg(struct ipcg_msg *m, const struct ipcg_seg *s)
{
	ipcg_msg_s(m, "shmid ");
	ipcg_msg_i(m, s->shmid);
	if (s->key_known || s->size) {
		ipcg_msg_s(m, " (");
		if (s->key_known) {
			ipcg_msg_s(m, "key ");
			ipcg_msg_key(m, s->key);
		}
		if (s->size) {
			ipcg_msg_s(m, s->key_known ? ", " : "");
			ipcg_msg_u(m, s->size);
			ipcg_msg_s(m, " bytes");
		}
		ipcg_msg_s(m, ")");
	}
}

void ipcg_fact_seg(struct ipcg_jw *w, const struct ipcg_seg *s)
{
	ipcg_jw_ki64(w, "shmid", s->shmid);
	if (s->key_known)
		ipcg_fact_key(w, "key", s->key);
}
