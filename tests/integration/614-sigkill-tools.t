#!/bin/sh
# A trace cut by SIGKILL under plain LD_PRELOAD: every ipcguard command reads it, and the documented one-liner gives whole JSON lines
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/lk_daemon"
[ -x "$prog" ] || skip_all "lk_daemon not built"
trap '[ -n "${dpid:-}" ] && kill -9 $(sed -n "s/^ready //p" "$T/out") 2>/dev/null
	sed -n "s/^leak //p" "$T/out" 2>/dev/null | while read -r id; do ipcrm -m "$id" 2>/dev/null; done
	for f in "$T"/trace.*.jsonl; do jq -R "fromjson? | select(.type==\"call\" and .fn==\"shmget\") | .ret" "$f" 2>/dev/null; done |
	while read -r id; do ipcrm -m "$id" 2>/dev/null; done; rm -rf "$T"' EXIT

IPCGUARD_OUTPUT="$T/trace.%p.jsonl" LD_PRELOAD="$LIB" "$prog" 1 30 10 "$T/d.sock" hold > "$T/out" 2>"$T/err" &
dpid=$!
i=0; while [ "$(grep -c '^ready' "$T/out")" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
n=$(grep -c '^ready' "$T/out")
ok $([ "$n" -ge 2 ]; echo $?) "the daemon and its worker are up"
[ "$n" -ge 2 ] || diag "$(cat "$T/out" "$T/err")"
kill -9 $(sed -n 's/^ready //p' "$T/out")
wait "$dpid" 2>/dev/null
for f in "$T"/trace.*.jsonl; do
	n=$(basename "$f")
	is "$(jq -R 'fromjson? | select(.type=="exit")' "$f" | wc -l | tr -d ' ')" 0 "$n: no exit record (killed)"
	for cmd in "report" "report --json" "events --stacks" "export --format chrome" "export --format folded" "leaks --json"; do
		# shellcheck disable=SC2086
		"$TOOL" $cmd "$f" >"$T/cmd.out" 2>"$T/cmd.err"
		is "$?" 0 "$n: ipcguard $cmd reads it"
	done
	tr -d '\000' < "$f" | jq -cR 'fromjson? // empty' > "$T/clean.jsonl"
	json_valid "$T/clean.jsonl"
	ok $? "$n: the one-liner's output is whole JSON objects, one per line"
	is "$(jq -c 'select(.type=="call")' "$T/clean.jsonl" | wc -l | tr -d ' ')" \
		"$("$TOOL" events "$f" 2>/dev/null | wc -l | tr -d ' ')" "$n: it keeps every call ipcguard events shows"
done
done_testing
