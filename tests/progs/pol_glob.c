/* pol_glob.c: the socket-paths glob matcher against fnmatch(3).
 *
 *	pol_glob random N	N random pattern/string pairs (fixed seed):
 *				prints "mismatches M" and the first few
 *	pol_glob PATTERN STRING	prints "match" or "nomatch" (ours), then fnmatch's
 *
 * The matcher is compiled in from its source: it is internal to the
 * library and has no exported symbol. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/common/jsonw.c"
#include "../../src/common/pol_glob.c"
#include "../../src/common/policy_parse.c"

static const char *const pat_parts[] = {
	"a", "b", "c", "/", "*", "**", "?", "[ab]", "[!a]", "[^b]", "[a-c]", "[]a]", "[!]]",
	"[[:alpha:]]", "[[:digit:]]", "\\*", "\\a", ".", "[", "[/]", "-", "@", "]", "[!", "[a-", "\\", "[:", ":]", "*a", "a*b", "=", ":", "[:alpha:]", "[.", "[=",
};
static const char *const str_parts[] = { "a", "b", "c", "/", "*", "[", "]", ".", "1", "-", "@", "ab", "//" };

static void gen(char *out, size_t cap, const char *const *parts, size_t nparts, int n)
{
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		const char *p = parts[(size_t)rand() % nparts];
		if (strlen(out) + strlen(p) + 1 < cap)
			strcat(out, p);
	}
}

int main(int argc, char **argv)
{
	char pat[128], str[128];
	long bad = 0, refused = 0, matched = 0;

	if (argc == 3 && strcmp(argv[1], "random") == 0) {
		long n = atol(argv[2]);
		srand(42);
		for (long i = 0; i < n; i++) {
			gen(pat, sizeof(pat), pat_parts, sizeof(pat_parts) / sizeof(pat_parts[0]), 1 + rand() % 9);
			gen(str, sizeof(str), str_parts, sizeof(str_parts) / sizeof(str_parts[0]), rand() % 10);
			/* as a user would write them: absolute, and accepted by the parser */
			char apat[130], astr[130];
			snprintf(apat, sizeof(apat), "/%s", pat);
			snprintf(astr, sizeof(astr), "/%s", str);
			if (!ipcg_pol_glob_valid(apat, strlen(apat))) {
				refused++;
				continue;
			}
			bool ours = ipcg_pol_glob_match(apat, astr);
			bool theirs = fnmatch(apat, astr, FNM_PATHNAME) == 0;
			if (ours != theirs && bad++ < 5)
				printf("differ: pattern '%s' string '%s': ours %d fnmatch %d\n", apat, astr, ours, theirs);
			if (ours)
				matched++;
			continue;
		}
		printf("mismatches %ld\n", bad);
		fprintf(stderr, "compared %ld (%ld matching), refused by the parser %ld\n", n - refused, matched, refused);
		return 0;
	}
	if (argc != 3)
		return 3;
	printf("%s %s\n", ipcg_pol_glob_match(argv[1], argv[2]) ? "match" : "nomatch",
	       fnmatch(argv[1], argv[2], FNM_PATHNAME) == 0 ? "match" : "nomatch");
	return 0;
}
