#!/bin/sh
# stale-socket=unlink removes only a socket file nobody is bound to and retries the bind once; never a regular file, a directory, a symlink or a live socket
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/pol_unix"
[ -x "$prog" ] || skip_all "pol_unix not built"
D="$T/s"
mkdir -p "$D"
stale() { "$prog" stream bind:0:"$1" close:0 >/dev/null 2>&1; }	# a server that exited without unlink

stale "$D/a.sock"
prun off "" "$prog" stream bind:0:$D/a.sock
is "$(pout off)" "stream ok
bind EADDRINUSE" "off: bind on a stale socket file fails with EADDRINUSE"
is "$(precs off)" "" "off: no policy record"

prun warn stale-socket=warn "$prog" stream bind:0:$D/a.sock stat:$D/a.sock
is "$(pout warn)" "stream ok
bind EADDRINUSE
stat socket $(printf '%04o' $((0777 & ~$(umask))))" "warn: the same failure, the file stays"
is "$(precs warn)" '["stale-socket","warn",2,"EADDRINUSE"]' "warn: a record with the errno the program got"
pmsg warn stale-socket | grep -qF "bind(fd 3) to \"$D/a.sock\" failed with EADDRINUSE on a stale socket file (no socket is bound to it); stale-socket=unlink would remove it and retry"
ok $? "warn: the message says what unlink would do"

ln "$D/a.sock" "$D/a.hard"	# keeps the old inode alive: the new file cannot reuse its number
prun un stale-socket=unlink "$prog" stream bind:0:$D/a.sock listen:0 stream connect:3:$D/a.sock
is "$(pout un)" "stream ok
bind ok
listen ok
stream ok
connect ok" "unlink: the bind succeeds and the new socket works"
is "$(calls un bind)" '[2,0,null]' "unlink: one call record for the bind, with the result of the retry"
is "$(precs un)" '["stale-socket","unlink",2,null]' "unlink: one record, errno null (the program saw success)"
pmsg un stale-socket | grep -qF "failed with EADDRINUSE on a stale socket file (no socket is bound to it): removed it and retried, the bind succeeded"
ok $? "unlink: the message says what was done"
[ "$(stat -c %i "$D/a.sock")" != "$(stat -c %i "$D/a.hard")" ]
ok $? "unlink: the path is a new file (the stale one was removed)"

# never anything but a stale socket file
: >"$D/file.sock"
mkdir "$D/dir.sock"
stale "$D/target.sock"
ln -s "$D/target.sock" "$D/link.sock"
"$prog" stream bind:0:$D/live.sock listen:0 sleep:4000 >/dev/null 2>&1 &
srv=$!
"$prog" dgram bind:0:$D/dlive.sock sleep:4000 >/dev/null 2>&1 &
dsrv=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$D/live.sock" ] && [ -S "$D/dlive.sock" ] && break; sleep 0.1; done
prun keep stale-socket=unlink "$prog" stream bind:0:$D/file.sock bind:0:$D/dir.sock bind:0:$D/link.sock \
	bind:0:$D/live.sock dgram bind:5:$D/dlive.sock \
	stat:$D/file.sock stat:$D/dir.sock stat:$D/link.sock stat:$D/target.sock stat:$D/live.sock stat:$D/dlive.sock
is "$(pout keep | sed 's/ 0[0-7]*$//')" "stream ok
bind EADDRINUSE
bind EADDRINUSE
bind EADDRINUSE
bind EADDRINUSE
dgram ok
bind EADDRINUSE
stat file
stat dir
stat symlink
stat socket
stat socket
stat socket" "unlink: a regular file, a directory, a symlink (even to a stale socket), a live stream or datagram socket: EADDRINUSE, left alone"
is "$(precs keep)" "" "unlink: no record when nothing was done"
is "$("$prog" stream connect:0:$D/live.sock)" "stream ok
connect ok" "the live server still accepts connections"
kill $srv $dsrv 2>/dev/null
wait 2>/dev/null

# a file it cannot check is never removed: no descriptor left for the probe
stale "$D/full.sock"
prun full stale-socket=unlink sh -c "ulimit -n 64; exec \"$prog\" stream fill bind:0:$D/full.sock stat:$D/full.sock"
is "$(pout full)" "stream ok
fill ok
bind EADDRINUSE
stat socket $(printf '%04o' $((0777 & ~$(umask))))" "the probe cannot run (EMFILE): EADDRINUSE, the stale file stays"
is "$(cat "$T"/full.*.jsonl* | jq -c 'select(.type=="policy")')" "" "and no record (in the shell's trace or the program's)"
prun full2 stale-socket=unlink sh -c "ulimit -n 64; exec \"$prog\" stream bind:0:$D/full.sock"
is "$(pout full2)" "stream ok
bind ok" "(the same with descriptors to spare: removed and bound)"

# abstract names have no file: nothing to unlink
ab="@ipcg-stale-$$"
"$prog" dgram bind:0:$ab sleep:3000 >/dev/null 2>&1 &
srv=$!
sleep 0.3
prun abs stale-socket=unlink "$prog" dgram bind:0:$ab
is "$(pout abs)/$(precs abs)" "dgram ok
bind EADDRINUSE/" "an abstract name in use: EADDRINUSE, no record"
kill $srv 2>/dev/null
wait 2>/dev/null
done_testing
