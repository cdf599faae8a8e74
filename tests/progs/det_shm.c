/* det_shm.c: one System V shared-memory scenario per run, for the
 * detector tests (tests/integration/1xx).  Prints what it observed, one
 * "what result" line per call, so the shell test can compare with the
 * trace.  Keys are derived from the pid so parallel tests never meet.
 *
 *	det_shm SCENARIO [ARG]
 *
 * Every scenario removes the segments it made, except `leak` (which
 * prints the shmid for the test to remove). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case ENOENT: return "ENOENT";
	case ENOSPC: return "ENOSPC";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EIDRM: return "EIDRM";
	default: return "E?";
	}
}

static pid_t base;	/* the first process: children use its keys */
static const char *arg2;	/* a third argument, NULL when none */

static key_t K(int n)
{
	return (key_t)((0x5a << 24) | ((base & 0xffff) << 8) | n);
}

static int get(const char *what, key_t key, size_t size, int flg)
{
	errno = 0;
	int id = shmget(key, size, flg);
	printf("%s %s\n", what, id >= 0 ? "ok" : ename(errno));
	return id;
}

static void *at(const char *what, int id)
{
	errno = 0;
	void *p = shmat(id, NULL, 0);
	printf("%s %s\n", what, p != (void *)-1 ? "ok" : ename(errno));
	return p;
}

static void dt(const char *what, const void *p)
{
	errno = 0;
	int r = shmdt(p);
	printf("%s %s\n", what, r == 0 ? "ok" : ename(errno));
}

static void rm(const char *what, int id)
{
	errno = 0;
	int r = shmctl(id, IPC_RMID, NULL);
	printf("%s %s\n", what, r == 0 ? "ok" : ename(errno));
}

static int finish(const char *how, int status)
{
	fflush(stdout);
	if (!strcmp(how, "exit"))
		exit(status);
	if (!strcmp(how, "_exit"))
		_exit(status);
	if (!strcmp(how, "_Exit"))
		_Exit(status);
	return status;	/* "return": from main */
}

static int sc_limit_max(const char *arg __attribute__((unused)))
{
	get("shmget-huge", IPC_PRIVATE, SIZE_MAX, IPC_CREAT | 0600);
	return 0;
}

static int sc_limit_min(const char *arg __attribute__((unused)))
{
	get("shmget-zero", K(1), 0, IPC_CREAT | 0600);
	return 0;
}

static int sc_limit_pages(const char *arg __attribute__((unused)))
{
	/* a size whose page count overflows: ENOSPC */
	get("shmget-pages", IPC_PRIVATE, SIZE_MAX - (1ul << 24), IPC_CREAT | 0600);
	return 0;
}

static int sc_size_smaller(const char *arg __attribute__((unused)))
{
	int id, id2;

	id = get("create", K(2), 4096, IPC_CREAT | IPC_EXCL | 0600);
	id2 = get("smaller", K(2), 1024, 0600);
	printf("same %d\n", id == id2);
	rm("rmid", id);
	return 0;
}

static int sc_size_larger(const char *arg __attribute__((unused)))
{
	int id;

	id = get("create", K(3), 4096, IPC_CREAT | IPC_EXCL | 0600);
	get("larger", K(3), 8192, IPC_CREAT | 0600);
	rm("rmid", id);
	return 0;
}

/* correct: size 0 looks up */
static int sc_size_zero(const char *arg __attribute__((unused)))
{
	int id;

	id = get("create", K(4), 4096, IPC_CREAT | IPC_EXCL | 0600);
	get("lookup", K(4), 0, 0);
	get("lookup-same-size", K(4), 4096, 0600);
	rm("rmid", id);
	return 0;
}

/* correct: EEXIST then look up */
static int sc_excl_fallback(const char *arg __attribute__((unused)))
{
	int id, id2;

	id = get("create", K(5), 4096, IPC_CREAT | IPC_EXCL | 0600);
	id2 = get("create-again", K(5), 4096, IPC_CREAT | IPC_EXCL | 0600);
	if (id2 < 0 && errno == EEXIST)
		id2 = get("fallback", K(5), 0, 0);
	printf("same %d\n", id == id2);
	rm("rmid", id);
	return 0;
}

