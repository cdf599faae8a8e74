#!/bin/sh
# path-truncated on bind and connect of a 150-byte path; abstract-trailing-nul and the connect it breaks; exact sizes are clean
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/findings.sh"

prog="$PROGS/det_unix"
[ -x "$prog" ] || skip_all "det_unix not built"
mkdir "$T/d"

IPCGUARD_OUTPUT="$T/cut.jsonl" preload "$prog" truncated "$T/d" >"$T/cut.out" 2>&1
f="$T/cut.jsonl"
is "$(cat "$T/cut.out")" "bind ok
connect ok
cut-file-exists 1" "a 150-byte path binds silently at 108 bytes"
is "$(kinds "$f" | tr '\n' ' ')" "path-truncated path-truncated " "path-truncated on bind and on connect"
cut=$(printf '%s' "$T/d/$(printf '%150s' | tr ' ' a)" | cut -c1-108)
bind_seq=$(jq 'select(.type=="call" and .fn=="bind")|.seq' "$f")
is "$(jq -c 'select(.kind=="path-truncated")|[.severity,.op,.path,.addrlen,.seq]' "$f" | head -1)" \
	"[\"error\",\"bind\",\"$cut\",110,$bind_seq]" "bind: error, the 108 bytes used, addrlen 110"
is "$(jq -c 'select(.kind=="path-truncated")|.op' "$f" | tail -1)" '"connect"' "connect: the same"
fmsg "$f" path-truncated | grep -q "fills all 108 bytes without a terminating NUL: a longer path was cut to"
ok $? "the message says the path was cut"
stacks_ok "$f"
ok $? "stack ids resolve"

IPCGUARD_OUTPUT="$T/pad.jsonl" preload "$prog" abstract-padded "$T/d" >"$T/pad.out" 2>&1
f="$T/pad.jsonl"
is "$(cat "$T/pad.out")" "bind ok
connect ECONNREFUSED" "bound with sizeof(struct sockaddr_un), a strlen-sized connect is refused"
is "$(kinds "$f" | tr '\n' ' ')" "abstract-trailing-nul connect-failed " "abstract-trailing-nul at bind, connect-failed at connect"
name=$(jq -r 'select(.type=="call" and .fn=="bind")|.args.addr.abstract' "$f" | sed 's/\\u0000//g')
is "$(ffact "$f" abstract-trailing-nul '[.severity,.op,.abstract,.addrlen,.expected_addrlen,.trailing_nuls,.seq]')" \
	"[\"warning\",\"bind\",\"$name\",110,$((3 + ${#name})),$((107 - ${#name})),2]" \
	"the name without its NULs, addrlen 110, the strlen size, how many NULs"
is "$(ffact "$f" connect-failed '[.severity,.abstract,.errno,.cause]')" "[\"warning\",\"$name\",\"ECONNREFUSED\",\"server-padded-name\"]" \
	"connect-failed finds the server bound to the padded name"
fmsg "$f" connect-failed | grep -q "the server binds with addrlen = sizeof(struct sockaddr_un)"
ok $? "and says so"
stacks_ok "$f"
ok $? "stack ids resolve"

IPCGUARD_OUTPUT="$T/exact.jsonl" preload "$prog" abstract-exact "$T/d" >"$T/exact.out" 2>&1
is "$(cat "$T/exact.out")" "bind ok
connect ok" "an abstract name sized exactly connects"
is "$(nfind "$T/exact.jsonl")" 0 "correct: abstract name sized exactly: no finding"
done_testing
