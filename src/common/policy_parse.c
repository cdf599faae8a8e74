/* policy_parse.c: the IPCGUARD_POLICY rule list, see
 * include/ipcg/policy_parse.h.  A rule table drives the parsing; every
 * error names the rule as written and what is accepted, because a user who
 * asked for enforcement must see at once why the program did not start. */
#include <string.h>

#include "ipcg/compiler.h"
#include "ipcg/jsonw.h"
#include "ipcg/pol_glob.h"
#include "ipcg/policy_parse.h"

#define ECHO_MAX 160	/* bytes of an offending rule echoed in a message */

enum kind { K_WORDS, K_MODE, K_NUM, K_GLOBS };

struct word {
	const char *s;
	unsigned char action;
};

struct rule {
	const char *name;
	enum kind kind;
	unsigned family;		/* enum ipcg_pol_family */
	const struct word *words;	/* K_WORDS: accepted actions, NULL-terminated */
	const char *accepted;		/* for the message */
};

static const struct word w_attach[] = {
	{ "warn", IPCG_POL_WARN }, { "deny", IPCG_POL_DENY }, { "reuse", IPCG_POL_REUSE }, { 0, 0 } };
static const struct word w_deny[] = {
	{ "warn", IPCG_POL_WARN }, { "deny", IPCG_POL_DENY }, { 0, 0 } };
static const struct word w_onoff[] = {
	{ "on", IPCG_POL_ON }, { "off", IPCG_POL_OFF }, { 0, 0 } };
static const struct word w_stale[] = {
	{ "warn", IPCG_POL_WARN }, { "unlink", IPCG_POL_UNLINK }, { 0, 0 } };

enum rule_id {
	R_REPEAT_ATTACH, R_SIZE_MISMATCH, R_FOREIGN_SEGMENT, R_SHM_MODE, R_MAX_ATTACH,
	R_RMID_AT_EXIT, R_STALE_SOCKET, R_SOCKET_MODE, R_SOCKET_PATHS, R_COUNT
};

/* in SPEC order */
static const struct rule rules[R_COUNT] = {
	[R_REPEAT_ATTACH] = { "repeat-attach", K_WORDS, IPCG_POL_FAM_SHM, w_attach,
			      "expected warn, deny or reuse" },
	[R_SIZE_MISMATCH] = { "size-mismatch", K_WORDS, IPCG_POL_FAM_SHM, w_deny,
			      "expected warn or deny" },
	[R_FOREIGN_SEGMENT] = { "foreign-segment", K_WORDS, IPCG_POL_FAM_SHM, w_deny,
				"expected warn or deny" },
	[R_SHM_MODE] = { "shm-mode", K_MODE, IPCG_POL_FAM_SHM, NULL,
			 "expected an octal permission mask from 0 to 0777 (e.g. 0600)" },
	[R_MAX_ATTACH] = { "max-attach", K_NUM, IPCG_POL_FAM_SHM, NULL,
			   "expected a number N of segments (0 to 1000000)" },
	[R_RMID_AT_EXIT] = { "rmid-at-exit", K_WORDS, IPCG_POL_FAM_SHM, w_onoff,
			     "expected on or off" },
	[R_STALE_SOCKET] = { "stale-socket", K_WORDS, IPCG_POL_FAM_UNIX, w_stale,
			     "expected warn or unlink" },
	[R_SOCKET_MODE] = { "socket-mode", K_MODE, IPCG_POL_FAM_UNIX, NULL,
			    "expected an octal mode from 0 to 0777 (e.g. 0660)" },
	[R_SOCKET_PATHS] = { "socket-paths", K_GLOBS, IPCG_POL_FAM_UNIX, NULL,
			     "expected one or more globs joined by ':', each an absolute path or an @abstract name, without [. or [= (e.g. /run/app/*.sock:@app-*)" },
};

