/* shm/detect_ftok.c: the detectors of ftok (SPEC section 4): ftok-failed and
 * ftok-collision.  A key is remembered with the identity (st_dev, st_ino)
 * of the file and the proj_id that gave it; the same pathname and proj_id
 * again costs one table lookup and no stat. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "ipcg/format.h"
#include "shm/detect.h"
#include "ipcg/xlat.h"

static const char *ftok_reason(int err)
{
	switch (err) {
	case ENOENT: return "the path does not exist";
	case ENOTDIR: return "a component of the path is not a directory";
	case EACCES: return "a directory on the path is not searchable";
	case ENAMETOOLONG: return "the path is too long";
	case ELOOP: return "the path has too many symbolic links";
	default: return "the path cannot be stat()ed";
	}
}

static void ftok_failed(const struct ipcg_ev *e, const char *path, int proj_id)
{
	struct ipcg_msg m;
	struct ipcg_rec r;

	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "ftok(\"");
	ipcg_msg_bytes(&m, path, strlen(path), 160);
	ipcg_msg_s(&m, "\", ");
	ipcg_msg_i(&m, proj_id);
	ipcg_msg_s(&m, ")");
	ipcg_msg_failed(&m, e->err);
	ipcg_msg_s(&m, ": ");
	ipcg_msg_s(&m, ftok_reason(e->err));
	ipcg_msg_s(&m, "; a caller that uses the -1 it returns as a key shares key 0xffffffff with every other such caller");
	ipcg_finding_begin(&r, IPCG_KIND_FTOK_FAILED, IPCG_SEV_WARNING, e->seq, m.buf, e->stack);
	ipcg_jw_key(&r.w, "path");
	ipcg_jw_strn(&r.w, path, strnlen(path, IPCG_FTOK_PATH - 1));
	ipcg_jw_ki64(&r.w, "proj_id", proj_id);
	ipcg_jw_kstr(&r.w, "errno", ipcg_errno_name(e->err));
	(void)ipcg_finding_end(&r);
}

static void ftok_collision(const struct ipcg_ev *e, const struct ipcg_ftok *now,
			   const struct ipcg_ftok *before)
{
	struct ipcg_msg m;
	struct ipcg_rec r;
	bool same_file = now->dev == before->dev && now->ino == before->ino;

	ipcg_msg_init(&m);
	ipcg_msg_s(&m, "ftok(\"");
	ipcg_msg_bytes(&m, now->path, strlen(now->path), 120);
	ipcg_msg_s(&m, "\", ");
	ipcg_msg_i(&m, now->proj_id);
	ipcg_msg_s(&m, ") returned key ");
	ipcg_msg_key(&m, now->key);
	ipcg_msg_s(&m, ", the key ftok(\"");
	ipcg_msg_bytes(&m, before->path, strlen(before->path), 120);
	ipcg_msg_s(&m, "\", ");
	ipcg_msg_i(&m, before->proj_id);
	ipcg_msg_s(&m, ") returned");
	ipcg_msg_seq(&m, " at", before->seq);
	ipcg_msg_s(&m, same_file ? ": ftok keeps only the low 8 bits of proj_id"
		   : ": ftok keeps only the low 8 bits of proj_id and of the device number and the low 16 bits of the inode, so distinct files collide");
	ipcg_finding_begin(&r, IPCG_KIND_FTOK_COLLISION, IPCG_SEV_ERROR, e->seq, m.buf, e->stack);
	ipcg_fact_key(&r.w, "key", now->key);
	ipcg_jw_kstr(&r.w, "path", now->path);
	ipcg_jw_ki64(&r.w, "proj_id", now->proj_id);
	ipcg_jw_kstr(&r.w, "other_path", before->path);
	ipcg_jw_ki64(&r.w, "other_proj_id", before->proj_id);
	ipcg_fact_seq(&r.w, "first_seq", before->seq);
	ipcg_fact_stack(&r.w, "first_stack", before->stack);
	(void)ipcg_finding_end(&r);
}

static void ftok_fill(struct ipcg_ftok *f, const struct ipcg_ev *e, const char *path,
		      int proj_id, key_t key)
{
	size_t n = strnlen(path, IPCG_FTOK_PATH - 1);

	memset(f, 0, sizeof(*f));
	f->key = key;
	f->proj_id = proj_id;
	f->seq = e->seq;
	f->stack = e->stack;
	memcpy(f->path, path, n);
	f->path[n] = '\0';
}

void ipcg_on_ftok(const struct ipcg_ev *e, const char *path, int proj_id, key_t ret)
{
	struct ipcg_ftok now, before;
	struct stat st;
	bool log = ipcg_detect_logging(IPCG_FAM_SHM);

	ipcg_detect_owner_note();
	if (!path)
		return;
	ftok_fill(&now, e, path, proj_id, ret);
	if (ret == (key_t)-1) {
		ipcg_shm_ftok_failed_set(&now, e->err);
		if (log)
			ftok_failed(e, path, proj_id);
		return;
	}
	bool seen = ipcg_shm_ftok_find(ret, &before);
	/* the same pathname and proj_id again: nothing new, no stat */
	if (seen && before.proj_id == proj_id && strcmp(before.path, now.path) == 0)
		return;
	bool stat_ok = ipcg_probes->stat(path, &st) == 0;	/* what ftok itself looked at */
	if (!stat_ok)
		return;	/* replaced since: nothing reliable to compare */
	now.dev = st.st_dev;
	now.ino = st.st_ino;
	if (!seen) {
		ipcg_shm_ftok_put(&now);
		return;
	}
	/* another name of the same file with the same proj_id is the same key
	 * by design; anything else is a collision */
	if (log && !(before.dev == now.dev && before.ino == now.ino && before.proj_id == proj_id))
		ftok_collision(e, &now, &before);
}
