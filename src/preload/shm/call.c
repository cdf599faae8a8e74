/* shm/call.c: per-call logic for shmget, shmat, shmdt, shmctl and ftok:
 * the policies (shm/policy.c) or the real call, then the call record, the
 * policy records and the detectors.  Records are written only while the
 * family is logged; the hooks run whenever the call is handled, because
 * they keep the tables the policies read. */
#include <errno.h>
#include <string.h>

#include "core/call.h"
#include "check/events.h"
#include "ipcg/xlat.h"
#include "shm/policy.h"
#include "core/real.h"
#include "shm/call.h"

#define FTOK_PATH_LOG 256	/* bytes of an ftok pathname written to the trace */

static void arg_ptr(struct ipcg_jw *w, const char *key, const void *p)
{
	if (p)
		ipcg_jw_khex(w, key, (uintptr_t)p);
	else
		ipcg_jw_kstr(w, key, NULL);
}

/* The call record shows the arguments the program passed; what a policy
 * changed is in the policy record that follows it. */
static void record_shmget(struct ipcg_call *c, key_t key, size_t size, int shmflg, int ret)
{
	char flg[IPCG_XLAT_BUF];

	ipcg_call_record(c, "shmget");
	ipcg_jw_key(&c->rec.w, "key");
	if (key == IPC_PRIVATE)
		ipcg_jw_str(&c->rec.w, "IPC_PRIVATE");
	else
		ipcg_jw_hex_width(&c->rec.w, (uint32_t)key, 8);
	ipcg_jw_ku64(&c->rec.w, "size", size);
	ipcg_xlat_shmflg(flg, sizeof(flg), shmflg);
	ipcg_jw_kstr(&c->rec.w, "shmflg", flg);
	ipcg_call_ret_i(c, ret, ret < 0);
}

int ipcg_shmget(key_t key, size_t size, int shmflg)
{
	struct ipcg_call c;
	struct ipcg_pol_get po;
	int ret;

	if (!ipcg_call_begin(&c, IPCG_FAM_SHM)) {
		/* not traced (guard busy): the rules still hold */
		if (unlikely(ipcg_policy_families & IPCG_FAM_SHM))
			return ipcg_pol_shmget_untraced(key, size, shmflg);
		return REAL(shmget)(key, size, shmflg);
	}
	if (c.pol)
		ret = ipcg_pol_shmget(&po, key, size, shmflg);
	else
		ret = REAL(shmget)(key, size, shmflg);
	ipcg_call_after(&c);
	if (c.log)
		record_shmget(&c, key, size, shmflg, ret);
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	if (c.pol) {
		ipcg_pol_shmget_report(&po, c.seq, key, size, shmflg, ret);
		e.policy = po.ev;
		ipcg_on_shmget(&e, key, size, po.kflg, ret);
	} else {
		ipcg_on_shmget(&e, key, size, shmflg, ret);
	}
	ipcg_call_end(&c);
	return ret;
}

static void record_shmat(struct ipcg_call *c, int shmid, const void *shmaddr, int shmflg, void *ret)
{
	char flg[IPCG_XLAT_BUF];

	ipcg_call_record(c, "shmat");
	ipcg_jw_ki64(&c->rec.w, "shmid", shmid);
	arg_ptr(&c->rec.w, "shmaddr", shmaddr);
	ipcg_xlat_shmat_flags(flg, sizeof(flg), shmflg);
	ipcg_jw_kstr(&c->rec.w, "shmflg", flg);
	ipcg_call_ret_ptr(c, ret);
}

