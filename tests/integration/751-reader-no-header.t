#!/bin/sh
# 751: input that is no trace is rejected at once, naming the file: a
# device of endless NULs or random bytes, a header too far down; lines are
# bounded (a 1 GiB line is skipped with a warning, never buffered whole).
# Before: `report /dev/zero` read until killed, and lines up to 16 MiB were buffered.
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/rd_forks"
[ -x "$prog" ] || skip_all "rd_forks not built"
IPCGUARD_OUTPUT="$T/trace.%p.jsonl" preload "$prog" 2 > /dev/null
is "$?" 0 "a real run"
real=$(grep -l '"forked":true' "$T"/trace.*.jsonl | head -n 1)
calls=$(jq -s '[.[] | select(.type=="call")] | length' "$real")

for cmd in "report" "report --json" "events --stacks" "export --format folded"; do
	for dev in /dev/zero /dev/urandom; do
		# shellcheck disable=SC2086
		timeout 20 "$TOOL" $cmd "$dev" > /dev/null 2> "$T/err"
		is "$?" 2 "$cmd $dev: stops at once, unreadable input (exit 2, not killed by timeout)"
		grep -q "^ipcguard: $dev: .*not an ipcguard trace" "$T/err"; ok $? "$cmd $dev: the error names the file"
	done
done
grep . "$T/err" | sed 's/^/# /'

# endless garbage through a pipe: the reader stops after the first MiB
head -c 1000000000 /dev/urandom | timeout 20 "$TOOL" report /dev/stdin > /dev/null 2> "$T/err"
grep -q "^ipcguard: /dev/stdin: no header record in the first 1024 KiB: not an ipcguard trace" "$T/err"
ok $? "1 GB of random bytes on a pipe: no header in the first MiB, rejected"

# a header after more than 1 MiB of other lines is not looked for
{ perl -e 'print "not a trace line\n" x 70000'; cat "$real"; } > "$T/late.jsonl"
"$TOOL" report "$T/late.jsonl" > /dev/null 2> "$T/err"
is "$?" 2 "header after 1.1 MiB of other lines: unreadable (exit 2)"
grep -q "late.jsonl: no header record in the first 1024 KiB" "$T/err"; ok $? "... and said so"

# a few lines before the header (another program's output on a shared stderr)
{ echo "starting up"; echo '{"json":"but not ours"}'; cat "$real"; } > "$T/mixed.jsonl"
"$TOOL" report --json "$T/mixed.jsonl" > "$T/r.json" 2> "$T/err"
is "$?" 0 "two lines before the header: read (exit 0)"
is "$(cat "$T/err")" "ipcguard: $T/mixed.jsonl: 2 lines before the header record skipped" "one line says they were skipped"
is "$(jq -c "[.summary.calls, .summary.malformed_lines]" "$T/r.json")" "[$calls,2]" "the trace after them read; the two counted as malformed"

# a 1 GiB line in the middle of a real trace: skipped, warned, the rest
# read, and memory stays near the 1 MiB line cap
n=$(wc -l < "$real")
mid=$((n / 2))
{ head -n $mid "$real"; printf '{"type":"call","pad":"'; head -c 1073741824 /dev/zero | tr '\0' a
  echo '"}'; tail -n +$((mid + 1)) "$real"; } |
	/usr/bin/time -f '%M' -o "$T/rss" "$TOOL" report --json /dev/stdin > "$T/r.json" 2> "$T/err"
is "$?" 0 "a 1 GiB line: exit 0"
grep -q "^ipcguard: /dev/stdin:$((mid + 1)): line longer than 1048576 bytes (skipped)" "$T/err"
ok $? "the 1 GiB line is reported at line $((mid + 1)) and skipped"
is "$(jq -c '[.summary.calls, .summary.malformed_lines, .processes[0].ended]' "$T/r.json")" \
	"[$(jq -s '[.[] | select(.type=="call")] | length' "$real"),1,\"exit\"]" "every record around it read"
rss=$(cat "$T/rss")
diag "max RSS with a 1 GiB line: $rss KiB"
ok $([ "$rss" -lt 10240 ]; echo $?) "max RSS $rss KiB < 10 MiB (the line is not buffered)"
[ "$calls" -gt 0 ]; ok $? "the run made calls ($calls)"
done_testing
