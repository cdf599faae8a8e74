/* safecopy.h: read caller memory that may be unmapped, without faulting. */
#ifndef IPCG_SAFECOPY_H
#define IPCG_SAFECOPY_H

#include <stdbool.h>
#include <stddef.h>

/* Copy n bytes from src; false (and nothing copied) when any is unreadable. */
bool ipcg_safe_read(void *dst, const void *src, size_t n);

#endif
