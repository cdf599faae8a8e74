#!/bin/sh
# stale-socket and connect-failed on a socket file left behind; EADDRINUSE on a live server is not stale
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_unix"
[ -x "$prog" ] || skip_all "det_unix not built"
mkdir "$T/d"

IPCGUARD_OUTPUT="$T/stale.jsonl" preload "$prog" stale "$T/d" >"$T/stale.out" 2>&1
f="$T/stale.jsonl"
is "$(cat "$T/stale.out")" "bind ok
bind-again EADDRINUSE
connect ECONNREFUSED" "a closed, never unlinked socket file: bind EADDRINUSE, connect ECONNREFUSED"
is "$(kinds "$f" | tr '\n' ' ')" "connect-failed stale-socket " "stale-socket and connect-failed; no leak (unlinked before exit)"
seq=$(jq 'select(.type=="call" and .fn=="bind" and .errno=="EADDRINUSE")|.seq' "$f")
is "$(ffact "$f" stale-socket '[.severity,.path,.seq]')" "[\"warning\",\"$T/d/s.sock\",$seq]" "stale-socket: path, the failed bind"
fmsg "$f" stale-socket | grep -q "no socket is bound to it any more (a server exited without unlinking it); unlink the path before bind"
ok $? "the message says what to do"
is "$(ffact "$f" connect-failed '[.errno,.cause]')" '["ECONNREFUSED","stale"]' "connect-failed: cause stale"
stacks_ok "$f"
ok $? "stack ids resolve"

IPCGUARD_OUTPUT="$T/live.jsonl" preload "$prog" live-in-use "$T/d" >"$T/live.out" 2>&1
is "$(sed -n 2p "$T/live.out")" "bind-again EADDRINUSE" "a second bind on a live server's path fails"
is "$(nfind "$T/live.jsonl")" 0 "a live server's path is not stale: no finding"
done_testing
