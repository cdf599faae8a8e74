/* t2_inet.c: a program that only uses AF_INET and AF_INET6 sockets (TCP
 * and UDP over loopback).  Under ipcguard it must produce no call records
 * and behave identically.  Prints results that do not depend on the run
 * (port numbers are not printed).
 *
 *	t2_inet		the INET-only program
 *	t2_inet stale	first an AF_UNIX socket closed with close_range(2),
 *			which ipcguard does not see, then the INET program
 *			on the same descriptor number */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void rep(const char *what, int ret)
{
	printf("%s: %d %s\n", what, ret, ret < 0 ? strerrorname_np(errno) : "-");
}

static void tcp4(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = { htonl(INADDR_LOOPBACK) } };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	rep("socket tcp4", s);
	rep("bind 127.0.0.1:0", bind(s, (struct sockaddr *)&a, sizeof(a)));
	rep("listen", listen(s, 4));
	getsockname(s, (struct sockaddr *)&a, &len);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rep("socket tcp4 client", c);
	rep("connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
	int k = accept(s, NULL, NULL);
	rep("accept", k);
	rep("write", (int)write(c, "hi", 2));
	char buf[4] = { 0 };
	rep("read", (int)read(k, buf, sizeof(buf)));
	printf("got: %s\n", buf);
	rep("close accepted", close(k));
	int c2 = socket(AF_INET, SOCK_STREAM, 0);
	rep("connect again", connect(c2, (struct sockaddr *)&a, sizeof(a)));
	k = accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	rep("accept4", k);
	rep("close accepted", close(k));
	rep("close second client", close(c2));
	rep("close client", close(c));
	rep("close listener", close(s));
}

static void misc(void)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = { htonl(INADDR_LOOPBACK) } };
	int sv[2];
	int u = socket(AF_INET, SOCK_DGRAM, 0);

	rep("socket udp4", u);
	rep("bind udp4", bind(u, (struct sockaddr *)&a, sizeof(a)));
	rep("connect udp4 to port 9", (a.sin_port = htons(9), connect(u, (struct sockaddr *)&a, sizeof(a))));
	rep("listen udp4", listen(u, 1));
	rep("accept udp4", accept(u, NULL, NULL));
	rep("bind udp4 again", bind(u, (struct sockaddr *)&a, sizeof(a)));
	rep("close udp4", close(u));
	int v6 = socket(AF_INET6, SOCK_STREAM, 0);
	if (v6 >= 0) {
		rep("bind [::1]:0", bind(v6, (struct sockaddr *)&a6, sizeof(a6)));
		rep("close v6", close(v6));
	}
	rep("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	rep("socket AF_INET bad type", socket(AF_INET, 77, 0));
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "stale") == 0) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		rep("socket AF_UNIX", s);
		rep("close_range", close_range((unsigned)s, (unsigned)s, 0));
	}
	tcp4();
	misc();
	return 0;
}
