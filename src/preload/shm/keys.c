/* shm/keys.c: the key memories of shm/state.h: keys whose segment was
 * removed while attached (key-reuse-after-rmid), what ftok returned
 * (ftok-collision) and the last failed ftok (invalid-key).  Small static
 * tables under their own spin lock (same rules as shm/state.c). */
#include <string.h>

#include "ipcg/compiler.h"
#include "shm/keys.h"
#include "shm/state.h"
#include "core/spin.h"

#define RMKEY_MAX 64		/* keys removed while attached; newest kept */
#define FTOK_MAX 256		/* distinct ftok keys remembered; oldest evicted */

static _Atomic int lock;
static IPCG_BULK struct ipcg_rmkey rmkeys[RMKEY_MAX];
static unsigned nrmkeys;
static IPCG_BULK struct ipcg_ftok ftoks[FTOK_MAX];
static IPCG_BULK uint32_t ftok_age[FTOK_MAX];	/* insertion order, for eviction */
static uint32_t ftok_clock;
static unsigned nftoks;
static struct ipcg_ftok ftok_failed;
static int ftok_failed_err;	/* 0: no failed ftok seen */

/* --- keys removed while attached ---------------------------------------- */

void ipcg_shm_rmkey_add(const struct ipcg_rmkey *k)
{
	unsigned i;

	ipcg_spin_lock(&lock);
	for (i = 0; i < nrmkeys && rmkeys[i].key != k->key; i++)
		;
	if (i == nrmkeys) {
		if (nrmkeys < RMKEY_MAX) {
			nrmkeys++;
		} else {	/* full: drop the oldest (slot 0) */
			memmove(rmkeys, rmkeys + 1, (RMKEY_MAX - 1) * sizeof(rmkeys[0]));
			i = RMKEY_MAX - 1;
		}
	}
	rmkeys[i] = *k;
	ipcg_spin_unlock(&lock);
}

bool ipcg_shm_rmkey_find(key_t key, struct ipcg_rmkey *ret)
{
	bool found = false;

	ipcg_spin_lock(&lock);
	for (unsigned i = 0; i < nrmkeys; i++)
		if (rmkeys[i].key == key) {
			*ret = rmkeys[i];
			found = true;
			break;
		}
	ipcg_spin_unlock(&lock);
	return found;
}

void ipcg_shm_rmkey_drop(key_t key)
{
	ipcg_spin_lock(&lock);
	for (unsigned i = 0; i < nrmkeys; i++)
		if (rmkeys[i].key == key) {
			memmove(rmkeys + i, rmkeys + i + 1, (nrmkeys - i - 1) * sizeof(rmkeys[0]));
			nrmkeys--;
			break;
		}
	ipcg_spin_unlock(&lock);
}

/* --- ftok memory -------------------------------------------------------- */

bool ipcg_shm_ftok_find(key_t key, struct ipcg_ftok *ret)
{
	bool found = false;

	ipcg_spin_lock(&lock);
	for (unsigned i = 0; i < nftoks; i++)
		if (ftoks[i].key == key) {
			*ret = ftoks[i];
			found = true;
			break;
		}
	ipcg_spin_unlock(&lock);
	return found;
}

void ipcg_shm_ftok_put(const struct ipcg_ftok *f)
{
	unsigned i, oldest = 0;

	ipcg_spin_lock(&lock);
	for (i = 0; i < nftoks && ftoks[i].key != f->key; i++)
		if (ftok_age[i] < ftok_age[oldest])
			oldest = i;
	if (i == nftoks) {
		if (nftoks < FTOK_MAX)
			nftoks++;
		else
			i = oldest;
	}
	ftoks[i] = *f;
	ftok_age[i] = ++ftok_clock;
	ipcg_spin_unlock(&lock);
}

void ipcg_shm_ftok_failed_set(const struct ipcg_ftok *f, int err)
{
	ipcg_spin_lock(&lock);
	ftok_failed = *f;
	ftok_failed_err = err;
	ipcg_spin_unlock(&lock);
}

bool ipcg_shm_ftok_failed_get(struct ipcg_ftok *ret, int *ret_err)
{
	bool found = false;

	ipcg_spin_lock(&lock);
	if (ftok_failed_err) {
		*ret = ftok_failed;
		*ret_err = ftok_failed_err;
		found = true;
	}
	ipcg_spin_unlock(&lock);
	return found;
}

void ipcg_shm_keys_stacks(uint32_t (*fn)(uint32_t id))
{
	ipcg_spin_lock(&lock);
	for (unsigned i = 0; i < nrmkeys; i++)
		rmkeys[i].stack = fn(rmkeys[i].stack);
	for (unsigned i = 0; i < nftoks; i++)
		ftoks[i].stack = fn(ftoks[i].stack);
	ftok_failed.stack = fn(ftok_failed.stack);
	ipcg_spin_unlock(&lock);
}

void ipcg_shm_keys_atfork_prepare(void)
{
	ipcg_spin_lock(&lock);
}

void ipcg_shm_keys_atfork_parent(void)
{
	ipcg_spin_unlock(&lock);
}

void ipcg_shm_keys_atfork_child(void)
{
	atomic_store(&lock, 0);
	/* seq numbers restart in the child: the parent's would mislead */
	for (unsigned i = 0; i < nrmkeys; i++)
		rmkeys[i].seq = 0;
	for (unsigned i = 0; i < nftoks; i++)
		ftoks[i].seq = 0;
	ftok_failed.seq = 0;
}
