/* hooks/process.c: the exported process-level entry points and our
 * constructor and destructor; one line each (core/entry.h). */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/entry.h"
#include "ipcg/compiler.h"

/* glibc calls constructors with the image's argc, argv and envp */
__attribute__((constructor)) static void ipcg_ctor(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)envp;
	ipcg_start(argv);
}
__attribute__((destructor)) static void ipcg_dtor(void) { ipcg_exit_at_dtor(); }

IPCG_EXPORT int __libc_start_main(ipcg_main_fn main, int argc, char **argv, void (*init_fn)(void),
				  void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	return ipcg_libc_start_main(main, argc, argv, init_fn, fini, rtld_fini, stack_end);
}

IPCG_EXPORT void exit(int status) { ipcg_exit(status); }
IPCG_EXPORT void _exit(int status) { ipcg__exit(status); }
IPCG_EXPORT void _Exit(int status) { ipcg__Exit(status); }
IPCG_EXPORT pid_t fork(void) { return ipcg_fork(); }
IPCG_EXPORT void *dlopen(const char *file, int mode) { return ipcg_dlopen(file, mode); }
IPCG_EXPORT int dlclose(void *handle) { return ipcg_dlclose(handle); }
