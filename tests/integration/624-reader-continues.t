#!/bin/sh
# A rotated trace whose last part given ends with a rotate record continues
# in a part not given: reported as "continues in NEXT (not given)" (text
# and JSON), not as killed; what it held then is listed apart.
. "$IPCG_SRC/tests/lib/harness.sh"
F="$IPCG_SRC/tests/fixtures"
cd "$F" || exit 1
"$TOOL" report rot-part0.jsonl >"$T/out" 2>/dev/null
is "$?" 0 "report: status 0"
grep -q ' continues in rot.jsonl.1 (not given) (part 0)$' "$T/out"; ok $? "text: continues in rot.jsonl.1 (not given)"
grep -q 'killed or crashed' "$T/out"; is "$?" 1 "text: not called killed or crashed"
grep -q '^Held at the end of the parts read (the trace continues in a part not given): 3 objects' "$T/out"
ok $? "text: what it held at the end of the parts read, apart"
J=$("$TOOL" report --json rot-part0.jsonl rot-part1.jsonl 2>/dev/null)
is "$(echo "$J" | jq -c '.processes[0] | [.ended, .exit, .parts.continues_in, .parts.last, .parts.total, .parts.last_trace]')" \
	'["continues",null,"rot.jsonl.2",1,null,"rot-part1.jsonl"]' "JSON parts 0-1: ended continues, in rot.jsonl.2"
is "$(echo "$J" | jq -c '[.leaks[] | [.source, .kind, .shmid]] | sort')" \
	'[["end-of-parts","attached",200],["end-of-parts","segment",200],["end-of-parts","segment",202],["end-of-parts","socket",null]]' \
	"JSON: held objects with source end-of-parts (201 removed in part 1)"
"$TOOL" export --format chrome rot-part0.jsonl >"$T/c.json" 2>/dev/null
is "$(jq -c '[.traceEvents[] | select(.ph=="e") | [.args.alive_at_end, .args.leaked]] | unique' "$T/c.json")" \
	'[["trace continues in a part not given",false]]' "chrome: slices alive at the end of the parts, not leaked"
is "$(jq '[.traceEvents[] | select(.cat=="leak")] | length' "$T/c.json")" 0 "chrome: no leak instant"
# with the next part given, the rotate is history
"$TOOL" report rot-part0.jsonl rot-part1.jsonl rot-part2.jsonl 2>/dev/null | grep -q 'continues in'
is "$?" 1 "all parts: no continues in"
done_testing
