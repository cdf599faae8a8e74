/* shm/keys.h: fork and stack hooks of shm/keys.c, for shm/state.c (the
 * key memories themselves are declared in shm/state.h). */
#ifndef IPCG_SHM_KEYS_H
#define IPCG_SHM_KEYS_H

#include <stdint.h>

void ipcg_shm_keys_stacks(uint32_t (*fn)(uint32_t id));
void ipcg_shm_keys_atfork_prepare(void);
void ipcg_shm_keys_atfork_parent(void);
void ipcg_shm_keys_atfork_child(void);

#endif
