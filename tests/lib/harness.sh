# Shared helpers for the shell tests (TAP producers run by prove).
# Source it: . "$IPCG_SRC/tests/lib/harness.sh"
# Provides: plan N, ok COND-RC DESC, is GOT WANT DESC, skip_all REASON,
# a fresh $T temp dir removed at exit, $LIB, $TOOL, $PROGS, preload() and
# ipcns_all (the rest of the file in a private IPC namespace).
set -u
: "${IPCG_BUILD:?run through make check (IPCG_BUILD unset)}"
: "${IPCG_SRC:?run through make check (IPCG_SRC unset)}"
LIB="$IPCG_BUILD/libipcguard.so"
TOOL="$IPCG_BUILD/ipcguard"
PROGS="$IPCG_BUILD/tests"
T=$(mktemp -d "${TMPDIR:-/tmp}/ipcg-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
_tap_n=0
_tap_fail=0
# Each test gets a private environment: no inherited IPCGUARD_* settings.
for v in $(env | sed -n 's/^\(IPCGUARD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() {	# ok RC DESC: passes when RC is 0
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"
	else echo "not ok $_tap_n - $2"; _tap_fail=$((_tap_fail + 1)); fi
}
is() {	# is GOT WANT DESC
	_tap_n=$((_tap_n + 1))
	if [ "$1" = "$2" ]; then echo "ok $_tap_n - $3"
	else
		echo "not ok $_tap_n - $3"; _tap_fail=$((_tap_fail + 1))
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -40
	fi
}
diag() { printf '# %s\n' "$@"; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_fail" -eq 0 ]; }
# preload CMD...: run CMD with the library preloaded, traces into $T/trace.%p.jsonl
preload() {
	LD_PRELOAD="$LIB${LD_PRELOAD:+:$LD_PRELOAD}" \
	IPCGUARD_OUTPUT="${IPCGUARD_OUTPUT:-$T/trace.%p.jsonl}" "$@"
}
# ipcns_all: run the rest of this test file in a private IPC namespace
# when we may make one (root), so the segments of programs it kills or that
# _exit mid-loop go with the namespace instead of piling up in the
# machine's; as is otherwise.  Call it right after sourcing this file.
ipcns_all() {
	[ -n "${IPCG_IN_IPCNS:-}" ] && return 0
	unshare --ipc true 2>/dev/null || return 0
	trap - EXIT
	rm -rf "$T"
	IPCG_IN_IPCNS=1 exec unshare --ipc sh "$0" "$@"
}
# json_valid FILE: every complete line parses as a JSON object (perl JSON::PP)
json_valid() {
	perl -MJSON::PP -ne 'BEGIN{$j=JSON::PP->new} next unless /\n\z/;
		eval { my $o=$j->decode($_); die "not an object\n" unless ref $o eq "HASH"; 1 }
		or do { print STDERR "$ARGV:$.: $@"; $bad=1 }; END{exit($bad?1:0)}' "$@"
}
# count_type TYPE FILE: number of records of a type
count_type() { jq -c "select(.type==\"$1\")" "$2" | wc -l | tr -d ' '; }
