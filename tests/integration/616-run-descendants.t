#!/bin/sh
# ipcguard run: a zombie is dead, workers left running when the master is killed are reported as running, every dead process's file is trimmed, --wait waits for descendants
. "$IPCG_SRC/tests/lib/harness.sh"
ipcns_all
prog="$PROGS/lk_daemon"
[ -x "$prog" ] || skip_all "lk_daemon not built"
trap 'kill -9 $(sed -n "s/^ready //p" "$T"/*.out 2>/dev/null) 2>/dev/null
	for f in "$T"/*/trace.*.jsonl; do jq -R "fromjson? | select(.type==\"call\" and .fn==\"shmget\") | .ret" "$f" 2>/dev/null; done |
	while read -r id; do ipcrm -m "$id" 2>/dev/null; done; rm -rf "$T"' EXIT
# (a missing .out counts as 0 ready lines: the job may not have created it yet)
ready() { i=0; while [ "$(cat "$T/$1.out" 2>/dev/null | grep -c '^ready')" -lt "$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; }
master() { sed -n 's/^ready //p' "$T/$1.out" | tail -1; }	# the master prints last... or first
has_nul() { [ "$(tr -d '\000' < "$1" | wc -c)" != "$(wc -c < "$1")" ]; }

# only the master is killed: run returns, the workers still run and are said to
mkdir "$T/m"
"$TOOL" run -o "$T/m/trace.%p.jsonl" -- "$prog" 2 20 10 "$T/m.sock" hold > "$T/m.out" 2>"$T/m.err" &
rpid=$!
ready m 3
mpid=$(jq -r 'select(.type=="header" and .forked==false) | .pid' "$T"/m/trace.*.jsonl)
kill -9 "$mpid"
wait "$rpid"
is "$?" 137 "master killed: run exits 128+9"
is "$(grep -c 'pid still running' "$T/m.err")" 2 "the two workers' traces are reported as still running"
grep "trace.$mpid.jsonl" "$T/m.err" | grep -q "killed or crashed"
ok $? "the master's trace is reported killed"
has_nul "$T/m/trace.$mpid.jsonl"
ok $([ $? -ne 0 ]; echo $?) "the master's trace is trimmed (no NUL bytes)"
kill -9 $(sed -n 's/^ready //p' "$T/m.out") 2>/dev/null

# the whole process group is killed: workers become zombies of run (subreaper) or die; all trimmed
mkdir "$T/g"
"$TOOL" run -o "$T/g/trace.%p.jsonl" -- "$prog" 2 20 10 "$T/g.sock" hold > "$T/g.out" 2>"$T/g.err" &
rpid=$!
ready g 3
kill -9 $(sed -n 's/^ready //p' "$T/g.out")
wait "$rpid"
is "$?" 137 "all killed: run exits 128+9"
is "$(grep -c 'killed or crashed' "$T/g.err")" 3 "all three traces are reported killed, none as running"
n=0; for f in "$T"/g/trace.*.jsonl; do has_nul "$f" && n=$((n + 1)); done
is "$n" 0 "every dead process's trace is trimmed"

# --wait: a traced descendant that outlives the command is waited for
mkdir "$T/w"
start=$(date +%s)
"$TOOL" run --wait -o "$T/w/trace.%p.jsonl" -- sh -c "(sleep 1; exec $prog 0 0 0 $T/w.sock) & exit 0" > "$T/w.out" 2>"$T/w.err"
is "$?" 0 "--wait: the command's status"
is "$(grep -c 'still running' "$T/w.err")" 0 "--wait: nothing is still running when run reports"
is "$(for f in "$T"/w/trace.*; do jq -r --arg p "$prog" 'select(.type=="header" and .exe==$p) | input_filename' "$f"; done |
	while read -r f; do jq -r 'select(.type=="exit") | .how' "$f"; done)" "exit" "--wait: the late descendant ran to its exit record"
mkdir "$T/n"
"$TOOL" run -o "$T/n/trace.%p.jsonl" -- sh -c "(sleep 1; exec $prog 0 0 0 $T/n.sock) & exit 0" > "$T/n.out" 2>"$T/n.err"
is "$?" 0 "without --wait: the command's status"
ok $([ "$(grep -c 'still running' "$T/n.err")" -ge 1 ]; echo $?) "without --wait: the descendant is reported as still running"
done_testing
