#!/bin/sh
# ipcguard run's manifest is NUL-separated: traces in a directory whose name holds a newline are listed once each, with their findings, the newline shown as \n
. "$IPCG_SRC/tests/lib/harness.sh"

nl='
'
d="$T/out${nl}dir"
mkdir "$d"
# a shell and two children that each have findings (a 0666 segment, a
# failed connect)
"$TOOL" run -o "$d/t.%e.%p.jsonl" -- sh -c \
	"'$PROGS/sec_probe' '$T/nosock1'; '$PROGS/sec_probe' '$T/nosock2'" >/dev/null 2>"$T/err"
is "$?" 0 "run: the program's status"
is "$(ls "$d" | wc -l | tr -d ' '):$(ls "$d" | grep -c '^t\.sec_probe\.')" 3:2 \
	"three traces written in the directory (the shell's, two children's)"
esc="$T/out\\ndir"
is "$(grep -c '^ipcguard: ' "$T/err")" 3 "run lists three traces, one line each"
is "$(grep -c 'cannot read' "$T/err")" 0 "no trace called unreadable"
for f in "$d"/t.*; do
	b=${f##*/}
	n=$(count_type finding "$f")
	s=s; [ "$n" = 1 ] && s=
	grep -qxF "ipcguard: $esc/$b: $n finding$s" "$T/err"
	ok $? "$b: listed once, the newline escaped, with its $n finding$s"
done
is "$(grep -c ' 2 findings$' "$T/err")" 2 "both children's 2 findings counted"

# a newline in the file name itself, and a process killed before its exit:
# run still finds the trace through the manifest and says it was killed
"$TOOL" run -o "$T/k${nl}%p.jsonl" -- sh -c 'kill -9 $$' 2>"$T/err2"
is "$?" 137 "killed program: 128+9"
grep -q "^ipcguard: $T/k\\\\n[0-9]*\\.jsonl: 0 findings (process ended without exit: killed or crashed)$" "$T/err2"
ok $? "killed program: listed, with the newline escaped, as killed"
done_testing
