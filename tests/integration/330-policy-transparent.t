#!/bin/sh
# rules that do not fire change nothing: the transparency battery prints the same with every warn rule and wide limits, traced or not
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/t2_battery"
[ -x "$prog" ] || skip_all "t2_battery not built"

run_in() {	# run_in NAME [ENV...]: the battery in a fresh directory
	mkdir -p "$T/$1"
	_n=$1
	shift
	(cd "$T/$_n" && timeout 20 env "$@" "$prog" >"$T/$_n.out" 2>"$T/$_n.err"; echo "exit=$?" >>"$T/$_n.out")
}
run_in plain
n=$(sed -n 's/^cases: //p' "$T/plain.out")
ok $([ "${n:-0}" -ge 100 ]; echo $?) "the battery ran (${n:-0} cases)"
# every path the battery uses, at any depth up to 16 (FNM_PATHNAME: '*' stops at '/')
g="/*" p="/*"
for i in $(seq 2 16); do p="$p/*"; g="$g:$p"; done
quiet="repeat-attach=warn,size-mismatch=warn,foreign-segment=warn,stale-socket=warn,shm-mode=0777,max-attach=1000000,rmid-at-exit=off"

for trace in shm,unix none; do
	run_in "warn-$trace" LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/warn-$trace.%p.jsonl" IPCGUARD_TRACE=$trace \
		IPCGUARD_POLICY="$quiet"
	is "$(diff "$T/plain.out" "$T/warn-$trace.out")" "" "IPCGUARD_TRACE=$trace, $quiet: identical output and exit status"
	is "$(cat "$T/warn-$trace.err")" "" "IPCGUARD_TRACE=$trace: nothing on stderr"
done
f=$(ls "$T"/warn-shm,unix.*.jsonl | head -1)
ok $(json_valid "$f"; echo $?) "the trace is valid JSON Lines"
is "$(jq -r 'select(.type=="policy")|.action' "$f" | sort -u)" "warn" "only warn records (the battery repeats attaches and mismatches sizes)"
is "$(jq -c 'select(.type=="call" and (.ret==-1) != (.errno!=null))|.seq' "$f")" "" "errno is set exactly on the failed calls"

# socket-paths allowing every path and @name: only names it documents as never matching differ
run_in paths LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/paths.%p.jsonl" IPCGUARD_POLICY="socket-paths=$g:@*"
is "$(diff "$T/plain.out" "$T/paths.out" | grep '^>' | sed 's/^> case [0-9]*: //')" \
	"connect abstract name with trailing NULs: ret=-1 errno=EACCES
bind abstract name with trailing NULs: ret=-1 errno=EACCES" \
	"socket-paths=/*:/*/*:...:@*: the same output except the two abstract names holding NUL bytes (refused, as documented)"
done_testing
