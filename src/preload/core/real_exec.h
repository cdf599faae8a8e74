/* core/real_exec.h: the real exec family, resolved on first use (rare calls,
 * kept out of the hot real-function table). */
#ifndef IPCG_REAL_EXEC_H
#define IPCG_REAL_EXEC_H

struct ipcg_real_exec {
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execv)(const char *, char *const[]);
	int (*execvp)(const char *, char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
};

const struct ipcg_real_exec *ipcg_real_exec(void);

#endif
