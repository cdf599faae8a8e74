#!/bin/sh
# report at daemon scale: leaks grouped by creation site with counts and bytes (bounded output), --top applies to them, JSON leak objects carry size, key, creator pid and inherited
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/lk_daemon"
[ -x "$prog" ] || skip_all "lk_daemon not built"
trap 'sed -n "s/^leak //p" "$T/out" 2>/dev/null | while read -r id; do ipcrm -m "$id" 2>/dev/null; done
	for f in "$T"/trace.*.jsonl; do jq -r "select(.type==\"finding\" and .kind==\"segment-leak\")|.shmid" "$f" 2>/dev/null; done |
	while read -r id; do ipcrm -m "$id" 2>/dev/null; done; rm -rf "$T"' EXIT

W=3 R=400 E=2
preload "$prog" $W $R $E "$T/d.sock" > "$T/out" 2>"$T/err"
is "$?" 0 "the daemon ran"
leaked=$(grep -c '^leak ' "$T/out")
is "$leaked" $((W * R / E)) "it leaked $((W * R / E)) segments"
"$TOOL" report "$T"/trace.*.jsonl > "$T/report.txt"
is "$?" 0 "report: exit status"
n=$(wc -l < "$T/report.txt")
ok $([ "$n" -lt 200 ]; echo $?) "report of $((W * R / E + W * R)) leaked objects: $n lines (< 200)"
# the kernel's sizes (ipcs -m's bytes column) of the leaked segments, plus the main 64 KiB one
bytes=$(sed -n 's/^leak //p' "$T/out" | sort > "$T/ids"; ipcs -m | awk 'NR > 3 && NF >= 5 {print $2, $5}' | sort > "$T/sizes"
	join "$T/ids" "$T/sizes" | awk '{s += $2} END {print s + 65536}')
grep -q "^  $((W * R / E)) segment-leak, [0-9]* bytes in pid " "$T/report.txt"
ok $? "one group holds the $((W * R / E)) leaked segments"
grep -q "^Leaks at exit: [0-9]* objects, $bytes bytes of segments, " "$T/report.txt"
ok $? "the section's byte total is what ipcs says the leaked segments hold ($bytes)"
"$TOOL" report --top 1 "$T"/trace.*.jsonl > "$T/top1.txt"
grep -q "more creation sites (--top 0 shows all)" "$T/top1.txt"
ok $? "--top 1 bounds the leak sites too"
"$TOOL" report --json "$T"/trace.*.jsonl > "$T/r.json"
is "$(jq '[.leaks[] | select(.kind=="segment-leak")] | length' "$T/r.json")" $((W * R / E + 1)) "JSON: every segment-leak object"
is "$(jq '[.leaks[] | select(.kind=="segment-leak") | .size] | add' "$T/r.json")" "$bytes" "JSON: their sizes add up to the ipcs total"
is "$(jq -r '[.leaks[] | select(.kind=="segment-leak") | .key] | unique | join(",")' "$T/r.json")" "IPC_PRIVATE" "JSON: key is IPC_PRIVATE, not null"
is "$(jq -r '[.leaks[] | select(.kind=="segment-leak") | (.creator_pid|type) + "/" + (.inherited|tostring) + "/" + (.create_seq|type)] | unique | join(",")' "$T/r.json")" \
	"number/false/number" "JSON: creator_pid, inherited and create_seq on each"
done_testing
