#!/bin/sh
# The record builder's fast number, hex and string writers against snprintf and a byte-at-a-time escaper
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/perf_jsonw"
[ -x "$prog" ] || skip_all "perf_jsonw not built"
"$prog" >"$T/out"
is "$?" 0 "perf_jsonw exits 0"
for check in u64 i64 hex strings overflow; do
	is "$(sed -n "s/^$check //p" "$T/out")" ok "$check"
done
done_testing
