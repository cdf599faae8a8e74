/* core/preload_strip.h: LD_PRELOAD without this library, for IPCGUARD_FOLLOW=0.
 * Editing the environment at start-up is not enough: bash replaces
 * setenv/unsetenv (the edit never reaches the environment it exports), and
 * a program may build its own envp.  So the exec family hands the new
 * image a copy of its envp with the library taken out. */
#ifndef IPCG_PRELOAD_STRIP_H
#define IPCG_PRELOAD_STRIP_H

#include <stdbool.h>
#include <stddef.h>

/* Remember which file this library is (device and inode), so that an
 * LD_PRELOAD entry naming it under another name is recognised too.  Call
 * once at start-up; without it only the name libipcguard.so is known. */
void ipcg_preload_strip_init(void);

/* Writes the LD_PRELOAD value v without this library's entries into out
 * (room for strlen(v) + 1 bytes always suffices): the other entries in
 * their order, joined by ':'.  Returns whether an entry was dropped. */
bool ipcg_preload_filter(const char *v, char *out);

struct ipcg_strip {
	void *map;	/* mmap'ed copy to unmap after a failed exec, or NULL */
	size_t len;	/* its length */
};

/* Bytes ipcg_preload_strip() needs for a copy of envp; 0 when no
 * LD_PRELOAD in it names this library (envp is then used as it is). */
size_t ipcg_preload_strip_size(char *const envp[]);

/* envp for the next image, need being ipcg_preload_strip_size(envp):
 * envp itself when need is 0 (or a copy cannot be made), otherwise a copy
 * with LD_PRELOAD rewritten, or left out when nothing else remains.  The
 * copy is built in buf (aligned for pointers) when it fits in cap bytes,
 * else in a fresh mapping recorded in s; no malloc (exec may run in a
 * vfork child or a signal handler).  Release with ipcg_strip_release()
 * if the exec fails. */
char *const *ipcg_preload_strip(char *const envp[], size_t need, struct ipcg_strip *s, void *buf,
				size_t cap);

void ipcg_strip_release(struct ipcg_strip *s);

#endif
