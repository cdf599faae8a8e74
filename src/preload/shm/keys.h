/* shm/keys.h: what this process remembers about keys (shm/keys.c): keys
 * whose segment was removed while attached, and ftok results. */
#ifndef IPCG_SHM_KEYS_H
#define IPCG_SHM_KEYS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/types.h>

/* A key whose segment was removed (IPC_RMID) while still attached: the
 * next shmget of the key gets a different segment.  Bounded ring. */
struct ipcg_rmkey {
	key_t key;
	int shmid;		/* the removed segment */
	uint32_t nattch;	/* system-wide attaches when it was removed */
	uint64_t seq;		/* the IPC_RMID call */
	uint32_t stack;
};

/* What ftok returned, for ftok-collision.  Bounded, oldest evicted. */
#define IPCG_FTOK_PATH 256	/* bytes of the pathname kept (as in the call record) */
struct ipcg_ftok {
	key_t key;
	int proj_id;
	dev_t dev;		/* identity of the file (st_dev, st_ino) */
	ino_t ino;
	uint64_t seq;
	uint32_t stack;
	char path[IPCG_FTOK_PATH];	/* NUL-terminated, cut at IPCG_FTOK_PATH - 1 */
};

/* --- keys removed while attached ---------------------------------------- */

void ipcg_shm_rmkey_add(const struct ipcg_rmkey *k);
bool ipcg_shm_rmkey_find(key_t key, struct ipcg_rmkey *ret);
void ipcg_shm_rmkey_drop(key_t key);

/* --- ftok memory -------------------------------------------------------- */

/* The remembered ftok result for key, if any. */
bool ipcg_shm_ftok_find(key_t key, struct ipcg_ftok *ret);
/* Remember (replaces the entry of the same key; evicts the oldest). */
void ipcg_shm_ftok_put(const struct ipcg_ftok *f);
/* The last ftok that failed in this process (for invalid-key). */
void ipcg_shm_ftok_failed_set(const struct ipcg_ftok *f, int err);
bool ipcg_shm_ftok_failed_get(struct ipcg_ftok *ret, int *ret_err);

/* fork and stack hooks, for shm/state.c */

void ipcg_shm_keys_stacks(uint32_t (*fn)(uint32_t id));
void ipcg_shm_keys_atfork_prepare(void);
void ipcg_shm_keys_atfork_parent(void);
void ipcg_shm_keys_atfork_child(void);

#endif
