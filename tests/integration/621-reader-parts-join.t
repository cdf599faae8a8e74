#!/bin/sh
# A rotated trace given as its parts, in any order on the command line, is
# one process: the same calls, findings (finding_repeats summed per part),
# leaks and exports as the equivalent single file; live records are not
# used when the earlier parts are given.
. "$IPCG_SRC/tests/lib/harness.sh"
F="$IPCG_SRC/tests/fixtures"
cd "$F" || exit 1

# the facts compared: calls per function, findings per kind, leaks
facts() {
	"$TOOL" report --json "$@" 2>/dev/null | jq -c '{t: .summary.traces, calls: .summary.calls,
		errors: .summary.errors, findings: .summary.findings,
		fns: [.functions[] | [.fn, .calls, .errors]],
		kinds: [.findings[] | [.kind, .count, .call_sites]],
		leaks: [.leaks[] | [.kind, .shmid, .path, .create_seq, .source, .frames]] | sort}'
}
want=$(facts rot-single.jsonl)
is "$(echo "$want" | jq -c '[.t, .calls, .findings]')" '[1,15,9]' "single file: 1 trace, 15 calls, 9 findings"
for order in "rot-part0.jsonl rot-part1.jsonl rot-part2.jsonl" \
	     "rot-part2.jsonl rot-part0.jsonl rot-part1.jsonl" \
	     "rot-part1.jsonl rot-part2.jsonl rot-part0.jsonl"; do
	# shellcheck disable=SC2086
	is "$(facts $order)" "$want" "parts given as: $order: the single file's calls, findings and leaks"
done
is "$("$TOOL" report --json rot-part2.jsonl rot-part1.jsonl rot-part0.jsonl 2>/dev/null |
	jq -c '.processes[0] | [.trace, .ended, .calls, .parts.first, .parts.last, .parts.files, .parts.total, .parts.earlier_not_given]')" \
	'["rot-part0.jsonl","exit",15,0,2,3,3,false]' "JSON: one process named by its first part, parts 0-2 of 3"
is "$("$TOOL" report --json rot-part2.jsonl rot-part1.jsonl rot-part0.jsonl 2>/dev/null |
	jq -c '[.findings[] | select(.kind=="shm-limit") | .count]')" '[5]' \
	"finding_repeats of the three parts (1+1, 0+1, 0+2) sum to the 5 findings"
"$TOOL" report rot-part1.jsonl rot-part0.jsonl rot-part2.jsonl 2>"$T/err" >"$T/out"
is "$?" 0 "report on the parts: status 0"
grep -q '  exit status 0 (parts 0-2 of 3)$' "$T/out"; ok $? "text: the part range read"
is "$(grep -c ':' "$T/err")" 1 "no malformed line (the repeated module and stack records are skipped), one symbol note"
for fmt in folded chrome; do
	"$TOOL" export --format $fmt rot-single.jsonl 2>/dev/null | sed 's/"ts":[0-9.]*//' | sort >"$T/single.$fmt"
	"$TOOL" export --format $fmt rot-part2.jsonl rot-part0.jsonl rot-part1.jsonl 2>/dev/null |
		sed 's/"ts":[0-9.]*//' | sort >"$T/parts.$fmt"
	cmp -s "$T/single.$fmt" "$T/parts.$fmt"; ok $? "export --format $fmt: the same events as the single file"
done
is "$(grep -c '"name":"leaked: segment' "$T/parts.chrome")" 3 "chrome: the 3 leaked segments"
is "$("$TOOL" events rot-part2.jsonl rot-part0.jsonl rot-part1.jsonl 2>/dev/null | md5sum)" \
	"$("$TOOL" events rot-single.jsonl 2>/dev/null | md5sum)" "events: the same lines as the single file"
# the same part twice is not a join: two processes
is "$(facts rot-part0.jsonl rot-part0.jsonl | jq .t)" 2 "the same part given twice: two traces"
done_testing
