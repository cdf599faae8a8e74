/* core/config.c: read and validate IPCGUARD_* once.  A bad value is a startup
 * error (the caller prints it and exits 2): a user who asked for
 * enforcement must never run unprotected because of a typo. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "ipcg/jsonw.h"
#include "ipcg/outpath.h"
#include "ipcg/settings.h"
#include "check/policy.h"

struct ipcg_config ipcg_config = {
	.output = "ipcguard.%e.%p.jsonl",
	.out_kind = IPCG_OUT_FILE,
	.out_fd = -1,
	.stack_depth = IPCG_STACK_DEFAULT,
	.families = IPCG_FAM_SHM | IPCG_FAM_UNIX,
	.follow = true,
	.repeats = IPCG_REPEATS_DEFAULT,
	.stack_cache = true,
	.max_size = IPCG_MAX_SIZE_DEFAULT,
};

static int bad(char *err, size_t cap, const char *var, const char *val, const char *accepted)
{
	size_t n = ipcg_txt(err, cap, 0, "ipcguard: invalid ");
	n = ipcg_txt(err, cap, n, var);
	n = ipcg_txt(err, cap, n, "='");
	n = ipcg_txt(err, cap, n, val);
	n = ipcg_txt(err, cap, n, "': ");
	ipcg_txt(err, cap, n, accepted);
	return -1;
}

/* the value rules shared with `ipcguard run` speak of these family bits */
_Static_assert((int)IPCG_SET_FAM_SHM == (int)IPCG_FAM_SHM &&
	       (int)IPCG_SET_FAM_UNIX == (int)IPCG_FAM_UNIX,
	       "IPCGUARD_TRACE bits");

/* "1" or "0" */
static bool parse_bool(const char *s, bool *ret)
{
	if (strcmp(s, "1") != 0 && strcmp(s, "0") != 0)
		return false;
	*ret = s[0] == '1';
	return true;
}

static int load_output(const char *v, char *err, size_t cap)
{
	int fd;

	if (strcmp(v, "stderr") == 0) {
		ipcg_config.out_kind = IPCG_OUT_STDERR;
		ipcg_config.out_fd = 2;
	} else if (strncmp(v, "fd:", 3) == 0) {
		if (!ipcg_set_out_fd(v + 3, &fd))
			return bad(err, cap, "IPCGUARD_OUTPUT", v,
				   "fd:N needs a descriptor number (e.g. fd:3)");
		ipcg_config.out_kind = IPCG_OUT_FD;
		ipcg_config.out_fd = fd;
	} else if (ipcg_outpath_check(v) < 0 || strlen(v) >= sizeof(ipcg_config.output)) {
		return bad(err, cap, "IPCGUARD_OUTPUT", v,
			   "expected a path template (%p %e %t %h %%), 'stderr' or 'fd:N'");
	}
	ipcg_txt(ipcg_config.output, sizeof(ipcg_config.output), 0, v);
	return 0;
}

static int load_trace(const char *v, char *err, size_t cap)
{
	if (ipcg_set_families(v, &ipcg_config.families))
		return 0;
	return bad(err, cap, "IPCGUARD_TRACE", v, "expected shm, unix, shm,unix or none");
}

/* IPCGUARD_MAX_SIZE: digits with an optional K, M or G (powers of 1024);
 * 0 = no cap, otherwise at least IPCG_MAX_SIZE_MIN (a smaller file would
 * be mostly checkpoint) and at most 1 TiB */
static bool parse_size(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > (1ULL << 40))
			return false;
	}
	if (*s == 'K' || *s == 'k')
		shift = 10;
	else if (*s == 'M' || *s == 'm')
		shift = 20;
	else if (*s == 'G' || *s == 'g')
		shift = 30;
	else if (*s)
		return false;
	if (shift && s[1])
		return false;
	if (v > (1ULL << 40) >> shift)
		return false;
	v <<= shift;
	if (v && v < IPCG_MAX_SIZE_MIN)
		return false;
	*ret = v;
	return true;
}

int ipcg_config_load(char *err, size_t cap)
{
	const char *v;
	long n;

	if ((v = getenv("IPCGUARD_OUTPUT")) && load_output(v, err, cap) < 0)
		return -1;
	if ((v = getenv("IPCGUARD_STACK"))) {
		if (!ipcg_set_stack(v, &ipcg_config.stack_depth))
			return bad(err, cap, "IPCGUARD_STACK", v,
				   "expected a number of frames from 0 (off) to 256");
	}
	if ((v = getenv("IPCGUARD_TRACE")) && load_trace(v, err, cap) < 0)
		return -1;
	if ((v = getenv("IPCGUARD_FOLLOW"))) {
		if (strcmp(v, "1") == 0)
			ipcg_config.follow = true;
		else if (strcmp(v, "0") == 0)
			ipcg_config.follow = false;
		else
			return bad(err, cap, "IPCGUARD_FOLLOW", v, "expected 1 or 0");
	}
	if ((v = getenv("IPCGUARD_STACK_CACHE")) && !parse_bool(v, &ipcg_config.stack_cache))
		return bad(err, cap, "IPCGUARD_STACK_CACHE", v, "expected 1 or 0");
	if ((v = getenv("IPCGUARD_STACK_VERIFY")) && !parse_bool(v, &ipcg_config.stack_verify))
		return bad(err, cap, "IPCGUARD_STACK_VERIFY", v, "expected 1 or 0");
	if ((v = getenv("IPCGUARD_REPEATS"))) {
		if (!ipcg_set_uint(v, IPCG_REPEATS_MAX, &n))
			return bad(err, cap, "IPCGUARD_REPEATS", v,
				   "expected how many findings of one kind at one call site are "
				   "written in full (0 = all)");
		ipcg_config.repeats = (unsigned)n;
	}
	if ((v = getenv("IPCGUARD_MAX_SIZE")) && !parse_size(v, &ipcg_config.max_size))
		return bad(err, cap, "IPCGUARD_MAX_SIZE", v,
			   "expected bytes per trace file with an optional K, M or G suffix, "
			   "from 1M to 1024G, or 0 (no cap)");
	if ((v = getenv("IPCGUARD_POLICY"))) {
		if (strlen(v) >= sizeof(ipcg_config.policy))
			return bad(err, cap, "IPCGUARD_POLICY", "...", "value too long");
		ipcg_txt(ipcg_config.policy, sizeof(ipcg_config.policy), 0, v);
		if (ipcg_policy_parse(v, err, cap) < 0)
			return -1;
	}
	return 0;
}
