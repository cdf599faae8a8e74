/* pol_unix.c: runs a list of AF_UNIX steps and prints what each one
 * observed, for the policy tests (tests/integration/3xx).
 *
 *	pol_unix STEP...
 *
 * Steps (N is the index of an earlier step, from 0, whose socket is used;
 * NAME is a path, or @name for an abstract name):
 *	stream / dgram		socket(AF_UNIX, SOCK_STREAM or SOCK_DGRAM)
 *	bind:N:NAME		bind
 *	bindlen:N:NAME:LEN	bind with an explicit addrlen
 *	autobind:N		bind with addrlen sizeof(sa_family_t)
 *	connect:N:NAME		connect
 *	listen:N		listen(5)
 *	close:N			close
 *	stat:PATH		what is at PATH: socket/file/dir/missing and mode
 *	umask:OCTAL		umask
 *	cancel:NAME		a thread with a pending cancellation request
 *				calls connect(NAME): "cancelled" or "returned E"
 *	badaddr:N		connect with an unreadable address
 *	sleep:MS		sleep (a server that stays up)
 *	fill			open /dev/null until EMFILE (no descriptor left)
 * Output: one "STEP RESULT" line per step: ok or the errno name. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXSTEPS 64

static int fds[MAXSTEPS];

static const char *ename(int e)
{
	static const struct { int e; const char *s; } t[] = {
		{ EINVAL, "EINVAL" }, { EEXIST, "EEXIST" }, { ENOENT, "ENOENT" }, { EACCES, "EACCES" },
		{ EADDRINUSE, "EADDRINUSE" }, { ECONNREFUSED, "ECONNREFUSED" }, { EFAULT, "EFAULT" },
		{ EPERM, "EPERM" }, { ENOTDIR, "ENOTDIR" }, { EPROTOTYPE, "EPROTOTYPE" }, { EBADF, "EBADF" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].s;
	return "E?";
}

static socklen_t mkaddr(struct sockaddr_un *sa, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (name[0] == '@') {
		size_t n = strlen(name + 1);
		memcpy(sa->sun_path + 1, name + 1, n);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	}
	strncpy(sa->sun_path, name, sizeof(sa->sun_path));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1);
}

static int ref(const char *s)
{
	int n = atoi(s);
	if (n < 0 || n >= MAXSTEPS) {
		fprintf(stderr, "bad step reference %s\n", s);
		exit(3);
	}
	return fds[n];
}

static void say(const char *step, int r)
{
	printf("%s %s\n", step, r == 0 ? "ok" : ename(errno));
}

static void *canceller(void *arg)
{
	struct sockaddr_un sa;
	socklen_t len = mkaddr(&sa, arg);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_cancel(pthread_self());	/* pending until enabled */
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	int r = connect(fd, (struct sockaddr *)&sa, len);
	return (void *)(intptr_t)(r == 0 ? 0 : errno);
}

static void step(int i, char *arg)
{
	char *v[4] = { 0 };
	int n = 0;
	struct sockaddr_un sa;

	for (char *t = strtok(arg, ":"); t && n < 4; t = strtok(NULL, ":"))
		v[n++] = t;
	fds[i] = -1;
	errno = 0;
	if (!strcmp(v[0], "stream") || !strcmp(v[0], "dgram")) {
		fds[i] = socket(AF_UNIX, v[0][0] == 's' ? SOCK_STREAM : SOCK_DGRAM, 0);
		say(v[0], fds[i] < 0 ? -1 : 0);
	} else if (!strcmp(v[0], "bind")) {
		socklen_t len = mkaddr(&sa, v[2]);
		say("bind", bind(ref(v[1]), (struct sockaddr *)&sa, len));
	} else if (!strcmp(v[0], "bindlen")) {
		mkaddr(&sa, v[2]);
		say("bind", bind(ref(v[1]), (struct sockaddr *)&sa, (socklen_t)atoi(v[3])));
	} else if (!strcmp(v[0], "autobind")) {
		sa.sun_family = AF_UNIX;
		say("autobind", bind(ref(v[1]), (struct sockaddr *)&sa, sizeof(sa_family_t)));
	} else if (!strcmp(v[0], "connect")) {
		socklen_t len = mkaddr(&sa, v[2]);
		say("connect", connect(ref(v[1]), (struct sockaddr *)&sa, len));
	} else if (!strcmp(v[0], "badaddr")) {
		say("badaddr", connect(ref(v[1]), (struct sockaddr *)8, sizeof(sa)));
	} else if (!strcmp(v[0], "listen")) {
		say("listen", listen(ref(v[1]), 5));
	} else if (!strcmp(v[0], "close")) {
		say("close", close(ref(v[1])));
	} else if (!strcmp(v[0], "stat")) {
		struct stat st;
		if (lstat(v[1], &st) < 0) {
			printf("stat missing\n");
			return;
		}
		printf("stat %s %04o\n", S_ISSOCK(st.st_mode) ? "socket" : S_ISREG(st.st_mode) ? "file"
		       : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" : "other",
		       (unsigned)(st.st_mode & 07777));
	} else if (!strcmp(v[0], "fill")) {
		int n = 0;
		while (open("/dev/null", O_RDONLY) >= 0)
			n++;
		printf("fill %s\n", errno == EMFILE && n > 0 ? "ok" : ename(errno));
	} else if (!strcmp(v[0], "sleep")) {
		usleep((useconds_t)atoi(v[1]) * 1000);
		printf("sleep ok\n");
	} else if (!strcmp(v[0], "umask")) {
		umask((mode_t)strtol(v[1], NULL, 8));
		printf("umask ok\n");
	} else if (!strcmp(v[0], "cancel")) {
		pthread_t t;
		void *res;
		pthread_create(&t, NULL, canceller, v[1]);
		pthread_join(t, &res);
		if (res == PTHREAD_CANCELED)
			printf("cancel cancelled\n");
		else
			printf("cancel returned %s\n", res ? ename((int)(intptr_t)res) : "0");
	} else {
		fprintf(stderr, "unknown step %s\n", v[0]);
		exit(3);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc && i <= MAXSTEPS; i++)
		step(i - 1, argv[i]);
	return 0;
}
