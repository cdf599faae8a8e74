#!/bin/sh
# ipcguard run trims what a process that ended in the middle of copying a
# record leaves: part of a line, then the zeroed rest of the chunk.  Only
# a NUL run at the start of a line used to be trimmed, so jq failed on
# traces of processes whose SIGTERM handler calls _exit (seen with
# rw_exit_in_handler, test 602).
. "$IPCG_SRC/tests/lib/harness.sh"
ipcns_all

# under ipcguard run the NUL tail of a trace without exit is trimmed
rm -f "$T"/*.jsonl
"$TOOL" run -q -o "$T/r.%p.jsonl" -- "$PROGS/rw_exit_in_handler" shm
is "$?" 3 "run: exit status of the handler's _exit"
jq -c . "$T"/r.*.jsonl >/dev/null
ok $? "run: jq parses the whole trace"

# deterministic: a record cut in the middle, then NULs; run trims to the
# last complete line once the process is gone
rm -f "$T"/*.jsonl
"$TOOL" run -q -o "$T/p.%p.jsonl" -- "$PROGS/rw_partial_tail" "$T/p.%d.jsonl"
is "$?" 137 "cut record: killed"
f=$(ls "$T"/p.*.jsonl)
jq -c . "$f" >/dev/null
ok $? "cut record: jq parses the trimmed trace"
is "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" '\n' "cut record: the file ends with a whole line"
is "$(jq -c 'select(.type=="call") | .fn' "$f" | tr '\n' ' ')" '"socket" "close" ' \
	"cut record: the complete records stay"
done_testing
