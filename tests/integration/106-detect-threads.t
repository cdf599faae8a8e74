#!/bin/sh
# detectors from 16 threads at once: every repeated-attach and connect-failed written exactly once (IPCGUARD_REPEATS=0: every finding in full)
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_threads"
[ -x "$prog" ] || skip_all "det_threads not built"

# 8 threads x 500 repeated attaches of the segment main holds, while 8
# more threads attach and detach segments of their own
IPCGUARD_REPEATS=0 IPCGUARD_OUTPUT="$T/att.jsonl" preload "$prog" attach 8 500 >"$T/att.out" 2>&1
f="$T/att.jsonl"
id=$(sed -n 's/^shmid \([0-9]*\) .*/\1/p' "$T/att.out")
is "$(sed -n 's/.*failures //p' "$T/att.out")" 0 "every shmat and shmdt succeeded"
is "$(kinds "$f" | uniq -c | tr -s ' ')" " 4000 repeated-attach" "exactly 4000 findings, all repeated-attach"
is "$(jq 'select(.type=="finding")|.seq' "$f" | sort -u | wc -l | tr -d ' ')" 4000 "4000 distinct calls"
jq -r --argjson id "$id" 'select(.type=="call" and .fn=="shmat" and .args.shmid==$id)|.seq' "$f" | sort >"$T/calls"
jq -r 'select(.type=="finding")|.seq' "$f" | sort >"$T/found"
is "$(comm -3 "$T/calls" "$T/found" | wc -l | tr -d ' ')" 1 \
	"they are exactly the shmat calls on the shared segment but main's first"
first=$(jq -r --argjson id "$id" 'select(.type=="call" and .fn=="shmat" and .args.shmid==$id)|.ret' "$f" | head -1)
is "$(jq -r 'select(.type=="finding")|"\(.shmid) \(.first_shmaddr) \(.first_seq)"' "$f" | sort -u)" \
	"$id $first 2" "each names main's attach as the first"
is "$(jq 'select(.type=="exit")|.findings' "$f")" 4000 "the exit record counts 4000"

IPCGUARD_REPEATS=0 IPCGUARD_OUTPUT="$T/unix.jsonl" preload "$prog" unix 8 200 >"$T/unix.out" 2>&1
f="$T/unix.jsonl"
is "$(cat "$T/unix.out")" "failures 0" "every connect failed with ENOENT"
is "$(kinds "$f" | uniq -c | tr -s ' ')" " 1600 connect-failed" "exactly 1600 connect-failed"
is "$(jq -r 'select(.type=="finding")|.cause' "$f" | sort -u)" "missing-directory" "all with the cause"
is "$(jq 'select(.type=="finding")|.seq' "$f" | sort -u | wc -l | tr -d ' ')" 1600 "1600 distinct calls"
# forks while other threads are inside the detectors' rare paths (bind,
# listen, the /proc/net/unix probe): every child finishes its own round
mkdir "$T/socks"
IPCGUARD_OUTPUT="$T/forks.%p.jsonl" timeout 60 env LD_PRELOAD="$LIB" "$prog" forks 2 "$T/socks" >"$T/forks.out" 2>&1
is "$?:$(cat "$T/forks.out")" "0:children-failed 0 failures 0" "20 forks amid 2 busy threads: no child hangs or fails"
n=0; for f in "$T"/forks.*.jsonl; do [ "$(nfind "$f" connect-failed)" -ge 1 ] || n=$((n + 1)); done
is "$n" 0 "every process, children included, reported its failed connect"
done_testing
