/* perf_fds.c: a daemon's start-up against ipcguard's own descriptors.
 *
 *	perf_fds MODE FILE CALLS
 *
 * MODE: closeloop (close() every fd from 3 to the soft RLIMIT_NOFILE),
 * closerange (close_range(3, ~0U, 0)), closefrom (closefrom(3)), or none;
 * then, in every mode, FILE (created empty) is opened and dup2()ed (dup3()
 * for odd numbers) onto every number from 600 to 1200, where ipcguard
 * keeps its trace and libunwind's pipe.  Then CALLS rounds of shm and
 * AF_UNIX calls, half of them through a function without unwind info (so
 * that libunwind falls back to validating memory through its pipe), and a
 * fresh open().  Prints what the program observed; the output must be
 * the same with and without the library:
 *	closed=N dup_fail=N newfd=N calls=N size=N offset=N
 * size and offset are FILE's, through its descriptors: anything read from
 * or written to a reused number by ipcguard or libunwind changes them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define LO 600
#define HI 1200

#if defined(__x86_64__)
void nocfi_call(void (*fn)(void));
/* no .cfi directives: libunwind finds no unwind info for this frame */
__asm__(".text\n.globl nocfi_call\n.type nocfi_call,@function\nnocfi_call:\n"
	"\tpush %rbp\n\tmov %rsp,%rbp\n\tcall *%rdi\n\tpop %rbp\n\tret\n");
#else
static void nocfi_call(void (*fn)(void)) { fn(); }
#endif

static int ncalls;

static void one_round(void)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	void *p = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
	if (p != (void *)-1)
		shmdt(p);
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s >= 0)
		close(s);
	ncalls += 6;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	int closed = 0, dup_fail = 0;

	if (argc != 4)
		return 2;
	const char *mode = argv[1];
	int rounds = atoi(argv[3]);
	if (strcmp(mode, "closeloop") == 0) {
		if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 65536)
			return 77;
		for (int fd = 3; fd < (int)rl.rlim_cur; fd++)
			closed += close(fd) == 0;
	} else if (strcmp(mode, "closerange") == 0) {
		if (close_range(3, ~0U, 0) < 0 && errno == ENOSYS)
			return 77;
	} else if (strcmp(mode, "closefrom") == 0) {
		closefrom(3);
	} else if (strcmp(mode, "none") != 0) {
		return 2;
	}
	int f = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f < 0)
		return 1;
	for (int fd = LO; fd <= HI; fd++) {
		int r = fd & 1 ? dup3(f, fd, 0) : dup2(f, fd);
		dup_fail += r != fd;
	}
	for (int i = 0; i < rounds / 2; i++)
		nocfi_call(one_round);
	int n = open("/dev/null", O_RDONLY);
	for (int i = rounds / 2; i < rounds; i++)
		one_round();
	struct stat st;
	off_t off = lseek(LO, 0, SEEK_CUR);
	if (fstat(LO, &st) < 0)
		st.st_size = -1;
	printf("closed=%d dup_fail=%d newfd=%d calls=%d size=%lld offset=%lld\n", closed, dup_fail, n,
	       ncalls, (long long)st.st_size, (long long)off);
	return 0;
}
