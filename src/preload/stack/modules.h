/* stack/modules.h: the loaded images (executable, libraries, vdso), written as
 * `module` records with their build-ids so the reader can symbolise
 * offline.  Ids start at 1 and are never reused within a trace. */
#ifndef IPCG_MODULES_H
#define IPCG_MODULES_H

#include <stdint.h>

/* Scan the loaded images and write a record for each one not seen yet.
 * Never holds a lock across the dynamic loader; skips when another thread
 * is scanning (its records will cover ours). */
void ipcg_modules_scan(void);
/* After dlclose: images gone are forgotten, so a new image at the same
 * address gets a new id. */
void ipcg_modules_invalidate(void);
/* Map ip to (module id, offset); id 0 and offset = ip when unknown.
 * Never scans, so it may be called under other locks. */
uint32_t ipcg_modules_lookup(uintptr_t ip, uintptr_t *ret_off);
/* A rotation's checkpoint (no lock taken): the records of every image
 * known, with their ids; and the lookup of a stack interned in epoch at
 * (ipcg_modules_epoch(): dlclose calls so far), so that a stack written
 * again names the images it named the first time. */
void ipcg_modules_rewrite(void);
uint32_t ipcg_modules_epoch(void);
uint32_t ipcg_modules_lookup_at(uintptr_t ip, uint32_t at, uintptr_t *ret_off);
/* Scan once if any of ips is in no known module (call with no lock held). */
void ipcg_modules_cover(const uintptr_t *ips, int n);
/* Forget everything (fork child: new trace file, ids restart). */
void ipcg_modules_reset(void);

#endif
