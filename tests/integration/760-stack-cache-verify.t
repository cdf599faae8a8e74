#!/bin/sh
# the per-call-site stack cache gives the stacks a full libunwind walk gives: IPCGUARD_STACK_VERIFY=1 checks every stack of the thread, fork, signal, dlopen/dlclose and deep-stack programs against unw_backtrace; and it is used (cached stacks, same trace as without the cache)
. "$IPCG_SRC/tests/lib/harness.sh"

steps="$PROGS/t2_steps"
dl="$PROGS/libt2_dl.so"
for p in t2_steps t2_threads t2_forks t2_signals; do
	[ -x "$PROGS/$p" ] || skip_all "$p not built"
done

# verify NAME CMD...: run with every stack checked; the stderr summary of
# each process says how many came from the cache and none differed
verify() {
	name=$1; shift
	mkdir -p "$T/$name"
	IPCGUARD_STACK_VERIFY=1 IPCGUARD_OUTPUT="$T/$name/trace.%p" preload "$@" \
		>"$T/$name.out" 2>"$T/$name.err"
	echo $? > "$T/$name.rc"
}
summary() { grep 'ipcguard: stack check:' "$T/$1.err"; }
differed() { summary "$1" | sed -n 's/.* \([0-9]*\) differed.*/\1/p' | awk '{s+=$1} END{print s+0}'; }
cached() { summary "$1" | sed -n 's/.*check: \([0-9]*\) cached.*/\1/p' | awk '{s+=$1} END{print s+0}'; }

verify threads "$PROGS/t2_threads" 4 300
is "$(cat "$T/threads.rc"):$(differed threads)" "0:0" "threads: no stack differs from a full walk"
ok $([ "$(cached threads)" -gt 4000 ]; echo $?) "threads: most stacks come from the cache ($(cached threads) of 4800)"

verify forks "$PROGS/t2_forks" 6
is "$(cat "$T/forks.rc"):$(differed forks)" "0:0" "fork children: no stack differs"
is "$(summary forks | wc -l | tr -d ' ')" "$(ls "$T/forks" | wc -l | tr -d ' ')" "one check summary per traced process"

verify signals timeout 60 "$PROGS/t2_signals" storm 400
is "$(cat "$T/signals.rc"):$(differed signals)" "0:0" "signal storm (handlers making calls on top of traced calls): no stack differs"

verify dl "$steps" shm dlopen="$dl" dlclose dlopen="$dl" dlclose dlopen="$dl" shm
is "$(cat "$T/dl.rc"):$(differed dl)" "0:0" "dlopen/dlclose/dlopen of a library making calls: no stack differs"

verify deep "$steps" deep=40 deep=40 deep=3 deep=40 calls=200
is "$(cat "$T/deep.rc"):$(differed deep)" "0:0" "deep and shallow stacks from one site: no stack differs"

# the cache changes nothing in the trace: same stacks, same ids
mkdir -p "$T/c1" "$T/c0"
IPCGUARD_OUTPUT="$T/c1/t" preload "$steps" calls=50 deep=20 shm deep=5 calls=20 >/dev/null 2>&1
IPCGUARD_STACK_CACHE=0 IPCGUARD_OUTPUT="$T/c0/t" preload "$steps" calls=50 deep=20 shm deep=5 calls=20 >/dev/null 2>&1
strip() { jq -c 'select(.type=="stack" or .type=="call")|if .type=="call" then [.seq,.fn,.stack] else [.id,[.frames[]|.[1]]] end' "$1"; }
is "$(strip "$T/c1/t")" "$(strip "$T/c0/t")" "stack and call records with the cache = without it"
ok $([ "$(strip "$T/c1/t" | wc -l)" -gt 70 ]; echo $?) "the comparison covers the calls"

# bad values are start-up errors
IPCGUARD_STACK_VERIFY=yes preload "$steps" main >/dev/null 2>"$T/bad.err"
is "$?:$(cat "$T/bad.err")" "2:ipcguard: invalid IPCGUARD_STACK_VERIFY='yes': expected 1 or 0" "IPCGUARD_STACK_VERIFY=yes is refused"
done_testing