static const char all_rules[] =
	"expected repeat-attach, size-mismatch, foreign-segment, shm-mode, max-attach, "
	"rmid-at-exit, stale-socket, socket-mode or socket-paths";

const char *ipcg_pol_action_name(unsigned action)
{
	static const char *const names[] = {
		[IPCG_POL_OFF] = "off", [IPCG_POL_WARN] = "warn", [IPCG_POL_DENY] = "deny",
		[IPCG_POL_REUSE] = "reuse", [IPCG_POL_UNLINK] = "unlink", [IPCG_POL_ON] = "on",
	};
	return action < IPCG_ARRAY_SIZE(names) ? names[action] : "?";
}

/* "ipcguard: invalid WHAT rule 'ITEM': WHY" */
static int bad_rule(char *err, size_t cap, const char *what, const char *item, size_t len,
		    const char *why)
{
	size_t n = ipcg_txt(err, cap, 0, "ipcguard: invalid ");
	char echo[ECHO_MAX + 4];

	memcpy(echo, item, len > ECHO_MAX ? ECHO_MAX : len);
	memcpy(echo + (len > ECHO_MAX ? ECHO_MAX : len), "...", len > ECHO_MAX ? 4 : 1);
	if (len <= ECHO_MAX)
		echo[len] = '\0';
	n = ipcg_txt(err, cap, n, what);
	n = ipcg_txt(err, cap, n, " rule '");
	n = ipcg_txt(err, cap, n, echo);
	n = ipcg_txt(err, cap, n, "': ");
	ipcg_txt(err, cap, n, why);
	return -1;
}

/* Length of the next field up to an unescaped sep (or the end); a
 * backslash takes the following byte with it.  -1: lone trailing '\'. */
static long field_len(const char *s, size_t len, char sep)
{
	size_t i = 0;

	while (i < len && s[i] != sep) {
		if (s[i] == '\\') {
			if (++i == len)
				return -1;
		}
		i++;
	}
	return (long)i;
}

/* octal, 1 to 4 digits, at most 0777 */
static int parse_mode(const char *s, size_t len)
{
	int v = 0;

	if (len < 1 || len > 4)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		v = v * 8 + (s[i] - '0');
	}
	return v <= 0777 ? v : -1;
}

/* decimal digits only (no sign, no space), at most IPCG_POL_NUM_MAX */
static long parse_num(const char *s, size_t len)
{
	long v = 0;

	if (len < 1 || len > 7)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= IPCG_POL_NUM_MAX ? v : -1;
}

static void copy_action(char *dst, size_t cap, const char *s, size_t len)
{
	memcpy(dst, s, len < cap ? len : cap - 1);
	dst[len < cap ? len : cap - 1] = '\0';
}

/* socket-paths=G1:G2...: copy the value into p->text and split it there */
static int parse_globs(struct ipcg_policy *p, const char *v, size_t len)
{
	char *t = p->text;

	if (len >= sizeof(p->text))
		return -1;
	memcpy(t, v, len);
	t[len] = '\0';
	for (size_t i = 0;;) {
		long n = ipcg_pol_glob_len(t + i, len - i);
		if (n <= 0 || p->nglobs == IPCG_POL_GLOBS_MAX || (t[i] != '/' && t[i] != '@'))
			return -1;	/* empty, relative, malformed or too many */
		p->globs[p->nglobs++] = t + i;
		i += (size_t)n;
		if (i == len)
			return 0;
		t[i++] = '\0';
		if (i == len)
			return -1;	/* trailing ':' */
	}
}

