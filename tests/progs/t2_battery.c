/* t2_battery.c: the transparency battery.  Makes numbered calls to every
 * intercepted function with valid and invalid arguments (NULL and unmapped
 * pointers, addrlen 0, 1 and huge, negative and huge sizes, bogus commands
 * and flags, closed and non-socket descriptors, AF_INET addresses on
 * AF_UNIX sockets, abstract names, an unterminated 108-byte sun_path,
 * shmat after IPC_RMID, double shmdt) and prints one line per case:
 *
 *	case N: what: ret=R errno=NAME
 *
 * errno is set to E2BIG before each call and printed afterwards even on
 * success, so a wrapper that disturbs errno on a success path shows up.
 * Values that legitimately differ between runs are normalised: a shmid
 * prints as "id", an attach address as "addr" (or a relation to the
 * requested address).  Descriptor numbers are printed as they are: they
 * must be the same with and without the library.
 *
 * Run it in a scratch directory: it binds socket files there.  The test
 * (tests/differential/001-battery.t) runs it plain and preloaded and
 * compares the outputs byte for byte. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CLOSED_FD 700		/* below the library's high descriptors (>= 1000) */
#define BIG_FD 70000		/* above the library's fd table */

static int ncase;
static char *unmapped;		/* a page that was mapped and is not any more */
static char *edge;		/* last bytes of a mapped page followed by unmapped */
static long pagesz;

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

#define PRE() (errno = E2BIG)

static void rep_i(const char *what, long ret)
{
	int e = errno;
	printf("case %d: %s: ret=%ld errno=%s\n", ++ncase, what, ret, ename(e));
	fflush(stdout);
}

/* shmid or key-like results that differ between runs */
static void rep_id(const char *what, long ret)
{
	int e = errno;
	if (ret >= 0)
		printf("case %d: %s: ret=id errno=%s\n", ++ncase, what, ename(e));
	else
		printf("case %d: %s: ret=%ld errno=%s\n", ++ncase, what, ret, ename(e));
	fflush(stdout);
}

static void rep_p(const char *what, void *ret, const void *want)
{
	int e = errno;
	const char *r = ret == (void *)-1 ? "-1" : want && ret == want ? "requested" : "addr";
	printf("case %d: %s: ret=%s errno=%s\n", ++ncase, what, r, ename(e));
	fflush(stdout);
}

static void rep_key(const char *what, key_t ret)
{
	int e = errno;
	printf("case %d: %s: ret=%#x errno=%s\n", ++ncase, what, (unsigned)ret, ename(e));
	fflush(stdout);
}

static socklen_t sun_path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1);
}

