/* policy.h: IPCGUARD_POLICY rules (SPEC section 5).  Parsing only here;
 * the decisions are asked for by shm_call.c and unix_call.c. */
#ifndef IPCG_POLICY_H
#define IPCG_POLICY_H

#include <stddef.h>

/* Parse a rule list.  Returns 0, or -1 with a one-line message in err
 * naming the rule and what is accepted. */
int ipcg_policy_parse(const char *spec, char *err, size_t cap);

#endif
