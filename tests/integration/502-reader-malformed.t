#!/bin/sh
# 502: damaged traces: no crash, FILE:LINE reasons, valid records still read;
# the same again with the ASan+UBSan build (ipcguard-san) when make check built it.
. "$IPCG_SRC/tests/lib/harness.sh"
F="$IPCG_SRC/tests/fixtures"
cd "$T" || exit 1
cp "$F/malformed.jsonl" "$F/basic.jsonl" .

HDR='{"type":"header","format":"ipcguard","version":1,"pid":9,"ppid":1,"exe":"/x","argv":[],"host":"h","start_realtime_ns":1,"start_ns":1,"config":{},"limits":{}}'
CALL='{"type":"call","seq":1,"ts_ns":5,"tid":9,"fn":"shmget","args":{"key":"IPC_PRIVATE","size":1,"shmflg":"0600"},"ret":3,"errno":null,"stack":null}'
EXIT='{"type":"exit","ts_ns":9,"calls":2,"findings":0}'
# a line over the 1 MiB limit (17 MB) between valid records
{ echo "$HDR"; echo "$CALL"; printf '{"type":"call","pad":"'; head -c 17000000 /dev/zero | tr '\0' a; echo '"}'; echo "$CALL"; echo "$EXIT"; } > long.jsonl
# valid records, then the NUL run a killed writer leaves
{ echo "$HDR"; echo "$CALL"; head -c 4096 /dev/zero; } > nultail.jsonl
# a NUL inside a line, not at the end
{ echo "$HDR"; printf '{"type":"call",\0"seq":1}\n'; echo "$CALL"; } > nulmid.jsonl
head -c 8192 /dev/zero > allnul.jsonl
: > empty.jsonl
perl -e 'srand(42); print map { chr(int(rand(256))) } 1..20000' > garbage.jsonl
# many bad lines: errors are capped, the count is kept
{ echo "$HDR"; perl -e 'print "{bad\n" x 1000'; echo "$CALL"; } > many.jsonl
# CRLF line ends are whitespace
{ echo "$HDR"; echo "$CALL"; } | sed 's/$/\r/' > crlf.jsonl
mkdir dir.jsonl

TOOLS="$TOOL"
[ -x "$IPCG_BUILD/ipcguard-san" ] && TOOLS="$TOOLS $IPCG_BUILD/ipcguard-san"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=99
for tool in $TOOLS; do
	tag=$(basename "$tool")
	"$tool" report --json malformed.jsonl >out.json 2>err
	is $? 0 "$tag: malformed.jsonl: exit 0 (damage is not unreadable input)"
	is "$(grep -c '^ipcguard: malformed.jsonl:[0-9]*: ' err)" 20 "$tag: malformed.jsonl: 20 lines reported"
	is "$(sed -n 's/^ipcguard: malformed.jsonl:\([0-9]*\): .*/\1/p' err | tr '\n' ' ')" \
	   "5 6 7 8 9 10 11 12 13 16 17 18 19 20 21 22 23 24 25 26 " "$tag: malformed.jsonl: the right line numbers"
	grep -q 'malformed.jsonl:9: bad JSON at column [0-9]*: nesting too deep' err; ok $? "$tag: deep nesting reported"
	grep -q 'malformed.jsonl:10: .*NUL' err; ok $? "$tag: NUL byte reported"
	grep -q 'malformed.jsonl:11: .*invalid UTF-8' err; ok $? "$tag: invalid UTF-8 reported"
	grep -q 'malformed.jsonl:8: .*"seq" is not an integer in range' err; ok $? "$tag: huge number reported"
	grep -q 'malformed.jsonl:7: .*missing key "fn"' err; ok $? "$tag: missing key reported"
	grep -q 'malformed.jsonl:6: .*"seq" is not a non-negative integer' err; ok $? "$tag: wrong type reported"
	! grep -q 'malformed.jsonl:14:' err; ok $? "$tag: unknown type ignored silently"
	is "$(jq -c '[.summary.calls, .summary.findings, .summary.malformed_lines, .processes[0].ended]' out.json)" \
	   '[3,1,20,"exit"]' "$tag: valid records still counted"

	"$tool" events long.jsonl >out 2>err
	is "$?:$(wc -l <out | tr -d ' ')" "0:2" "$tag: over-long line skipped, both calls read"
	grep -q '^ipcguard: long.jsonl:3: line longer than' err; ok $? "$tag: over-long line reported at line 3"

	"$tool" report --json nultail.jsonl >out.json 2>err
	is "$?:$(wc -c <err | tr -d ' ')" "0:0" "$tag: NUL tail is not an error"
	is "$(jq -c '[.summary.calls, .processes[0].truncated, .processes[0].ended]' out.json)" '[1,true,"no-exit"]' "$tag: NUL tail: truncated, no exit"

	"$tool" events nulmid.jsonl >out 2>err
	is "$?:$(wc -l <out | tr -d ' ')" "0:1" "$tag: NUL inside a line: that line skipped"
	grep -q '^ipcguard: nulmid.jsonl:2: bad JSON at column 16: NUL byte' err; ok $? "$tag: NUL inside a line reported with column"

	for f in allnul empty garbage dir; do
		"$tool" report "$f.jsonl" >/dev/null 2>err
		rc=$?
		is "$rc" 2 "$tag: $f.jsonl: unreadable input, exit 2"
		grep -q "^ipcguard: $f.jsonl" err; ok $? "$tag: $f.jsonl: named in the error"
	done

	"$tool" report --json many.jsonl >out.json 2>err
	is "$?:$(grep -c ':[0-9]*: bad JSON' err)" "0:50" "$tag: errors capped at 50 per file"
	grep -q 'many.jsonl: 1000 malformed lines in all, 950 not shown' err; ok $? "$tag: cap summary line"
	is "$(jq .summary.calls out.json)" 1 "$tag: record after 1000 bad lines read"

	"$tool" events crlf.jsonl >out 2>err
	is "$?:$(wc -l <out | tr -d ' '):$(wc -c <err | tr -d ' ')" "0:1:0" "$tag: CRLF lines read"

	for f in "$F"/*.jsonl "$IPCG_SRC"/tests/fuzz/regress/*; do
		[ -f "$f" ] || continue
		for args in "report --json" "report --top 0" "events --stacks" "export --format chrome" "export --format folded"; do
			# shellcheck disable=SC2086
			"$tool" $args "$f" >/dev/null 2>&1
			rc=$?
			[ "$rc" -le 2 ] || { echo "# $tag $args $f: exit $rc"; break 2; }
		done
	done
	[ "${rc:-0}" -le 2 ]; ok $? "$tag: fixtures and fuzz regressions: no crash, no sanitizer report"
done
done_testing