void *ipcg_shmat(int shmid, const void *shmaddr, int shmflg)
{
	struct ipcg_call c;
	struct ipcg_pol_at po;
	void *ret;

	if (!ipcg_call_begin(&c, IPCG_FAM_SHM)) {
		if (unlikely(ipcg_policy_families & IPCG_FAM_SHM))
			return ipcg_pol_shmat_untraced(shmid, shmaddr, shmflg);
		return REAL(shmat)(shmid, shmaddr, shmflg);
	}
	if (c.pol)
		ret = ipcg_pol_shmat(&po, shmid, shmaddr, shmflg);
	else
		ret = REAL(shmat)(shmid, shmaddr, shmflg);
	ipcg_call_after(&c);
	if (c.log)
		record_shmat(&c, shmid, shmaddr, shmflg, ret);
	struct ipcg_ev e = ipcg_call_ev(&c, ret == (void *)-1);
	if (c.pol) {
		ipcg_pol_shmat_report(&po, c.seq, shmid, ret, e.err);
		e.policy = po.ev;
	}
	ipcg_on_shmat(&e, shmid, shmaddr, shmflg, ret);
	if (c.pol)
		ipcg_pol_shmat_done(&po);
	ipcg_call_end(&c);
	return ret;
}

int ipcg_shmdt(const void *shmaddr)
{
	struct ipcg_call c;
	struct ipcg_pol_dt po;
	int ret;

	if (!ipcg_call_begin(&c, IPCG_FAM_SHM))
		return REAL(shmdt)(shmaddr);
	if (c.pol)
		ret = ipcg_pol_shmdt(&po, shmaddr);
	else
		ret = REAL(shmdt)(shmaddr);
	ipcg_call_after(&c);
	if (c.log) {
		ipcg_call_record(&c, "shmdt");
		arg_ptr(&c.rec.w, "shmaddr", shmaddr);
		ipcg_call_ret_i(&c, ret, ret < 0);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	if (c.pol) {
		ipcg_pol_shmdt_report(&po, c.seq, shmaddr, ret);
		e.policy = po.ev;
	}
	ipcg_on_shmdt(&e, shmaddr, ret);
	ipcg_call_end(&c);
	return ret;
}

int ipcg_shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	struct ipcg_call c;
	char cmds[IPCG_XLAT_BUF];

	if (!ipcg_call_begin(&c, IPCG_FAM_SHM))
		return REAL(shmctl)(shmid, cmd, buf);
	int ret = REAL(shmctl)(shmid, cmd, buf);
	ipcg_call_after(&c);
	if (c.log) {
		ipcg_call_record(&c, "shmctl");
		ipcg_jw_ki64(&c.rec.w, "shmid", shmid);
		ipcg_xlat_shmctl_cmd(cmds, sizeof(cmds), cmd);
		ipcg_jw_kstr(&c.rec.w, "cmd", cmds);
		arg_ptr(&c.rec.w, "buf", buf);
		ipcg_call_ret_i(&c, ret, ret < 0);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret < 0);
	ipcg_on_shmctl(&e, shmid, cmd, ret);
	ipcg_call_end(&c);
	return ret;
}

key_t ipcg_ftok(const char *pathname, int proj_id)
{
	struct ipcg_call c;

	if (!ipcg_call_begin(&c, IPCG_FAM_SHM))
		return REAL(ftok)(pathname, proj_id);
	key_t ret = REAL(ftok)(pathname, proj_id);
	ipcg_call_after(&c);
	/* ftok stat()ed the path: it is readable unless that faulted */
	bool readable = pathname && !(ret == (key_t)-1 && c.err == EFAULT);
	if (c.log) {
		ipcg_call_record(&c, "ftok");
		if (readable) {
			size_t n = strnlen(pathname, FTOK_PATH_LOG);
			ipcg_jw_key(&c.rec.w, "pathname");
			ipcg_jw_strn(&c.rec.w, pathname, n);
			if (n == FTOK_PATH_LOG && pathname[n]) {
				ipcg_jw_key(&c.rec.w, "pathname_truncated");
				ipcg_jw_bool(&c.rec.w, true);
			}
		} else {
			arg_ptr(&c.rec.w, "pathname", pathname);
		}
		ipcg_jw_ki64(&c.rec.w, "proj_id", proj_id);
		ipcg_call_ret_key(&c, ret);
	}
	struct ipcg_ev e = ipcg_call_ev(&c, ret == (key_t)-1);
	ipcg_on_ftok(&e, readable ? pathname : NULL, proj_id, ret);
	ipcg_call_end(&c);
	return ret;
}
