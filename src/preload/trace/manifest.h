/* trace/manifest.h: `ipcguard run` lists the traces its program tree wrote
 * (every part of each) from the file IPCGUARD_RUN_MANIFEST names. */
#ifndef IPCG_MANIFEST_H
#define IPCG_MANIFEST_H

/* Read IPCGUARD_RUN_MANIFEST once (init: getenv is not called later,
 * from a rotation that may run in a signal handler). */
void ipcg_manifest_init(void);
/* Append path; async-signal-safe. */
void ipcg_manifest_note(const char *path);

#endif
