#!/bin/sh
# the fixed-capacity table behind the detectors' state: capacity, chains, free-list reuse, a million cycles in one slot
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/det_tab"
[ -x "$prog" ] || skip_all "det_tab not built"
"$prog" >"$T/out" 2>&1
ok $? "det_tab exits 0"
for c in init fill-to-capacity full-refuses find-all remove-keeps-others reuse-freed clear equal-keys cycles-flat iterate; do
	grep -qx "$c ok" "$T/out"
	ok $? "$c"
done
done_testing
