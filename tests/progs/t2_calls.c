/* t2_calls.c: a success and an error case for each intercepted function.
 * For every call it makes, it prints on stdout the call record the trace
 * must hold, built from what the program passed and observed, in the
 * encoding of docs/trace-format.md:
 *
 *	{"fn":"shmget","args":{...},"ret":5,"errno":null}
 *
 * The test compares these lines with the trace's call records (keys
 * sorted).  Usage: t2_calls shm|unix|sockaddr|accept-short
 * (run in a scratch directory: it binds socket files there). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static char *unmapped;

static void ret_errno(long ret, int failed, int err)
{
	if (failed)
		printf(",\"ret\":%ld,\"errno\":\"%s\"}\n", ret, strerrorname_np(err));
	else
		printf(",\"ret\":%ld,\"errno\":null}\n", ret);
}

static void ptr(const char *key, const void *p)
{
	if (p)
		printf("\"%s\":\"%#lx\"", key, (unsigned long)p);
	else
		printf("\"%s\":null", key);
}

static void key_str(char *buf, size_t cap, key_t k)
{
	if (k == IPC_PRIVATE)
		snprintf(buf, cap, "IPC_PRIVATE");
	else
		snprintf(buf, cap, "%#010x", (unsigned)k);
	if (k != IPC_PRIVATE && (unsigned)k == 0)
		snprintf(buf, cap, "0x00000000");
}

static int do_shmget(key_t key, size_t size, int flg, const char *flgs)
{
	char k[32];
	int ret = shmget(key, size, flg), e = errno;

	key_str(k, sizeof(k), key);
	printf("{\"fn\":\"shmget\",\"args\":{\"key\":\"%s\",\"size\":%zu,\"shmflg\":\"%s\"}", k, size, flgs);
	ret_errno(ret, ret < 0, e);
	return ret;
}

static void *do_shmat(int id, const void *addr, int flg, const char *flgs)
{
	void *ret = shmat(id, addr, flg);
	int e = errno;

	printf("{\"fn\":\"shmat\",\"args\":{\"shmid\":%d,", id);
	ptr("shmaddr", addr);
	printf(",\"shmflg\":\"%s\"}", flgs);
	if (ret == (void *)-1)
		printf(",\"ret\":-1,\"errno\":\"%s\"}\n", strerrorname_np(e));
	else
		printf(",\"ret\":\"%#lx\",\"errno\":null}\n", (unsigned long)ret);
	return ret;
}

static void do_shmdt(const void *addr)
{
	int ret = shmdt(addr), e = errno;

	printf("{\"fn\":\"shmdt\",\"args\":{");
	ptr("shmaddr", addr);
	printf("}");
	ret_errno(ret, ret < 0, e);
}

static void do_shmctl(int id, int cmd, const char *cmds, struct shmid_ds *buf)
{
	int ret = shmctl(id, cmd, buf), e = errno;

	printf("{\"fn\":\"shmctl\",\"args\":{\"shmid\":%d,\"cmd\":\"%s\",", id, cmds);
	ptr("buf", buf);
	printf("}");
	ret_errno(ret, ret < 0, e);
}

static key_t do_ftok(const char *path, int proj)
{
	key_t ret = ftok(path, proj);
	int e = errno;

	printf("{\"fn\":\"ftok\",\"args\":{\"pathname\":\"%s\",\"proj_id\":%d}", path, proj);
	if (ret == (key_t)-1)
		printf(",\"ret\":-1,\"errno\":\"%s\"}\n", strerrorname_np(e));
	else
		printf(",\"ret\":\"%#010x\",\"errno\":null}\n", (unsigned)ret);
	return ret;
}

static void shm(void)
{
	struct shmid_ds ds;
	key_t key = (key_t)(0x49480000 | (getpid() & 0xffff));

	int id = do_shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600, "IPC_CREAT|0600");
	do_shmget(key, 4096, 0640, "0640");	/* ENOENT */
	int kid = do_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600, "IPC_CREAT|IPC_EXCL|0600");
	do_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600, "IPC_CREAT|IPC_EXCL|0600");	/* EEXIST */
	do_shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600, "IPC_CREAT|0600");	/* EINVAL */
	void *p = do_shmat(id, NULL, 0, "0");
	void *r = do_shmat(id, NULL, SHM_RDONLY, "SHM_RDONLY");
	do_shmat(-1, NULL, SHM_RDONLY | SHM_RND, "SHM_RDONLY|SHM_RND");	/* EINVAL */
	do_shmat(id, unmapped + 1, 0, "0");				/* EINVAL */
	do_shmdt(r);
	do_shmdt(r);		/* EINVAL: double shmdt */
	do_shmdt(NULL);		/* EINVAL */
	do_shmctl(id, IPC_STAT, "IPC_STAT", &ds);
	do_shmctl(id, IPC_STAT, "IPC_STAT", NULL);		/* EFAULT */
	do_shmctl(id, IPC_STAT, "IPC_STAT", (struct shmid_ds *)unmapped);	/* EFAULT */
	do_shmctl(id, 12345, "0x3039", &ds);			/* EINVAL */
	do_shmctl(id, IPC_RMID, "IPC_RMID", NULL);
	do_shmctl(kid, IPC_RMID, "IPC_RMID", NULL);
	do_shmdt(p);
	do_shmctl(id, IPC_RMID, "IPC_RMID", NULL);		/* EINVAL: gone */
	do_ftok("/", 7);
	do_ftok("/nonexistent-ipcg", 7);			/* ENOENT */
	/* NULL and unmapped pathnames: written as null / the address */
	key_t k = ftok(NULL, 1);
	int e = errno;
	printf("{\"fn\":\"ftok\",\"args\":{\"pathname\":null,\"proj_id\":1},\"ret\":%d,\"errno\":\"%s\"}\n",
	       (int)k, strerrorname_np(e));
	k = ftok(unmapped, 2);
	e = errno;
	printf("{\"fn\":\"ftok\",\"args\":{\"pathname\":\"%#lx\",\"proj_id\":2},\"ret\":%d,\"errno\":\"%s\"}\n",
	       (unsigned long)unmapped, (int)k, strerrorname_np(e));
}

