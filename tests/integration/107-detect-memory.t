#!/bin/sh
# a million attach/detach cycles under the library: the resident set stays flat (the tables reuse their slots)
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_threads"
[ -x "$prog" ] || skip_all "det_threads not built"
cycles=${IPCG_CYCLES:-1000000}

# a short run into a file: the cycles are clean
IPCGUARD_OUTPUT="$T/short.jsonl" preload "$prog" cycle 10000 >"$T/short.out" 2>&1
is "$(sed 's/ growth.*//' "$T/short.out")" "failures 0" "10000 cycles succeed"
is "$(nfind "$T/short.jsonl")" 0 "attach-detach cycles: no finding"
is "$(count_type call "$T/short.jsonl")" 20002 "every call recorded"

# the long run: records go to /dev/null (2 million records would be
# ~300 MB), the bookkeeping runs as always; resident set growth from
# 10% to the end, in KiB
IPCGUARD_OUTPUT=fd:3 preload "$prog" cycle "$cycles" >"$T/long.out" 2>&1 3>/dev/null
growth=$(sed -n 's/.*growth_kib //p' "$T/long.out")
plain=$("$prog" cycle 100000 | sed -n 's/.*growth_kib //p')
diag "$cycles cycles: growth ${growth} KiB under the library (${plain} KiB for 100000 cycles untraced)"
is "$(sed 's/ growth.*//' "$T/long.out")" "failures 0" "$cycles cycles succeed"
[ -n "$growth" ] && [ "$growth" -lt 512 ]
ok $? "resident set grows by less than 512 KiB over $cycles cycles (got ${growth:-?})"
done_testing