static socklen_t sun_abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static void cases_shm(void)
{
	key_t key = (key_t)(0x49470000 | (getpid() & 0xffff));
	struct shmid_ds ds;
	int id, id2;
	void *p, *p2;

	PRE(); id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600); rep_id("shmget private 4096", id);
	PRE(); rep_id("shmget size 0", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
	PRE(); rep_id("shmget size (size_t)-1", shmget(IPC_PRIVATE, (size_t)-1, IPC_CREAT | 0600));
	PRE(); rep_id("shmget size -4096 as size_t", shmget(IPC_PRIVATE, (size_t)-4096, IPC_CREAT | 0600));
	PRE(); rep_id("shmget missing key no IPC_CREAT", shmget(key, 4096, 0600));
	PRE(); rep_id("shmget key -1 (failed ftok) no IPC_CREAT", shmget((key_t)-1, 4096, 0600));
	PRE(); id2 = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600); rep_id("shmget key create excl", id2);
	PRE(); rep_id("shmget key excl again", shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
	PRE(); rep_id("shmget key bigger than existing", shmget(key, 8192, 0600));
	PRE(); rep_id("shmget key smaller than existing", shmget(key, 100, 0600));
	PRE(); rep_id("shmget key bogus flag bits", shmget(key, 4096, 0x7ff00000 | 0600));
	PRE(); rep_i("shmctl rmid keyed", shmctl(id2, IPC_RMID, NULL));

	PRE(); p = shmat(id, NULL, 0); rep_p("shmat", p, NULL);
	if (p != (void *)-1)
		memcpy(p, "battery", 8);
	PRE(); p2 = shmat(id, NULL, SHM_RDONLY); rep_p("shmat rdonly", p2, NULL);
	if (p2 != (void *)-1)
		printf("         readback: %s\n", (char *)p2);
	PRE(); rep_p("shmat shmid -1", shmat(-1, NULL, 0), NULL);
	PRE(); rep_p("shmat shmid INT_MAX", shmat(INT_MAX, NULL, 0), NULL);
	PRE(); rep_p("shmat unaligned address", shmat(id, unmapped + 1, 0), NULL);
	PRE(); rep_p("shmat SHM_REMAP without address", shmat(id, NULL, SHM_REMAP), NULL);
	PRE(); void *p5 = shmat(id, NULL, 0x7f000000); rep_p("shmat bogus flag bits", p5, NULL);
	PRE(); void *p3 = shmat(id, unmapped, 0); rep_p("shmat at an unmapped address", p3, unmapped);
	PRE(); rep_i("shmdt that attach", shmdt(p3));
	PRE(); rep_i("shmdt the same address again", shmdt(p3));
	PRE(); rep_i("shmdt NULL", shmdt(NULL));
	PRE(); rep_i("shmdt unaligned", shmdt((char *)p + 1));
	PRE(); rep_i("shmdt (void *)-1", shmdt((void *)-1));
	PRE(); rep_i("shmdt page-aligned non-shm address", shmdt(edge + 8 - pagesz));

	PRE(); int r = shmctl(id, IPC_STAT, &ds); rep_i("shmctl IPC_STAT", r);
	printf("         segsz=%zu nattch=%lu\n", (size_t)ds.shm_segsz, (unsigned long)ds.shm_nattch);
	PRE(); rep_i("shmctl IPC_STAT NULL buf", shmctl(id, IPC_STAT, NULL));
	PRE(); rep_i("shmctl IPC_STAT unmapped buf", shmctl(id, IPC_STAT, (struct shmid_ds *)unmapped));
	PRE(); rep_i("shmctl IPC_SET unmapped buf", shmctl(id, IPC_SET, (struct shmid_ds *)unmapped));
	PRE(); rep_i("shmctl bogus cmd 12345", shmctl(id, 12345, &ds));
	PRE(); rep_i("shmctl bogus cmd -1", shmctl(id, -1, &ds));
	PRE(); rep_i("shmctl IPC_RMID shmid -1", shmctl(-1, IPC_RMID, NULL));
	PRE(); r = shmctl(0, IPC_INFO, &ds); rep_i("shmctl IPC_INFO (>=0)", r >= 0 ? 0 : r);

	/* attached segment removed: still attachable on Linux */
	PRE(); rep_i("shmctl IPC_RMID while attached", shmctl(id, IPC_RMID, NULL));
	PRE(); void *p4 = shmat(id, NULL, 0); rep_p("shmat after IPC_RMID, still attached", p4, NULL);
	PRE(); rep_i("shmdt the bogus-flags attach", shmdt(p5));
	PRE(); rep_i("shmdt first", shmdt(p));
	PRE(); rep_i("shmdt second", shmdt(p2));
	PRE(); rep_i("shmdt third (last: segment destroyed)", shmdt(p4));
	PRE(); rep_i("shmdt third again (double shmdt)", shmdt(p4));
	PRE(); rep_p("shmat after IPC_RMID, destroyed", shmat(id, NULL, 0), NULL);
	PRE(); rep_i("shmctl IPC_RMID again", shmctl(id, IPC_RMID, NULL));

	/* never attached, removed at once */
	PRE(); id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600); rep_id("shmget 8192", id);
	PRE(); rep_i("shmctl IPC_RMID unattached", shmctl(id, IPC_RMID, NULL));
	PRE(); rep_p("shmat after IPC_RMID, unattached", shmat(id, NULL, 0), NULL);
}

