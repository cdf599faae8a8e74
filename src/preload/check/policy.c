/* check/policy.c: the parsed IPCGUARD_POLICY and the policy record. */
#include "core/call.h"
#include "core/config.h"
#include "check/policy.h"
#include "shm/policy.h"
#include "trace/records.h"

_Static_assert((unsigned)IPCG_POL_FAM_SHM == (unsigned)IPCG_FAM_SHM &&
	       (unsigned)IPCG_POL_FAM_UNIX == (unsigned)IPCG_FAM_UNIX,
	       "policy families use the config family bits");

struct ipcg_policy ipcg_policy = { .shm_mode = -1, .socket_mode = -1, .max_attach = -1 };
unsigned ipcg_policy_families;

int ipcg_policy_parse(const char *spec, char *err, size_t cap)
{
	int ret = ipcg_policy_parse_into(spec, "IPCGUARD_POLICY", &ipcg_policy, err, cap);

	ipcg_policy_families = ret == 0 ? ipcg_policy.families : 0;
	if (ret == 0)
		ipcg_pol_shm_init();
	return ret;
}

void ipcg_policy_record(const char *rule, const char *action, uint64_t seq, int err,
			const char *message)
{
	if (ipcg_logging)
		ipcg_record_policy(rule, action, seq, err, message);
}
