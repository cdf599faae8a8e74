#!/bin/sh
# socket-file-leak for return, exit, _exit and _Exit; relative paths after chdir; not for a file replaced by another process or inherited by a child
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_unix"
[ -x "$prog" ] || skip_all "det_unix not built"

for how in return exit _exit _Exit closed; do
	mkdir "$T/$how"
	IPCGUARD_OUTPUT="$T/$how.jsonl" preload "$prog" leak "$T/$how" "$how" >/dev/null 2>&1
	f="$T/$how.jsonl"
	is "$(kinds "$f")" "socket-file-leak" "$how: socket-file-leak"
	bind_stack=$(jq 'select(.type=="call" and .fn=="bind")|.stack' "$f")
	fd=$([ "$how" = closed ] && echo null || echo 3)
	is "$(ffact "$f" socket-file-leak '[.severity,.seq,.path,.fd,.bind_seq,.stack]')" \
		"[\"warning\",null,\"$T/$how/s.sock\",$fd,2,$bind_stack]" "$how: path, fd, the bind's seq and stack"
	stacks_ok "$f"
	ok $? "$how: stack ids resolve"
done
fmsg "$T/exit.jsonl" socket-file-leak | grep -q "never unlinked, is left behind at exit: the next bind of the path fails with EADDRINUSE and connect with ECONNREFUSED"
ok $? "the message says what the leftover breaks"

mkdir "$T/rel"
IPCGUARD_OUTPUT="$T/rel.jsonl" preload "$prog" relative-leak "$T/rel" >/dev/null 2>&1
is "$(ffact "$T/rel.jsonl" socket-file-leak '[.path,.resolved_path]')" "[\"rel.sock\",\"$T/rel/rel.sock\"]" \
	"bound relative, chdir away: found at exit by its absolute path"

mkdir "$T/rep"
IPCGUARD_OUTPUT="$T/rep.%p.jsonl" preload "$prog" unlinked-then-rebound "$T/rep" >"$T/rep.out" 2>&1
is "$(sed -n 2p "$T/rep.out")" "replaced-by-child 1" "unlinked, then a child bound the same path"
is "$(nfind "$(main_trace rep)")" 0 "the file there is not ours (new inode or birth time): no leak in the parent"
is "$(kinds "$(child_traces rep)")" "socket-file-leak" "the child that bound it leaked it"

mkdir "$T/fork"
IPCGUARD_OUTPUT="$T/fork.%p.jsonl" preload "$prog" fork-bound "$T/fork" >/dev/null 2>&1
n=0; for f in "$T"/fork.*.jsonl; do n=$((n + $(nfind "$f"))); done
is "$n" 0 "a child that inherits a bound socket and exits does not leak the parent's file"
done_testing
