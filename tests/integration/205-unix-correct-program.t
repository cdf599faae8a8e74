#!/bin/sh
# a correct client-server pair (unlink before bind and after close, a 0700 directory) runs with zero findings
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_unix"
[ -x "$prog" ] || skip_all "det_unix not built"
mkdir -m 700 "$T/run"

out=$(IPCGUARD_OUTPUT="$T/trace.%p.jsonl" preload "$prog" client-server "$T/run" 2>&1)
is "$out" "bind ok
listen ok
read ping
client 0" "the server read what the client wrote"
is "$(ls "$T"/trace.* | wc -l | tr -d ' ')" 2 "server and client traced"
is "$(cat "$T"/trace.* | jq -r 'select(.type=="call")|.fn' | sort -u | tr '\n' ' ')" \
	"accept bind close connect listen socket unlink " "the whole life of both sockets, the unlink of the file included"
n=0; for f in "$T"/trace.*; do n=$((n + $(nfind "$f"))); done
is "$n" 0 "zero findings"
is "$(ls "$T/run")" "" "no socket file left"
done_testing
