#!/bin/sh
# report --suppress FILE: valgrind-style rules (kind + fun:/obj: globs) remove known findings from the report and from --fail-on; bad files are usage errors
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/lk_daemon"
[ -x "$prog" ] || skip_all "lk_daemon not built"
trap 'for f in "$T"/trace.*.jsonl; do jq -r "select(.type==\"finding\" and .kind==\"segment-leak\")|.shmid" "$f" 2>/dev/null; done |
	while read -r id; do ipcrm -m "$id" 2>/dev/null; done; rm -rf "$T"' EXIT

preload "$prog" 1 20 0 "$T/d.sock" > "$T/out" 2>"$T/err"
"$TOOL" report --fail-on warning "$T"/trace.*.jsonl > /dev/null
is "$?" 1 "without suppressions: --fail-on warning fails"
cat > "$T/all.supp" <<'S'
# the planted bugs, known and accepted
repeated-attach   fun:handle_request obj:*lk_daemon
attached-at-exit  fun:handle_*
segment-leak      fun:main
socket-file-leak
S
"$TOOL" report --suppress "$T/all.supp" --fail-on warning "$T"/trace.*.jsonl > "$T/r.txt"
is "$?" 0 "every finding suppressed: --fail-on warning passes"
grep -q "^Suppressed: " "$T/r.txt"
ok $? "the report says how many were suppressed"
is "$(sed -n 's/^  line \([0-9]*\): \([0-9]*\)$/\1=\2/p' "$T/r.txt" | tr '\n' ' ')" "2=19 3=20 4=1 5=1 " \
	"hits per rule: 19 repeated attaches, 20 attaches at exit, 1 segment, 1 socket file"
grep -q "repeated-attach" "$T/r.txt"
ok $([ $? -ne 0 ]; echo $?) "no suppressed kind left in the report"
is "$("$TOOL" report --json --suppress "$T/all.supp" "$T"/trace.*.jsonl | jq '[.suppressed, (.leaks | length)] | tostring' -r)" "[41,0]" \
	"JSON: suppressed count, and the suppressed leaks are not listed"
printf 'repeated-attach fun:no_such_function\n' > "$T/miss.supp"
"$TOOL" report --suppress "$T/miss.supp" --json "$T"/trace.*.jsonl | jq -e '.suppressed == 0' >/dev/null
ok $? "a rule whose fun: glob matches no frame suppresses nothing"
printf 'repeated-attach junk\n' > "$T/bad.supp"
"$TOOL" report --suppress "$T/bad.supp" "$T"/trace.*.jsonl > /dev/null 2>"$T/bad.err"
is "$?" 2 "a malformed rule: status 2"
grep -q "bad.supp:1: expected KIND" "$T/bad.err"
ok $? "named by file and line"
"$TOOL" report --suppress "$T/none.supp" "$T"/trace.*.jsonl > /dev/null 2>&1
is "$?" 2 "a missing file: status 2"
done_testing
