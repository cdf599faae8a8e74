#!/bin/sh
# stderr / fd:N outputs never hurt the program: a reader that went away
# (no SIGPIPE, rc 141 before), a pipe nobody reads (no hang), the program
# dup2ing its own file onto the number (no record goes into it), and a
# read-only descriptor (refused at start, not lost silently).
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/tw_loop"
[ -x "$prog" ] || skip_all "tw_loop not built"
stop_line='ipcguard: cannot write the trace to fd 3: %s; tracing stopped, the program goes on'

# the reader of the trace pipe exits after one byte
{ IPCGUARD_OUTPUT=fd:3 preload "$prog" 2000 3 3>&1 >"$T/dead.out" 2>"$T/dead.err"
  echo $? >"$T/dead.rc"; } | head -c 1 >/dev/null
is "$(cat "$T/dead.rc")" 3 "widowed pipe: the program's own exit status, no SIGPIPE"
is "$(head -1 "$T/dead.out")" "rounds 2000 ok 2000" "widowed pipe: every call succeeded"
is "$(cat "$T/dead.err")" "$(printf "$stop_line" "Broken pipe")" "widowed pipe: one line on stderr"

# nobody ever reads the trace pipe (its buffer fills up)
{ s=$(date +%s); IPCGUARD_OUTPUT=fd:3 preload "$prog" 2000 3 3>&1 >"$T/full.out" 2>"$T/full.err"
  echo $? $(( $(date +%s) - s )) >"$T/full.rc"; } | sleep 6
set -- $(cat "$T/full.rc")
is "$1" 3 "unread pipe: the program ends with its own status"
[ "$2" -lt 5 ]; ok $? "unread pipe: ... without waiting for the reader (${2}s)"
is "$(cat "$T/full.err")" "$(printf "$stop_line" "nobody reads it")" "unread pipe: one line on stderr"

# the program dup2s a file of its own onto descriptor 3 half-way through
IPCGUARD_OUTPUT=fd:3 preload "$prog" 2000 3 "$T/own" 3>"$T/trace" >"$T/dup.out" 2>"$T/dup.err"
is "$?" 3 "dup2 over fd:3: the program's own exit status"
is "$(cat "$T/own")" "program data" "dup2 over fd:3: the program's file holds only its own data"
is "$(cat "$T/dup.err")" "$(printf "$stop_line" "the program closed or reused it")" \
	"dup2 over fd:3: one line on stderr"
n=$(jq -c 'select(.type=="call")' "$T/trace" | wc -l)
[ "$n" -ge 1000 ] && [ "$n" -le 4000 ]; ok $? "dup2 over fd:3: the first half of the calls is in the trace ($n)"
json_valid "$T/trace"; ok $? "dup2 over fd:3: the trace has whole lines only"

# a descriptor open for reading only
IPCGUARD_OUTPUT=fd:3 preload "$prog" 20 3 3<"$T/trace" >"$T/ro.out" 2>"$T/ro.err"
is "$?" 3 "read-only fd:3: the program runs"
is "$(cat "$T/ro.err")" "ipcguard: cannot write the trace to fd:3: not open for writing; running untraced" \
	"read-only fd:3: refused with one line on stderr"
done_testing
