#!/bin/sh
# Reader row of make bench: ipcguard report --json on a generated trace of
# short-lived segments, against jq computing only the per-function call
# counts of the same file, in the same run. Prints its own lines.
# usage: bench_reader.sh BUILD_DIR [MEGABYTES]   (default 200)
set -eu
BUILD=${1:-build}
MB=${2:-200}
TOOL="$BUILD/ipcguard"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/ipcg-bench.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
TRACE="$DIR/trace.jsonl"

# header, modules, 64 stacks, then cycles of shmget/shmat/shmdt/shmctl(IPC_RMID)
# on fresh IPC_PRIVATE segments, an occasional failure and finding
perl -e '
	my $limit = $ARGV[0] * 1024 * 1024;
	my $out = "";
	print q({"type":"header","format":"ipcguard","version":1,"pid":4242,"ppid":1,"exe":"/usr/bin/bench","argv":["bench"],"host":"bench","start_realtime_ns":1,"start_ns":1000,"config":{"output":"x","stack":32,"trace":"shm,unix","policy":"","follow":true},"limits":{"shmmax":68719476736,"shmall":18446744073692774399,"shmmni":4096,"shmmin":1}}), "\n";
	print q({"type":"module","id":1,"path":"/nonexistent/bench","base":"0x555500000000","size":65536,"build_id":"0102030405060708090a0b0c0d0e0f1011121314"}), "\n";
	print q({"type":"module","id":2,"path":"/nonexistent/libc.so.6","base":"0x7f0000000000","size":2000000,"build_id":"a102030405060708090a0b0c0d0e0f1011121314"}), "\n";
	for my $s (1..64) { printf qq({"type":"stack","id":%d,"frames":[[1,"0x%x"],[1,"0x%x"],[2,"0x29d90"],[1,"0x1085"]]}\n), $s, 0x1000 + $s * 16, 0x2000 + $s * 32; }
	my ($seq, $ts, $size, $id) = (0, 1000000, 0, 32768);
	while ($size < $limit) {
		$id++;
		my $st = 1 + ($id % 64);
		my $addr = sprintf "0x7f%010x", ($id % 100000) * 4096;
		$out = "";
		$seq++; $ts += 700;
		$out .= qq({"type":"call","seq":$seq,"ts_ns":$ts,"tid":4242,"fn":"shmget","args":{"key":"IPC_PRIVATE","size":4096,"shmflg":"IPC_CREAT|0600"},"ret":$id,"errno":null,"stack":$st}\n);
		$seq++; $ts += 700;
		$out .= qq({"type":"call","seq":$seq,"ts_ns":$ts,"tid":4242,"fn":"shmat","args":{"shmid":$id,"shmaddr":null,"shmflg":"0"},"ret":"$addr","errno":null,"stack":$st}\n);
		$seq++; $ts += 700;
		$out .= qq({"type":"call","seq":$seq,"ts_ns":$ts,"tid":4242,"fn":"shmdt","args":{"shmaddr":"$addr"},"ret":0,"errno":null,"stack":$st}\n);
		$seq++; $ts += 700;
		$out .= qq({"type":"call","seq":$seq,"ts_ns":$ts,"tid":4242,"fn":"shmctl","args":{"shmid":$id,"cmd":"IPC_RMID","buf":null},"ret":0,"errno":null,"stack":$st}\n);
		if ($id % 1000 == 0) {
			$seq++; $ts += 700;
			$out .= qq({"type":"call","seq":$seq,"ts_ns":$ts,"tid":4242,"fn":"shmget","args":{"key":"0x0001e240","size":99999999999,"shmflg":"IPC_CREAT|0600"},"ret":-1,"errno":"EINVAL","stack":$st}\n);
			$out .= qq({"type":"finding","kind":"shm-limit","severity":"error","seq":$seq,"message":"shmget of 99999999999 bytes failed: larger than shmmax (68719476736)","stack":$st,"key":"0x0001e240","requested_size":99999999999}\n);
		}
		print $out;
		$size += length $out;
	}
	$ts += 1000;
	print qq({"type":"exit","ts_ns":$ts,"calls":$seq,"findings":0,"how":"exit","status":0,"dropped":0}\n);
' "$MB" > "$TRACE"
if [ -n "${IPCG_BENCH_KEEP:-}" ]; then	# keep the generated trace (for profiling) and stop
	cp "$TRACE" "$IPCG_BENCH_KEEP"
	exit 0
fi
size=$(wc -c < "$TRACE" | tr -d ' ')
lines=$(wc -l < "$TRACE" | tr -d ' ')

# now_ms: wall clock in milliseconds
now_ms() { perl -MTime::HiRes=time -e 'printf "%d\n", time() * 1000'; }
# peak RSS of a command in KiB (GNU time when present, else unknown)
peak_kb() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$DIR/rss" "$@" >/dev/null 2>/dev/null || true
		cat "$DIR/rss"
	else
		echo "?"
	fi
}

# warm the page cache for both, then the best of three runs of ours (it is
# short, so one run is at the mercy of scheduling noise) against one of jq
cat "$TRACE" > /dev/null
ours=
for i in 1 2 3; do
	t0=$(now_ms)
	"$TOOL" report --json "$TRACE" > "$DIR/report.json" 2>/dev/null || true
	t1=$(now_ms)
	[ -z "$ours" ] || [ $((t1 - t0)) -lt "$ours" ] && ours=$((t1 - t0))
done
t1=$(now_ms)
jq -n 'reduce (inputs|select(.type=="call")|.fn) as $f ({}; .[$f]+=1)' "$TRACE" > "$DIR/jq.json"
t2=$(now_ms)
theirs=$((t2 - t1))
rss=$(peak_kb "$TOOL" report --json "$TRACE")
jqrss=$(peak_kb jq -n 'reduce (inputs|select(.type=="call")|.fn) as $f ({}; .[$f]+=1)' "$TRACE")

# the two must agree on the counts they both compute
ours_counts=$(jq -c '[.functions[]|{(.fn):.calls}]|add' "$DIR/report.json")
jq_counts=$(jq -c '.' "$DIR/jq.json")
agree=yes
[ "$(echo "$ours_counts" | jq -S -c .)" = "$(echo "$jq_counts" | jq -S -c .)" ] || agree=NO

ratio=$(perl -e 'printf "%.3f", $ARGV[0] / ($ARGV[1] || 1)' "$ours" "$theirs")
verdict=ok
perl -e 'exit(($ARGV[0] * 10 <= $ARGV[1]) ? 0 : 1)' "$ours" "$theirs" || verdict=SLOW
[ "$agree" = yes ] || verdict=WRONG
printf 'reader: trace %d MB, %d lines\n' $((size / 1048576)) "$lines"
printf 'reader: ipcguard report --json %d ms, peak RSS %s KiB\n' "$ours" "$rss"
printf 'reader: jq per-function counts  %d ms, peak RSS %s KiB\n' "$theirs" "$jqrss"
printf 'reader: ratio %s (must be <= 0.100), counts agree: %s: %s\n' "$ratio" "$agree" "$verdict"
[ "$verdict" = ok ]
