/* unix/unlink.c: unlink, unlinkat and remove, traced only when they name a
 * socket file this process bound (unix/state.h), so that the trace says
 * which socket files the program removed and socket-file-leak stays exact.
 *
 * Every other call costs one lock-free test when the process has bound no
 * path, and otherwise a string compare per bound path after the real call.
 * The path is read only after the kernel accepted it (not on EFAULT), and
 * the real call is made first: errno and the return value are the kernel's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/call.h"
#include "ipcg/compiler.h"
#include "core/real.h"
#include "unix/state.h"
#include "unix/unlink.h"

enum rm_kind { RM_UNLINK, RM_UNLINKAT, RM_REMOVE };
static const char *const rm_name[] = { "unlink", "unlinkat", "remove" };

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The absolute form of a relative path: the cwd's or dirfd's directory,
 * "/", rel; false when it cannot be told or does not fit. */
static bool absolute_of(int dirfd, const char *rel, char *out, size_t n)
{
	size_t len;

	if (dirfd == AT_FDCWD) {
		if (!getcwd(out, n))
			return false;
		len = strlen(out);
	} else {
		char link[40];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		ssize_t l = readlink(link, out, n - 1);
		if (l <= 0 || out[0] != '/')
			return false;
		len = (size_t)l;
		out[len] = '\0';
	}
	int r = snprintf(out + len, n - len, "%s%s", out[len - 1] == '/' ? "" : "/", rel);
	return r > 0 && (size_t)r < n - len;
}

/* The bound entry that path names, 0 if none.  Called with the guard held. */
static uint32_t bound_match(int dirfd, const char *path)
{
	char full[PATH_MAX];
	struct ipcg_bound b;
	uint32_t cursor = 0, id;
	bool have_full = false, tried = false;
	const char *base = base_of(path);

	while (ipcg_unix_bound_next(&cursor, &id, &b)) {
		if (strcmp(base_of(b.path), base))
			continue;	/* the common case: another file */
		if (path[0] == '/') {
			if (!strcmp(path, b.path))
				return id;
			continue;
		}
		if (dirfd == AT_FDCWD && !strcmp(path, b.name))
			return id;	/* as given to bind, from the same directory */
		if (!tried) {
			tried = true;
			have_full = absolute_of(dirfd, path, full, sizeof(full));
		}
		if (have_full && !strcmp(full, b.path))
			return id;
	}
	return 0;
}

static void write_record(struct ipcg_call *c, enum rm_kind kind, int dirfd, const char *path,
			 size_t plen, int flags, int ret)
{
	ipcg_call_record(c, rm_name[kind]);
	if (kind == RM_UNLINKAT) {
		if (dirfd == AT_FDCWD)
			ipcg_jw_kstr(&c->rec.w, "dirfd", "AT_FDCWD");
		else
			ipcg_jw_ki64(&c->rec.w, "dirfd", dirfd);
	}
	ipcg_jw_key(&c->rec.w, "pathname");
	ipcg_jw_strn(&c->rec.w, path, plen);
	if (kind == RM_UNLINKAT) {
		char fl[32];
		snprintf(fl, sizeof(fl), flags ? "%#x" : "0", (unsigned)flags);
		ipcg_jw_kstr(&c->rec.w, "flags", fl);
	}
	ipcg_call_ret_i(c, ret, ret < 0);
}

/* After the real call: record it and forget the entry when it names one. */
static IPCG_NOINLINE void after_unlink(enum rm_kind kind, int dirfd, const char *path, int flags,
				       int ret, int err)
{
	struct ipcg_call c;

	/* EFAULT: the kernel could not read the path, neither may we;
	 * guard busy: our own bookkeeping (a policy's unlink) or a handler
	 * that interrupted it; the exit check still lstat()s every entry */
	if ((ret < 0 && err == EFAULT) || !path || ipcg_guard_busy() ||
	    !ipcg_call_begin(&c, IPCG_FAM_UNIX))
		return;
	errno = err;
	ipcg_call_after(&c);
	size_t plen = strnlen(path, PATH_MAX);	/* the kernel read this far */
	uint32_t id = plen < PATH_MAX ? bound_match(dirfd, path) : 0;
	if (id) {
		if (c.log)
			write_record(&c, kind, dirfd, path, plen, flags, ret);
		if (ret == 0)
			ipcg_unix_bound_drop(id);
	}
	ipcg_call_end(&c);
}

int ipcg_unlink_slow(const char *path)
{
	int ret = REAL(unlink)(path), err = errno;
	after_unlink(RM_UNLINK, AT_FDCWD, path, 0, ret, err);
	errno = err;
	return ret;
}

int ipcg_unlinkat_slow(int dirfd, const char *path, int flags)
{
	int ret = REAL(unlinkat)(dirfd, path, flags), err = errno;
	after_unlink(RM_UNLINKAT, dirfd, path, flags, ret, err);
	errno = err;
	return ret;
}

int ipcg_remove_slow(const char *path)
{
	int ret = REAL(remove)(path), err = errno;
	after_unlink(RM_REMOVE, AT_FDCWD, path, 0, ret, err);
	errno = err;
	return ret;
}
