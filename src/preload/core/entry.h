/* core/entry.h: the process-level entry points behind the exported
 * __libc_start_main, exit, _exit, _Exit, fork, dlopen and dlclose and our
 * constructor and destructor (hooks/process.c: one line each).  Kept out
 * of hooks/ so that a unit test can link everything else: a test binary
 * then neither starts tracing in its constructor nor has its exit() and
 * fork() replaced. */
#ifndef IPCG_ENTRY_H
#define IPCG_ENTRY_H

#include <sys/types.h>

typedef int (*ipcg_main_fn)(int, char **, char **);

/* The constructor: start-up unless a hook already ran it.  argv is what
 * glibc gives constructors (the image's arguments; NULL when unknown). */
void ipcg_start(char *const *argv);
/* The destructor: the exit sequence with the status exit() claimed. */
void ipcg_exit_at_dtor(void);

int ipcg_libc_start_main(ipcg_main_fn main, int argc, char **argv, void (*init_fn)(void),
			 void (*fini)(void), void (*rtld_fini)(void), void *stack_end);
__attribute__((noreturn)) void ipcg_exit(int status);
__attribute__((noreturn)) void ipcg__exit(int status);
__attribute__((noreturn)) void ipcg__Exit(int status);
pid_t ipcg_fork(void);
void *ipcg_dlopen(const char *file, int mode);
int ipcg_dlclose(void *handle);

#endif