static int do_socket(int d, const char *ds, int t, const char *ts, int p)
{
	int ret = socket(d, t, p), e = errno;

	printf("{\"fn\":\"socket\",\"args\":{\"domain\":\"%s\",\"type\":\"%s\",\"protocol\":%d}", ds, ts, p);
	ret_errno(ret, ret < 0, e);
	return ret;
}

static int do_socketpair(int t, const char *ts, int *sv)
{
	int ret = socketpair(AF_UNIX, t, 0, sv), e = errno;

	printf("{\"fn\":\"socketpair\",\"args\":{\"domain\":\"AF_UNIX\",\"type\":\"%s\",\"protocol\":0,", ts);
	if (ret == 0)
		printf("\"sv\":[%d,%d]}", sv[0], sv[1]);
	else
		printf("\"sv\":null}");
	ret_errno(ret, ret < 0, e);
	return ret;
}

/* addr_json: the expected encoding of the address */
static int do_bc(int is_bind, int fd, const void *addr, socklen_t len, const char *addr_json)
{
	int ret = is_bind ? bind(fd, addr, len) : connect(fd, addr, len), e = errno;

	printf("{\"fn\":\"%s\",\"args\":{\"sockfd\":%d,\"addr\":%s,\"addrlen\":%u}",
	       is_bind ? "bind" : "connect", fd, addr_json, len);
	ret_errno(ret, ret < 0, e);
	return ret;
}

static void do_listen(int fd, int backlog)
{
	int ret = listen(fd, backlog), e = errno;

	printf("{\"fn\":\"listen\",\"args\":{\"sockfd\":%d,\"backlog\":%d}", fd, backlog);
	ret_errno(ret, ret < 0, e);
}

/* unlink of a bound socket file: recorded (path_json: the expected encoding) */
static void do_unlink(const char *path, const char *path_json)
{
	int ret = unlink(path), e = errno;

	printf("{\"fn\":\"unlink\",\"args\":{\"pathname\":%s}", path_json);
	ret_errno(ret, ret < 0, e);
}

