#!/bin/sh
# A program that makes N calls and then dies by SIGKILL leaves all N call records
. "$IPCG_SRC/tests/lib/harness.sh"
ipcns_all

prog="$PROGS/t2_steps"
[ -x "$prog" ] || skip_all "t2_steps not built"

for n in 1 2 7 100 3001; do
	rm -f "$T"/trace.*
	preload "$prog" calls=$n kill >"$T/out" 2>"$T/err"
	rc=$?
	is "$rc:$(cat "$T/out")" "137:made $n calls" "N=$n: the program made $n calls and died by SIGKILL"
	tr=$(ls "$T"/trace.*)
	# the file is a shared mapping grown in chunks: a killed process leaves
	# a run of NUL bytes after its last record (docs/trace-format.md)
	tr -d '\000' <"$tr" >"$T/clean"
	is "$(tail -c 1 "$T/clean" | od -An -c | tr -d ' ')" '\n' "N=$n: the last record is complete"
	ok $(json_valid "$T/clean"; echo $?) "N=$n: every line parses"
	is "$(count_type call "$T/clean")" "$n" "N=$n: $n call records"
	is "$(jq -r 'select(.type=="call")|.seq' "$T/clean" | tail -n 1)" "$n" "N=$n: the last one is seq $n"
	is "$(count_type exit "$T/clean")" 0 "N=$n: no exit record"
	# the NULs are only at the end
	is "$(head -c "$(wc -c <"$T/clean")" "$tr" | tr -dc '\000' | wc -c | tr -d ' ')" 0 "N=$n: NUL bytes only after the last record"
done

# 8 threads killed in the middle of their calls: whatever they left is
# whole lines, except at most one record in flight per thread
threads="$PROGS/t2_threads"
if [ -x "$threads" ]; then
	rm -f "$T"/trace.*
	timeout -s KILL 0.5 env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" "$threads" 8 1000000 >/dev/null 2>&1
	tr=$(ls "$T"/trace.*)
	bad=$(tr -d '\000' <"$tr" | jq -R -r 'try (fromjson|if type=="object" then empty else "x" end) catch "bad"' | wc -l)
	ok $([ "$bad" -le 8 ]; echo $?) "8 threads killed mid-run: at most 8 broken lines ($bad)"
	n=$(tr -d '\000' <"$tr" | jq -R -r 'try (fromjson|select(.type=="call")|.seq) catch empty' | wc -l)
	ok $([ "$n" -gt 0 ]; echo $?) "8 threads killed mid-run: $n call records kept"
fi
done_testing
