# fd survival tests (45x): source after harness.sh, then call run_mode MODE...
# for each perf_fds mode; prints the TAP lines and ends the test.
prog="$PROGS/perf_fds"
[ -x "$prog" ] || skip_all "perf_fds not built"
# the close loop runs to the soft limit; ipcguard's descriptors sit near 1000
ulimit -n 4096 2>/dev/null || skip_all "cannot set RLIMIT_NOFILE to 4096"
cd "$T" || exit 1

# run_mode MODE: the same program with and without ipcguard
run_mode() {
	m=$1
	"$prog" $m "$T/plain.$m" 800 >"$T/plain.$m.out"
	rc=$?
	if [ $rc -eq 77 ]; then
		diag "$m: not available here"
		return
	fi
	is "$rc" 0 "$m: untraced run exits 0"
	mkdir "$T/$m"
	IPCGUARD_OUTPUT="$T/$m/trace.%p.jsonl" preload "$prog" $m "$T/traced.$m" 800 \
		>"$T/traced.$m.out" 2>"$T/$m.err"
	is "$?" 0 "$m: traced run exits 0"
	is "$(cat "$T/$m.err")" "" "$m: nothing on stderr"
	is "$(cat "$T/traced.$m.out")" "$(cat "$T/plain.$m.out")" \
		"$m: the program sees the same closes, dup2s, new fd number and file as without ipcguard"
	case $(cat "$T/traced.$m.out") in
	*" size=0 offset=0") ok 0 "$m: nothing read from or written to the program's descriptors" ;;
	*) ok 1 "$m: nothing read from or written to the program's descriptors" ;;
	esac
	is "$(ls "$T/$m" | wc -l | tr -d ' ')" 1 "$m: one trace file"
	tr=$(ls "$T/$m"/trace.*.jsonl)
	ok $(json_valid "$tr"; echo $?) "$m: trace is valid JSON lines"
	calls=$(sed -n 's/.*calls=\([0-9]*\).*/\1/p' "$T/traced.$m.out")
	is "$(count_type call "$tr")" "$calls" "$m: all $calls calls made afterwards are in the trace"
	is "$(jq -sc '[.[]|select(.type=="call")|.seq]|. == [range(1; length + 1)]' "$tr")" true \
		"$m: seq has no gap"
	is "$(jq -c 'select(.type=="exit")|[.calls,.dropped]' "$tr")" "[$calls,0]" \
		"$m: exit record counts every call, nothing dropped"
}

fd_survival() {
	for mode in "$@"; do
		run_mode "$mode"
	done
	done_testing
}
