#!/bin/sh
# A program under a seccomp filter that fails the system calls ipcguard
# adds (process_vm_readv, fallocate, madvise, openat, prlimit64,
# rt_sigpending) with EPERM: it sees what it sees untraced, the trace is
# complete (before: tracing stopped at the first fallocate, accept lost
# its address length) and socket-paths still decides every bind/connect.
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/sc_filter"
[ -x "$prog" ] || skip_all "sc_filter not built"
denied="process_vm_readv fallocate madvise openat prlimit64 rt_sigpending"
"$prog" "$T" 1 >/dev/null || skip_all "no seccomp filters here"

"$prog" "$T" 2000 $denied >"$T/plain.out"
IPCGUARD_OUTPUT="$T/d.%p.jsonl" preload "$prog" "$T" 2000 $denied >"$T/traced.out" 2>"$T/traced.err"
is "$?" 0 "denied calls: the program exits as untraced"
is "$(cat "$T/traced.out")" "$(cat "$T/plain.out")" "denied calls: it saw the same results"
is "$(cat "$T/traced.err")" "" "denied calls: nothing on stderr"
f=$(ls "$T"/d.*.jsonl)
is "$(tail -1 "$f" | jq -r '[.type, .calls, .dropped, (.trace_stopped // "-")] | @tsv')" \
	"$(printf 'exit\t28000\t0\t-')" "denied calls: all 28000 calls written, none dropped"
is "$(jq -c 'select(.fn=="accept") | .args.addrlen' "$f" | sort -u)" 2 \
	"denied calls: accept's address length still read (process_vm_readv refused)"
[ "$(stat -c %s "$f")" -gt $((2 << 20)) ]; ok $? "denied calls: the trace grew past its first chunks without fallocate"

# socket-paths: allowed and refused, the address read without process_vm_readv
IPCGUARD_POLICY="socket-paths=$T/*" preload "$prog" "$T" 50 $denied >"$T/allow.out"
is "$(cat "$T/allow.out")" "shm 50/50 unix 50/50 bad-connect -1 Bad file descriptor" \
	"socket-paths allows a covered path under the filter"
IPCGUARD_POLICY="socket-paths=/nonexistent/*" preload "$prog" "$T" 50 $denied >"$T/deny.out"
is "$(cat "$T/deny.out")" "shm 50/50 unix 0/50 bad-connect -1 Bad file descriptor" \
	"socket-paths refuses an uncovered path under the filter"
done_testing