static void cases_ftok(void)
{
	char *longp = malloc(5000);

	memset(longp, 'a', 4999);
	longp[0] = '/';
	longp[4999] = '\0';
	memcpy(edge, "/tmpxyzq", 8);	/* no NUL before the unmapped page */
	PRE(); rep_key("ftok / 1", ftok("/", 1));
	PRE(); rep_key("ftok / 0", ftok("/", 0));
	PRE(); rep_key("ftok / 0x1ff", ftok("/", 0x1ff));
	PRE(); rep_key("ftok missing file", ftok("/nonexistent-ipcg/x", 1));
	PRE(); rep_key("ftok empty path", ftok("", 1));
	PRE(); rep_key("ftok NULL", ftok(NULL, 1));
	PRE(); rep_key("ftok unmapped", ftok(unmapped, 1));
	PRE(); rep_key("ftok path runs into unmapped page", ftok(edge, 1));
	PRE(); rep_key("ftok 5000-byte path", ftok(longp, 1));
	free(longp);
}

static void cases_socket(void)
{
	int sv[2] = { -1, -1 };
	int s;

	PRE(); s = socket(AF_UNIX, SOCK_STREAM, 0); rep_i("socket AF_UNIX stream", s);
	PRE(); rep_i("close it", close(s));
	PRE(); rep_i("close it again", close(s));
	PRE(); rep_i("socket AF_UNIX bogus type 999", socket(AF_UNIX, 999, 0));
	PRE(); rep_i("socket AF_UNIX bogus protocol 99", socket(AF_UNIX, SOCK_STREAM, 99));
	PRE(); rep_i("socket AF_UNIX bogus type flag", socket(AF_UNIX, SOCK_STREAM | 0x40000000, 0));
	PRE(); rep_i("socket domain -1", socket(-1, SOCK_STREAM, 0));
	PRE(); rep_i("socket domain 12345", socket(12345, SOCK_STREAM, 0));
	PRE(); s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	rep_i("socket AF_UNIX dgram cloexec nonblock", s);
	PRE(); rep_i("close it", close(s));
	PRE(); rep_i("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	printf("         sv=%d,%d\n", sv[0], sv[1]);
	PRE(); rep_i("close sv0", close(sv[0]));
	PRE(); rep_i("close sv1", close(sv[1]));
	PRE(); rep_i("socketpair NULL sv", socketpair(AF_UNIX, SOCK_STREAM, 0, NULL));
	PRE(); rep_i("socketpair unmapped sv", socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)unmapped));
	PRE(); rep_i("socketpair sv in read-only page", socketpair(AF_UNIX, SOCK_STREAM, 0, (int *)(void *)ename));
	PRE(); rep_i("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	PRE(); rep_i("socketpair bogus type", socketpair(AF_UNIX, 77, 0, sv));
	PRE(); rep_i("close -1", close(-1));
	PRE(); rep_i("close closed fd", close(CLOSED_FD));
	PRE(); rep_i("close fd above the table", close(BIG_FD));
	PRE(); rep_i("close INT_MIN", close(INT_MIN));
}

