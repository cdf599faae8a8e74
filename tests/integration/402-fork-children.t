#!/bin/sh
# 20 forked children x 100 calls while 2 parent threads make calls: one complete trace per child, fork records, counts exact
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_forks"
[ -x "$prog" ] || skip_all "t2_forks not built"
bad_lines() {
	tr -d '\000' <"$1" | jq -R -r 'try (fromjson|if type=="object" then empty else "not an object" end) catch "bad"' |
		wc -l | tr -d ' '
}

plain=$(timeout 30 "$prog" 20 100 2 2>/dev/null)
is "$plain" "children=20 ok=20 calls-each=100" "plain run"
got=$(timeout 30 env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" "$prog" 20 100 2 2>"$T/err")
is "$got" "$plain" "preloaded run prints the same (no child failed or hung)"

parent=$(for f in "$T"/trace.*; do jq -r 'select(.type=="header" and .forked==false)|input_filename' "$f"; done)
ppid=$(jq -r 'select(.type=="header")|.pid' "$parent")
is "$(ls "$T"/trace.* | wc -l | tr -d ' ')" 21 "21 trace files: the parent and 20 children"
bad=0
for f in "$T"/trace.*; do
	n=$(bad_lines "$f")
	[ "$n" = 0 ] || { diag "$f: $n bad lines"; bad=1; }
	[ "$(tr -dc '\000' <"$f" | wc -c)" = 0 ] || { diag "$f: NUL bytes"; bad=1; }
done
ok $bad "every line of every trace is one JSON object"
is "$(jq -r 'select(.type=="call")|.tid' "$parent" | sort -u | wc -l | tr -d ' ')" 2 "parent: calls from its 2 threads"
is "$(count_type call "$parent")" "$(sed -n 's/^parent-calls //p' "$T/err")" "parent: one call record per call made"
is "$(count_type fork "$parent")" 20 "parent: 20 fork records"
jq -r 'select(.type=="fork")|.child_pid' "$parent" | sort -n >"$T/forked"
sed -n 's/^child //p' "$T/err" | sort -n >"$T/children"
is "$(cat "$T/forked")" "$(cat "$T/children")" "parent: fork records name the children"

: >"$T/children.sum"
for f in "$T"/trace.*; do
	[ "$f" = "$parent" ] && continue
	# pid ppid forked calls exit.calls exit.dropped seq-is-1..n
	jq -s -r '[.[]|select(.type=="call")] as $c | (.[]|select(.type=="header")) as $h |
		(.[]|select(.type=="exit")) as $e |
		"\($h.pid) \($h.ppid) \($h.forked) \($c|length) \($e.calls) \($e.dropped) \([$c[].seq]|sort == [range(1; ($c|length) + 1)])"' \
		"$f" >>"$T/children.sum"
done
is "$(cut -d' ' -f1 "$T/children.sum" | sort -n)" "$(cat "$T/children")" "one trace per child, named by its pid"
is "$(cut -d' ' -f2- "$T/children.sum" | sort | uniq -c | sed 's/^ *//')" "20 $ppid true 100 100 0 true" \
	"each child: ppid is the parent, forked true, 100 calls with seq 1..100, exit record counts 100, none dropped"
done_testing