static int parse_action(struct ipcg_policy *p, enum rule_id id, const char *v, size_t len)
{
	const struct rule *r = &rules[id];

	switch (r->kind) {
	case K_WORDS:
		for (const struct word *w = r->words; w->s; w++) {
			if (strlen(w->s) != len || memcmp(w->s, v, len) != 0)
				continue;
			switch (id) {
			case R_REPEAT_ATTACH: p->repeat_attach = w->action; break;
			case R_SIZE_MISMATCH: p->size_mismatch = w->action; break;
			case R_FOREIGN_SEGMENT: p->foreign_segment = w->action; break;
			case R_STALE_SOCKET: p->stale_socket = w->action; break;
			case R_RMID_AT_EXIT: p->rmid_at_exit = w->action == IPCG_POL_ON; break;
			default: return -1;
			}
			if (w->action != IPCG_POL_OFF)
				p->families |= r->family;
			return 0;
		}
		return -1;
	case K_MODE: {
		int m = parse_mode(v, len);
		if (m < 0)
			return -1;
		if (id == R_SHM_MODE) {
			p->shm_mode = m;
			copy_action(p->shm_mode_s, sizeof(p->shm_mode_s), v, len);
		} else {
			p->socket_mode = m;
			copy_action(p->socket_mode_s, sizeof(p->socket_mode_s), v, len);
		}
		break;
	}
	case K_NUM:
		if ((p->max_attach = parse_num(v, len)) < 0)
			return -1;
		copy_action(p->max_attach_s, sizeof(p->max_attach_s), v, len);
		break;
	case K_GLOBS:
		if (parse_globs(p, v, len) < 0)
			return -1;
		break;
	}
	p->families |= r->family;
	return 0;
}

static int parse_item(struct ipcg_policy *p, bool seen[R_COUNT], const char *item, size_t len,
		      const char *what, char *err, size_t cap)
{
	const char *eq = memchr(item, '=', len);
	size_t nlen = eq ? (size_t)(eq - item) : len;
	int id;

	for (id = 0; id < R_COUNT; id++)
		if (strlen(rules[id].name) == nlen && memcmp(rules[id].name, item, nlen) == 0)
			break;
	if (id == R_COUNT) {
		char why[sizeof(all_rules) + 16];
		size_t n = ipcg_txt(why, sizeof(why), 0, "unknown rule; ");
		ipcg_txt(why, sizeof(why), n, all_rules);
		return bad_rule(err, cap, what, item, len, why);
	}
	if (!eq)
		return bad_rule(err, cap, what, item, len, "missing '=ACTION'; rules are written RULE=ACTION");
	if (seen[id])
		return bad_rule(err, cap, what, item, len, "rule given twice; give each rule once");
	seen[id] = true;
	if (parse_action(p, (enum rule_id)id, eq + 1, len - nlen - 1) < 0)
		return bad_rule(err, cap, what, item, len, rules[id].accepted);
	return 0;
}

static void reset(struct ipcg_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->shm_mode = -1;
	p->socket_mode = -1;
	p->max_attach = -1;
}

int ipcg_policy_parse_into(const char *spec, const char *what, struct ipcg_policy *ret,
			   char *err, size_t cap)
{
	bool seen[R_COUNT] = { false };
	size_t len = strlen(spec), i = 0;

	reset(ret);
	if (len >= IPCG_POL_SPEC_MAX)
		return bad_rule(err, cap, what, spec, len, "the rule list is too long (at most 1023 bytes)");
	while (i < len) {
		long n = field_len(spec + i, len - i, ',');
		if (n < 0)
			return bad_rule(err, cap, what, spec + i, len - i,
					"ends with a lone '\\' (a backslash escapes the next byte)");
		if (n == 0 || (size_t)n + i + 1 == len)
			return bad_rule(err, cap, what, spec, len,
					"empty rule; rules are separated by single commas");
		if (parse_item(ret, seen, spec + i, (size_t)n, what, err, cap) < 0)
			goto out_reset;
		i += (size_t)n + 1;
	}
	return 0;
out_reset:
	reset(ret);
	return -1;
}

int ipcg_policy_check(const char *spec, char *err, size_t cap)
{
	struct ipcg_policy scratch;

	return ipcg_policy_parse_into(spec, "--policy", &scratch, err, cap);
}
