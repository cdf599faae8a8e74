#!/bin/sh
# fork: the child's own trace (forked, ppid) and the parent's fork record; exec: a new file; failed exec; IPCGUARD_FOLLOW=0; vfork and _Fork children
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_steps"
[ -x "$prog" ] || skip_all "t2_steps not built"
# summary FILE: "pid ppid forked exe calls exit-calls" of one trace
summary() {
	jq -s -r '(.[]|select(.type=="header")) as $h | ([.[]|select(.type=="call")]|length) as $n |
		([.[]|select(.type=="exit")|.calls]|first // "none") as $e |
		"\($h.pid) \($h.ppid) \($h.forked) \($h.exe|split("/")|last) \($n) \($e)"' "$1"
}
run() {
	rm -f "$T"/trace.*
	env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" "$@" >"$T/out" 2>"$T/err"
}

# fork
run "$prog" pid shm fork sock
me=$(sed -n 's/^pid=//p' "$T/out")
child=$(sed -n 's/^child \([0-9]*\) exited 0$/\1/p' "$T/out")
ok $([ -n "$child" ]; echo $?) "fork: the child exited 0"
is "$(summary "$T/trace.$me.jsonl")" "$me $$ false t2_steps 4 4" "fork: parent trace: its own 4 calls"
is "$(jq -c 'select(.type=="fork")|.child_pid' "$T/trace.$me.jsonl")" "$child" "fork: parent has a fork record with child_pid"
is "$(summary "$T/trace.$child.jsonl")" "$child $me true t2_steps 4 4" \
	"fork: child trace: forked true, ppid = parent, its own 4 calls"
is "$(jq -r 'select(.type=="call")|.seq' "$T/trace.$child.jsonl" | tr '\n' ' ')" "1 2 3 4 " "fork: the child counts seq from 1"
is "$(ls "$T"/trace.* | wc -l | tr -d ' ')" 2 "fork: two trace files"
is "$(tr -dc '\000' <"$T/trace.$child.jsonl" | wc -c | tr -d ' ')" 0 "fork: the child's trace is cut to its last record"

# exec: the new image writes a new file (same pid: the next free name)
run "$prog" pid shm exec="$prog" pid sock
pid=$(sed -n '1s/^pid=//p' "$T/out")
is "$(sed -n '2s/^pid=//p' "$T/out")" "$pid" "exec: same pid"
is "$(ls "$T" | grep -c '^trace\.')" 2 "exec: two trace files"
is "$(summary "$T/trace.$pid.jsonl")" "$pid $$ false t2_steps 2 none" "exec: first image: 2 calls, no exit record"
is "$(tr -dc '\000' <"$T/trace.$pid.jsonl" | wc -c | tr -d ' ')" 0 "exec: first image's trace cut to its last record"
ok $(json_valid "$T/trace.$pid.jsonl"; echo $?) "exec: first image's trace valid"
is "$(summary "$T/trace.$pid.jsonl.1")" "$pid $$ false t2_steps 2 2" "exec: new image: new header, its own 2 calls"
is "$(jq -c 'select(.type=="header")|.argv' "$T/trace.$pid.jsonl.1")" "[\"$prog\",\"pid\",\"sock\"]" "exec: new header has the new argv"

# a failed exec: the trace goes on in the same file
run "$prog" pid shm exec=/nonexistent/x sock
pid=$(sed -n 's/^pid=//p' "$T/out")
is "$(ls "$T" | grep -c '^trace\.')" 1 "failed exec: one trace file"
is "$(summary "$T/trace.$pid.jsonl")" "$pid $$ false t2_steps 4 4" "failed exec: calls after it are still recorded"
ok $(json_valid "$T/trace.$pid.jsonl"; echo $?) "failed exec: trace valid"

# IPCGUARD_FOLLOW=0: exec'd images and fork children run untraced
rm -f "$T"/trace.*
LD_PRELOAD="$LIB:$PROGS/libt2_dl.so" IPCGUARD_FOLLOW=0 IPCGUARD_OUTPUT="$T/trace.%p.jsonl" \
	"$prog" pid shm fork exec="$prog" env pid sock >"$T/out" 2>"$T/err"
pid=$(sed -n '1s/^pid=//p' "$T/out")
is "$(ls "$T" | grep -c '^trace\.')" 1 "FOLLOW=0: only the first image's trace"
is "$(summary "$T/trace.$pid.jsonl")" "$pid $$ false t2_steps 2 none" "FOLLOW=0: it has the first image's calls"
is "$(grep '^LD_PRELOAD=' "$T/out")" "LD_PRELOAD=$PROGS/libt2_dl.so" "FOLLOW=0: only ipcguard left LD_PRELOAD"
is "$(jq -c 'select(.type=="header")|.config.follow' "$T/trace.$pid.jsonl")" false "FOLLOW=0: header config says so"
run "$prog" exec="$prog" env
is "$(ls "$T" | grep -c '^trace\.')" 2 "FOLLOW=1 (default): the exec'd image is traced"

# posix_spawn (glibc's clone child execs directly): the parent's trace goes
# on, the spawned image writes its own
run "$prog" pid shm spawn="$prog" sock
pid=$(sed -n 's/^pid=//p' "$T/out")
child=$(sed -n 's/^spawn: 0, child \([0-9]*\) exited 0$/\1/p' "$T/out")
ok $([ -n "$child" ]; echo $?) "posix_spawn: the child ran"
is "$(summary "$T/trace.$pid.jsonl")" "$pid $$ false t2_steps 4 4" "posix_spawn: the parent's trace is complete"
is "$(summary "$T/trace.$child.jsonl")" "$child $pid false t2_steps 0 0" "posix_spawn: the spawned image has its own trace"

# vfork and _Fork (no atfork handlers) children that exit or exec: the
# parent's trace goes on
for step in vforkexit vforkexec=/bin/true Forkexec=/bin/true; do
	run "$prog" pid shm $step sock
	pid=$(sed -n 's/^pid=//p' "$T/out")
	got=$(summary "$T/trace.$pid.jsonl")
	case $step in
	vforkexit) is "$got" "$pid $$ false t2_steps 4 4" "$step: the parent's later calls and exit are recorded" ;;
	*) is "$got" "$pid $$ false t2_steps 4 4" "$step: the parent's later calls and exit are recorded" ;;
	esac
done
done_testing
