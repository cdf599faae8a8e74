/* tests/lib/tap.c: see tap.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int planned = -1;	/* -1: no plan up front */
static int run, failed;

void tap_plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

void tap_plan_none(void)
{
	planned = -1;
}

static bool report(bool cond, const char *fmt, va_list ap)
{
	run++;
	if (!cond)
		failed++;
	printf("%sok %d - ", cond ? "" : "not ", run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	bool cond = got == want;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		tap_diag("     got: %lld\n#     expected: %lld", got, want);
	return cond;
}

bool is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	bool cond = (!got && !want) || (got && want && strcmp(got, want) == 0);

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		tap_diag("     got: %s%s%s\n#     expected: %s%s%s", got ? "\"" : "", got ? got : "NULL",
			 got ? "\"" : "", want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	/* stderr, as Test::More's diag: prove shows it without -v */
	fflush(stdout);
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(255);
}

int tap_done(void)
{
	if (planned < 0)
		printf("1..%d\n", run);
	else if (run != planned)
		tap_diag("planned %d tests but ran %d", planned, run);
	if (failed)
		tap_diag("failed %d of %d tests", failed, run);
	fflush(stdout);
	return failed || (planned >= 0 && run != planned) ? 1 : 0;
}
