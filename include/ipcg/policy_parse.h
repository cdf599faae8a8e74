/* policy_parse: the IPCGUARD_POLICY rule list (SPEC section 5).  One
 * parser for the library (which enforces the rules) and for `ipcguard run
 * --policy` (which validates before starting the program), so both accept
 * and reject exactly the same text.  No allocation, no stdio, no I/O.
 *
 * Grammar: RULE=ACTION[,RULE=ACTION]...  A backslash escapes the next byte
 * (so "\," and "\:" can appear inside a socket-paths glob, where fnmatch(3)
 * then matches them literally).  Each rule at most once. */
#ifndef IPCG_POLICY_PARSE_H
#define IPCG_POLICY_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum ipcg_pol_action {
	IPCG_POL_OFF,		/* the rule was not given, or given as "off" */
	IPCG_POL_WARN,		/* record what the rule would do, change nothing */
	IPCG_POL_DENY,
	IPCG_POL_REUSE,		/* repeat-attach */
	IPCG_POL_UNLINK,	/* stale-socket */
	IPCG_POL_ON,		/* rmid-at-exit */
};

/* which call families have an active rule (same bits as enum ipcg_family) */
enum ipcg_pol_family { IPCG_POL_FAM_SHM = 1 << 0, IPCG_POL_FAM_UNIX = 1 << 1 };

#define IPCG_POL_SPEC_MAX 1024	/* longest rule list (the header's config.policy) */
#define IPCG_POL_GLOBS_MAX 32	/* socket-paths globs */
#define IPCG_POL_NUM_MAX 1000000	/* max-attach: far above any real shmseg */

struct ipcg_policy {
	unsigned char repeat_attach;	/* OFF, WARN, DENY, REUSE */
	unsigned char size_mismatch;	/* OFF, WARN, DENY */
	unsigned char foreign_segment;	/* OFF, WARN, DENY */
	unsigned char stale_socket;	/* OFF, WARN, UNLINK */
	bool rmid_at_exit;
	int shm_mode;			/* permission mask 0..0777, -1 = rule not given */
	int socket_mode;		/* chmod mode 0..0777, -1 = rule not given */
	long max_attach;		/* N, -1 = rule not given */
	unsigned nglobs;		/* socket-paths globs, 0 = rule not given */
	const char *globs[IPCG_POL_GLOBS_MAX];	/* NUL-terminated, inside text */
	char text[IPCG_POL_SPEC_MAX];	/* the socket-paths value, split in place */
	char shm_mode_s[8];		/* actions as written, for the policy records */
	char socket_mode_s[8];
	char max_attach_s[16];
	unsigned families;		/* enum ipcg_pol_family: families with an active rule */
};

/* Parse spec into *ret (fully reset first; the empty string gives no rule).
 * what names the setting in the message ("IPCGUARD_POLICY", "--policy").
 * Returns 0, or -1 with one line in err such as
 *   ipcguard: invalid IPCGUARD_POLICY rule 'max-attach=-1': expected a number N of segments (0 to 1000000)
 */
int ipcg_policy_parse_into(const char *spec, const char *what, struct ipcg_policy *ret,
			   char *err, size_t cap);

/* For `ipcguard run --policy`: the same checks, the message naming
 * --policy.  0, or -1 with one line in err. */
int ipcg_policy_check(const char *spec, char *err, size_t cap);

/* "warn", "deny", ... for records; "off" for IPCG_POL_OFF */
const char *ipcg_pol_action_name(unsigned action);

#endif