static int sc_foreign(const char *arg __attribute__((unused)))
{
	int id;

	/* a leftover: created by a process that is gone */
	pid_t pid = fork();
	if (pid == 0) {
		shmget(K(6), 4096, IPC_CREAT | IPC_EXCL | 0600);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	fprintf(stderr, "creator %d\n", (int)pid);
	id = get("create-or-find", K(6), 4096, IPC_CREAT | 0600);
	rm("rmid", id);
	return 0;
}

static int sc_invalid_key(const char *arg __attribute__((unused)))
{
	int id;

	errno = 0;
	key_t k = ftok("/nonexistent/ipcguard-det", 'A');
	printf("ftok %s\n", k == (key_t)-1 ? ename(errno) : "ok");
	id = get("shmget-minus-one", k, 4096, IPC_CREAT | 0600);
	rm("rmid", id);
	return 0;
}

static int sc_ftok(const char *arg)
{
	/* arg: an existing file; the same key from proj_id 1 and 257 */
	key_t a = ftok(arg, 1), b, c;
	b = ftok(arg, 1);
	printf("ftok-again same %d\n", a == b);
	c = ftok(arg, 257);
	printf("ftok-257 same %d\n", a == c);
	return 0;
}

/* correct: two names, one file */
static int sc_ftok_alias(const char *arg)
{
	key_t a = ftok(arg, 'p');
	key_t b = ftok(arg2 ? arg2 : arg, 'p');
	printf("alias same %d\n", a == b && a != (key_t)-1);
	return 0;
}

static int sc_rmid_keyed(const char *arg __attribute__((unused)))
{
	int id, id2;
	void *p;

	id = get("create", K(7), 4096, IPC_CREAT | IPC_EXCL | 0600);
	p = at("attach", id);
	rm("rmid", id);
	id2 = get("recreate", K(7), 4096, IPC_CREAT | 0600);
	printf("same %d\n", id == id2);
	dt("detach", p);
	rm("rmid-new", id2);
	return 0;
}

static int sc_rmid_private(const char *arg __attribute__((unused)))
{
	int id;
	void *p;

	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	p = at("attach", id);
	rm("rmid", id);
	dt("detach", p);
	return 0;
}

static int sc_repeat(const char *arg __attribute__((unused)))
{
	int id;
	void *p, *q;

	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	p = at("attach", id);
	q = at("attach-again", id);
	printf("distinct %d\n", p != q);
	dt("detach", q);
	dt("detach", p);
	rm("rmid", id);
	return 0;
}

/* correct: attach, detach, attach */
static int sc_attach_cycle(const char *arg __attribute__((unused)))
{
	int id;
	void *p;

	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	p = at("attach", id);
	dt("detach", p);
	p = at("attach-again", id);
	dt("detach-again", p);
	rm("rmid", id);
	return 0;
}

static int sc_bad_detach(const char *arg __attribute__((unused)))
{
	int id;
	void *p;

	static char not_shm[64];
	id = get("create", IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	dt("detach-wild", not_shm);
	p = at("attach", id);
	dt("detach-inside", (char *)p + 4096);
	dt("detach", p);
	dt("detach-twice", p);
	rm("rmid", id);
	return 0;
}

static int sc_world(const char *arg __attribute__((unused)))
{
	int id;

	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0666);
	rm("rmid", id);
	id = get("create-0640", IPC_PRIVATE, 4096, IPC_CREAT | 0640);
	rm("rmid-0640", id);
	return 0;
}

/* arg: return exit _exit _Exit */
static int sc_leak(const char *arg)
{
	int id;
	void *p;

	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	p = at("attach", id);
	printf("shmid %d\n", id);
	printf("addr %p\n", p);
	return finish(arg, 0);
}

static int sc_removed_elsewhere(const char *arg __attribute__((unused)))
{
	int id;

	/* created here, removed by a child: not a leak */
	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	pid_t pid = fork();
	if (pid == 0) {
		shmctl(id, IPC_RMID, NULL);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("child removed %d\n", shmctl(id, IPC_STAT, &(struct shmid_ds){0}) < 0);
	return 0;
}

/* correct: child attaches, parent removes */
static int sc_fork_share(const char *arg __attribute__((unused)))
{
	int id;
	void *p;

	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		p = shmat(id, NULL, 0);
		if (p != (void *)-1) {
			strcpy(p, "hello");
			shmdt(p);
		}
		_exit(p == (void *)-1);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child %d\n", WEXITSTATUS(st));
	p = at("attach", id);
	printf("read %s\n", (char *)p);
	dt("detach", p);
	rm("rmid", id);
	return 0;
}

static int sc_fork_inherit(const char *arg)
{
	int id;
	void *p;

	/* the child inherits the attach and exits without shmdt */
	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	p = at("attach", id);
	printf("addr %p\n", p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		return finish(arg[0] ? arg : "_exit", 0);
	waitpid(pid, NULL, 0);
	dt("detach", p);
	rm("rmid", id);
	return 0;
}

static int sc_vfork(const char *arg __attribute__((unused)))
{
	int id;
	void *p;

	/* a vfork child shares the parent's memory and _exits */
	id = get("create", IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	p = at("attach", id);
	pid_t pid = vfork();
	if (pid == 0)
		_exit(3);
	int st;
	waitpid(pid, &st, 0);
	printf("child %d\n", WEXITSTATUS(st));
	dt("detach", p);
	rm("rmid", id);
	return 0;
}

/* The scenarios by name: a new one is a function and a row. */
static const struct {
	const char *name;
	int (*run)(const char *arg);	/* returns main's exit status */
} scenarios[] = {
	{ "limit-max", sc_limit_max },
	{ "limit-min", sc_limit_min },
	{ "limit-pages", sc_limit_pages },
	{ "size-smaller", sc_size_smaller },
	{ "size-larger", sc_size_larger },
	{ "size-zero", sc_size_zero },
	{ "excl-fallback", sc_excl_fallback },
	{ "foreign", sc_foreign },
	{ "invalid-key", sc_invalid_key },
	{ "ftok", sc_ftok },
	{ "ftok-alias", sc_ftok_alias },
	{ "rmid-keyed", sc_rmid_keyed },
	{ "rmid-private", sc_rmid_private },
	{ "repeat", sc_repeat },
	{ "attach-cycle", sc_attach_cycle },
	{ "bad-detach", sc_bad_detach },
	{ "world", sc_world },
	{ "leak", sc_leak },
	{ "removed-elsewhere", sc_removed_elsewhere },
	{ "fork-share", sc_fork_share },
	{ "fork-inherit", sc_fork_inherit },
	{ "vfork", sc_vfork },
};

int main(int argc, char **argv)
{
	const char *sc = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "";

	arg2 = argc > 3 ? argv[3] : NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	base = getpid();
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(sc, scenarios[i].name))
			return scenarios[i].run(arg);
	fprintf(stderr, "det_shm: unknown scenario '%s'\n", sc);
	return 2;
}
