#!/bin/sh
# --no-follow / IPCGUARD_FOLLOW=0 holds when the program is bash (it replaces setenv/unsetenv) and when LD_PRELOAD is 4096 bytes or longer: the exec'd image gets LD_PRELOAD without the library (other entries kept in order) and writes no trace
. "$IPCG_SRC/tests/lib/harness.sh"

command -v bash >/dev/null || skip_all "no bash"
CAT=$(command -v cat)
TRUE=/bin/true; [ -x "$TRUE" ] || TRUE=/usr/bin/true
# child_preload: the LD_PRELOAD the exec'd image was started with (its
# initial environment block, untouched by its own start-up), or "unset"
child_preload() {
	v=$(tr '\0' '\n' < "$T/env" | sed -n 's/^LD_PRELOAD=//p')
	echo "${v:-unset}"
}
traces() {	# traces NAME: how many traces images called NAME wrote
	ls "$T" | grep -c "^t\.$1\."
}
O="$T/t.%e.%p.jsonl"

# 1. ipcguard run --no-follow -- bash: bash exports its own copy of the
#    environment, which never saw the library's unsetenv
"$TOOL" run -q --no-follow -o "$O" -- bash -c "exec $CAT /proc/self/environ" > "$T/env"
is "$(child_preload)" unset "run --no-follow, bash exec: LD_PRELOAD gone from the child"
is "$(traces cat)" 0 "run --no-follow, bash exec: the child wrote no trace"
is "$(traces bash)" 1 "run --no-follow, bash exec: bash itself is traced"

# 2. bash forking and exec'ing a command (the usual case in a script)
rm -f "$T"/t.*
LD_PRELOAD="$LIB" IPCGUARD_FOLLOW=0 IPCGUARD_OUTPUT="$O" \
	bash -c "$CAT /proc/self/environ; true" > "$T/env"
is "$(child_preload)" unset "bash fork+exec: LD_PRELOAD gone"
is "$(traces cat)" 0 "bash fork+exec: the child wrote no trace"

# 3. other entries are kept, in their order, whatever the separators; the
#    library is recognised under another name (a symlink) too
ln -s "$LIB" "$T/guard.so"
rm -f "$T"/t.*
LD_PRELOAD="libm.so.6 $T/guard.so::libc.so.6" IPCGUARD_FOLLOW=0 IPCGUARD_OUTPUT="$O" \
	bash -c "exec $CAT /proc/self/environ" > "$T/env"
is "$(child_preload)" "libm.so.6:libc.so.6" "bash exec: other preload entries kept in order"
is "$(traces cat)" 0 "bash exec, library under another name: the child wrote no trace"
is "$(traces bash)" 1 "bash exec, library under another name: bash traced"

# 4. LD_PRELOAD of 5000 bytes: the library followed by empty entries
#    (separators only, which ld.so skips)
pad=$(printf '%5000s' '' | tr ' ' ':')
for sh in sh bash; do
	rm -f "$T"/t.*
	LD_PRELOAD="$LIB$pad" IPCGUARD_FOLLOW=0 IPCGUARD_OUTPUT="$O" \
		$sh -c "exec $CAT /proc/self/environ" > "$T/env"
	is "$(child_preload)" unset "$sh, 5000-byte LD_PRELOAD: the variable left out (nothing else in it)"
	is "$(traces cat)" 0 "$sh, 5000-byte LD_PRELOAD: the child wrote no trace"
done

# 5. a long list of real entries (> 4096 bytes): the rest is kept
long=$(i=0; while [ $i -lt 500 ]; do printf 'libm.so.6:'; i=$((i + 1)); done)
want=$(printf '%s' "$long" | sed 's/:$//')
rm -f "$T"/t.*
LD_PRELOAD="$long$LIB" IPCGUARD_FOLLOW=0 IPCGUARD_OUTPUT="$O" \
	sh -c "exec $CAT /proc/self/environ" > "$T/env"
ok "$([ "$(child_preload)" = "$want" ]; echo $?)" \
	"sh, $(printf '%s' "$long$LIB" | wc -c | tr -d ' ')-byte list: the other 500 entries kept"
is "$(traces cat)" 0 "sh, long list: the child wrote no trace"

# 6. vfork children, after the program put the library back into its own
#    LD_PRELOAD: the copy of envp is built on the child's stack, so the
#    parent's address space does not grow with each exec
rm -f "$T"/t.*
LD_PRELOAD="$LIB" IPCGUARD_FOLLOW=0 IPCGUARD_OUTPUT="$O" \
	"$PROGS/nf_vfork" 1 "$LIB" "$CAT" /proc/self/environ > "$T/env" 2>"$T/err"
is "$(child_preload)" unset "vfork+exec: LD_PRELOAD gone"
is "$(traces cat)" 0 "vfork+exec: the child wrote no trace"
LD_PRELOAD="$LIB" IPCGUARD_FOLLOW=0 IPCGUARD_OUTPUT="$O" \
	"$PROGS/nf_vfork" 200 "$LIB$pad" "$TRUE" 2>"$T/err"
is "$(cat "$T/err")" "children ok 200/200
vm grew 0 KiB" "200 vfork+exec with a 5000-byte LD_PRELOAD: all ran, the parent did not grow"
is "$(traces true)" 0 "200 vfork+exec: no child wrote a trace"

# 7. following (the default) still passes the library on
rm -f "$T"/t.*
LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$O" bash -c "exec $CAT /proc/self/environ" > "$T/env"
is "$(child_preload)" "$LIB" "follow: the child keeps LD_PRELOAD"
is "$(traces cat)" 1 "follow: the child is traced"
done_testing
