#!/bin/sh
# unlink, unlinkat and remove of bound socket paths are traced (and make socket-file-leak exact); other paths and failures pass through unchanged
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/lk_unlink"
[ -x "$prog" ] || skip_all "lk_unlink not built"

mkdir "$T/plain" "$T/traced"
want=$(cd "$T/plain" && touch plain-file && "$prog" "$T/plain/a.sock")
is "$want" "0 0 0 0 -1/2 -1/14 -1/2" "untraced: return values and errno"
got=$(cd "$T/traced" && touch plain-file && IPCGUARD_OUTPUT="$T/trace.jsonl" LD_PRELOAD="$LIB" "$prog" "$T/traced/a.sock")
is "$got" "$want" "traced: the same return values and errno"
is "$(ls "$T/traced")" "$(ls "$T/plain")" "traced: the same files left behind"
f="$T/trace.jsonl"
is "$(jq -r 'select(.type=="call" and (.fn|test("unlink|remove"))) | "\(.fn) \(.args.pathname) \(.args.dirfd // "-") \(.ret) \(.errno)"' "$f")" \
"unlink $T/traced/a.sock - 0 null
unlink b.sock - 0 null
unlinkat c.sock 3 0 null
remove d.sock - 0 null" "one record per removal of a bound socket file; failures of unbound paths and other files are not recorded"
is "$(jq -r 'select(.type=="finding" and .kind=="socket-file-leak") | .path' "$f")" "e.sock" \
	"socket-file-leak names only the file left behind"
"$TOOL" events "$f" > "$T/events" 2>&1
grep -q '^\[pid [0-9]*\] unlinkat(dirfd=3, pathname="c.sock", flags=0) = 0$' "$T/events"
ok $? "events prints unlinkat in strace's style"
"$TOOL" leaks --json "$f" > "$T/leaks.json"
is "$?" 0 "leaks reads unlink records"
# another (untraced) process binds the same path again: not the traced program's file
perl -MSocket -e 'socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die; bind($s, pack_sockaddr_un($ARGV[0])) or die "$!"' "$T/traced/a.sock"
ok $([ -S "$T/traced/a.sock" ]; echo $?) "a socket file is at the unlinked path again"
"$TOOL" leaks --json "$f" > "$T/leaks.json"
is "$(jq -r '[.sites[] | select(.object=="socket") | .objects[].path] | join(" ")' "$T/leaks.json")" "" \
	"leaks: a path the trace saw unlinked is not blamed on the program"
jq -c 'select(.type != "call" or (.fn | test("unlink|remove") | not))' "$f" > "$T/nounlink.jsonl"
"$TOOL" leaks --json "$T/nounlink.jsonl" > "$T/leaks2.json"
is "$(jq -r '[.sites[] | select(.object=="socket") | .objects[].path] | join(" ")' "$T/leaks2.json")" "$T/traced/a.sock" \
	"leaks: without the unlink record the same file would be blamed"
done_testing
