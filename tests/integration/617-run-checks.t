#!/bin/sh
# ipcguard run checks before starting: -o fd:N range and open for writing, a PATH directory is skipped as the shell does, a script with an untraceable interpreter is refused with a word
. "$IPCG_SRC/tests/lib/harness.sh"

"$TOOL" run -o fd:99999999 -- true 2>"$T/e1"
is "$?" 2 "fd:99999999: usage error"
grep -q "invalid -o fd:N" "$T/e1"
ok $? "fd:99999999: says why"
"$TOOL" run -o fd:9 -- true 9<&- 2>"$T/e2"
is "$?" 2 "fd:9 closed: usage error"
grep -q "not open for writing" "$T/e2"
ok $? "fd:9 closed: says why"
"$TOOL" run -o fd:9 -- true 9<"$T/e2" 2>"$T/e3"
is "$?" 2 "fd:9 read-only: usage error"
"$TOOL" run -q -o fd:9 -- true 9>"$T/fd9.jsonl"
is "$?" 0 "fd:9 open for writing: runs"
is "$(head -1 "$T/fd9.jsonl" | jq -r .type)" header "fd:9: the trace went there"

mkdir -p "$T/bin1/hello" "$T/bin2"
printf '#!/bin/sh\necho hi\n' > "$T/bin2/hello"
chmod +x "$T/bin2/hello"
is "$(PATH="$T/bin1:$T/bin2:$PATH" sh -c hello 2>&1)" hi "the shell skips the directory in PATH"
is "$(PATH="$T/bin1:$T/bin2:$PATH" "$TOOL" run -q -o "$T/h.%p.jsonl" -- hello 2>&1)" hi "run does the same"

if printf 'int main(void){return 0;}\n' > "$T/s.c" && ${CC:-cc} -static -o "$T/static-interp" "$T/s.c" 2>/dev/null; then
	printf '#!%s\n' "$T/static-interp" > "$T/script"
	chmod +x "$T/script"
	"$TOOL" run -q -- "$T/script" 2>"$T/e4"
	is "$?" 2 "a script with a static interpreter is refused"
	grep -q "its interpreter $T/static-interp cannot be traced: it is statically linked" "$T/e4"
	ok $? "and run says why"
	printf '#!/bin/sh\nexit 3\n' > "$T/script2"
	chmod +x "$T/script2"
	"$TOOL" run -q -o "$T/s2.%p.jsonl" -- "$T/script2"
	is "$?" 3 "a script with a dynamic interpreter runs"
else
	ok 0 "# SKIP no static libc"; ok 0 "# SKIP"; ok 0 "# SKIP"
fi
done_testing
