#!/bin/sh
# make demo: run examples/demo under `ipcguard run`, then show the trace
# with `ipcguard events` and the summary with `ipcguard report`.
set -u
B=${1:-build}
out=$(mktemp -d "${TMPDIR:-/tmp}/ipcguard-demo.XXXXXX")
echo "== ipcguard run -o $out/demo.%p.jsonl -- $B/examples/demo"
"$B/ipcguard" run -o "$out/demo.%p.jsonl" -- "$B/examples/demo"
rc=$?
rm -f /tmp/ipcguard-demo.*.sock	# the leak the demo makes on purpose
echo
echo "== ipcguard events --stacks $out/demo.*.jsonl"
"$B/ipcguard" events --stacks "$out"/demo.*.jsonl
echo
echo "== ipcguard report $out/demo.*.jsonl"
"$B/ipcguard" report "$out"/demo.*.jsonl
echo
echo "traces kept in $out"
exit $rc
