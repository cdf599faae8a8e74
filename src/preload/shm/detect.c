/* shm/detect.c: the detectors of shmget (SPEC section 4): shm-limit,
 * size-mismatch, foreign-segment, invalid-key, key-reuse-after-rmid and
 * world-accessible.
 *
 * The success path of a shmget of a segment already known is one table
 * lookup; IPC_STAT is used the first time a segment is seen, and the
 * error paths probe the kernel to say which limit or which segment was in
 * the way. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcg/format.h"
#include "shm/detect.h"
#include "ipcg/xlat.h"
#include "shm/limits.h"

#define SHMMIN 1	/* the kernel's minimum segment size (ipc/shm.c) */

/* "shmget(key 0x0001e240, size 4096, IPC_CREAT|0600)" */
static void msg_call(struct ipcg_msg *m, key_t key, size_t size, int shmflg)
{
	char flg[IPCG_XLAT_BUF];

	ipcg_xlat_shmflg(flg, sizeof(flg), shmflg);
	ipcg_msg_s(m, "shmget(key ");
	ipcg_msg_key(m, key);
	ipcg_msg_s(m, ", size ");
	ipcg_msg_u(m, size);
	ipcg_msg_s(m, ", ");
	ipcg_msg_s(m, flg);
	ipcg_msg_s(m, ")");
}

/* The segment that exists for key now, if any (shmget(key, 0, 0) finds it
 * whatever its size). */
static bool existing_for_key(key_t key, struct ipcg_seg *ret)
{
	int id = key == IPC_PRIVATE ? -1 : ipcg_probes->shm_lookup(key);

	return id >= 0 && ipcg_shm_learn(id, key, NULL, ret);
}

/* --- shm-limit and the failed size-mismatch --------------------------------- */

static uint64_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (uint64_t)p : 4096;
}

static void shm_limit(const struct ipcg_ev *e, key_t key, size_t size, int shmflg)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	struct shm_info info;
	const char *limit = NULL;
	uint64_t value = 0;
	bool have_value = true;

	ipcg_limits_read();	/* the administrator may have changed them since start */
	ipcg_msg_init(&m);
	msg_call(&m, key, size, shmflg);
	ipcg_msg_failed(&m, e->err);
	if (e->err == EINVAL && size < SHMMIN) {
		limit = "shmmin";
		value = SHMMIN;
		ipcg_msg_s(&m, ": a new segment needs at least shmmin = 1 byte (size 0 only looks up an existing segment)");
	} else if (e->err == EINVAL && size <= ipcg_limits.shmmax && size > (size_t)INT64_MAX) {
		/* shmem files are bounded by MAX_LFS_FILESIZE, checked after shmmax */
		limit = "max_file_size";
		value = INT64_MAX;
		ipcg_msg_s(&m, ": the size is over the largest shmem file, ");
		ipcg_msg_u(&m, value);
		ipcg_msg_s(&m, " bytes");
	} else if (e->err == EINVAL) {
		limit = "shmmax";
		value = ipcg_limits.shmmax;
		ipcg_msg_s(&m, ": the size is over shmmax = ");
		ipcg_msg_u(&m, value);
		ipcg_msg_s(&m, " bytes, the largest segment allowed (/proc/sys/kernel/shmmax)");
	} else if (e->err == ENOSPC) {
		int ok = ipcg_probes->shm_info(&info);
		uint64_t pages = (size + page_size() - 1) / page_size();
		if (ok >= 0 && ipcg_limits.shmmni && (uint64_t)info.used_ids >= ipcg_limits.shmmni) {
			limit = "shmmni";
			value = ipcg_limits.shmmni;
			ipcg_msg_s(&m, ": all shmmni = ");
			ipcg_msg_u(&m, value);
			ipcg_msg_s(&m, " segment ids are in use (/proc/sys/kernel/shmmni; see ipcs -m for leaked segments)");
		} else {
			limit = "shmall";
			value = ipcg_limits.shmall;
			ipcg_msg_s(&m, ": ");
			ipcg_msg_u(&m, pages);
			ipcg_msg_s(&m, " more pages would exceed shmall = ");
			ipcg_msg_u(&m, value);
			ipcg_msg_s(&m, " pages of shared memory system-wide");
			if (ok >= 0) {
				ipcg_msg_s(&m, ", of which ");
				ipcg_msg_u(&m, info.shm_tot);
				ipcg_msg_s(&m, " are in use");
			}
			ipcg_msg_s(&m, " (/proc/sys/kernel/shmall; see ipcs -m for leaked segments)");
		}
	} else {	/* ENOMEM */
		limit = "memory";
		have_value = false;
		ipcg_msg_s(&m, ": the kernel could not allocate the segment");
		ipcg_msg_s(&m, (shmflg & SHM_HUGETLB) ? " (SHM_HUGETLB: not enough free huge pages)"
			   : " (memory cgroup limit or overcommit)");
	}
	ipcg_finding_begin(&r, IPCG_KIND_SHM_LIMIT, IPCG_SEV_ERROR, e->seq, m.buf, e->stack);
	ipcg_fact_key(&r.w, "key", key);
	ipcg_jw_ku64(&r.w, "requested_size", size);
	ipcg_jw_kstr(&r.w, "limit", limit);
	ipcg_jw_key(&r.w, "limit_value");
	if (have_value)
		ipcg_jw_u64(&r.w, value);
	else
		ipcg_jw_null(&r.w);
	ipcg_jw_kstr(&r.w, "errno", ipcg_errno_name(e->err));
	(void)ipcg_finding_end(&r);
}

