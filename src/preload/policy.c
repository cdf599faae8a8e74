/* policy.c: parse IPCGUARD_POLICY.  (Placeholder until the guard mode
 * lands: only the empty list is accepted, so that no rule a user asked for
 * is silently ignored.) */
#include "ipcg/jsonw.h"
#include "policy.h"

int ipcg_policy_parse(const char *spec, char *err, size_t cap)
{
	if (!spec[0])
		return 0;
	size_t n = ipcg_txt(err, cap, 0, "ipcguard: invalid IPCGUARD_POLICY='");
	n = ipcg_txt(err, cap, n, spec);
	ipcg_txt(err, cap, n, "': policies are not supported by this build");
	return -1;
}
