/* check/policy.h: IPCGUARD_POLICY in the library (SPEC section 5, docs/policies.md).
 * The rule list is parsed once at start (src/common/policy_parse.c); the
 * decisions are taken by shm/policy.c and unix/policy.c, asked by
 * shm/call.c and unix/call.c around the real calls. */
#ifndef IPCG_POLICY_H
#define IPCG_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "ipcg/policy_parse.h"

extern struct ipcg_policy ipcg_policy;	/* read-only after start-up */

/* enum ipcg_family bits with an active rule: core/call.h tests it on every call
 * that reaches ipcg_call_begin(), so it is a plain word, not the struct */
extern unsigned ipcg_policy_families;

/* Parse a rule list into ipcg_policy.  Returns 0, or -1 with a one-line
 * message in err naming the rule and what is accepted. */
int ipcg_policy_parse(const char *spec, char *err, size_t cap);

/* Write a policy record (when a trace is open).  seq 0 = null; err 0 = null. */
void ipcg_policy_record(const char *rule, const char *action, uint64_t seq, int err,
			const char *message);

/* Exit-time policies (rmid-at-exit, shm/policy.c): called once from the
 * exit sequence after the exit-time findings, guard held. */
void ipcg_policy_at_exit(void);

#endif