static void size_mismatch(const struct ipcg_ev *e, key_t key, size_t size, int shmflg,
			  const struct ipcg_seg *s, bool failed)
{
	struct ipcg_msg m;
	struct ipcg_rec r;

	ipcg_msg_init(&m);
	msg_call(&m, key, size, shmflg);
	if (failed) {
		ipcg_msg_failed(&m, e->err);
		ipcg_msg_s(&m, ": the existing segment for this key, shmid ");
		ipcg_msg_i(&m, s->shmid);
		ipcg_msg_s(&m, ", has ");
		ipcg_msg_u(&m, s->size);
		ipcg_msg_s(&m, s->size < size ? " bytes, fewer than asked for"
			   : " bytes, a different size");
	} else {
		ipcg_msg_s(&m, " returned the existing segment shmid ");
		ipcg_msg_i(&m, s->shmid);
		ipcg_msg_s(&m, " of ");
		ipcg_msg_u(&m, s->size);
		ipcg_msg_s(&m, " bytes: the programs sharing this key disagree on its size");
	}
	if (s->created && s->create_seq) {
		ipcg_msg_s(&m, " (this process created it at seq ");
		ipcg_msg_u(&m, s->create_seq);
		ipcg_msg_s(&m, ")");
	}
	ipcg_finding_begin(&r, IPCG_KIND_SIZE_MISMATCH, IPCG_SEV_WARNING, e->seq, m.buf, e->stack);
	ipcg_jw_ki64(&r.w, "shmid", s->shmid);
	ipcg_fact_key(&r.w, "key", key);
	ipcg_jw_ku64(&r.w, "requested_size", size);
	ipcg_jw_ku64(&r.w, "actual_size", s->size);
	ipcg_jw_key(&r.w, "failed");
	ipcg_jw_bool(&r.w, failed);
	ipcg_fact_stack(&r.w, "first_stack", s->created ? s->create_stack : 0);
	(void)ipcg_finding_end(&r);
}

/* --- foreign-segment, world-accessible ------------------------------------- */

static void foreign_segment(const struct ipcg_ev *e, key_t key, size_t size, int shmflg,
			    const struct ipcg_seg *s)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	struct shmid_ds ds;
	bool alive = s->cpid > 0 && ipcg_probes->pid_alive(s->cpid);
	bool stat_ok = ipcg_shm_stat(s->shmid, &ds) == 0;

	ipcg_msg_init(&m);
	msg_call(&m, key, size, shmflg);
	if (e->err) {
		ipcg_msg_failed(&m, e->err);
		ipcg_msg_s(&m, ": shmid ");
		ipcg_msg_i(&m, s->shmid);
		ipcg_msg_s(&m, " already exists for this key and was not created by this process");
	} else {
		ipcg_msg_s(&m, " returned shmid ");
		ipcg_msg_i(&m, s->shmid);
		ipcg_msg_s(&m, ", which this process did not create");
	}
	if (s->cpid > 0) {
		ipcg_msg_s(&m, ": pid ");
		ipcg_msg_i(&m, s->cpid);
		ipcg_msg_s(&m, s->cpid == getppid() ? " (the parent) created it"
			   : alive ? " created it and is running"
			   : " created it and is gone, so it is a leftover of an earlier run");
	}
	ipcg_msg_s(&m, "; IPC_CREAT without IPC_EXCL cannot tell a key collision from a new segment");
	ipcg_finding_begin(&r, IPCG_KIND_FOREIGN_SEGMENT, IPCG_SEV_WARNING, e->seq, m.buf, e->stack);
	ipcg_jw_ki64(&r.w, "shmid", s->shmid);
	ipcg_fact_key(&r.w, "key", key);
	ipcg_jw_ku64(&r.w, "requested_size", size);
	ipcg_jw_ku64(&r.w, "actual_size", s->size);
	ipcg_jw_ki64(&r.w, "creator_pid", s->cpid);
	ipcg_jw_key(&r.w, "creator_alive");
	ipcg_jw_bool(&r.w, alive);
	ipcg_jw_key(&r.w, "nattch");
	if (stat_ok)
		ipcg_jw_u64(&r.w, ds.shm_nattch);
	else
		ipcg_jw_null(&r.w);
	(void)ipcg_finding_end(&r);
}