static void cases_bind_connect(void)
{
	struct sockaddr_un a, a2;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(1), .sin_addr = { htonl(INADDR_LOOPBACK) } };
	char name[64];
	socklen_t len;
	int s, c, devnull;

	devnull = open("/dev/null", O_RDONLY);
	printf("         devnull=%d\n", devnull);
	snprintf(name, sizeof(name), "ipcg-battery-%d", (int)getpid());

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("         s=%d\n", s);
	len = sun_path_addr(&a, "b.sock");
	PRE(); rep_i("bind NULL addr len 110", bind(s, NULL, sizeof(a)));
	PRE(); rep_i("bind NULL addr len 0", bind(s, NULL, 0));
	PRE(); rep_i("bind unmapped addr", bind(s, (struct sockaddr *)unmapped, sizeof(a)));
	PRE(); rep_i("bind addr straddling unmapped page", bind(s, (struct sockaddr *)(edge + 4), sizeof(a)));
	PRE(); rep_i("bind addrlen 0", bind(s, (struct sockaddr *)&a, 0));
	PRE(); rep_i("bind addrlen 1", bind(s, (struct sockaddr *)&a, 1));
	PRE(); rep_i("bind addrlen huge", bind(s, (struct sockaddr *)&a, 0x7fffffff));
	PRE(); rep_i("bind addrlen -1", bind(s, (struct sockaddr *)&a, (socklen_t)-1));
	PRE(); rep_i("bind addrlen 120 (> sockaddr_un)", bind(s, (struct sockaddr *)&a, 120));
	PRE(); rep_i("bind unmapped addr huge len", bind(s, (struct sockaddr *)unmapped, 0x7fffffff));
	PRE(); rep_i("bind AF_INET address on AF_UNIX socket", bind(s, (struct sockaddr *)&in, sizeof(in)));
	PRE(); rep_i("bind path in missing directory", bind(s, (struct sockaddr *)&a2, sun_path_addr(&a2, "nodir/x.sock")));
	PRE(); rep_i("bind closed fd", bind(CLOSED_FD, (struct sockaddr *)&a, len));
	PRE(); rep_i("bind fd -1", bind(-1, (struct sockaddr *)&a, len));
	PRE(); rep_i("bind fd above the table", bind(BIG_FD, (struct sockaddr *)&a, len));
	PRE(); rep_i("bind non-socket fd", bind(devnull, (struct sockaddr *)&a, len));
	PRE(); rep_i("bind b.sock", bind(s, (struct sockaddr *)&a, len));
	PRE(); rep_i("bind again on a bound socket", bind(s, (struct sockaddr *)&a, len));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	PRE(); rep_i("bind existing path", bind(c, (struct sockaddr *)&a, len));
	PRE(); rep_i("connect before listen", connect(c, (struct sockaddr *)&a, len));
	PRE(); rep_i("listen backlog -1", listen(s, -1));
	PRE(); rep_i("listen again backlog 5", listen(s, 5));
	PRE(); rep_i("connect NULL addr", connect(c, NULL, sizeof(a)));
	PRE(); rep_i("connect unmapped addr", connect(c, (struct sockaddr *)unmapped, sizeof(a)));
	PRE(); rep_i("connect addrlen 0", connect(c, (struct sockaddr *)&a, 0));
	PRE(); rep_i("connect addrlen 1", connect(c, (struct sockaddr *)&a, 1));
	PRE(); rep_i("connect addrlen huge", connect(c, (struct sockaddr *)&a, 0xfffffff0u));
	PRE(); rep_i("connect AF_INET address on AF_UNIX socket", connect(c, (struct sockaddr *)&in, sizeof(in)));
	PRE(); rep_i("connect missing path", connect(c, (struct sockaddr *)&a2, sun_path_addr(&a2, "missing.sock")));
	PRE(); rep_i("connect regular file", connect(c, (struct sockaddr *)&a2, sun_path_addr(&a2, "/etc/passwd")));
	PRE(); rep_i("connect missing abstract name", connect(c, (struct sockaddr *)&a2, sun_abstract(&a2, "ipcg-nobody-here")));
	PRE(); rep_i("connect closed fd", connect(CLOSED_FD, (struct sockaddr *)&a, len));
	PRE(); rep_i("connect non-socket fd", connect(devnull, (struct sockaddr *)&a, len));
	PRE(); rep_i("connect non-socket fd unmapped addr", connect(devnull, (struct sockaddr *)unmapped, len));
	PRE(); rep_i("connect b.sock", connect(c, (struct sockaddr *)&a, len));
	PRE(); rep_i("connect again", connect(c, (struct sockaddr *)&a, len));
	close(c);

	/* accept: a connection is queued before each case that consumes one */
	struct sockaddr_un peer;
	socklen_t plen;
	int k;
