/* trace/manifest.c: see trace/manifest.h.  Each path ends with a NUL byte (a path may
 * hold a newline) and is appended in one write (O_APPEND keeps entries
 * whole). */
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipcg/compiler.h"
#include "ipcg/jsonw.h"
#include "trace/manifest.h"
#include "core/real.h"

static IPCG_BULK char manifest[PATH_MAX];
static bool have_manifest;	/* beside the small state: no look into manifest[] without one */

/* once, at start (zero until then: nothing is touched without a manifest) */
void ipcg_manifest_init(void)
{
	const char *m = getenv("IPCGUARD_RUN_MANIFEST");

	if (m && m[0] && strlen(m) < sizeof(manifest)) {
		ipcg_txt(manifest, sizeof(manifest), 0, m);
		have_manifest = true;
	}
}

void ipcg_manifest_note(const char *path)
{
	size_t n = strlen(path);

	if (!have_manifest || !path[0] || n >= PATH_MAX)
		return;
	int fd = open(manifest, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)!write(fd, path, n + 1);	/* with its NUL */
	ipcg_sys_close(fd);
}