static void mode_str(char out[8], unsigned mode)
{
	out[0] = '0';
	out[1] = (char)('0' + ((mode >> 6) & 7));
	out[2] = (char)('0' + ((mode >> 3) & 7));
	out[3] = (char)('0' + (mode & 7));
	out[4] = '\0';
}

static void world_accessible(const struct ipcg_ev *e, key_t key, const struct ipcg_seg *s)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	char mode[8];

	mode_str(mode, s->mode);
	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "shmget created ");
	ipcg_msg_seg(&m, s);
	ipcg_msg_s(&m, " with mode ");
	ipcg_msg_s(&m, mode);
	ipcg_msg_s(&m, (s->mode & 002) ? ": any user on the host can read and write it"
		   : ": any user on the host can read it");
	ipcg_msg_s(&m, " (permissions are not reduced by the umask)");
	ipcg_finding_begin(&r, IPCG_KIND_WORLD_ACCESSIBLE, IPCG_SEV_INFO, e->seq, m.buf, e->stack);
	ipcg_jw_ki64(&r.w, "shmid", s->shmid);
	ipcg_fact_key(&r.w, "key", key);
	ipcg_jw_kstr(&r.w, "mode", mode);
	(void)ipcg_finding_end(&r);
}

/* --- invalid-key, key-reuse-after-rmid -------------------------------------- */

static void invalid_key(const struct ipcg_ev *e, size_t size, int shmflg, int ret)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	struct ipcg_ftok f;
	int ferr = 0;
	bool had_ftok = ipcg_shm_ftok_failed_get(&f, &ferr);

	ipcg_msg_init(&m);
	msg_call(&m, (key_t)-1, size, shmflg);
	ipcg_msg_s(&m, " uses key 0xffffffff, the -1 a failed ftok returns: every caller that does so shares one segment");
	if (had_ftok) {
		ipcg_msg_s(&m, "; the last failed ftok was ftok(\"");
		ipcg_msg_bytes(&m, f.path, strlen(f.path), 96);
		ipcg_msg_s(&m, "\", ");
		ipcg_msg_i(&m, f.proj_id);
		ipcg_msg_s(&m, ") with ");
		ipcg_msg_s(&m, ipcg_errno_name(ferr) ? ipcg_errno_name(ferr) : "an error");
	}
	ipcg_finding_begin(&r, IPCG_KIND_INVALID_KEY, IPCG_SEV_ERROR, e->seq, m.buf, e->stack);
	ipcg_fact_key(&r.w, "key", (key_t)-1);
	if (ret >= 0)
		ipcg_jw_ki64(&r.w, "shmid", ret);
	ipcg_jw_ku64(&r.w, "requested_size", size);
	if (had_ftok) {
		ipcg_jw_kstr(&r.w, "ftok_path", f.path);
		ipcg_jw_ki64(&r.w, "ftok_proj_id", f.proj_id);
		ipcg_fact_seq(&r.w, "ftok_seq", f.seq);
		ipcg_fact_stack(&r.w, "first_stack", f.stack);
	}
	(void)ipcg_finding_end(&r);
}

