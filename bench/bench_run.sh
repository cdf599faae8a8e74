#!/bin/sh
# bench_run.sh BUILD: `make bench`.  Times the loops of bench_loops.c
# without and with libipcguard.so preloaded, alternating the runs
# (U T1 T2 T3 U T1 T2 T3 ...) so that drift in the machine's load hits both
# sides alike, and prints one table: medians with min-max, the ratio of the
# medians, the extra wall time per traced call, the extra user-space
# instructions per call from callgrind (deterministic where wall time is
# noisy) and the bytes of trace per call.
#
# Knobs (environment): BENCH_REPS (runs per side, default 7), BENCH_SCALE
# (multiplies the iteration counts, default 1), BENCH_CALLGRIND=0 skips the
# instruction counts, BENCH_ONLY=shm,unix_bind,... restricts the groups.
set -u
B=${1:-build}
B=$(cd "$B" && pwd) || exit 2
SRC=$(cd "$(dirname "$0")/.." && pwd)
LIB=$B/libipcguard.so
REPS=${BENCH_REPS:-7}
SCALE=${BENCH_SCALE:-1}
CG=${BENCH_CALLGRIND:-1}
ONLY=${BENCH_ONLY:-}
W=$(mktemp -d "${TMPDIR:-/tmp}/ipcg-bench.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT INT TERM
BIN=$B/bench/bench_loops

mkdir -p "$B/bench"
${CC:-cc} -std=gnu11 -O2 -g -Wall -Wextra -D_GNU_SOURCE -Wl,--build-id \
	-o "$BIN" "$SRC/bench/bench_loops.c" -lpthread || exit 1
[ -f "$LIB" ] || { echo "bench: $LIB missing (make all first)" >&2; exit 1; }
command -v valgrind >/dev/null 2>&1 || CG=0

want() { [ -z "$ONLY" ] && return 0; case ",$ONLY," in *",$1,"*) return 0;; esac; return 1; }

# run MODE LOOP ITERS DEPTH THREADS: prints ns per iteration.
# MODE: off (no preload), s0 (IPCGUARD_STACK=0), def (default stacks),
# strace (strace -f -e trace=%ipc,%network -o FILE).  The traced run's
# trace is kept as $W/last.trace (bytes per call are measured on it).
run() {
	mode=$1; shift
	rm -f "$W"/t.* "$W"/s.* "$W"/last.trace
	case $mode in
	off) out=$("$BIN" "$@") ;;
	s0) out=$(env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" IPCGUARD_STACK=0 "$BIN" "$@") ;;
	def) out=$(env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" "$BIN" "$@") ;;
	strace) out=$(strace -f -e trace=%ipc,%network -o "$W/s.out" "$BIN" "$@") ;;
	esac || { echo "bench: $mode $* failed" >&2; echo 0; return; }
	for f in "$W"/t.*; do [ -f "$f" ] && mv "$f" "$W/last.trace"; done
	echo "$out" | sed -n 's/^ns_per_iter=\([0-9.]*\).*/\1/p'
}

# stats FILE: "median min max" of the numbers in FILE
stats() { sort -n "$1" | awk '{v[NR]=$1} END{printf "%.0f %.0f %.0f\n", v[int((NR+1)/2)], v[1], v[NR]}'; }

# callgrind_ir MODE LOOP ITERS DEPTH THREADS: user-space instructions of
# the timed part (bench_loops toggles collection around it)
callgrind_ir() {
	mode=$1; shift
	rm -f "$W"/cg.out "$W"/t.*
	case $mode in
	off) valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$W/cg.out" \
		"$BIN" "$@" >/dev/null 2>&1 ;;
	s0) env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" IPCGUARD_STACK=0 \
		valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$W/cg.out" \
		"$BIN" "$@" >/dev/null 2>&1 ;;
	def) env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$W/t.%p" \
		valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$W/cg.out" \
		"$BIN" "$@" >/dev/null 2>&1 ;;
	esac
	sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$W/cg.out" 2>/dev/null | head -1
}

CG_ITERS=500
printf '%s\n' "ipcguard bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cpus, $(uname -r), reps=$REPS"
printf '%-34s %22s %22s %7s %8s %7s %7s\n' "loop / tracing" "untraced ns/iter" "traced ns/iter" \
	"ratio" "+ns/call" "+Ir/cl" "B/call"
printf '%-34s %22s %22s %7s %8s %7s %7s\n' "" "median (min-max)" "median (min-max)" "" "" \
	"(cg)" ""

