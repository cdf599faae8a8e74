/* bench_floor.c: the reference library of the start-up rows of `make bench`
 * (bench/bench_run.sh): what the trace contract costs an image before any
 * of ipcguard's own work.  Preloaded, it does what SPEC §2 asks of every
 * process image and nothing else: create its trace file (IPCGUARD_OUTPUT
 * with %p, O_CREAT|O_EXCL|O_NOFOLLOW, 0600), write a header-sized line at
 * start and an exit-sized line at exit.  The row "exec, file floor" is the
 * floor under "exec, no traced call". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fd = -1;
static char line[512];

__attribute__((constructor)) static void floor_start(void)
{
	const char *out = getenv("IPCGUARD_OUTPUT");
	const char *p = out ? strstr(out, "%p") : NULL;
	char path[4096];

	if (!p || snprintf(path, sizeof(path), "%.*s%d%s", (int)(p - out), out, (int)getpid(),
			   p + 2) >= (int)sizeof(path))
		return;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	memset(line, 'x', sizeof(line));
	line[431] = '\n';
	if (pwrite(fd, line, 432, 0) != 432)
		return;
	(void)fallocate(fd, FALLOC_FL_KEEP_SIZE, 432, 4096 - 432);
}

__attribute__((destructor)) static void floor_end(void)
{
	if (fd >= 0)
		(void)!pwrite(fd, line + 334, 98, 432);
}
