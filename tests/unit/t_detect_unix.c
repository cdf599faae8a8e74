/* tests/unit/t_detect_unix.c: the AF_UNIX detectors (docs/detectors.md) on
 * scripted calls and a scripted file system, without a preload.  Socket
 * files, directories and live abstract names are the kernel of a row;
 * the probe answers follow from them as the real probe's would (a socket
 * file without a bound socket is stale). */
#include <stddef.h>
#include <sys/un.h>

#include "unit.h"

/* a 108-byte path: fills sun_path without a NUL */
#define LONG_PATH "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SUN_OFF offsetof(struct sockaddr_un, sun_path)
#define ROOT { "/", S_IFDIR | 0755 }
#define TMP { "/tmp", S_IFDIR | 01777 }
#define RUN { "/run", S_IFDIR | 0755 }

static const struct ut_row rows[] = {
	{ "path-truncated: sun_path filled without a NUL",
	  .steps = { SOCKET(5, SOCK_STREAM), BIND(5, LONG_PATH) },
	  .want = "path-truncated:error",
	  .has = { "\"addrlen\":110", "\"op\":\"bind\"", "\"fd\":5" } },
	{ "abstract-trailing-nul: addrlen counts two NULs of padding",
	  .steps = { SOCKET(5, SOCK_STREAM), BIND_LEN(5, "@srv", SUN_OFF + 1 + 3 + 2) },
	  .want = "abstract-trailing-nul:warning",
	  .has = { "\"abstract\":\"srv\"", "\"trailing_nuls\":2", "\"expected_addrlen\":6" } },
	{ "abstract name sized exactly: clean",
	  .steps = { SOCKET(5, SOCK_STREAM), BIND(5, "@srv"), LISTEN(5), EXIT() },
	  .want = "" },
	{ "stale-socket: EADDRINUSE on a file nobody is bound to",
	  .k = { .files = { RUN, { "/run/app.sock", S_IFSOCK | 0755 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), BIND_ERR(5, "/run/app.sock", EADDRINUSE) },
	  .want = "stale-socket:warning",
	  .has = { "\"path\":\"/run/app.sock\"", "\"fd\":5" } },
	{ "EADDRINUSE on a live socket: no finding",
	  .k = { .files = { RUN, { "/run/app.sock", S_IFSOCK | 0755, .live = true } } },
	  .steps = { SOCKET(5, SOCK_STREAM), BIND_ERR(5, "/run/app.sock", EADDRINUSE) },
	  .want = "" },
	{ "connect-failed: no such file",
	  .k = { .files = { ROOT, RUN } },
	  .steps = { SOCKET(5, SOCK_STREAM), CONNECT_ERR(5, "/run/none.sock", ENOENT) },
	  .want = "connect-failed:warning",
	  .has = { "\"cause\":\"missing\"", "\"errno\":\"ENOENT\"" } },
	{ "connect-failed: the directory is missing",
	  .steps = { SOCKET(5, SOCK_STREAM), CONNECT_ERR(5, "/nodir/x.sock", ENOENT) },
	  .want = "connect-failed:warning",
	  .has = { "\"cause\":\"missing-directory\"" } },
	{ "connect-failed: a stale socket file",
	  .k = { .files = { RUN, { "/run/app.sock", S_IFSOCK | 0755 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), CONNECT_ERR(5, "/run/app.sock", ECONNREFUSED) },
	  .want = "connect-failed:warning",
	  .has = { "\"cause\":\"stale\"" } },
	{ "connect-failed: the path is not a socket",
	  .k = { .files = { RUN, { "/run/app.sock", S_IFREG | 0644 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), CONNECT_ERR(5, "/run/app.sock", ECONNREFUSED) },
	  .want = "connect-failed:warning",
	  .has = { "\"cause\":\"not-socket\"" } },
	{ "connect-failed: bound but not listening",
	  .k = { .files = { RUN, { "/run/app.sock", S_IFSOCK | 0755, .live = true } } },
	  .steps = { SOCKET(5, SOCK_STREAM), CONNECT_ERR(5, "/run/app.sock", ECONNREFUSED) },
	  .want = "connect-failed:warning",
	  .has = { "\"cause\":\"not-listening\"" } },
	{ "connect-failed: a directory that is not searchable",
	  .k = { .files = { { "/priv", S_IFDIR | 0700, .search_err = EACCES },
			    { "/priv/s.sock", S_IFSOCK | 0777 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), CONNECT_ERR(5, "/priv/s.sock", EACCES) },
	  .want = "connect-failed:warning",
	  .has = { "\"cause\":\"denied\"", "is not searchable by uid" } },
	{ "connect-failed: an abstract name nobody bound",
	  .steps = { SOCKET(5, SOCK_STREAM), CONNECT_ERR(5, "@nobody", ECONNREFUSED) },
	  .want = "connect-failed:warning",
	  .has = { "\"cause\":\"no-listener\"", "\"abstract\":\"nobody\"" } },
	{ "connect-failed: the client pads the abstract name, the server does not",
	  .k = { .abstract = { "srv" } },
	  .steps = { SOCKET(5, SOCK_STREAM),
		     { UT_CONNECT, .a = 5, .s = "@srv", .len = SUN_OFF + 1 + 3 + 2, .ret = -1, .err = ECONNREFUSED } },
	  .want = "abstract-trailing-nul:warning,connect-failed:warning",
	  .has = { "\"cause\":\"padded-name\"", "\"op\":\"connect\"" } },
	{ "world-connectable at listen, and the file left at exit",
	  .k = { .files = { ROOT, TMP, { "/tmp/w.sock", S_IFSOCK | 0777 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), BIND(5, "/tmp/w.sock"), LISTEN(5), EXIT() },
	  .want = "world-connectable:info,socket-file-leak:warning",
	  .has = { "\"mode\":\"0777\"", "\"bind_seq\":2", "\"path\":\"/tmp/w.sock\"" } },
	{ "world-connectable: a datagram socket is checked at bind",
	  .k = { .files = { ROOT, TMP, { "/tmp/d.sock", S_IFSOCK | 0777 } } },
	  .steps = { SOCKET(5, SOCK_DGRAM), BIND(5, "/tmp/d.sock") },
	  .want = "world-connectable:info" },
	{ "a 0777 socket in a 0700 directory: not world-connectable",
	  .k = { .files = { ROOT, { "/srv", S_IFDIR | 0700 }, { "/srv/w.sock", S_IFSOCK | 0777 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), BIND(5, "/srv/w.sock"), LISTEN(5), KRMFILE("/srv/w.sock"), EXIT() },
	  .want = "" },
	{ "socket-file-leak: bound, closed, never unlinked",
	  .k = { .files = { ROOT, TMP, { "/tmp/s.sock", S_IFSOCK | 0755 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), BIND(5, "/tmp/s.sock"), LISTEN(5), CLOSE(5), EXIT() },
	  .want = "socket-file-leak:warning",
	  .has = { "\"path\":\"/tmp/s.sock\"", "\"fd\":null" } },
	{ "unlinked before exit: no leak",
	  .k = { .files = { ROOT, TMP, { "/tmp/s.sock", S_IFSOCK | 0755 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), BIND(5, "/tmp/s.sock"), LISTEN(5), KRMFILE("/tmp/s.sock"), EXIT() },
	  .want = "" },
	{ "unix not logged (IPCGUARD_TRACE=shm): no finding",
	  .families = IPCG_FAM_SHM,
	  .k = { .files = { RUN, { "/run/app.sock", S_IFSOCK | 0755 } } },
	  .steps = { SOCKET(5, SOCK_STREAM), BIND_ERR(5, "/run/app.sock", EADDRINUSE),
		     CONNECT_ERR(5, "/run/app.sock", ECONNREFUSED), BIND(5, LONG_PATH), EXIT() },
	  .want = "" },
};

int main(void)
{
	tap_plan(ut_count(rows, IPCG_ARRAY_SIZE(rows)));
	ut_run(rows, IPCG_ARRAY_SIZE(rows));
	return tap_done();
}