# group LOOP ITERS CALLS_PER_ITER THREADS LABEL VARIANT...
# VARIANT is MODE:DEPTH:TITLE.  Runs REPS rounds of (untraced, each
# variant), then prints one row per variant.
group() {
	loop=$1 iters=$2 calls=$3 threads=$4 label=$5; shift 5
	iters=$(awk -v a="$iters" -v s="$SCALE" 'BEGIN{n=int(a*s); if(n<1)n=1; print n}')
	: > "$W/u.ns"
	i=0
	for v in "$@"; do : > "$W/v$i.ns"; i=$((i + 1)); done
	r=0
	while [ $r -lt "$REPS" ]; do
		run off "$loop" "$iters" 0 "$threads" >> "$W/u.ns"
		i=0
		for v in "$@"; do
			mode=${v%%:*}; rest=${v#*:}; depth=${rest%%:*}
			run "$mode" "$loop" "$iters" "$depth" "$threads" >> "$W/v$i.ns"
			if [ $r -eq 0 ] && [ -f "$W/last.trace" ]; then
				# bytes per call: the whole trace over the calls it holds
				nc=$(grep -c '"type":"call"' "$W/last.trace")
				nb=$(wc -c < "$W/last.trace")
				awk -v b="$nb" -v c="$nc" 'BEGIN{if(c>0)printf "%.0f\n", b/c; else print "-"}' \
					> "$W/v$i.bpc"
				rm -f "$W/last.trace"
			fi
			i=$((i + 1))
		done
		r=$((r + 1))
	done
	set -- $(stats "$W/u.ns"); um=$1 ul=$2 uh=$3
	i=0
	base0=
	for v in $VARIANTS; do
		mode=${v%%:*}; rest=${v#*:}; depth=${rest%%:*}; title=$(echo "${rest#*:}" | tr _ " ")
		set -- $(stats "$W/v$i.ns"); tm=$1 tl=$2 th=$3
		ratio=$(awk -v t="$tm" -v u="$um" 'BEGIN{printf "%.3f", (u>0 ? t/u : 0)}')
		extra=$(awk -v t="$tm" -v u="$um" -v c="$calls" 'BEGIN{printf "%.0f", (t-u)/c}')
		ir=-
		if [ "$CG" = 1 ] && [ "$threads" = 1 ] && [ "$mode" != strace ]; then
			[ "$depth" = 0 ] && [ -n "$base0" ] && base=$base0 ||
				base=$(callgrind_ir off "$loop" "$CG_ITERS" "$depth" 1)
			[ "$depth" = 0 ] && base0=$base
			tir=$(callgrind_ir "$mode" "$loop" "$CG_ITERS" "$depth" 1)
			[ -n "$base" ] && [ -n "$tir" ] &&
				ir=$(awk -v t="$tir" -v u="$base" -v n="$CG_ITERS" -v c="$calls" \
					'BEGIN{printf "%.0f", (t-u)/(n*c)}')
		fi
		bpc=-
		[ -f "$W/v$i.bpc" ] && bpc=$(cat "$W/v$i.bpc")
		printf '%-34s %8s (%5s-%5s) %8s (%5s-%5s) %6sx %8s %7s %7s\n' "$label, $title" \
			"$um" "$ul" "$uh" "$tm" "$tl" "$th" "$ratio" "$extra" "$ir" "$bpc"
		i=$((i + 1))
	done
}

# one group per loop; variants: MODE:DEPTH:TITLE
STD="s0:0:stack=0 def:0:stack=32 def:64:stack=32,_64_deep"
if want shm; then VARIANTS=$STD; group shm 20000 4 1 "shm 4 calls" $VARIANTS; fi
if want unix_bind; then VARIANTS=$STD; group unix_bind 8000 4 1 "unix bind 4 calls" $VARIANTS; fi
if want unix_conn; then VARIANTS=$STD; group unix_conn 16000 5 1 "unix conn 5 calls" $VARIANTS; fi
if want inet_sock; then VARIANTS=$STD; group inet_sock 40000 2 1 "inet socket+close" $VARIANTS; fi
if want inet_conn; then VARIANTS=$STD; group inet_conn 100000 1 1 "inet connect" $VARIANTS; fi
if want threads; then VARIANTS="def:0:stack=32"; group shm 10000 4 2 "shm 2 threads" $VARIANTS; fi
if want strace && command -v strace >/dev/null 2>&1; then
	VARIANTS="strace:0:strace_-f"
	REPS_SAVE=$REPS; REPS=3
	group shm 2000 4 1 "shm (peer)" $VARIANTS
	REPS=$REPS_SAVE
fi
printf '%s\n' "ratio = traced median / untraced median of the same rounds; +ns/call = the" \
	"difference per intercepted call; +Ir/cl = extra user-space instructions per call" \
	"(callgrind, $CG_ITERS iterations); B/call = trace bytes per call (stacks interned)."
if want reader && [ -f "$SRC/bench/bench_reader.sh" ]; then
	sh "$SRC/bench/bench_reader.sh" "$B"
fi
