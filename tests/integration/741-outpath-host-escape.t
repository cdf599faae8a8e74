#!/bin/sh
# %h and %e in the output template stay one file-name component: a host name with '/' or '..' (set in a private UTS namespace) cannot lead the trace out of the template's directory
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/sec_probe"
unshare --uts true 2>/dev/null || skip_all "cannot unshare a UTS namespace"
mkdir -p "$T/a/b"
# in_host NAME CMD...: run CMD with the host name NAME (private namespace)
in_host() {
	name=$1; shift
	unshare --uts sh -c 'printf "%s" "$1" > /proc/sys/kernel/hostname && shift && exec "$@"' \
		sh "$name" "$@"
}
[ "$(in_host 'a/b' uname -n)" = "a/b" ] || skip_all "cannot set a host name with '/'"

in_host '../../x' env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/a/b/%h.jsonl" \
	"$prog" "$T/nosock" >/dev/null 2>"$T/err1"
is "$(ls "$T" | grep -c '^x\.jsonl$')" 0 "host ../../x: no trace escaped to \$T/x.jsonl"
is "$(ls "$T/a/b")" "_._.._x.jsonl" "host ../../x: the trace is \$T/a/b/_._.._x.jsonl"
is "$(jq -r 'select(.type=="header")|.host' "$T/a/b/_._.._x.jsonl")" "../../x" \
	"the header keeps the real host name"
is "$(cat "$T/err1")" "" "no message"

rm -f "$T"/a/b/*
in_host 'h/../..' env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/a/b/%h/t.%p.jsonl" \
	"$prog" "$T/nosock" >/dev/null 2>"$T/err2"
is "$(find "$T" -name 't.*.jsonl' | wc -l | tr -d ' ')" 0 \
	"host h/../.. as a directory: no trace anywhere (h_.._.. does not exist)"
grep -q "cannot create trace file $T/a/b/h_.._../t\." "$T/err2"
ok $? "and the message names the sanitised path"

in_host '..' env LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/a/b/%h" \
	"$prog" "$T/nosock" >/dev/null 2>&1
is "$(ls -A "$T/a/b")" "_." "host ..: the trace is _. inside the directory"

# %e: an executable called .hidden
cp "$prog" "$T/.hidden"
rm -f "$T"/a/b/*
LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/a/b/%e.%p.jsonl" "$T/.hidden" "$T/nosock" >/dev/null
is "$(ls -A "$T/a/b" | sed 's/\.[0-9]*\.jsonl$//')" "_hidden" "%e of .hidden: _hidden"
done_testing
