/* det_unix.c: one AF_UNIX scenario per run, for the detector tests
 * (tests/integration/2xx).  Prints "what result" per call.
 *
 *	det_unix SCENARIO DIR [ARG]
 *
 * DIR is a directory the scenario may create socket files in; every
 * scenario unlinks what it bound, except `leak`. */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
	case 0: return "ok";
	case ENOENT: return "ENOENT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EACCES: return "EACCES";
	case EADDRINUSE: return "EADDRINUSE";
	case EINVAL: return "EINVAL";
	default: return "E?";
	}
}

static socklen_t sun_path(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	strncpy(sa->sun_path, path, sizeof(sa->sun_path) - 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
}

static socklen_t sun_abstract(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static int op(const char *what, int r)
{
	printf("%s %s\n", what, r == 0 ? "ok" : ename(errno));
	return r;
}

static int do_bind(const char *what, int fd, const struct sockaddr_un *sa, socklen_t len)
{
	errno = 0;
	return op(what, bind(fd, (const struct sockaddr *)sa, len));
}

static int do_connect(const char *what, int fd, const struct sockaddr_un *sa, socklen_t len)
{
	errno = 0;
	return op(what, connect(fd, (const struct sockaddr *)sa, len));
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
	return status;
}

/* A correct server: unlink before bind and after close; a forked client
 * connects, writes, exits. */
static int client_server(const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = sun_path(&sa, path);
	char buf[16] = "";
	int st;

	unlink(path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (do_bind("bind", s, &sa, len) < 0 || op("listen", listen(s, 8)) < 0)
		return 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(s);
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		int ok = connect(c, (struct sockaddr *)&sa, len) == 0 && write(c, "ping", 4) == 4;
		close(c);
		_exit(!ok);
	}
	int a = accept(s, NULL, NULL);
	ssize_t n = a >= 0 ? read(a, buf, sizeof(buf) - 1) : -1;
	printf("read %.*s\n", (int)(n > 0 ? n : 0), buf);
	close(a);
	waitpid(pid, &st, 0);
	printf("client %d\n", WEXITSTATUS(st));
	close(s);
	unlink(path);
	return 0;
}

static int sc_truncated(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	char other[4096];
	struct sockaddr_un sa;
	int s, c;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	/* a 150-byte path copied into the 108-byte sun_path */
	int n = snprintf(path, sizeof(path), "%s/", dir);
	memset(path + n, 'a', 150 - n);
	path[150] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, sizeof(sa.sun_path));	/* no NUL */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, sizeof(sa));
	listen(s, 1);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	do_connect("connect", c, &sa, sizeof(sa));
	memcpy(other, path, 108);
	other[108] = '\0';
	struct stat st;
	printf("cut-file-exists %d\n", stat(other, &st) == 0);
	unlink(other);
	close(c);
	close(s);
	return 0;
}

/* A server and a client on one abstract name; padded: the server binds
 * with addrlen = sizeof(struct sockaddr_un), the client with the name's
 * length (the pitfall); otherwise both use the exact length (correct). */
static int abstract_pair(bool padded)
{
	struct sockaddr_un sa;
	char name[64];
	int s, c;

	snprintf(name, sizeof(name), "ipcg-det-%d", (int)getpid());
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t len = sun_abstract(&sa, name);
	do_bind("bind", s, &sa, padded ? sizeof(sa) : len);
	listen(s, 1);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	do_connect("connect", c, &sa, len);
	close(c);
	close(s);
	return 0;
}

static int sc_abstract_padded(const char *dir __attribute__((unused)), const char *arg __attribute__((unused)))
{
	return abstract_pair(true);
}

static int sc_abstract_exact(const char *dir __attribute__((unused)), const char *arg __attribute__((unused)))
{
	return abstract_pair(false);
}

static int sc_stale(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int s, c;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	/* a socket file left behind (closed, never unlinked) */
	len = sun_path(&sa, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, len);
	close(s);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind-again", s, &sa, len);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	do_connect("connect", c, &sa, len);
	close(c);
	close(s);
	unlink(path);
	return 0;
}

/* EADDRINUSE on a live server: no stale-socket */
static int sc_live_in_use(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int s, c;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	len = sun_path(&sa, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, len);
	listen(s, 1);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind-again", c, &sa, len);
	close(c);
	close(s);
	unlink(path);
	return 0;
}

