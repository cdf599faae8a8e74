/* check/detect_exit.c: the exit-time findings (SPEC section 4): attached-at-exit
 * for every attach never detached, segment-leak for every segment this
 * process created and did not remove, socket-file-leak for every socket
 * file it bound and left behind.  Each carries the stack of the call that
 * attached, created or bound the object (seq is null: no call concerns
 * it).  Run once from the exit sequence, with the guard held, for return
 * from main, exit(), _exit() and _Exit(). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcg/format.h"
#include "shm/detect.h"
#include "core/state.h"
#include "unix/state.h"

static pid_t owner;	/* the process the tables describe */

void ipcg_detect_owner_note(void)
{
	if (unlikely(!owner))
		owner = getpid();
}

void ipcg_exit_detect_atfork_child(void)
{
	owner = getpid();
}

static void attached_at_exit(const struct ipcg_att *a)
{
	struct ipcg_seg s;
	struct ipcg_msg m;
	struct ipcg_rec r;
	bool seg_known = ipcg_shm_seg_get(a->shmid, &s);

	ipcg_msg_init(&m);
	if (seg_known) {
		ipcg_msg_seg(&m, &s);
	} else {
		ipcg_msg_s(&m, "shmid ");
		ipcg_msg_i(&m, a->shmid);
	}
	ipcg_msg_s(&m, " is still attached at ");
	ipcg_msg_hex(&m, a->addr);
	ipcg_msg_s(&m, " at exit: ");
	if (a->inherited)
		ipcg_msg_s(&m, "the attach inherited through fork");
	else
		ipcg_msg_seq(&m, "shmat at", a->seq);
	if (!a->inherited && !a->seq)
		ipcg_msg_s(&m, "its shmat");
	ipcg_msg_s(&m, " was never matched by shmdt");
	if (a->refs > 1) {
		ipcg_msg_s(&m, " (");
		ipcg_msg_u(&m, a->refs);
		ipcg_msg_s(&m, " references handed out)");
	}
	/* an attach inherited through fork and left to the kernel's exit is
	 * normal in pre-forking servers (a worker of PostgreSQL): info */
	if (a->inherited)
		ipcg_msg_s(&m, "; the kernel detaches it at exit, it is not a leak");
	ipcg_finding_begin(&r, IPCG_KIND_ATTACHED_AT_EXIT, a->inherited ? IPCG_SEV_INFO : IPCG_SEV_WARNING,
			   0, m.buf, ipcg_stack_resolve(a->stack));
	ipcg_jw_ki64(&r.w, "shmid", a->shmid);
	if (seg_known && s.key_known)
		ipcg_fact_key(&r.w, "key", s.key);
	ipcg_jw_khex(&r.w, "shmaddr", a->addr);
	if (seg_known && s.size)
		ipcg_jw_ku64(&r.w, "size", s.size);
	ipcg_jw_ku64(&r.w, "refs", a->refs);
	ipcg_jw_key(&r.w, "inherited");
	ipcg_jw_bool(&r.w, a->inherited);
	ipcg_fact_seq(&r.w, "attach_seq", a->seq);
	(void)ipcg_finding_end(&r);
}

static void segment_leak(const struct ipcg_seg *s, const struct shmid_ds *ds, bool stat_ok)
{
	struct ipcg_msg m;
	struct ipcg_rec r;

	ipcg_msg_init(&m);
	ipcg_msg_seg(&m, s);
	ipcg_msg_s(&m, ", created");
	ipcg_msg_seq(&m, " by shmget at", s->create_seq);
	ipcg_msg_s(&m, " and never removed, outlives this process");
	if (stat_ok) {
		ipcg_msg_s(&m, " with ");
		ipcg_msg_u(&m, ds->shm_nattch);
		ipcg_msg_s(&m, ds->shm_nattch == 1 ? " attach" : " attaches");
	}
	ipcg_msg_s(&m, " (ipcs -m lists it; remove it with shmctl(IPC_RMID) once every user has attached it, or with ipcrm -m ");
	ipcg_msg_i(&m, s->shmid);
	ipcg_msg_s(&m, ")");
	ipcg_finding_begin(&r, IPCG_KIND_SEGMENT_LEAK, IPCG_SEV_WARNING, 0, m.buf,
			   ipcg_stack_resolve(s->create_stack));
	ipcg_fact_seg(&r.w, s);
	ipcg_jw_ku64(&r.w, "size", s->size);
	ipcg_jw_key(&r.w, "nattch");
	if (stat_ok)
		ipcg_jw_u64(&r.w, ds->shm_nattch);
	else
		ipcg_jw_null(&r.w);
	ipcg_fact_seq(&r.w, "create_seq", s->create_seq);
	(void)ipcg_finding_end(&r);
}

