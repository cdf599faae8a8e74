/* shm/maps.h: what /proc/self/maps says about System V shm attaches,
 * for the policies that must not trust the state tables: an attach can
 * end without ipcguard seeing it (munmap, syscall(SYS_shmdt), a shmdt
 * from a signal handler while the guard was busy), and a call made while
 * the guard is busy cannot take the tables' locks.
 *
 * Lock-free and malloc-free (open, read, close on a stack buffer): safe
 * in a signal handler.  A shm mapping shows as "/SYSV<key> (deleted)"
 * with the shmid as its inode. */
#ifndef IPCG_POLICY_MAPS_H
#define IPCG_POLICY_MAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Is [addr, addr + size) an attach of shmid now (a shm mapping of that
 * inode starting at addr and covering size bytes; size 0: just the
 * start)?  false when it is not, or when maps cannot be read. */
bool ipcg_pol_maps_is_attach(uintptr_t addr, uint64_t size, int shmid);

/* Attaches of System V segments in this process: of shmid only (shmid
 * >= 0), or of every segment (shmid < 0).  Adjacent lines of one inode
 * count once (mprotect splits a mapping).  -1 when maps cannot be read. */
int ipcg_pol_maps_count(int shmid);

#endif