#define QUEUE() do { c = socket(AF_UNIX, SOCK_STREAM, 0); (void)connect(c, (struct sockaddr *)&a, len); } while (0)
	QUEUE();
	PRE(); k = accept(s, NULL, NULL); rep_i("accept NULL NULL", k);
	close(k); close(c);
	QUEUE();
	plen = sizeof(peer); memset(&peer, 0x55, sizeof(peer));
	PRE(); k = accept(s, (struct sockaddr *)&peer, &plen); rep_i("accept with addr", k);
	printf("         plen=%u family=%d\n", plen, peer.sun_family);
	close(k); close(c);
	QUEUE();
	plen = 0;
	PRE(); k = accept(s, (struct sockaddr *)&peer, &plen); rep_i("accept addrlen 0", k);
	printf("         plen=%u\n", plen);
	close(k); close(c);
	QUEUE();
	plen = 1; memset(&peer, 0x55, sizeof(peer));
	PRE(); k = accept(s, (struct sockaddr *)&peer, &plen); rep_i("accept addrlen 1", k);
	printf("         plen=%u byte0=%#x byte1=%#x\n", plen, ((unsigned char *)&peer)[0], ((unsigned char *)&peer)[1]);
	close(k); close(c);
	QUEUE();
	plen = 0x7fffffff;
	PRE(); k = accept(s, (struct sockaddr *)&peer, &plen); rep_i("accept addrlen huge", k);
	printf("         plen=%u\n", plen);
	close(k); close(c);
	QUEUE();
	plen = (socklen_t)-1;
	PRE(); k = accept(s, (struct sockaddr *)&peer, &plen); rep_i("accept addrlen -1", k);
	close(c);
	QUEUE();
	plen = sizeof(peer);
	PRE(); k = accept(s, (struct sockaddr *)unmapped, &plen); rep_i("accept unmapped addr", k);
	close(c);
	QUEUE();
	PRE(); k = accept(s, (struct sockaddr *)&peer, (socklen_t *)unmapped); rep_i("accept unmapped addrlen", k);
	close(c);
	QUEUE();
	PRE(); k = accept(s, (struct sockaddr *)&peer, NULL); rep_i("accept addr with NULL addrlen", k);
	close(c);
	QUEUE();
	PRE(); k = accept4(s, NULL, NULL, 0x1234); rep_i("accept4 bogus flags", k);
	PRE(); k = accept4(s, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK); rep_i("accept4 cloexec nonblock", k);
	PRE(); rep_i("fcntl F_GETFD on it", fcntl(k, F_GETFD));
	close(k); close(c);
	/* accept from a peer bound to a long path into a 4-byte buffer */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	PRE(); rep_i("bind client to a long path", bind(c, (struct sockaddr *)&a2,
		sun_path_addr(&a2, "client-with-a-rather-long-socket-file-name.sock")));
	(void)connect(c, (struct sockaddr *)&a, len);
	{
		char buf[64];
		memset(buf, 'S', sizeof(buf));
		plen = 4;
		PRE(); k = accept(s, (struct sockaddr *)buf, &plen); rep_i("accept first, into a 4-byte buffer", k);
		printf("         plen=%u tail-intact=%d\n", plen, buf[4] == 'S' && buf[63] == 'S');
		close(k);
	}
	close(c);
	unlink("client-with-a-rather-long-socket-file-name.sock");

	int nb = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	PRE(); rep_i("bind abstract name", bind(nb, (struct sockaddr *)&a2, sun_abstract(&a2, name)));
	PRE(); rep_i("listen abstract", listen(nb, 1));
	PRE(); rep_i("accept nonblocking, nothing queued", accept(nb, NULL, NULL));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	PRE(); rep_i("connect abstract name", connect(c, (struct sockaddr *)&a2, sun_abstract(&a2, name)));
	PRE(); rep_i("connect abstract name with trailing NULs", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a2, sizeof(a2)));
	PRE(); rep_i("accept abstract", k = accept(nb, NULL, NULL));
	close(k); close(c); close(nb);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	PRE(); rep_i("bind abstract name with trailing NULs", bind(d, (struct sockaddr *)&a2, sizeof(a2)));
	PRE(); rep_i("listen on dgram", listen(d, 1));
	PRE(); rep_i("accept on dgram", accept(d, NULL, NULL));
	PRE(); rep_i("connect dgram AF_INET address", connect(d, (struct sockaddr *)&in, sizeof(in)));
	close(d);
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	PRE(); rep_i("listen unbound stream", listen(u, 1));
	close(u);
	u = socket(AF_UNIX, SOCK_STREAM, 0);
	PRE(); rep_i("accept on unlistened socket", accept(u, NULL, NULL));
	PRE(); rep_i("accept closed fd", accept(CLOSED_FD, NULL, NULL));
	PRE(); rep_i("accept non-socket fd", accept(devnull, NULL, NULL));
	PRE(); rep_i("accept4 closed fd", accept4(CLOSED_FD, NULL, NULL, SOCK_CLOEXEC));
	PRE(); rep_i("listen closed fd", listen(CLOSED_FD, 1));
	PRE(); rep_i("listen non-socket fd", listen(devnull, 1));
	PRE(); rep_i("listen fd above the table", listen(BIG_FD, 1));

	/* a 108-byte sun_path with no NUL: Linux accepts it */
	memset(&a2, 0, sizeof(a2));
	a2.sun_family = AF_UNIX;
	memset(a2.sun_path, 'p', sizeof(a2.sun_path));
	PRE(); rep_i("bind 108-byte unterminated sun_path", bind(u, (struct sockaddr *)&a2, sizeof(a2)));
	char fname[109];
	memset(fname, 'p', 108);
	fname[108] = '\0';
	printf("         file exists: %d\n", access(fname, F_OK) == 0);
	PRE(); rep_i("listen on it", listen(u, 1));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	PRE(); rep_i("connect 108-byte unterminated sun_path", connect(c, (struct sockaddr *)&a2, sizeof(a2)));
	close(c);
	unlink(fname);
	PRE(); rep_i("close listener", close(u));
	PRE(); rep_i("close listener twice", close(u));
	close(s);
	unlink("b.sock");
	close(devnull);

	/* AF_INET sockets pass through; they must behave the same */
	int t = socket(AF_INET, SOCK_STREAM, 0);
	PRE(); rep_i("socket AF_INET", t);
	PRE(); rep_i("bind AF_UNIX address on AF_INET socket", bind(t, (struct sockaddr *)&a, len));
	PRE(); rep_i("connect AF_UNIX address on AF_INET socket", connect(t, (struct sockaddr *)&a, len));
	PRE(); rep_i("close AF_INET", close(t));
}

int main(void)
{
	pagesz = sysconf(_SC_PAGESIZE);
	/* far below where the kernel places mappings (top-down from the stack)
	 * and far above the heap of a non-PIE program, so that no later
	 * mapping (a shmat, a stdio buffer) can fill the hole */
	char *m = mmap((void *)0x200000000UL, 3 * pagesz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	munmap(m + pagesz, 2 * pagesz);	/* m[0..page) mapped, then a hole */
	unmapped = m + pagesz;
	edge = m + pagesz - 8;

	cases_shm();
	cases_ftok();
	cases_socket();
	cases_bind_connect();
	printf("cases: %d\n", ncase);
	return 0;
}