static void key_reuse(const struct ipcg_ev *e, key_t key, size_t size, int shmflg, int ret)
{
	struct ipcg_rmkey k;
	struct shmid_ds ds;
	struct ipcg_msg m;
	struct ipcg_rec r;

	if (!ipcg_shm_rmkey_find(key, &k))
		return;
	/* still there (attached, marked for destruction)?  Once the last
	 * attach is gone, a new segment for the key confuses nobody. */
	if (ipcg_shm_stat(k.shmid, &ds) < 0 || !(ds.shm_perm.mode & SHM_DEST) || ret == k.shmid) {
		ipcg_shm_rmkey_drop(key);
		return;
	}
	ipcg_msg_init(&m);
	msg_call(&m, key, size, shmflg);
	if (ret >= 0) {
		ipcg_msg_s(&m, " returned shmid ");
		ipcg_msg_i(&m, ret);
		ipcg_msg_s(&m, ",");
	} else {
		ipcg_msg_failed(&m, e->err);
		ipcg_msg_s(&m, ":");
	}
	ipcg_msg_s(&m, " not shmid ");
	ipcg_msg_i(&m, k.shmid);
	ipcg_msg_s(&m, ", which had this key until IPC_RMID");
	ipcg_msg_seq(&m, " at", k.seq);
	ipcg_msg_s(&m, " and is still attached ");
	ipcg_msg_u(&m, ds.shm_nattch);
	ipcg_msg_s(&m, ds.shm_nattch == 1 ? " time" : " times");
	ipcg_msg_s(&m, ": its users and this caller now see different memory");
	ipcg_finding_begin(&r, IPCG_KIND_KEY_REUSE_AFTER_RMID, IPCG_SEV_ERROR, e->seq, m.buf, e->stack);
	ipcg_fact_key(&r.w, "key", key);
	ipcg_jw_key(&r.w, "shmid");
	if (ret >= 0)
		ipcg_jw_i64(&r.w, ret);
	else
		ipcg_jw_null(&r.w);
	ipcg_jw_ki64(&r.w, "removed_shmid", k.shmid);
	ipcg_jw_ku64(&r.w, "nattch", ds.shm_nattch);
	ipcg_fact_seq(&r.w, "rmid_seq", k.seq);
	ipcg_fact_stack(&r.w, "rmid_stack", k.stack);
	(void)ipcg_finding_end(&r);
}

/* --- shmget ------------------------------------------------------------------ */

static void shmget_ok(const struct ipcg_ev *e, key_t key, size_t size, int shmflg, int id,
		      bool log)
{
	struct ipcg_seg s;
	bool excl = (shmflg & IPC_CREAT) && (shmflg & IPC_EXCL);
	bool known = ipcg_shm_seg_get(id, &s);

	if (key == IPC_PRIVATE || excl || (!known && (shmflg & IPC_CREAT) &&
					   ipcg_shm_learn(id, key, e, &s) && s.cpid == getpid())) {
		/* a new segment: IPC_PRIVATE and IPC_EXCL always create; with
		 * IPC_CREAT alone, a segment whose creator is this process and
		 * that was unknown a moment ago was created by this call */
		memset(&s, 0, sizeof(s));
		s.shmid = id;
		s.key = key;
		s.key_known = true;
		s.size = size;
		s.mode = (uint32_t)shmflg & 0777;
		s.cpid = 0;	/* this process; getpid() is not needed here */
		s.created = true;
		s.create_seq = e->seq;
		s.create_stack = e->stack;
		(void)ipcg_shm_seg_put(&s);
		if (log && (s.mode & 006))
			world_accessible(e, key, &s);
		return;
	}
	if (!known && !ipcg_shm_learn(id, key, e, &s))
		return;	/* cannot IPC_STAT it (no read permission): nothing to compare */
	if (!log)
		return;
	if (size && s.size && s.size != size)
		size_mismatch(e, key, size, shmflg, &s, false);
	if ((shmflg & IPC_CREAT) && !s.created && !s.inherited)
		foreign_segment(e, key, size, shmflg, &s);
}

static void shmget_failed(const struct ipcg_ev *e, key_t key, size_t size, int shmflg)
{
	struct ipcg_seg s;

	switch (e->err) {
	case EINVAL:
		/* an existing segment of another size, or a limit */
		if (existing_for_key(key, &s) && size && s.size && s.size != size)
			size_mismatch(e, key, size, shmflg, &s, true);
		else
			shm_limit(e, key, size, shmflg);
		break;
	case ENOSPC:
	case ENOMEM:
		shm_limit(e, key, size, shmflg);
		break;
	case EEXIST:
		/* without IPC_EXCL only the foreign-segment=deny policy says so */
		if (!(shmflg & IPC_EXCL) && existing_for_key(key, &s) && !s.created)
			foreign_segment(e, key, size, shmflg, &s);
		break;
	default:
		break;
	}
}

void ipcg_on_shmget(const struct ipcg_ev *e, key_t key, size_t size, int shmflg, int ret)
{
	bool log = ipcg_detect_logging(IPCG_FAM_SHM);

	ipcg_detect_owner_note();
	if (log && key == (key_t)-1)
		invalid_key(e, size, shmflg, ret);
	if (log && key != IPC_PRIVATE)
		key_reuse(e, key, size, shmflg, ret);
	if (ret >= 0)
		shmget_ok(e, key, size, shmflg, ret, log);
	else if (log)
		shmget_failed(e, key, size, shmflg);
}
