#!/bin/sh
# ipcguard leaks on a live pre-forking daemon and after SIGKILL: the segments it lists match ipcs -m one for one, grouped by site, processes labelled running then killed
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/lk_daemon"
[ -x "$prog" ] || skip_all "lk_daemon not built"
command -v ipcs >/dev/null || skip_all "no ipcs"

cleanup() {
	[ -n "${dpid:-}" ] && kill -9 $(pids) "$dpid" 2>/dev/null
	sed -n 's/^leak //p' "$T/out" 2>/dev/null | while read -r id; do ipcrm -m "$id" 2>/dev/null; done
	for id in $(main_ids); do ipcrm -m "$id" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
pids() { sed -n 's/^ready //p' "$T/out" 2>/dev/null | tr '\n' ' '; }
main_ids() { [ -s "$T/ipcs.p" ] && awk -v p=" $(pids) " 'index(p, " " $2 " ") {print $1}' "$T/ipcs.p"; }
# the daemon's segments per ipcs: "shmid bytes" sorted, for creator pids in $(pids)
ipcs_view() {
	ipcs -m -p | awk 'NR > 3 && NF >= 4 {print $1, $3}' > "$T/ipcs.p"
	ipcs -m | awk 'NR > 3 && NF >= 5 {print $2, $5}' > "$T/ipcs.b"
	awk -v p=" $(pids) " 'index(p, " " $2 " ") {print $1}' "$T/ipcs.p" | sort > "$T/ids"
	awk 'NR == FNR {want[$1] = 1; next} ($1 in want) {print $1, $2}' "$T/ids" "$T/ipcs.b" | sort
}
leaks_view() {	# leaks_view JSON: "shmid bytes" of every listed segment, sorted
	jq -r '.sites[] | select(.object == "segment") | .objects[] | "\(.shmid) \(.size)"' "$1" | sort
}

W=2 R=60 E=10
IPCGUARD_OUTPUT="$T/trace.%p.jsonl" LD_PRELOAD="$LIB" "$prog" $W $R $E "$T/d.sock" hold > "$T/out" 2>"$T/err" &
dpid=$!
i=0; while [ "$(grep -c '^ready' "$T/out")" -lt $((W + 1)) ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(grep -c '^ready' "$T/out")" $((W + 1)) "the daemon and its workers are up"

"$TOOL" leaks --json --top 0 "$T"/trace.*.jsonl > "$T/live.json"
is "$?" 0 "leaks on the running daemon: exit status"
is "$(jq -r '[.processes[].state] | unique | join(",")' "$T/live.json")" "running" \
	"every process is labelled running"
is "$(leaks_view "$T/live.json")" "$(ipcs_view)" "live: the segments listed match ipcs -m one for one (shmid and bytes)"
is "$(jq -r '[.sites[] | select(.object == "segment") | .objects[] | .state] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$T/live.json")" \
	"attached=1 held=$((W * R / E))" "live: the main segment is attached, the leaked ones held by their running creators"
is "$(jq -r '.sites[] | select(.object == "segment") | .objects[] | select(.state == "attached") | .nattch' "$T/live.json")" \
	"$((W * R))" "live: nattch of the main segment counts every repeated attach"
is "$(jq -r '[.sites[] | select(.object == "segment" and .count == '$((W * R / E))')] | length' "$T/live.json")" 1 \
	"live: the leaked segments form one creation site"
site=$(jq -r '.sites[] | select(.object == "segment" and .count == '$((W * R / E))') | .stack[0]' "$T/live.json")
case "$site" in leak_segment*lk_daemon.c:*) r=0 ;; *) r=1; diag "site: $site" ;; esac
ok $r "live: the site's innermost frame is leak_segment (lk_daemon.c)"
want_bytes=$(sed -n 's/^leak //p' "$T/out" | while read -r id; do awk -v i="$id" '$1 == i {print $2}' "$T/ipcs.b"; done | awk '{s += $1} END {print s}')
is "$(jq -r '.sites[] | select(.object == "segment" and .count == '$((W * R / E))') | .bytes' "$T/live.json")" "$want_bytes" \
	"live: the site's byte total is the sum of ipcs sizes"
is "$(jq -r '.sites[] | select(.object == "socket") | .objects[] | "\(.state) \(.path)"' "$T/live.json")" "listening $T/d.sock" \
	"live: the socket file has its listener"

kill -9 $(pids) 2>/dev/null
wait "$dpid" 2>/dev/null
i=0; while [ $i -lt 50 ]; do
	alive=0; for p in $(pids); do [ -e /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null && alive=1; done
	[ $alive = 0 ] && break; sleep 0.1; i=$((i + 1))
done
"$TOOL" leaks --json --top 0 "$T"/trace.*.jsonl > "$T/dead.json"
is "$?" 0 "leaks after SIGKILL: exit status"
is "$(jq -r '[.processes[].state] | unique | join(",")' "$T/dead.json")" "killed or crashed" \
	"after SIGKILL every process is labelled killed"
is "$(leaks_view "$T/dead.json")" "$(ipcs_view)" "dead: the segments listed match ipcs -m one for one"
is "$(jq -r '[.sites[] | select(.object == "segment") | .objects[] | .state] | unique | join(",")' "$T/dead.json")" "orphan" \
	"dead: every segment is an orphan (creator dead, nattch 0)"
is "$(jq -r '.sites[] | select(.object == "socket") | .objects[] | .state' "$T/dead.json")" "no-listener" \
	"dead: the socket file has no listener"

"$TOOL" leaks --top 1 --list 2 "$T"/trace.*.jsonl > "$T/dead.txt"
is "$?" 0 "human output: exit status"
grep -q "^  orphan  *$((W * R / E + 1)) segments" "$T/dead.txt"
ok $? "human output: the orphan total"
grep -q "and $((W * R / E - 2)) more (--list N)" "$T/dead.txt"
ok $? "human output: --list bounds the objects per site"
grep -q "and 2 more sites (--top N)" "$T/dead.txt"
ok $? "human output: --top bounds the sites"

# a shmid from an older run is not attributed to a trace whose pid did not create it
jq -c 'if .type == "header" then .pid = 1 else . end' "$(ls "$T"/trace.*.jsonl | head -1)" > "$T/other.jsonl"
"$TOOL" leaks --json "$T/other.jsonl" > "$T/other.json"
is "$(jq -r '[.sites[] | select(.object == "segment")] | length' "$T/other.json")" 0 \
	"a trace whose pid is not the segments' creator explains none of them"
"$TOOL" leaks --bogus "$T/other.jsonl" 2>"$T/usage"
is "$?" 2 "unknown option: status 2"
done_testing
