/* libFuzzer target for the reader: the JSON line parser on every line of the
 * input, then the whole input as a trace file through the loader, the report
 * model and the report and events commands (output to /dev/null).
 * Build and run: make fuzz (tools/reader.mk). A crash input goes into
 * tests/fuzz/regress/, which make check replays. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../tools/aggregate.h"
#include "../../tools/commands.h"
#include "../../tools/jsonr.h"
#include "../../tools/trace_load.h"

static void parse_lines(const uint8_t *data, size_t size)
{
	struct ipcg_jsonr p;
	size_t start = 0;

	ipcg_jsonr_init(&p);
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		const struct ipcg_jv *v = ipcg_jsonr_parse(&p, (const char *)data + start, i - start);
		if (v && v->type == IPCG_JV_OBJ) {
			uint64_t u;
			(void)ipcg_jv_hex(ipcg_jv_get(&p, v, "base"), &u);
			for (const struct ipcg_jv *m = ipcg_jv_first(&p, v); m; m = ipcg_jv_next(&p, m))
				(void)ipcg_jv_u64(m, &u);
		}
		start = i + 1;
	}
	ipcg_jsonr_release(&p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* the commands write to stdout: silence it (libFuzzer's -close_fd_mask=2
	 * silences their stderr and keeps its own reports) */
	int fd = open("/dev/null", O_WRONLY);
	if (fd >= 0) {
		dup2(fd, 1);
		close(fd);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd;

	parse_lines(data, size);
	fd = memfd_create("trace", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	{
		char *av[] = { "report", "--json", "--top", "0", path, NULL };
		(void)ipcg_cmd_report(5, av);
	}
	{
		char *av[] = { "report", path, NULL };
		(void)ipcg_cmd_report(2, av);
	}
	{
		char *av[] = { "events", "--stacks", path, NULL };
		(void)ipcg_cmd_events(3, av);
	}
	{
		char *av1[] = { "export", "--format", "chrome", path, NULL };
		char *av2[] = { "export", "--format", "folded", path, NULL };
		(void)ipcg_cmd_export(4, av1);
		(void)ipcg_cmd_export(4, av2);
	}
	fflush(stdout);
	close(fd);
	return 0;
}
