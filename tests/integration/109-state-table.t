#!/bin/sh
# the library's hash table (core/tab.c): capacity, equal keys, free-list reuse, a million cycles in one slot; the probe: collisions, wraparound, deletion, full walks, threads claiming
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/det_tab"
[ -x "$prog" ] || skip_all "det_tab not built"
"$prog" >"$T/out" 2>&1
ok $? "det_tab exits 0"
for c in init fill-to-capacity full-refuses find-all remove-keeps-others reuse-freed clear equal-keys cycles-flat iterate \
	shadow-random probe-collisions probe-wraparound probe-home-in-cluster probe-delete-wrap \
	probe-delete-shift probe-reinsert probe-full probe-max probe-claim-threads hash-fib; do
	grep -qx "$c ok" "$T/out"
	ok $? "$c"
done
done_testing
