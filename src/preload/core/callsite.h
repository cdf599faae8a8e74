/* core/callsite.h: where the program called us, kept for the stack cache.
 *
 * Each exported hook notes its return address (the program's IP) and its
 * CFA (the program's SP after the call returns) in thread-local storage
 * for the duration of the call, and puts back what was there: a signal
 * handler that makes a traced call inside another one restores the outer
 * call's site when it returns. */
#ifndef IPCG_CALLSITE_H
#define IPCG_CALLSITE_H

#include <stdint.h>

#include "ipcg/compiler.h"

struct ipcg_site {
	uintptr_t ra;		/* 0: no hook of ours is running */
	uintptr_t cfa;
};
extern IPCG_TLS struct ipcg_site ipcg_tls_site;

/* In an exported hook: evaluate expr (the call into ipcguard) with this
 * hook's site noted.  Keeps the hook from being a tail call, which the
 * site needs (the frame must exist while the call runs). */
#define IPCG_AT_SITE(expr)                                                         \
	({                                                                         \
		struct ipcg_site site_saved_ = ipcg_tls_site;                      \
		ipcg_tls_site.ra = (uintptr_t)__builtin_return_address(0);        \
		ipcg_tls_site.cfa = (uintptr_t)__builtin_dwarf_cfa();             \
		__typeof__(expr) site_ret_ = (expr);                               \
		ipcg_tls_site = site_saved_;                                       \
		site_ret_;                                                         \
	})

#endif
