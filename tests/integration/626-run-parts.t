#!/bin/sh
# ipcguard run lists a rotated trace once: its first part "+ N parts", the
# findings of all parts, how it ended from its newest part; the NUL tail a
# killed process leaves in its newest part is trimmed. The parts are copied
# from fixtures by a script that lists them in the manifest as the library
# does for each part it creates.
. "$IPCG_SRC/tests/lib/harness.sh"
F="$IPCG_SRC/tests/fixtures"
cat >"$T/fake.sh" <<'EOS'
#!/bin/sh
d=$1 f=$2
cp "$f/rot-part0.jsonl" "$d/rot.jsonl"
cp "$f/rot-part1.jsonl" "$d/rot.jsonl.1"
if [ "$3" = killed ]; then
	{ cat "$f/rot-part2-killed.jsonl"; head -c 5000 /dev/zero; } >"$d/rot.jsonl.2"
else
	cp "$f/rot-part2.jsonl" "$d/rot.jsonl.2"
fi
printf '%s\0%s\0%s\0' "$d/rot.jsonl" "$d/rot.jsonl.1" "$d/rot.jsonl.2" >>"$IPCGUARD_RUN_MANIFEST"
EOS
chmod +x "$T/fake.sh"
mkdir -p "$T/k" "$T/e"
"$TOOL" run -o "$T/sh.%p.jsonl" -- "$T/fake.sh" "$T/k" "$F" killed 2>"$T/k.err"
is "$?" 0 "killed: run exits 0"
is "$(grep -c 'rot.jsonl' "$T/k.err")" 1 "killed: the three parts are one line"
grep -qF "ipcguard: $T/k/rot.jsonl + 2 parts: 1 finding (process ended without exit: killed or crashed)" "$T/k.err"
ok $? "killed: first part + 2 parts, findings of all parts, killed (from the newest part)"
is "$(tr -d '\000' <"$T/k/rot.jsonl.2" | wc -c | tr -d ' ')" "$(wc -c <"$T/k/rot.jsonl.2" | tr -d ' ')" \
	"killed: the newest part's NUL tail is trimmed"
is "$(tail -c 1 "$T/k/rot.jsonl.2" | od -An -c | tr -d ' ')" '\n' "killed: it ends with its last complete line"
cmp -s "$F/rot-part0.jsonl" "$T/k/rot.jsonl"; ok $? "killed: an earlier part is left as it is"

"$TOOL" run -o "$T/sh.%p.jsonl" -- "$T/fake.sh" "$T/e" "$F" exit 2>"$T/e.err"
grep -qF "ipcguard: $T/e/rot.jsonl + 2 parts: 5 findings" "$T/e.err"
ok $? "exit: first part + 2 parts, 5 findings written (1 + 0 + 4), no 'killed'"
grep 'rot.jsonl' "$T/e.err" | grep -q '('; is "$?" 1 "exit: nothing said about how it ended"
done_testing
