#!/bin/sh
# Hostile rotate, checkpoint and live records (wrong types, numbers out of
# range, missing fields, a module or stack defined again differently):
# each is a malformed line named FILE:LINE, the rest is still read, nothing
# crashes; also with the ASan+UBSan build when make check built it, and on
# every mix of the rotation fixtures.
. "$IPCG_SRC/tests/lib/harness.sh"
F="$IPCG_SRC/tests/fixtures"
cd "$F" || exit 1
TOOLS="$TOOL"
[ -x "$IPCG_BUILD/ipcguard-san" ] && TOOLS="$TOOLS $IPCG_BUILD/ipcguard-san"
H=rot-hostile.jsonl
for tool in $TOOLS; do
	tag=$(basename "$tool")
	"$tool" report --json $H >"$T/out.json" 2>"$T/err"
	is "$?" 0 "$tag: report on hostile records: status 0"
	is "$(grep -c "^ipcguard: $H:[0-9]*: " "$T/err")" 19 "$tag: 19 malformed lines named FILE:LINE"
	is "$(jq .summary.malformed_lines "$T/out.json")" 19 "$tag: counted in the JSON summary"
	for want in '4: module record: module id 1 defined again differently' \
		    '6: stack record: stack id 1 defined again differently' \
		    '7: live record: "object" is not a string' \
		    '8: live record: missing key "shmid"' \
		    '10: live record: "shmid" is not an integer in range' \
		    '11: live record: "size" is not an integer in range' \
		    '12: live record: "created" is not true or false' \
		    '13: live record: "shmaddr" is not a hex address string' \
		    '14: live record: "addr" is not a socket address object' \
		    '15: live record: "sockfd" is not a descriptor or -1' \
		    '19: checkpoint record: missing key "seq"' \
		    '22: checkpoint record: second checkpoint record' \
		    '24: rotate record: "next" is not a file name' \
		    '25: rotate record: "calls" is not an integer in range' \
		    '26: rotate record: missing key "next"' \
		    '28: rotate record: second rotate record'; do
		grep -qF "ipcguard: $H:$want" "$T/err"; ok $? "$tag: line $want"
	done
	grep -q ":3: \|:16: \|:18: \|:21: \|:23: \|:27: " "$T/err"; is "$?" 1 \
		"$tag: the same module again, an unknown live object, an unknown stack id, valid records: not malformed"
	is "$(jq -c '[.summary.calls, ([.leaks[] | .shmid] | sort), .processes[0].parts.continues_in]' "$T/out.json")" \
		'[1,[300,301],"h.jsonl.2"]' "$tag: the valid records read: one call, segments 300 and 301, continues in h.jsonl.2"
	rc=0
	for set in "rot-part0.jsonl rot-part1.jsonl rot-part2.jsonl $H" "rot-part2-killed.jsonl $H rot-part0.jsonl" \
		   "rot-part2.jsonl rot-part2-killed.jsonl rot-part1.jsonl" "$H $H"; do
		for args in "report --json" "report --top 0" "events --stacks" "export --format chrome" \
			    "export --format folded" "leaks --json"; do
			# shellcheck disable=SC2086
			"$tool" $args $set >/dev/null 2>&1
			rc=$?
			[ "$rc" -le 2 ] || { echo "# $tag $args $set: exit $rc"; break 2; }
		done
	done
	[ "$rc" -le 2 ]; ok $? "$tag: mixes of the rotation fixtures: no crash, no sanitizer report"
done
# the same part twice with a killed newest part: two processes, no join
is "$("$TOOL" report --json rot-part2-killed.jsonl rot-part2.jsonl 2>/dev/null | jq .summary.traces)" 2 \
	"the same part (2) twice: not joined"
done_testing
