/* pol_shm.c: runs a list of System V shared-memory steps and prints what
 * each one observed, for the policy tests (tests/integration/3xx).
 *
 *	pol_shm STEP...
 *
 * Steps (N is the index of an earlier step, from 0, whose result is used):
 *	get:KEY:SIZE:FLAGS	shmget; KEY is kD (key base + D) or private;
 *				FLAGS letters c (IPC_CREAT), x (IPC_EXCL) then octal mode
 *	at:N[:ro]		shmat(id of step N, NULL, [SHM_RDONLY])
 *	dt:N			shmdt(address of step N)
 *	rmid:N			shmctl(IPC_RMID)
 *	stat:N			IPC_STAT: mode, size, nattch
 *	mapped:N		is the address of step N still mapped (mincore)
 *	poke:N:V / peek:N	write / read a byte at the address of step N
 *	fork			the rest runs in a child (lines prefixed "child "),
 *				then in the parent ("parent ") once the child ended
 *	_exit			end now with _exit(0)
 * Output: one "STEP RESULT" line per step, where RESULT is ok or the errno
 * name; an address is named A<k>, k being the first step that returned
 * it.  Every shmid obtained is printed on stderr as "id STEP SHMID".
 * The key base is POL_KEY (hex) or derived from the pid. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXSTEPS 64

static const char *ename(int e)
{
	static const struct { int e; const char *s; } t[] = {
		{ EINVAL, "EINVAL" }, { EEXIST, "EEXIST" }, { ENOENT, "ENOENT" }, { ENOSPC, "ENOSPC" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EIDRM, "EIDRM" }, { EPERM, "EPERM" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].s;
	return "E?";
}

static int ids[MAXSTEPS];
static void *addrs[MAXSTEPS];
static const char *prefix = "";

static int ref(const char *s)
{
	int n = atoi(s);
	if (n < 0 || n >= MAXSTEPS) {
		fprintf(stderr, "bad step reference %s\n", s);
		exit(3);
	}
	return n;
}

static void out(const char *step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(const char *step, const char *fmt, ...)
{
	va_list ap;
	printf("%s%s ", prefix, step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int parse_flags(const char *s)
{
	int f = 0;
	for (; *s == 'c' || *s == 'x'; s++)
		f |= *s == 'c' ? IPC_CREAT : IPC_EXCL;
	return f | (int)strtol(s, NULL, 8);
}

static void step(int i, char *arg, key_t base)
{
	char *v[4] = { 0 };
	int n = 0;
	for (char *t = strtok(arg, ":"); t && n < 4; t = strtok(NULL, ":"))
		v[n++] = t;
	ids[i] = -1;
	addrs[i] = (void *)-1;
	errno = 0;
	if (!strcmp(v[0], "get")) {
		key_t key = !strcmp(v[1], "private") ? IPC_PRIVATE : base + atoi(v[1] + 1);
		int id = shmget(key, strtoul(v[2], NULL, 0), parse_flags(v[3]));
		ids[i] = id;
		if (id >= 0)
			fprintf(stderr, "id %d %d\n", i, id);
		out("get", "%s", id >= 0 ? "ok" : ename(errno));
	} else if (!strcmp(v[0], "at")) {
		int r = ref(v[1]);
		void *p = shmat(ids[r], NULL, v[2] && !strcmp(v[2], "ro") ? SHM_RDONLY : 0);
		if (p == (void *)-1) {
			out("at", "%s", ename(errno));
			return;
		}
		addrs[i] = p;
		ids[i] = ids[r];
		int k = i;
		for (int j = 0; j < i; j++)
			if (addrs[j] == p) {
				k = j;
				break;
			}
		out("at", "A%d", k);
	} else if (!strcmp(v[0], "dt")) {
		int r = shmdt(addrs[ref(v[1])]);
		out("dt", "%s", r == 0 ? "ok" : ename(errno));
	} else if (!strcmp(v[0], "rmid")) {
		int r = shmctl(ids[ref(v[1])], IPC_RMID, NULL);
		out("rmid", "%s", r == 0 ? "ok" : ename(errno));
	} else if (!strcmp(v[0], "stat")) {
		struct shmid_ds ds;
		if (shmctl(ids[ref(v[1])], IPC_STAT, &ds) < 0) {
			out("stat", "%s", ename(errno));
			return;
		}
		out("stat", "mode=%04o size=%zu nattch=%lu", ds.shm_perm.mode & 0777, ds.shm_segsz,
		    (unsigned long)ds.shm_nattch);
	} else if (!strcmp(v[0], "mapped")) {
		unsigned char vec;
		int r = mincore(addrs[ref(v[1])], 1, &vec);
		out("mapped", "%s", r == 0 ? "yes" : errno == ENOMEM ? "no" : ename(errno));
	} else if (!strcmp(v[0], "poke")) {
		*(volatile char *)addrs[ref(v[1])] = (char)atoi(v[2]);
		out("poke", "ok");
	} else if (!strcmp(v[0], "peek")) {
		out("peek", "%d", *(volatile char *)addrs[ref(v[1])]);
	} else {
		fprintf(stderr, "unknown step %s\n", v[0]);
		exit(3);
	}
}

int main(int argc, char **argv)
{
	const char *k = getenv("POL_KEY");
	key_t base = k ? (key_t)strtoul(k, NULL, 16) : (key_t)((0x70 << 24) | ((getpid() & 0xffff) << 8));

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc && i <= MAXSTEPS; i++) {
		if (!strcmp(argv[i], "fork")) {
			pid_t pid = fork();
			if (pid < 0)
				return 3;
			if (pid == 0) {
				prefix = "child ";
			} else {
				int st;
				waitpid(pid, &st, 0);
				prefix = "parent ";
			}
			ids[i - 1] = -1;
			continue;
		}
		if (!strcmp(argv[i], "_exit"))
			_exit(0);
		step(i - 1, argv[i], base);
	}
	return 0;
}
