/* unwind.h: raw return addresses from libunwind, loaded privately. */
#ifndef IPCG_UNWIND_H
#define IPCG_UNWIND_H

#include <stdint.h>

/* Load libunwind (RTLD_LOCAL, so its _Unwind_* never replace libgcc's for
 * C++ exceptions) and warm it up: its first backtrace maps memory and opens
 * descriptors, which must happen now and not mid-run.  0 or -1. */
int ipcg_unwind_init(void);
/* ipcguard's own frames above the caller's, at most */
#define IPCG_UNWIND_SKIP 8
extern int (*ipcg_unw_backtrace)(void **, int);	/* NULL: no libunwind */
/* Drop ipcguard's and libunwind's own frames and a null tail from the n
 * addresses unw_backtrace left in ips; returns how many remain. */
int ipcg_unwind_trim(uintptr_t *ips, int n);
/* Fill ips (cap entries) with the caller's frames, innermost first,
 * ipcguard's and libunwind's own frames removed: at most
 * cap - IPCG_UNWIND_SKIP of them are the caller's.  Returns the count.
 * Inline, so that the walk does not start in a frame of ours more. */
static inline int ipcg_unwind_capture(uintptr_t *ips, int cap)
{
	if (!ipcg_unw_backtrace || cap <= 0)
		return 0;
	return ipcg_unwind_trim(ips, ipcg_unw_backtrace((void **)ips, cap));
}
/* After dlclose: forget cached unwind info for unmapped code. */
void ipcg_unwind_flush(void);

#endif