/* peer_json: the expected addr when the call succeeds with addr != NULL */
static int do_accept(int is4, int fd, struct sockaddr *addr, socklen_t *len, int flags,
		     const char *flags_s, const char *peer_json)
{
	int ret = is4 ? accept4(fd, addr, len, flags) : accept(fd, addr, len), e = errno;

	printf("{\"fn\":\"%s\",\"args\":{\"sockfd\":%d,", is4 ? "accept4" : "accept", fd);
	if (ret >= 0 && addr && len)
		printf("\"addr\":%s,\"addrlen\":%u", peer_json, *len);
	else
		printf("\"addr\":null,\"addrlen\":null");
	if (is4)
		printf(",\"flags\":\"%s\"", flags_s);
	printf("}");
	ret_errno(ret, ret < 0, e);
	return ret;
}

static void do_close(int fd)
{
	int ret = close(fd), e = errno;

	printf("{\"fn\":\"close\",\"args\":{\"fd\":%d}", fd);
	ret_errno(ret, ret < 0, e);
}

static socklen_t sun_path(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static void unix_calls(void)
{
	struct sockaddr_un a, b, peer;
	socklen_t alen, plen;
	int sv[2];

	int s = do_socket(AF_UNIX, "AF_UNIX", SOCK_STREAM, "SOCK_STREAM", 0);
	do_socket(AF_UNIX, "AF_UNIX", 999, "0x3e7", 0);		/* EINVAL */
	do_socketpair(SOCK_STREAM | SOCK_CLOEXEC, "SOCK_STREAM|SOCK_CLOEXEC", sv);
	do_socketpair(SOCK_DGRAM, "SOCK_DGRAM", NULL);		/* EFAULT */
	alen = sun_path(&a, "srv.sock");
	do_bc(1, s, &a, alen, "{\"family\":\"AF_UNIX\",\"path\":\"srv.sock\"}");
	do_listen(sv[0], 3);					/* EINVAL: not bound */
	do_listen(s, 8);
	int c = do_socket(AF_UNIX, "AF_UNIX", SOCK_STREAM, "SOCK_STREAM", 0);
	do_bc(1, c, &a, alen, "{\"family\":\"AF_UNIX\",\"path\":\"srv.sock\"}");	/* EADDRINUSE */
	do_bc(1, c, &b, sun_path(&b, "peer.sock"), "{\"family\":\"AF_UNIX\",\"path\":\"peer.sock\"}");
	do_bc(0, c, &b, sun_path(&b, "missing.sock"), "{\"family\":\"AF_UNIX\",\"path\":\"missing.sock\"}");	/* ENOENT */
	do_bc(0, c, &a, alen, "{\"family\":\"AF_UNIX\",\"path\":\"srv.sock\"}");
	plen = sizeof(peer);
	int k = do_accept(0, s, (struct sockaddr *)&peer, &plen, 0, NULL,
			  "{\"family\":\"AF_UNIX\",\"path\":\"peer.sock\"}");
	int c2 = do_socket(AF_UNIX, "AF_UNIX", SOCK_STREAM | SOCK_NONBLOCK, "SOCK_STREAM|SOCK_NONBLOCK", 0);
	do_bc(0, c2, &a, alen, "{\"family\":\"AF_UNIX\",\"path\":\"srv.sock\"}");
	do_accept(1, s, NULL, NULL, 0x1234, "0x1234", NULL);		/* EINVAL */
	plen = sizeof(peer);
	int k2 = do_accept(1, s, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC, "SOCK_CLOEXEC",
			   "{\"family\":\"AF_UNIX\"}");
	int nb = do_socket(AF_UNIX, "AF_UNIX", SOCK_SEQPACKET | SOCK_NONBLOCK, "SOCK_SEQPACKET|SOCK_NONBLOCK", 0);
	do_bc(1, nb, &b, sun_path(&b, "nb.sock"), "{\"family\":\"AF_UNIX\",\"path\":\"nb.sock\"}");
	do_listen(nb, 1);
	do_accept(0, nb, NULL, NULL, 0, NULL, NULL);			/* EAGAIN */
	do_accept(1, nb, NULL, NULL, SOCK_NONBLOCK, "SOCK_NONBLOCK", NULL);	/* EAGAIN */
	do_close(k);
	do_close(k2);
	do_close(c);
	do_close(c2);
	do_close(nb);
	do_close(sv[0]);
	do_close(sv[1]);
	/* a tracked socket closed behind the library's back (as close_range
	 * would): the close it then sees fails */
	syscall(SYS_close, s);
	do_close(s);						/* EBADF */
	do_unlink("srv.sock", "\"srv.sock\"");
	do_unlink("peer.sock", "\"peer.sock\"");
	do_unlink("nb.sock", "\"nb.sock\"");
}

/* sockaddr encodings of bind */
static void sockaddrs(void)
{
	struct sockaddr_un a;
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len;
	int s;

#define FRESH() (s = socket(AF_UNIX, SOCK_DGRAM, 0), \
		 printf("{\"fn\":\"socket\",\"args\":{\"domain\":\"AF_UNIX\",\"type\":\"SOCK_DGRAM\",\"protocol\":0},\"ret\":%d,\"errno\":null}\n", s))
	FRESH();
	do_bc(1, s, NULL, sizeof(a), "null");
	do_bc(1, s, unmapped, sizeof(a), "\"0x200001000\"");
	do_bc(1, s, &a, 0, "{\"family\":null}");
	do_bc(1, s, &a, 1, "{\"family\":null}");
	do_bc(1, s, &in, sizeof(in), "{\"family\":\"AF_INET\"}");
	/* a path longer than addrlen: no NUL within addrlen */
	len = sun_path(&a, "abcdef");
	do_bc(1, s, &a, offsetof(struct sockaddr_un, sun_path) + 3,
	      "{\"family\":\"AF_UNIX\",\"path\":\"abc\",\"truncated\":true}");
	FRESH();
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path + 1, "n\001m\"e\\", 6);
	do_bc(1, s, &a, offsetof(struct sockaddr_un, sun_path) + 7,
	      "{\"family\":\"AF_UNIX\",\"abstract\":\"n\\u0001m\\\"e\\\\\"}");
	FRESH();
	do_bc(1, s, &a, sizeof(sa_family_t), "{\"family\":\"AF_UNIX\"}");	/* autobind */
	FRESH();
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memset(a.sun_path, 'q', sizeof(a.sun_path));
	char json[300];
	snprintf(json, sizeof(json), "{\"family\":\"AF_UNIX\",\"path\":\"%.108s\",\"truncated\":true}", a.sun_path);
	do_bc(1, s, &a, sizeof(a), json);
	char path[109], path_json[120];
	memcpy(path, a.sun_path, 108);
	path[108] = '\0';
	snprintf(path_json, sizeof(path_json), "\"%s\"", path);
	do_unlink(path, path_json);
	FRESH();
	len = sun_path(&a, "sp ace\ttab.sock");
	do_bc(1, s, &a, len, "{\"family\":\"AF_UNIX\",\"path\":\"sp ace\\ttab.sock\"}");
	do_unlink("sp ace\ttab.sock", "\"sp ace\\ttab.sock\"");
	(void)len;
}