static void socket_file_leak(const struct ipcg_bound *b)
{
	struct ipcg_msg m;
	struct ipcg_rec r;

	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "socket file \"");
	ipcg_msg_bytes(&m, b->path, strlen(b->path), 200);
	ipcg_msg_s(&m, "\", bound");
	ipcg_msg_seq(&m, " at", b->seq);
	ipcg_msg_s(&m, " and never unlinked, is left behind at exit: the next bind of the path fails with EADDRINUSE and connect with ECONNREFUSED (unlink it after close, and before bind)");
	ipcg_finding_begin(&r, IPCG_KIND_SOCKET_FILE_LEAK, IPCG_SEV_WARNING, 0, m.buf,
			   ipcg_stack_resolve(b->stack));
	ipcg_jw_kstr(&r.w, "path", b->name);
	if (strcmp(b->path, b->name) != 0 && strlen(b->path) < 256)
		ipcg_jw_kstr(&r.w, "resolved_path", b->path);
	ipcg_jw_key(&r.w, "fd");
	if (b->fd >= 0)
		ipcg_jw_i64(&r.w, b->fd);
	else
		ipcg_jw_null(&r.w);
	ipcg_fact_seq(&r.w, "bind_seq", b->seq);
	(void)ipcg_finding_end(&r);
}

static void shm_at_exit(bool log)
{
	struct ipcg_att a;
	struct ipcg_seg s;
	struct shmid_ds ds;
	uint32_t cur = 0;

	while (log && ipcg_shm_att_next(&cur, &a))
		attached_at_exit(&a);
	cur = 0;
	while (ipcg_shm_seg_next(&cur, &s)) {
		if (!s.created || s.removed)
			continue;
		int ret = ipcg_shm_stat(s.shmid, &ds);
		/* removed by another process meanwhile: not a leak */
		if (ret == -EINVAL || ret == -EIDRM || (ret == 0 && (ds.shm_perm.mode & SHM_DEST)))
			continue;
		if (log)
			segment_leak(&s, &ds, ret == 0);
	}
}

/* A daemon binds, forks and exits (nginx, or any server that binds
 * before it detaches): the child that inherited the open socket serves it
 * and removes the file later.  Not this process's leak while that child
 * lives (EPERM: it lives, under another uid). */
static bool handed_on(const struct ipcg_bound *b)
{
	return b->fd >= 0 && b->heir > 0 && ipcg_probes->pid_alive(b->heir);
}

static void unix_at_exit(bool log)
{
	struct ipcg_bound b;
	uint32_t cur = 0, id;

	while (log && ipcg_unix_bound_next(&cur, &id, &b)) {
		/* unlink(2) is not intercepted: the same socket file must still
		 * be there (not removed, not replaced by another bind) */
		if (ipcg_unix_bound_still_there(&b) && !handed_on(&b))
			socket_file_leak(&b);
	}
}

void ipcg_exit_detect(void)
{
	int saved = errno;

	/* a vfork child shares our memory: its _exit must not report (or
	 * act on) the parent's objects */
	if (owner && owner != getpid())
		goto out;
	shm_at_exit(ipcg_detect_logging(IPCG_FAM_SHM));
	unix_at_exit(ipcg_detect_logging(IPCG_FAM_UNIX));
out:
	errno = saved;
}
