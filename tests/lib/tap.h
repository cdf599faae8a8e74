/* tests/lib/tap.h: a tiny TAP producer for the unit tests (tests/unit/).
 *
 *	tap_plan(3);  or  tap_plan_none() ... tap_done();
 *	ok(cond, "name %d", i);
 *	is_int(got, want, "name");
 *	is_str(got, want, "name");
 *	return tap_done();	// 0 when every test passed and the plan was met
 *
 * Output goes to stdout with "# " diagnostics for a failure; the exit
 * status of tap_done() is nonzero on any failure, so prove and a plain
 * shell both see it. */
#ifndef IPCG_TAP_H
#define IPCG_TAP_H

#include <stdbool.h>

#define TAP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

void tap_plan(int n);
/* no plan up front: tap_done() prints "1..N" */
void tap_plan_none(void);
bool ok(bool cond, const char *fmt, ...) TAP_PRINTF(2, 3);
bool is_int(long long got, long long want, const char *fmt, ...) TAP_PRINTF(3, 4);
/* NULL compares equal only to NULL */
bool is_str(const char *got, const char *want, const char *fmt, ...) TAP_PRINTF(3, 4);
/* "# ..." on stdout */
void tap_diag(const char *fmt, ...) TAP_PRINTF(1, 2);
/* Stop at once: "Bail out! ..." and exit status 255 */
__attribute__((noreturn)) void tap_bail(const char *fmt, ...) TAP_PRINTF(1, 2);
/* The exit status: 0 when every test passed and as many ran as planned. */
int tap_done(void);

#endif