/* accept into a buffer shorter than the peer's address: the kernel writes
 * only the first *addrlen bytes, and returns the full length */
static void accept_short(void)
{
	struct sockaddr_un a, b;
	unsigned char buf[sizeof(struct sockaddr_un)];
	socklen_t plen;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0);

	bind(s, (struct sockaddr *)&a, sun_path(&a, "short-srv.sock"));
	listen(s, 4);
	bind(c, (struct sockaddr *)&b, sun_path(&b, "short-peer.sock"));
	connect(c, (struct sockaddr *)&a, sun_path(&a, "short-srv.sock"));
	memset(buf, 'Z', sizeof(buf));
	plen = 1;
	int k = accept(s, (struct sockaddr *)buf, &plen);
	/* one byte written: too short to hold a family */
	printf("{\"fn\":\"accept\",\"args\":{\"sockfd\":%d,\"addr\":{\"family\":null},\"addrlen\":%u},"
	       "\"ret\":%d,\"errno\":null}\n", s, plen, k);
	unlink("short-srv.sock");
	unlink("short-peer.sock");
}

int main(int argc, char **argv)
{
	char *m = mmap((void *)0x200000000UL, 2 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (m == MAP_FAILED || argc != 2)
		return 2;
	munmap(m + 4096, 4096);
	unmapped = m + 4096;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "shm") == 0)
		shm();
	else if (strcmp(argv[1], "unix") == 0)
		unix_calls();
	else if (strcmp(argv[1], "sockaddr") == 0)
		sockaddrs();
	else if (strcmp(argv[1], "accept-short") == 0)
		accept_short();
	else
		return 2;
	return 0;
}
