/* tests/unit/t_policy.c: policy decisions (docs/policies.md) taken on
 * scripted probes, without a preload.  The policy steps go through the
 * call layer as the hooks do, and the operation a policy performs for the
 * program stays a real call, so these rows act on a real private segment
 * (UT_REAL_SEG) or AF_UNIX socket of the row's own process while the
 * scripted IPC_STAT and /proc/self/maps decide; the runner records
 * whether the real segment was left ("real_segment") and what each
 * policy step returned ("ut" records). */
#include "unit.h"

#define ME UT_ME
#define OTHER 4242
#define SEG UT_REAL_SEG
#define OUR_SEG { .shmid = SEG, .key = IPC_PRIVATE, .size = 4096, .mode = 0600, .cpid = ME }
#define CREATE SHMGET(IPC_PRIVATE, 4096, IPC_CREAT | 0600, SEG)

static const struct ut_row rows[] = {
	{ "rmid-at-exit: IPC_STAT proves the segment ours: removed",
	  .policy = "rmid-at-exit=on",
	  .k = { .segs = { OUR_SEG } },
	  .steps = { CREATE, EXIT() },
	  .want = "segment-leak:warning,policy:rmid-at-exit",
	  .has = { "for removal at exit", "\"real_segment\":\"removed\"" } },
	{ "rmid-at-exit: another creator now (the id was reused): left alone",
	  .policy = "rmid-at-exit=on",
	  .k = { .segs = { { .shmid = SEG, .key = IPC_PRIVATE, .size = 4096, .mode = 0600, .cpid = OTHER } } },
	  .steps = { CREATE, EXIT() },
	  .want = "segment-leak:warning",
	  .has = { "\"real_segment\":\"left\"" } },
	{ "rmid-at-exit: another size now: left alone",
	  .policy = "rmid-at-exit=on",
	  .k = { .segs = { { .shmid = SEG, .key = IPC_PRIVATE, .size = 8192, .mode = 0600, .cpid = ME } } },
	  .steps = { CREATE, EXIT() },
	  .want = "segment-leak:warning",
	  .has = { "\"real_segment\":\"left\"" } },
	{ "rmid-at-exit: IPC_STAT denied: left in place, and said so",
	  .policy = "rmid-at-exit=on",
	  .k = { .segs = { { .shmid = SEG, .key = IPC_PRIVATE, .size = 4096, .mode = 0600, .cpid = ME,
			     .stat_err = EACCES } } },
	  .steps = { CREATE, EXIT() },
	  .want = "segment-leak:warning,policy:rmid-at-exit",
	  .has = { "cannot be proven to be the segment this process created", "\"errno\":\"EACCES\"",
		   "\"real_segment\":\"left\"" } },
	{ "rmid-at-exit off: the leak is reported, the segment stays",
	  .k = { .segs = { OUR_SEG } },
	  .steps = { CREATE, EXIT() },
	  .want = "segment-leak:warning",
	  .has = { "\"real_segment\":\"left\"" } },
	{ "repeat-attach=deny: the second shmat is refused with EINVAL",
	  .policy = "repeat-attach=deny",
	  .k = { .segs = { OUR_SEG } },
	  .steps = { CREATE, POL_SHMAT(SEG), POL_SHMAT(SEG) },
	  .want = "policy:repeat-attach,repeated-attach:warning",
	  .has = { "\"step\":2,\"ret\":\"addr\"", "\"step\":3,\"ret\":\"-1\",\"errno\":\"EINVAL\"" } },
	{ "repeat-attach=reuse: maps proves the attach: handed out again",
	  .policy = "repeat-attach=reuse",
	  .k = { .segs = { OUR_SEG }, .maps_attach = true },
	  .steps = { CREATE, POL_SHMAT(SEG), POL_SHMAT(SEG) },
	  .want = "policy:repeat-attach,repeated-attach:warning",
	  .has = { "handed out the existing attach", "\"step\":3,\"ret\":\"addr\",\"errno\":\"null\"" } },
	{ "repeat-attach=reuse: maps says the attach is gone: a real shmat",
	  .policy = "repeat-attach=reuse",
	  .k = { .segs = { OUR_SEG }, .maps_attach = false },
	  .steps = { CREATE, POL_SHMAT(SEG), POL_SHMAT(SEG) },
	  .want = "",
	  .has = { "\"step\":3,\"ret\":\"addr\"" } },
	{ "untraced shmat, repeat-attach=deny: maps shows an attach: refused",
	  .policy = "repeat-attach=deny",
	  .k = { .segs = { OUR_SEG }, .maps_count = 1 },
	  .steps = { POL_SHMAT_UNTRACED(SEG) },
	  .want = "",
	  .has = { "\"step\":1,\"ret\":\"-1\",\"errno\":\"EINVAL\"" } },
	{ "untraced shmat, repeat-attach=deny: maps unreadable: refused (fail closed)",
	  .policy = "repeat-attach=deny",
	  .k = { .segs = { OUR_SEG }, .maps_count = -1 },
	  .steps = { POL_SHMAT_UNTRACED(SEG) },
	  .want = "",
	  .has = { "\"step\":1,\"ret\":\"-1\",\"errno\":\"EINVAL\"" } },
	{ "untraced shmat, repeat-attach=deny: nothing attached: a real shmat",
	  .policy = "repeat-attach=deny",
	  .k = { .segs = { OUR_SEG }, .maps_count = 0 },
	  .steps = { POL_SHMAT_UNTRACED(SEG) },
	  .want = "",
	  .has = { "\"step\":1,\"ret\":\"addr\"" } },
	{ "untraced shmat, max-attach=2: two attaches in maps: refused with ENOMEM",
	  .policy = "max-attach=2",
	  .k = { .segs = { OUR_SEG }, .maps_count = 2 },
	  .steps = { POL_SHMAT_UNTRACED(SEG) },
	  .want = "",
	  .has = { "\"step\":1,\"ret\":\"-1\",\"errno\":\"ENOMEM\"" } },
	{ "socket-paths: a connect outside the globs is refused with EACCES",
	  .policy = "socket-paths=/nonexistent-ipcg/*.sock",
	  .steps = { POL_CONNECT("/tmp/x.sock") },
	  .want = "policy:socket-paths,connect-failed:warning",
	  .has = { "\"cause\":\"policy\"", "\"step\":1,\"ret\":\"-1\",\"errno\":\"EACCES\"" } },
	{ "socket-paths: * does not cross /",
	  .policy = "socket-paths=/nonexistent-ipcg/*.sock",
	  .steps = { POL_CONNECT("/nonexistent-ipcg/sub/x.sock") },
	  .want = "policy:socket-paths,connect-failed:warning",
	  .has = { "\"errno\":\"EACCES\"" } },
	{ "socket-paths: a bind through .. is refused",
	  .policy = "socket-paths=/nonexistent-ipcg/*.sock",
	  .steps = { POL_BIND("/nonexistent-ipcg/../x.sock") },
	  .want = "policy:socket-paths",
	  .has = { "\"step\":1,\"ret\":\"-1\",\"errno\":\"EACCES\"" } },
	{ "socket-paths: inside the globs the real connect runs (ENOENT)",
	  .policy = "socket-paths=/nonexistent-ipcg/*.sock",
	  .steps = { POL_CONNECT("/nonexistent-ipcg/x.sock") },
	  .want = "connect-failed:warning",
	  .has = { "\"cause\":\"missing-directory\"", "\"step\":1,\"ret\":\"-1\",\"errno\":\"ENOENT\"" } },
};

int main(void)
{
	tap_plan(ut_count(rows, IPCG_ARRAY_SIZE(rows)));
	ut_run(rows, IPCG_ARRAY_SIZE(rows));
	return tap_done();
}
