#!/bin/sh
# 8 threads x 2000 (shmat, shmdt, socket, close): whole lines, every call recorded once, results unchanged
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_threads"
[ -x "$prog" ] || skip_all "t2_threads not built"
# bad_lines FILE: lines that are not exactly one JSON object (jq: JSON::PP is too slow here)
bad_lines() {
	tr -d '\000' <"$1" | jq -R -r 'try (fromjson|if type=="object" then empty else "not an object" end) catch "bad"' |
		wc -l | tr -d ' '
}

plain=$(timeout 60 "$prog" 8 2000)
is "$plain" "threads=8 calls=64000 (+2 in main) fails=0 mismatches=0" "plain run"
got=$(timeout 60 env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" "$prog" 8 2000 2>"$T/err")
is "$got" "$plain" "preloaded run prints the same"
is "$(cat "$T/err")" "" "nothing on stderr"
tr=$(ls "$T"/trace.*.jsonl)
is "$(bad_lines "$tr")" 0 "every line is exactly one JSON object (no interleaved records)"
jq -r 'select(.type=="call")|"\(.seq) \(.tid) \(.fn) \(.errno) \(.stack)"' "$tr" >"$T/calls"
is "$(wc -l <"$T/calls" | tr -d ' ')" 64002 "64002 call records"
is "$(cut -d' ' -f1 "$T/calls" | sort -n | uniq | sed -n '1p;$p' | tr '\n' ' ')$(cut -d' ' -f1 "$T/calls" | sort -u | wc -l | tr -d ' ')" \
	"1 64002 64002" "seq values are distinct and run from 1 to 64002"
is "$(cut -d' ' -f2 "$T/calls" | sort | uniq -c | awk '$1==8000' | wc -l | tr -d ' ')" 8 \
	"8 threads with 8000 calls each"
is "$(cut -d' ' -f3 "$T/calls" | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' ')" \
	"close=16000 shmat=16000 shmctl=1 shmdt=16000 shmget=1 socket=16000 " "per function counts"
is "$(awk '$4!="null"' "$T/calls" | head -3)" "" "no call failed"
# a stack record is always before the first record that uses it
is "$(jq -r 'if .type=="stack" then "s \(.id)" elif .type=="call" then "c \(.stack)" else empty end' "$tr" |
	awk '$1=="s"{d[$2]=1} $1=="c" && !($2 in d){print; exit}')" "" "each stack id is defined before its first use"
is "$(jq -c 'select(.type=="exit")|[.calls,.dropped]' "$tr")" "[64002,0]" "exit record: 64002 calls, none dropped"
done_testing
