/* demo.c: a small producer/consumer over System V shared memory and an
 * AF_UNIX stream socket, with two mistakes of the kind ipcguard finds:
 * the client attaches a segment it already inherited (repeated-attach),
 * and the server never unlinks its socket file (socket-file-leak). */
#include <stdio.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int die(const char *what)
{
	perror(what);
	return 1;
}

static int client(int shmid, const struct sockaddr_un *addr)
{
	char reply[64] = "";
	/* the child inherited the parent's attach: this is a second one */
	char *mem = shmat(shmid, NULL, SHM_RDONLY);
	if (mem == (void *)-1)
		return die("client shmat");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0)
		return die("client connect");
	if (write(fd, mem, strlen(mem)) < 0 || read(fd, reply, sizeof(reply) - 1) < 0)
		return die("client io");
	printf("client: sent \"%s\", got \"%s\"\n", mem, reply);
	close(fd);
	shmdt(mem);
	return 0;
}

int main(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[64] = "";
	int status;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/ipcguard-demo.%d.sock", (int)getpid());
	int shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (shmid < 0)
		return die("shmget");
	char *mem = shmat(shmid, NULL, 0);
	if (mem == (void *)-1)
		return die("shmat");
	strcpy(mem, "hello from shared memory");

	int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(srv, 1) < 0)
		return die("server socket");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return die("fork");
	if (pid == 0)
		_exit(client(shmid, &addr));

	int conn = accept(srv, NULL, NULL);
	if (conn < 0)
		return die("accept");
	ssize_t n = read(conn, buf, sizeof(buf) - 1);
	if (n > 0 && write(conn, "thanks", 6) < 0)
		return die("server write");
	printf("server: received \"%.*s\"\n", (int)(n > 0 ? n : 0), buf);
	close(conn);
	waitpid(pid, &status, 0);
	close(srv);		/* the socket file stays behind: no unlink() */
	shmdt(mem);
	shmctl(shmid, IPC_RMID, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
