#!/bin/sh
# world-connectable: stream (at listen) and datagram (at bind) socket files any user can reach; a 0700 directory or a chmod before listen is clean
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_unix"
[ -x "$prog" ] || skip_all "det_unix not built"
# every directory above $T must be searchable by others for a finding
d=$(dirname "$T")
while [ "$d" != / ]; do
	[ "$(( $(stat -c '0%a' "$d") & 1 ))" = 1 ] || skip_all "$d is not searchable by others"
	d=$(dirname "$d")
done
mkdir "$T/open" "$T/closed"
chmod 755 "$T/open"
chmod 700 "$T/closed"
# the test directory itself is 0700 (mktemp): open it for this test
chmod 755 "$T"

IPCGUARD_OUTPUT="$T/w.jsonl" preload "$prog" world "$T/open" >"$T/w.out" 2>&1
f="$T/w.jsonl"
is "$(cat "$T/w.out")" "bind ok
listen ok
bind-dgram ok" "umask 0: bind, listen, bind a datagram socket"
is "$(kinds "$f" | tr '\n' ' ')" "world-connectable world-connectable " "two world-connectable findings"
listen_seq=$(jq 'select(.type=="call" and .fn=="listen")|.seq' "$f")
bind_stack=$(jq 'select(.type=="call" and .fn=="bind")|.stack' "$f" | head -1)
is "$(jq -c 'select(.kind=="world-connectable")|[.severity,.path,.mode,.seq]' "$f" | head -1)" \
	"[\"info\",\"$T/open/s.sock\",\"0777\",$listen_seq]" "stream socket: reported at listen, info, with the mode"
is "$(jq -c 'select(.kind=="world-connectable")|.first_stack' "$f" | head -1)" "$bind_stack" "first_stack is the bind"
is "$(jq -c 'select(.kind=="world-connectable")|.path' "$f" | tail -1)" "\"$T/open/d.sock\"" "datagram socket: reported at bind"
stacks_ok "$f"
ok $? "stack ids resolve"

IPCGUARD_OUTPUT="$T/c.jsonl" preload "$prog" world "$T/closed" >/dev/null 2>&1
is "$(nfind "$T/c.jsonl")" 0 "correct: the same in a 0700 directory: no finding"
IPCGUARD_OUTPUT="$T/fixed.jsonl" preload "$prog" world-fixed "$T/open" >/dev/null 2>&1
is "$(nfind "$T/fixed.jsonl")" 0 "correct: chmod 0600 between bind and listen: no finding"
chmod 700 "$T"
done_testing
