/* hp_unix: AF_UNIX scenarios for the hardening tests 730-739.
 *   race DIR N     a child swaps DIR/s and DIR/f (renameat2 RENAME_EXCHANGE)
 *                  in a loop while this process binds DIR/s N times (each
 *                  bound socket is closed, so it goes stale); DIR/f starts
 *                  as a regular file (held open).  Prints "lost 0", or
 *                  "lost at bind" and "bind I" when the regular file was
 *                  unlinked (the loop stops there).
 *   busy-connect PATH N  N connects to PATH from a SIGALRM handler while the
 *                  main loop makes traced connects to it; prints how many
 *                  of the handler's connects succeeded */
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_un sun_of(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	return sa;
}

/* The regular file is held open: st_nlink 0 says it was unlinked, with no
 * look-up racing the swaps. */
static int race(const char *dir, int n)
{
	char s[200], f[200];
	struct stat st;
	int lost = 0;

	snprintf(s, sizeof(s), "%s/s", dir);
	snprintf(f, sizeof(f), "%s/f", dir);
	int reg = open(f, O_CREAT | O_WRONLY, 0600);
	struct sockaddr_un sa = sun_of(s);
	pid_t kid = fork();
	if (kid == 0) {
		for (;;)
			(void)renameat2(AT_FDCWD, s, AT_FDCWD, f, RENAME_EXCHANGE);
	}
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		(void)bind(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
		if (fstat(reg, &st) == 0 && st.st_nlink == 0) {
			lost = i + 1;
			break;
		}
	}
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	printf("lost %s\n", lost ? "at bind" : "0");
	if (lost)
		printf("bind %d\n", lost);
	return 0;
}

static struct sockaddr_un busy_sa;
static _Atomic int handler_ok, handler_calls;
static int busy_n;	/* alarms still due after the last one are not counted */

static void on_alarm(int sig)
{
	(void)sig;
	if (handler_calls >= busy_n)
		return;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	handler_calls++;
	if (connect(fd, (struct sockaddr *)&busy_sa, sizeof(busy_sa)) == 0)
		handler_ok++;
	close(fd);
}

static int busy_connect(const char *path, int n)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	int l = socket(AF_UNIX, SOCK_STREAM, 0);

	busy_sa = sun_of(path);
	busy_n = n;
	unlink(path);
	/* bound with the raw system call: outside the policy, which forbids
	 * the path for the connects */
	if (syscall(SYS_bind, l, &busy_sa, sizeof(busy_sa)) || listen(l, 4096))
		return perror("listen"), 1;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	while (handler_calls < n) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		(void)connect(fd, (struct sockaddr *)&busy_sa, sizeof(busy_sa));
		close(fd);
		int c;
		while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0)
			close(c);
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	printf("handler connects %d of %d\n", handler_ok, handler_calls);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[1], "race"))
		return race(argv[2], atoi(argv[3]));
	if (!strcmp(argv[1], "busy-connect"))
		return busy_connect(argv[2], atoi(argv[3]));
	return 2;
}
