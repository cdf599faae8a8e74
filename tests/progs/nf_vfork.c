/* nf_vfork.c: vfork children that exec, after the program put LD_PRELOAD
 * back into its own environment (as a program may, after our start-up
 * edit).  Prints how much the address space grew over the loop: a copy of
 * envp mapped in a vfork child would stay behind in the parent.
 *
 *	nf_vfork N PRELOAD PROG [ARG...]	N times vfork + execv(PROG) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* VmSize in KiB, read without stdio (no allocation inside the loop) */
static long vm_kib(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "VmSize:");
	return p ? strtol(p + 7, NULL, 10) : -1;
}

int main(int argc, char **argv)
{
	int n;
	volatile int ok = 0;	/* kept across vfork */
	long before, after;

	if (argc < 4 || (n = atoi(argv[1])) <= 0)
		return 64;
	if (setenv("LD_PRELOAD", argv[2], 1) < 0)
		return 1;
	before = vm_kib();
	for (int i = 0; i < n; i++) {
		int st;
		pid_t pid = vfork();
		if (pid == 0) {
			execv(argv[3], argv + 3);
			_exit(127);
		}
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
	after = vm_kib();
	fprintf(stderr, "children ok %d/%d\nvm grew %ld KiB\n", ok, n, after - before);
	return 0;
}
