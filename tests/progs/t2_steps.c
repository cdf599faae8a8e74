/* t2_steps.c: runs the steps named on its command line, in order, and
 * prints what each one observed.  The shell tests compose it into the
 * scenarios they need (output paths, fork, exec, SIGKILL, fd numbers).
 *
 *	main			print "main ran" (shows the constructor let main run)
 *	shm			shmget IPC_PRIVATE + IPC_RMID (2 calls)
 *	sock			socket(AF_UNIX) + close (2 calls)
 *	calls=N			N intercepted calls (shmget/shmctl IPC_RMID pairs, then one more)
 *	open			open /dev/null, print the descriptor number
 *	pipe			pipe(), print both numbers
 *	chdir=DIR		chdir
 *	fork			fork; the child runs "shm sock" and exits 0; the parent waits
 *	forkopen		fork; the child makes a call, opens /dev/null and prints
 *				the descriptor; the parent waits
 *	dlopen=PATH		dlopen PATH and call its t2_dl_calls() (4 calls)
 *	dlclose			dlclose the last library dlopened
 *	deep=N			shm from N nested calls deep
 *	vforkexec=PATH		vfork; the child execs PATH (no arguments); wait
 *	vforkexit		vfork; the child _exits at once with 3; wait
 *	Forkexec=PATH		_Fork (no atfork handlers); the child execs PATH; wait
 *	env			print LD_PRELOAD
 *	spawn=PATH		posix_spawn PATH (no arguments) and wait
 *	exec=PATH ARG...	execv PATH with the remaining arguments (last step)
 *	kill			SIGKILL ourselves
 *	exit=N, _exit=N		end the process that way
 *	pid			print our pid
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int calls;	/* intercepted calls made by this process */
static void *dl;	/* the last library dlopened */

static void shm_pair(void)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0) {
		printf("shmget failed: %s\n", strerror(errno));
		exit(1);
	}
	shmctl(id, IPC_RMID, NULL);
	calls += 2;
}

static void sock_pair(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0) {
		printf("socket failed: %s\n", strerror(errno));
		exit(1);
	}
	close(s);
	calls += 2;
}

/* recursion the compiler cannot fold into a loop */
__attribute__((noinline)) static int deep(int n)
{
	if (n <= 0) {
		shm_pair();
		return 0;
	}
	int r = deep(n - 1);
	__asm__ volatile("" ::: "memory");
	return r + 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "main") == 0) {
			printf("main ran\n");
		} else if (strcmp(a, "shm") == 0) {
			shm_pair();
		} else if (strcmp(a, "sock") == 0) {
			sock_pair();
		} else if (strncmp(a, "calls=", 6) == 0) {
			int n = atoi(a + 6);
			for (int k = 0; k + 1 < n; k += 2)
				shm_pair();
			if (n % 2) {
				shmdt(NULL);	/* one more call (fails with EINVAL) */
				calls++;
			}
			printf("made %d calls\n", calls);
		} else if (strcmp(a, "open") == 0) {
			printf("open fd=%d\n", open("/dev/null", O_RDONLY));
		} else if (strcmp(a, "pipe") == 0) {
			int p[2];
			if (pipe(p) == 0)
				printf("pipe fds=%d,%d\n", p[0], p[1]);
		} else if (strncmp(a, "chdir=", 6) == 0) {
			if (chdir(a + 6) < 0)
				printf("chdir failed: %s\n", strerror(errno));
		} else if (strcmp(a, "fork") == 0) {
			pid_t pid = fork();
			if (pid == 0) {
				shm_pair();
				sock_pair();
				exit(0);
			}
			int st = 0;
			waitpid(pid, &st, 0);
			printf("child %d exited %d\n", (int)pid, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		} else if (strcmp(a, "forkopen") == 0) {
			pid_t pid = fork();
			if (pid == 0) {
				shm_pair();
				printf("child open fd=%d\n", open("/dev/null", O_RDONLY));
				exit(0);
			}
			waitpid(pid, NULL, 0);
		} else if (strncmp(a, "dlopen=", 7) == 0) {
			void *h = dl = dlopen(a + 7, RTLD_NOW);
			int (*fn)(void) = h ? (int (*)(void))dlsym(h, "t2_dl_calls") : NULL;
			if (!fn) {
				printf("dlopen failed: %s\n", dlerror());
				return 1;
			}
			printf("dl calls: %d failed\n", fn());
			calls += 4;
		} else if (strncmp(a, "vforkexec=", 10) == 0 || strncmp(a, "Forkexec=", 9) == 0 ||
			   strcmp(a, "vforkexit") == 0) {
			const char *path = strchr(a, '=') ? strchr(a, '=') + 1 : NULL;
			pid_t pid = a[0] == 'v' ? vfork() : _Fork();
			if (pid == 0) {
				if (path)
					execl(path, path, (char *)NULL);
				_exit(3);
			}
			int st = 0;
			waitpid(pid, &st, 0);
			printf("%.5s child exited %d\n", a, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		} else if (strncmp(a, "spawn=", 6) == 0) {
			char *args[] = { (char *)a + 6, NULL };
			pid_t pid;
			int st = 0, r = posix_spawn(&pid, a + 6, NULL, NULL, args, environ);
			if (r == 0)
				waitpid(pid, &st, 0);
			printf("spawn: %d, child %d exited %d\n", r, r == 0 ? (int)pid : -1,
			       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		} else if (strcmp(a, "env") == 0) {
			const char *p = getenv("LD_PRELOAD");
			printf("LD_PRELOAD=%s\n", p ? p : "(unset)");
		} else if (strncmp(a, "deep=", 5) == 0) {
			printf("deep: %d\n", deep(atoi(a + 5)));
		} else if (strcmp(a, "dlclose") == 0) {
			printf("dlclose: %d\n", dl ? dlclose(dl) : -1);
			dl = NULL;
		} else if (strncmp(a, "exec=", 5) == 0) {
			argv[i] = (char *)a + 5;
			execv(a + 5, argv + i);
			printf("exec failed: %s\n", strerror(errno));
			argv[i] = (char *)a;	/* and go on with the next step */
		} else if (strcmp(a, "kill") == 0) {
			raise(SIGKILL);
		} else if (strncmp(a, "exit=", 5) == 0) {
			exit(atoi(a + 5));
		} else if (strncmp(a, "_exit=", 6) == 0) {
			_exit(atoi(a + 6));
		} else if (strcmp(a, "pid") == 0) {
			printf("pid=%d\n", (int)getpid());
		} else {
			printf("unknown step %s\n", a);
			return 1;
		}
	}
	return 0;
}
