#!/bin/sh
# 753: many distinct stacks (the reader keeps them compactly, symbolises
# each address once and builds folded lines from interned names): the
# output of events --stacks, export --format folded and report is byte for
# byte that of the previous implementation (hashes below, taken from it on
# the same generated traces), memory stays under the traces' size (it was
# 1.2x and 2.4x), and folded stacks of a real program are the call paths it took.
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/rd_stacks"
[ -x "$prog" ] || skip_all "rd_stacks not built"
command -v sha256sum > /dev/null || skip_all "no sha256sum"
[ -x /usr/bin/time ] || skip_all "no /usr/bin/time"
GEN="$IPCG_SRC/bench/gen_stacks.pl"
cd "$T" || exit 1

# 1. generated traces: 20 000 distinct stacks of 24 frames over 3000
# addresses of a module this machine does not have (frames stay
# module+0xNN: deterministic), plus absolute frames, reused stacks and
# findings; two processes
HDR='{"type":"header","format":"ipcguard","version":1,"pid":PID,"ppid":1,"exe":"/nonexistent/app","argv":["app"],"host":"h","start_realtime_ns":1,"start_ns":1000,"config":{},"limits":{}}'
{ echo "$HDR" | sed 's/PID/4001/'
  echo '{"type":"module","id":1,"path":"/nonexistent/app","base":"0x555500000000","size":200000,"build_id":"0102030405060708090a0b0c0d0e0f1011121314"}'
  echo '{"type":"module","id":2,"path":"/nonexistent/libx.so","base":"0x7f0000000000","size":90000,"build_id":null}'
  echo '{"type":"stack","id":1,"frames":[[1,"0x10"],[2,"0x20"]]}'; } > tpl.jsonl
extra() {	# reuse every 7th stack once more, a finding at every 11th
	perl -ne 'if (/"type":"exit"/) { print @x; print; next } print;
		if (/"type":"call","seq":(\d+).*"stack":(\d+)\}$/) {
			push @x, "{\"type\":\"call\",\"seq\":" . ($1 + 100000) . ",\"ts_ns\":9$1,\"tid\":1,\"fn\":\"connect\",\"args\":{},\"ret\":-1,\"errno\":\"ENOENT\",\"stack\":$2}\n" if $2 % 7 == 0;
			push @x, "{\"type\":\"finding\",\"kind\":\"kind-" . ($2 % 3) . "\",\"severity\":\"warning\",\"seq\":$1,\"message\":\"m\",\"stack\":$2}\n" if $2 % 11 == 0 }'
}
perl "$GEN" tpl.jsonl 20000 24 7 3000 | extra > g1.jsonl
perl "$GEN" tpl.jsonl 5000 6 8 3000 | sed '1s/"pid":4001/"pid":4002/' | extra > g2.jsonl
is "$(grep -c '"type":"stack"' g1.jsonl):$(grep -c '"type":"finding"' g1.jsonl)" "20000:1818" "generated: 20 000 stacks, findings"

check() {	# NAME HASH CMD...: stdout of CMD hashes to HASH
	name=$1 want=$2
	shift 2
	"$@" > "out.$name" 2> "err.$name"
	got=$(sha256sum < "out.$name" | cut -c1-16)
	is "$got" "$want" "$name: output as before ($(wc -l < "out.$name" | tr -d ' ') lines)"
}
check events-stacks 49fa8a81c58e8ad9 "$TOOL" events --stacks g1.jsonl g2.jsonl
check folded b55c1cfb6ac6c6ef "$TOOL" export --format folded g1.jsonl g2.jsonl
check report d4f84acb6e204106 "$TOOL" report --top 0 g1.jsonl g2.jsonl
check report-json 7083cfe0c90eeebc "$TOOL" report --json g1.jsonl g2.jsonl
check chrome fe8b5fb1fbc668e1 "$TOOL" export --format chrome g1.jsonl g2.jsonl
check events-one f5d591726699c685 "$TOOL" events --stacks g2.jsonl

# memory against the size of the traces (before: 1.2x and 2.4x)
kb=$(du -ck g1.jsonl g2.jsonl | tail -n 1 | cut -f1)
for c in "events --stacks:9" "export --format folded:13"; do
	args=${c%:*} max=${c#*:}
	# shellcheck disable=SC2086
	/usr/bin/time -f '%M' -o rss "$TOOL" $args g1.jsonl g2.jsonl > /dev/null 2>&1
	rss=$(tail -n 1 rss)
	diag "$args: max RSS $rss KiB for $kb KiB of traces"
	ok $([ $((rss * 10)) -lt $((kb * max)) ]; echo $?) "$args: max RSS under $max/10 of the traces' size"
done

# 2. a real program, 20 000 calls from 20 000 call paths: every folded line
# below main is the path the call took (bit k of call i chose walk_b at level k)
N=20000
IPCGUARD_OUTPUT="$T/real.jsonl" preload "$prog" $N > real.out
is "$?:$(cat real.out)" "0:calls=$N depth=15" "rd_stacks ran"
"$TOOL" export --format folded real.jsonl 2> real.err | sed 's/^.*;main;//' > real.folded
perl -e '($n, $d) = @ARGV; for $i (0 .. $n - 1) { @f = ("walk_a");
	for $k (0 .. $d - 1) { push @f, ($i >> $k) & 1 ? "walk_b" : "walk_a" }
	print join(";", @f, "leaf", "socket"), " 1\n" }' $N 15 | LC_ALL=C sort > real.want
is "$(wc -l < real.folded | tr -d ' ')" $N "folded: $N distinct lines"
LC_ALL=C sort real.folded | cmp -s - real.want; ok $? "folded: each line is the call's path"
"$TOOL" events --stacks real.jsonl > real.ev 2>/dev/null
is "$(grep -c '^    #[0-9]* walk_[ab]+0x' real.ev)" $((N * 16)) "events --stacks: 16 walk frames per call"
done_testing
