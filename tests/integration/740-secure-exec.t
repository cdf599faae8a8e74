#!/bin/sh
# secure execution (AT_SECURE): a setuid program run by another user ignores every IPCGUARD_* variable: no trace in a root-only directory, nothing on stderr, no manifest line, no policy, no startup error
. "$IPCG_SRC/tests/lib/harness.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (a setuid-root program run as nobody)"
command -v setpriv >/dev/null || skip_all "no setpriv"
NOBODY=65534

# $T is root's 0700 directory: let nobody reach pub/ (programs, a world-
# writable scratch dir) but not root/ (the hostile targets)
chmod 711 "$T"
mkdir -m 755 "$T/pub" && mkdir -m 1777 "$T/pub/w" && mkdir -m 700 "$T/root"
: > "$T/root/manifest" && chmod 600 "$T/root/manifest"

if [ "${IPCG_TEST_SYSTEM_PRELOAD:-0}" = 1 ]; then
	# the issue's setting: a system-wide preload.  Every process started
	# while /etc/ld.so.preload names the library loads it, so the window
	# is kept to the runs below and the file restored on any exit.
	MODE="system preload"
	cp "$PROGS/sec_probe" "$T/pub/probe"
	exec 9>/etc/ld.so.preload.lock
	flock 9
	if [ -e /etc/ld.so.preload ]; then cp -p /etc/ld.so.preload "$T/ld.so.preload.saved"; fi
	restore() {
		if [ -e "$T/ld.so.preload.saved" ]; then cp -p "$T/ld.so.preload.saved" /etc/ld.so.preload
		else rm -f /etc/ld.so.preload; fi
	}
	trap 'restore; rm -rf "$T"' EXIT
	trap 'exit 1' INT TERM HUP
	sys_on() { printf '%s\n' "$LIB" >> /etc/ld.so.preload; }
	sys_off() { restore; }
	# traces of the helpers (setpriv, env) started in the window
	export IPCGUARD_OUTPUT="$T/pub/w/%e.%p.jsonl"
else
	# the cheaper equivalent, with no system file touched: the library
	# is a DT_NEEDED dependency of the setuid program (an absolute
	# RUNPATH is honoured in secure mode), so ld.so loads it into the
	# secure process just as a system preload would
	MODE="linked"
	${CC:-cc} -O1 -D_GNU_SOURCE -o "$T/pub/probe" "$IPCG_SRC/tests/progs/sec_probe.c" \
		-Wl,--no-as-needed "$LIB" -Wl,-rpath,"$IPCG_BUILD" 2>"$T/cc.err" ||
		skip_all "cannot link a program against the library: $(head -1 "$T/cc.err")"
	sys_on() { :; }
	sys_off() { :; }
fi
cp -p "$T/pub/probe" "$T/pub/probe-plain"
chmod 4755 "$T/pub/probe"
diag "mode: $MODE"

# as nobody, with a hostile environment for the (setuid) program only
hostile() {	# hostile PROG OUTDIR STDERR [VAR=VAL...]
	prog=$1 dir=$2 err=$3; shift 3
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		env -i PATH=/usr/bin:/bin IPCGUARD_OUTPUT="$dir/t.%e.%p.jsonl" \
		IPCGUARD_POLICY='shm-mode=0600,socket-paths=/nonexistent/*' \
		IPCGUARD_RUN_MANIFEST="$T/root/manifest" "$@" \
		"$prog" "$T/pub/nosock" 2>"$err"
}

sys_on
out=$(hostile "$T/pub/probe" "$T/root" "$T/e1"); rc1=$?
out_stderr=$(hostile "$T/pub/probe" "$T/root" "$T/e2" IPCGUARD_OUTPUT=stderr)
out_bad=$(hostile "$T/pub/probe" "$T/root" "$T/e3" IPCGUARD_STACK=bogus); rc3=$?
ctl=$(hostile "$T/pub/probe-plain" "$T/pub/w" "$T/e4")
sys_off

want="uid $NOBODY euid 0
shm mode 666
connect: ENOENT"
is "$rc1" 0 "setuid program runs"
is "$out" "$want" "setuid: IPCGUARD_POLICY has no effect (mode 0666 kept, ENOENT not EACCES)"
is "$(ls -A "$T/root" | grep -v '^manifest$' | wc -l | tr -d ' ')" 0 \
	"setuid: no trace created in the root-only directory"
is "$(wc -c < "$T/root/manifest" | tr -d ' ')" 0 "setuid: IPCGUARD_RUN_MANIFEST not written"
is "$(cat "$T/e1")" "" "setuid: nothing on stderr"
is "$out_stderr" "$want" "setuid, IPCGUARD_OUTPUT=stderr: same behaviour"
is "$(grep -c '"type"' "$T/e2")" 0 "setuid, IPCGUARD_OUTPUT=stderr: no records (module bases) on stderr"
is "$rc3:$out_bad" "0:$want" "setuid, invalid IPCGUARD_STACK: ignored, not a startup error"
is "$(cat "$T/e3")" "" "setuid, invalid IPCGUARD_STACK: no message"

# the same program without the setuid bit is traced and obeys the policy:
# what the setuid program would do without the AT_SECURE check
is "$ctl" "uid $NOBODY euid $NOBODY
shm mode 600
connect: EACCES" "control (not setuid): the policy applies"
n=$(ls "$T/pub/w" | grep -c '^t\.probe-plain\.')
is "$n" 1 "control (not setuid): traced"
done_testing
