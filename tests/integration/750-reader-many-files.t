#!/bin/sh
# 750: 3000 traces under `ulimit -n 64`: the reader keeps a few descriptors
# open (it reopens regular files where it left them), so every process is
# read and counted; before, every file was opened at once ("Too many open files").
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/rd_forks"
[ -x "$prog" ] || skip_all "rd_forks not built"
N=500 COPIES=6
mkdir "$T/run" "$T/all"
IPCGUARD_OUTPUT="$T/run/trace.%p.jsonl" preload "$prog" $((N - 1)) > "$T/out"
is "$?:$(cat "$T/out")" "0:children=$((N - 1)) ok=$((N - 1))" "a real run: 1 parent and $((N - 1)) children"
is "$(ls "$T/run" | wc -l | tr -d ' ')" "$N" "$N real traces"
# the same process tree $COPIES times over, each with its own pids (fork
# records, headers and thread ids shifted together, so parents still join)
perl -e '($n, $dir, @f) = @ARGV;
	for $k (0 .. $n - 1) { $o = ($k + 1) * 10000000;
		for $f (@f) { ($b = $f) =~ s{.*/}{}; open I, "<", $f or die; open O, ">", "$dir/$k.$b" or die;
			while (<I>) { s/"(pid|ppid|child_pid|tid)":(\d+)/"\"$1\":" . ($2 + $o)/ge; print O }
			close O or die } }' $COPIES "$T/all" "$T"/run/*.jsonl
total=$((N * COPIES))
is "$(ls "$T/all" | wc -l | tr -d ' ')" "$total" "$total trace files"

(ulimit -n 64 && "$TOOL" report --json "$T"/all/*.jsonl) > "$T/r.json" 2> "$T/err"
is "$?" 0 "report --json under ulimit -n 64: exit 0"
is "$(wc -c < "$T/err" | tr -d ' ')" 0 "nothing on stderr"
grep -m3 . "$T/err" | sed 's/^/# /'
is "$(jq -c '[.summary.traces, .summary.unreadable_traces, .summary.calls]' "$T/r.json")" \
	"[$total,0,$(( (N - 1) * COPIES * 2 ))]" "every trace read: $total processes, every call counted"
is "$(jq '[.processes[] | select(.parent != null)] | length' "$T/r.json")" "$(( (N - 1) * COPIES ))" \
	"every child joined to its parent's fork record"
is "$(jq '[.processes[] | select(.ended == "exit")] | length' "$T/r.json")" "$total" "every exit record read"

(ulimit -n 64 && "$TOOL" report "$T"/all/*.jsonl) > "$T/r.txt" 2>&1
is "$?" 0 "report (text) under ulimit -n 64: exit 0"
grep -q "^ipcguard report: $total traces, $(( (N - 1) * COPIES * 2 )) calls (0 failed)" "$T/r.txt"
ok $? "text summary: $total traces"

# merged by time across files as before: the order of events is the
# calls' ts_ns order, whatever descriptors were closed and reopened
(ulimit -n 64 && "$TOOL" events "$T"/all/*.jsonl) > "$T/ev" 2> "$T/err"
is "$?:$(wc -l < "$T/ev" | tr -d ' ')" "0:$(( (N - 1) * COPIES * 2 ))" "events under ulimit -n 64: every call"
cat "$T"/all/*.jsonl | jq -r 'select(.type=="call") | "\(.ts_ns) \(.tid) \(.fn)"' | sort -s -n -k1,1 |
	awk '{print $2, $3}' > "$T/want"
sed 's/^\[pid \([0-9]*\)\] \([a-z]*\)(.*/\1 \2/' "$T/ev" > "$T/got"
cmp -s "$T/want" "$T/got"; ok $? "events: calls of all files in time order"
done_testing
