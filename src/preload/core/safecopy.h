/* core/safecopy.h: read caller memory that may be unmapped, without faulting. */
#ifndef IPCG_SAFECOPY_H
#define IPCG_SAFECOPY_H

#include <stdbool.h>
#include <stddef.h>

/* Copy n bytes from src: 0; -EFAULT when some are unreadable; -EAGAIN
 * when it could not be told (process_vm_readv refused and the fallback
 * busy or failing).  dst is undefined unless 0.  errno is preserved. */
int ipcg_safe_copy(void *dst, const void *src, size_t n);
/* The same, true only when copied. */
bool ipcg_safe_read(void *dst, const void *src, size_t n);

#endif
