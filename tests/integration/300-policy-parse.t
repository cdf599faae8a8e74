#!/bin/sh
# IPCGUARD_POLICY and ipcguard run --policy: every bad rule stops the program before main (exit 2, one line naming the rule)
. "$IPCG_SRC/tests/lib/harness.sh"
cd "$T" || exit 1
prog=/bin/echo	# dynamically linked: "main-ran" shows that main ran

# RULES|WHAT THE MESSAGE MUST SAY, one bad list per line
while IFS='|' read -r val why; do
	LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/trace.%p.jsonl" IPCGUARD_POLICY="$val" \
		"$prog" main-ran >"$T/out" 2>"$T/err"
	rc=$?
	is "$rc" 2 "IPCGUARD_POLICY='$val': exit status 2"
	is "$(cat "$T/out")" "" "IPCGUARD_POLICY='$val': main did not run"
	is "$(wc -l <"$T/err" | tr -d ' ')" 1 "IPCGUARD_POLICY='$val': one line"
	line=$(cat "$T/err")
	case $line in
	"ipcguard: invalid IPCGUARD_POLICY rule '"*"': $why"*) r=0 ;;
	*) r=1; diag "got: $line" ;;
	esac
	ok $r "IPCGUARD_POLICY='$val': names the rule and says: $why"
	ls "$T"/trace.* >/dev/null 2>&1
	ok $((!$?)) "IPCGUARD_POLICY='$val': no trace written"
	rm -f "$T"/trace.*

	"$TOOL" run -q -o "$T/run.%p.jsonl" --policy "$val" -- "$prog" main-ran >"$T/out" 2>"$T/err"
	rc=$?
	is "$rc" 2 "run --policy '$val': exit status 2"
	is "$(cat "$T/out")" "" "run --policy '$val': the program was not started"
	line=$(cat "$T/err")
	case $line in
	"ipcguard: invalid --policy rule '"*"': $why"*) r=0 ;;
	*) r=1; diag "got: $line" ;;
	esac
	ok $r "run --policy '$val': the same check, naming --policy"
done <<'EOF_BAD'
no-such-rule=deny|unknown rule; expected repeat-attach, size-mismatch
repeat-attach=explode|expected warn, deny or reuse
repeat-attach=off|expected warn, deny or reuse
size-mismatch=reuse|expected warn or deny
size-mismatch=Deny|expected warn or deny
foreign-segment=|expected warn or deny
shm-mode=0800|expected an octal permission mask
shm-mode=1777|expected an octal permission mask
shm-mode=06000|expected an octal permission mask
shm-mode=rw|expected an octal permission mask
max-attach=-1|expected a number N
max-attach=three|expected a number N
max-attach=|expected a number N
max-attach= 3|expected a number N
max-attach=1000001|expected a number N
rmid-at-exit=yes|expected on or off
stale-socket=deny|expected warn or unlink
socket-mode=0999|expected an octal mode
socket-mode=|expected an octal mode
socket-paths=|expected one or more globs
socket-paths=/run/a/*::/run/b/*|expected one or more globs
socket-paths=/run/a/*:|expected one or more globs
socket-paths=:/run/a/*|expected one or more globs
socket-paths=/run/a\|ends with a lone '\'
socket-paths=run/*.sock|expected one or more globs
socket-paths=*|expected one or more globs
socket-paths=/run/[a-|expected one or more globs
socket-paths=/run/[[.a.]]|expected one or more globs
socket-paths=/run/[[:foo:]]|expected one or more globs
socket-paths=/run\/x|expected one or more globs
repeat-attach=warn,repeat-attach=warn|rule given twice
shm-mode=0600,max-attach=2,shm-mode=0600|rule given twice
repeat-attach|missing '=ACTION'
repeat-attach=deny,|empty rule
,repeat-attach=deny|empty rule
repeat-attach=deny,,size-mismatch=deny|empty rule
repeat-attach=deny size-mismatch=deny|expected warn, deny or reuse
EOF_BAD

# the offending rule is named, not the whole list
LD_PRELOAD="$LIB" IPCGUARD_POLICY="repeat-attach=deny,max-attach=x,shm-mode=0600" "$prog" x >/dev/null 2>"$T/err"
is "$(cat "$T/err")" "ipcguard: invalid IPCGUARD_POLICY rule 'max-attach=x': expected a number N of segments (0 to 1000000)" \
	"the message names the one bad rule of a list"

# good lists start the program, and the header records the list as given
all='repeat-attach=reuse,size-mismatch=deny,foreign-segment=warn,shm-mode=0600,max-attach=0,rmid-at-exit=off,stale-socket=unlink,socket-mode=660,socket-paths=/run/a/*.sock:@app-*:/tmp/x\,y\:z'
for val in '' "$all" 'rmid-at-exit=on' 'max-attach=1000000' 'shm-mode=0' 'socket-paths=/*:@*' 'socket-paths=/run/[[:alnum:]_-]*/[!.]*.sock'; do
	LD_PRELOAD="$LIB" IPCGUARD_OUTPUT="$T/good.%p.jsonl" IPCGUARD_POLICY="$val" \
		"$prog" main-ran >"$T/out" 2>"$T/err"
	is "$?/$(cat "$T/out")/$(cat "$T/err")" "0/main-ran/" "IPCGUARD_POLICY='$val' is accepted"
	is "$(jq -r 'select(.type=="header")|.config.policy' "$T"/good.*.jsonl)" "$val" \
		"IPCGUARD_POLICY='$val': the header records it"
	rm -f "$T"/good.*
	"$TOOL" run -q -o "$T/run.%p.jsonl" --policy "$val" -- "$prog" main-ran >"$T/out" 2>"$T/err"
	is "$?/$(cat "$T/out")" "0/main-ran" "run --policy '$val' is accepted"
	rm -f "$T"/run.*
done

# the matcher is fnmatch(FNM_PATHNAME) for every glob the parser accepts
[ -x "$PROGS/pol_glob" ] || skip_all "pol_glob not built"
LC_ALL=C "$PROGS/pol_glob" random 200000 >"$T/glob" 2>"$T/glob.err"
is "$(cat "$T/glob")" "mismatches 0" "200000 random globs and paths: the same answer as fnmatch(3)"
diag "$(cat "$T/glob.err")"
for pair in '/run/app/*.sock|/run/app/a.sock|match' '/run/app/*.sock|/run/app/x/a.sock|nomatch' \
	'/run/*/a|/run//a|match' '@app-*|@app-1|match' '@app-*|@app/1|nomatch' '/run/[!.]*|/run/.x|nomatch'; do
	IFS='|' read -r g s want <<EOF_P
$pair
EOF_P
	is "$("$PROGS/pol_glob" "$g" "$s")" "$want $want" "'$g' against '$s': $want, as fnmatch"
done
done_testing