static int sc_connect_causes(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	char other[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int s, c;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	len = sun_path(&sa, path);
	do_connect("connect-missing", c, &sa, len);
	snprintf(other, sizeof(other), "%s/nodir/x.sock", dir);
	len = sun_path(&sa, other);
	do_connect("connect-nodir", c, &sa, len);
	snprintf(other, sizeof(other), "%s/plain", dir);
	close(creat(other, 0600));
	len = sun_path(&sa, other);
	do_connect("connect-regular", c, &sa, len);
	unlink(other);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	len = sun_path(&sa, path);
	do_bind("bind", s, &sa, len);	/* bound, not listening */
	do_connect("connect-not-listening", c, &sa, len);
	close(s);
	close(c);
	unlink(path);
	return 0;
}

static int sc_connect_denied(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	char other[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int c;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	/* as root: a child running as nobody meets a 0700 directory and a
	 * 0600 socket file */
	snprintf(other, sizeof(other), "%s/private", dir);
	mkdir(other, 0700);
	snprintf(path, sizeof(path), "%s/private/p.sock", dir);
	char open_dir[4096], open_sock[4096];
	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	mkdir(open_dir, 0755);
	chmod(open_dir, 0755);
	snprintf(open_sock, sizeof(open_sock), "%s/open/o.sock", dir);
	int s1 = socket(AF_UNIX, SOCK_STREAM, 0), s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	len = sun_path(&sa, path);
	do_bind("bind-private", s1, &sa, len);
	listen(s1, 1);
	len = sun_path(&sa, open_sock);
	do_bind("bind-open", s2, &sa, len);
	chmod(open_sock, 0600);
	listen(s2, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(65534) < 0)
			_exit(77);
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		len = sun_path(&sa, path);
		do_connect("child-connect-private", c, &sa, len);
		len = sun_path(&sa, open_sock);
		do_connect("child-connect-open", c, &sa, len);
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child %d\n", WEXITSTATUS(st));
	close(s1);
	close(s2);
	unlink(path);
	unlink(open_sock);
	return 0;
}

/* arg: return exit _exit _Exit */
static int sc_leak(const char *dir, const char *arg)
{
	char path[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int s;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	len = sun_path(&sa, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, len);
	listen(s, 1);
	if (!strcmp(arg, "closed"))
		close(s);
	return finish(arg, 0);
}

static int sc_relative_leak(const char *dir, const char *arg __attribute__((unused)))
{
	struct sockaddr_un sa;
	socklen_t len;
	int s;

	/* bound by a relative name, then chdir away: still found at exit */
	if (chdir(dir) < 0)
		return 1;
	len = sun_path(&sa, "rel.sock");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, len);
	if (chdir("/") < 0)
		return 1;
	return 0;
}

static int sc_unlinked_then_rebound(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int s;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	/* another process replaced our file: not our leak */
	len = sun_path(&sa, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, len);
	close(s);
	unlink(path);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int t = socket(AF_UNIX, SOCK_STREAM, 0);
		bind(t, (struct sockaddr *)&sa, len);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("replaced-by-child %d\n", access(path, F_OK) == 0);
	return 0;
}

/* DIR should be 0755 for a finding */
static int sc_world(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	char other[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int s, c;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	umask(0);
	len = sun_path(&sa, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, len);
	op("listen", listen(s, 1));
	close(s);
	unlink(path);
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(other, sizeof(other), "%s/d.sock", dir);
	len = sun_path(&sa, other);
	do_bind("bind-dgram", c, &sa, len);
	close(c);
	unlink(other);
	return 0;
}

/* umask 0 but fchmod 0600 before listen */
static int sc_world_fixed(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int s;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	umask(0);
	len = sun_path(&sa, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, len);
	chmod(path, 0600);
	op("listen", listen(s, 1));
	close(s);
	unlink(path);
	return 0;
}

static int sc_fork_bound(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];
	struct sockaddr_un sa;
	socklen_t len;
	int s;

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	/* the child inherits the bound socket and exits: not its leak */
	len = sun_path(&sa, path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	do_bind("bind", s, &sa, len);
	listen(s, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	close(s);
	unlink(path);
	return 0;
}

static int sc_client_server(const char *dir, const char *arg __attribute__((unused)))
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/s.sock", dir);
	return client_server(path);
}

/* The scenarios by name: a new one is a function and a row.  path is
 * DIR/s.sock unless the scenario builds its own. */
static const struct {
	const char *name;
	int (*run)(const char *dir, const char *arg);	/* returns main's exit status */
} scenarios[] = {
	{ "truncated", sc_truncated },
	{ "abstract-padded", sc_abstract_padded },
	{ "abstract-exact", sc_abstract_exact },
	{ "stale", sc_stale },
	{ "live-in-use", sc_live_in_use },
	{ "connect-causes", sc_connect_causes },
	{ "connect-denied", sc_connect_denied },
	{ "leak", sc_leak },
	{ "relative-leak", sc_relative_leak },
	{ "unlinked-then-rebound", sc_unlinked_then_rebound },
	{ "world", sc_world },
	{ "world-fixed", sc_world_fixed },
	{ "fork-bound", sc_fork_bound },
	{ "client-server", sc_client_server },
};

int main(int argc, char **argv)
{
	const char *sc = argc > 1 ? argv[1] : "";
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	const char *arg = argc > 3 ? argv[3] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(sc, scenarios[i].name))
			return scenarios[i].run(dir, arg);
	fprintf(stderr, "det_unix: unknown scenario '%s'\n", sc);
	return 2;
}
