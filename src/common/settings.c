/* settings: value rules shared by the library and `ipcguard run` (see
 * include/ipcg/settings.h). */
#include <string.h>

#include "ipcg/settings.h"

bool ipcg_set_uint(const char *s, long max, long *ret)
{
	long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*ret = v;
	return true;
}

static bool set_int(const char *s, int max, int *ret)
{
	long n;

	if (!ipcg_set_uint(s, max, &n))
		return false;
	*ret = (int)n;
	return true;
}

bool ipcg_set_stack(const char *s, int *ret)
{
	return set_int(s, IPCG_SET_STACK_MAX, ret);
}

bool ipcg_set_families(const char *s, unsigned *ret)
{
	static const struct { const char *s; unsigned f; } names[] = {
		{ "shm,unix", IPCG_SET_FAM_SHM | IPCG_SET_FAM_UNIX },
		{ "unix,shm", IPCG_SET_FAM_SHM | IPCG_SET_FAM_UNIX },
		{ "shm", IPCG_SET_FAM_SHM },
		{ "unix", IPCG_SET_FAM_UNIX },
		{ "none", 0 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].s) == 0) {
			*ret = names[i].f;
			return true;
		}
	return false;
}

bool ipcg_set_out_fd(const char *s, int *ret)
{
	return set_int(s, IPCG_SET_FD_MAX, ret);
}
