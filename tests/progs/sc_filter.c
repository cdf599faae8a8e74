/* A program that locks itself down with a seccomp filter, as sandboxed
 * services do, then makes traced calls:
 *	sc_filter DIR ROUNDS [SYSCALL...]
 * installs a filter that fails every listed system call (by name, from the
 * table below) with EPERM, then runs ROUNDS rounds of shm calls and of an
 * AF_UNIX bind/listen/connect/accept/close on DIR/s.sock, and prints what
 * it saw.  A library that depends on a denied call must fall back, never
 * change what the program sees. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static const struct { const char *name; int nr; } table[] = {
	{ "process_vm_readv", SYS_process_vm_readv }, { "fallocate", SYS_fallocate },
	{ "madvise", SYS_madvise }, { "openat", SYS_openat }, { "prlimit64", SYS_prlimit64 },
	{ "pwrite64", SYS_pwrite64 }, { "ftruncate", SYS_ftruncate }, { "fstat", SYS_fstat },
	{ "newfstatat", SYS_newfstatat }, { "pipe2", SYS_pipe2 }, { "rt_sigpending", SYS_rt_sigpending },
};

static int deny(int argc, char **argv)
{
	struct sock_filter f[64];
	unsigned n = 0, nd = (unsigned)argc;

	if (nd > 20)
		return -1;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (int i = 0; i < argc; i++) {
		int nr = -1;
		for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++)
			if (!strcmp(argv[i], table[k].name))
				nr = table[k].nr;
		if (nr < 0)
			return fprintf(stderr, "unknown syscall %s\n", argv[i]), -1;
		/* if nr matches: jump to the EPERM return at the end */
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr,
						      (unsigned char)(nd - i), 0);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return perror("seccomp"), -1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long rounds = atol(argv[2]), shm_ok = 0, unix_ok = 0;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s.sock", argv[1]);
	if (deny(argc - 3, argv + 3) < 0)
		return 1;
	for (long i = 0; i < rounds; i++) {
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		void *p = id >= 0 ? shmat(id, NULL, 0) : (void *)-1;
		if (p != (void *)-1 && shmdt(p) == 0 && shmctl(id, IPC_RMID, NULL) == 0)
			shm_ok++;
		int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);
		struct sockaddr_un peer;
		socklen_t plen = sizeof(peer);
		unlink(sa.sun_path);
		if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(l, 1) == 0 &&
		    connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			int a = accept(l, (struct sockaddr *)&peer, &plen);
			if (a >= 0 && plen == sizeof(sa_family_t) && close(a) == 0)
				unix_ok++;
		}
		close(c);
		close(l);
	}
	unlink(sa.sun_path);
	errno = 0;
	int bad = connect(-1, (struct sockaddr *)&sa, sizeof(sa));
	printf("shm %ld/%ld unix %ld/%ld bad-connect %d %s\n", shm_ok, rounds, unix_ok, rounds, bad,
	       strerror(errno));
	return 0;
}
