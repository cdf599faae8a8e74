/* Four levels of static functions the compiler inlines into main at -O1
 * and -O2, the innermost calling shmget: the stack of that call must be
 * symbolised frame for frame as eu-addr2line -i -f does.  Built by the test
 * itself at each optimisation level (tests/integration/615-*.t). */
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/shm.h>

static int counter;

static inline int stats_snapshot(int req)
{
	int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	counter += req;
	return id;
}

static inline int handle_request(int req)
{
	int id = stats_snapshot(req);
	counter ^= id;
	return id;
}

static inline int worker_loop(int n)
{
	int last = -1;
	for (int i = 0; i < n; i++)
		last = handle_request(i);
	return last;
}

int main(int argc, char **argv)
{
	int id = worker_loop(argc);
	if (id >= 0)
		(void)shmctl(id, IPC_RMID, NULL);
	printf("%d %d\n", id >= 0, counter != 0 || argv[0] == NULL);
	return 0;
}
