/* trace/manifest.c: see trace/manifest.h.  Each path ends with a NUL byte (a path may
 * hold a newline) and is appended in one write (O_APPEND keeps entries
 * whole). */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcg/jsonw.h"
#include "trace/manifest.h"
#include "core/real.h"

static char manifest[PATH_MAX];

void ipcg_manifest_init(void)
{
	const char *m = getenv("IPCGUARD_RUN_MANIFEST");

	manifest[0] = '\0';
	if (m && strlen(m) < sizeof(manifest))
		ipcg_txt(manifest, sizeof(manifest), 0, m);
}

void ipcg_manifest_note(const char *path)
{
	char entry[PATH_MAX + 1];
	size_t n = strlen(path);

	if (!manifest[0] || !path[0] || n >= sizeof(entry))
		return;
	int fd = open(manifest, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	memcpy(entry, path, n + 1);	/* with its NUL */
	(void)!write(fd, entry, n + 1);
	ipcg_sys_close(fd);
}
