#!/bin/sh
# 752: strings from a trace cannot drive the terminal: control characters,
# C1 controls, bidi overrides and invalid UTF-8 in exe names, module and
# socket paths, file names and crafted records reach human output (report,
# events, export --format folded, leaks, run, stderr notes) only as \xNN;
# JSON output stays valid JSON. Before: printed raw (e.g. OSC "\033]0;pwn\007"
# retitled the terminal).
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/det_unix"
[ -x "$prog" ] || skip_all "det_unix not built"
ESC=$(printf '\033]0;pwn\007')
# a real run whose program, socket directory and trace name carry the sequence
mkdir "$T/d$ESC"
cp "$prog" "$T/prog$ESC"
(cd "$T" && IPCGUARD_OUTPUT="$T/t.%e.%p.jsonl" preload "./prog$ESC" leak "$T/d$ESC" return) > "$T/out"
is "$?:$(cat "$T/out")" "0:bind ok" "the program ran"
real=$(ls "$T"/t.*.jsonl)
grep -q 'prog\\u001b]0;pwn\\u0007' "$real"; ok $? "the trace records the exe with the sequence"

# crafted records on top: a function, an argument key and value, a finding
# kind and message (with raw C1 U+009B and U+202E bytes, and \u009b, a lone
# byte), an errno name, the exit's "how", a build-id, and a second host
C1=$(printf '\302\233') RLO=$(printf '\342\200\256')
perl -pe 'BEGIN { ($c1, $rlo) = splice @ARGV, 0, 2 }
	s/"fn":"listen","args":\{"sockfd":3,"backlog":1\},"ret":0,"errno":null/"fn":"listen\\u001b[2J","args":{"sockfd":3,"backlog":1,"k\\u001b[3m":"v\\u001b[4m"},"ret":-1,"errno":"EBAD\\u001b[5m"/;
	s/"how":"exit"/"how":"exit\\u001b[7m"/;
	s/("id":1,"path":"[^"]*","base":"0x[0-9a-f]*","size":\d+,"build_id":)"[0-9a-f]*"/$1"dead\\u001b[8m"/;
	if (/"type":"exit"/) { print "{\"type\":\"finding\",\"kind\":\"evil\\u001b]0;kind\\u0007\",\"severity\":\"error\",\"seq\":3,\"message\":\"msg \\u001b[2J\\u009b2J$c1$rlo end\",\"stack\":3}\n" }' \
	"$C1" "$RLO" "$real" > "$T/crafted.jsonl"
{ sed 's/"host":"[^"]*"/"host":"h\\u001b]0;host\\u0007"/' "$T/crafted.jsonl"; echo 'not json'; } > "$T/other-host$ESC.jsonl"
grep -c 'u001b' "$T/crafted.jsonl" | grep -q '^[0-9]'; ok $? "crafted trace written"

# any raw ESC, BEL, C1 (0x9b alone or as C2 9B) or U+202E is a failure
raw() { LC_ALL=C grep -c "$(printf '[\033\007\233]')\|$RLO" "$1"; }
cd "$T" || exit 1
i=0
for args in "report" "report --top 0" "events" "events --stacks" "export --format folded"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	"$TOOL" $args "$real" crafted.jsonl "other-host$ESC.jsonl" > "h$i.out" 2> "h$i.err"
	is "$(raw "h$i.out"):$(raw "h$i.err")" "0:0" "$args: no raw control bytes on stdout or stderr"
done
"$TOOL" leaks "$real" crafted.jsonl > h.leaks 2> h.leaks.err
is "$(raw h.leaks):$(raw h.leaks.err)" "0:0" "leaks: no raw control bytes"
"$TOOL" run -o "$T/r.%e.%p.jsonl" "./prog$ESC" leak "$T/d$ESC" return > /dev/null 2> h.run
is "$(raw h.run)" 0 "run: trace names listed escaped"
grep -q 'r\.prog\\x1b\]0;pwn\\x07\.[0-9]*\.jsonl: 1 finding' h.run; ok $? "run: ... as \\x1b and \\x07"

# what is shown instead
grep -q '  prog\\x1b\]0;pwn\\x07 ' h1.out; ok $? "report: exe as prog\\x1b]0;pwn\\x07"
grep -q 'socket file "/.*/d\\x1b\]0;pwn\\x07/s\.sock"' h1.out; ok $? "report: socket path escaped"
grep -q 'error   evil\\x1b\]0;kind\\x07: 2 in 1 call site' h1.out; ok $? "report: finding kind escaped"
grep -q '\] msg \\x1b\[2J\\x9b2J\\xc2\\x9b\\xe2\\x80\\xae end$' h1.out; ok $? "report: message: ESC, lone byte, C1 and U+202E as bytes"
grep -q '^  listen\\x1b\[2J  *2  *2  EBAD\\x1b\[5m 2$' h1.out; ok $? "report: function and errno names escaped"
grep -q 'exit\\x1b\[7m status 0' h1.out; ok $? "report: exit how escaped"
grep -q '(host h\\x1b\]0;host\\x07)' h1.out; ok $? "report: host escaped"
grep -q '^\[pid [0-9]*\] listen\\x1b\[2J(sockfd=3, backlog=1, k\\x1b\[3m="v\\x1b\[4m") = -1 EBAD\\x1b\[5m$' h3.out
ok $? "events: function, argument key, value and errno escaped"
grep -q '#[0-9] prog\\x1b\]0;pwn\\x07+0x' h4.out; ok $? "events --stacks: unresolved module name escaped"
grep -q 'note: /.*/prog\\x1b\]0;pwn\\x07: build-id differs from the trace (dead\\x1b\[8m)' h4.err
ok $? "stderr note: module path and build-id escaped"
grep -q '^prog\\x1b\]0_pwn\\x07;.*;finding:evil\\x1b\]0_kind\\x07 2$' h5.out; ok $? "folded: root and leaf escaped, no ';' inside a name"
grep -q '^ipcguard: other-host\\x1b\]0;pwn\\x07\.jsonl:[0-9]*: bad JSON' h1.err; ok $? "stderr: file names escaped"

# JSON keeps the exact strings and stays valid
for args in "report --json" "export --format chrome" "leaks --json"; do
	# shellcheck disable=SC2086
	"$TOOL" $args "$real" crafted.jsonl > j.out 2>/dev/null
	jq -e . j.out > /dev/null; ok $? "$args: valid JSON"
done
"$TOOL" report --json "$real" crafted.jsonl > j.out 2>/dev/null
is "$(jq -r '.processes[0].exe' j.out | od -An -c | tr -s ' ' | head -c 40)" "$(printf '%s' "$T/prog$ESC" | od -An -c | tr -s ' ' | head -c 40)" \
	"JSON: exe is the exact string"
done_testing
