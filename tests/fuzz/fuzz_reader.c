/* libFuzzer target for the reader: the JSON line parser on every line of the
 * input, then the whole input as a trace file through the loader, the report
 * model and the report and events commands (output to /dev/null).
 * Build and run: make fuzz (tools/reader.mk). A crash input goes into
 * tests/fuzz/regress/, which make check replays. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../tools/model/aggregate.h"
#include "../../tools/cli/commands.h"
#include "../../tools/load/jsonr.h"
#include "../../tools/load/trace_load.h"

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

#define MAX_PARTS 4

/* The input is one trace file, or several separated by a line that
 * starts with a form feed: the parts of a rotated trace (or other
 * processes), which the loader joins by their headers. */
static int split_files(const uint8_t *data, size_t size, int *fds, char paths[][64])
{
	int n = 0;
	size_t start = 0;

	for (size_t i = 0; i <= size && n < MAX_PARTS; i++) {
		bool cut = i == size || (data[i] == '\f' && (i == 0 || data[i - 1] == '\n'));
		if (!cut)
			continue;
		int fd = memfd_create("trace", MFD_CLOEXEC);
		if (fd < 0)
			break;
		size_t len = i - start;
		if (len && write(fd, data + start, len) != (ssize_t)len) {
			close(fd);
			break;
		}
		fds[n] = fd;
		snprintf(paths[n], 64, "/proc/self/fd/%d", fd);
		n++;
		start = i + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char paths[MAX_PARTS][64];
	int fds[MAX_PARTS];
	char *av[8 + MAX_PARTS];

	parse_lines(data, size);
	int n = split_files(data, size, fds, paths);
	if (n == 0)
		return 0;
	/* run argv prefix, then every file */
#define RUN(fn, ...) do {						\
		char *pre[] = { __VA_ARGS__ };				\
		int k = (int)(sizeof(pre) / sizeof(pre[0]));		\
		memcpy(av, pre, sizeof(pre));				\
		for (int j = 0; j < n; j++)				\
			av[k + j] = paths[j];				\
		av[k + n] = NULL;					\
		(void)fn(k + n, av);					\
	} while (0)
	RUN(ipcg_cmd_report, "report", "--json", "--top", "0");
	RUN(ipcg_cmd_report, "report");
	RUN(ipcg_cmd_events, "events", "--stacks");
	RUN(ipcg_cmd_export, "export", "--format", "chrome");
	RUN(ipcg_cmd_export, "export", "--format", "folded");
#undef RUN
	fflush(stdout);
	for (int j = 0; j < n; j++)
		close(fds[j]);
	return 0;
}
