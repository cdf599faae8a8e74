#!/bin/sh
# socket-mode: the socket file a successful bind created gets the mode (umask ignored); nothing else is chmod-ed
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/pol_unix"
[ -x "$prog" ] || skip_all "pol_unix not built"
D="$T/s"
mkdir -p "$D"

prun off "" "$prog" umask:022 stream bind:1:$D/a.sock stat:$D/a.sock
is "$(pout off)" "umask ok
stream ok
bind ok
stat socket 0755" "off: the mode comes from the umask"

prun on socket-mode=0660 "$prog" umask:022 stream bind:1:$D/b.sock stat:$D/b.sock umask:0 dgram bind:5:$D/c.sock stat:$D/c.sock \
	dgram bind:8:@ipcg-mode-$$
is "$(pout on)" "umask ok
stream ok
bind ok
stat socket 0660
umask ok
dgram ok
bind ok
stat socket 0660
dgram ok
bind ok" "0660: stream and datagram socket files get 0660 whatever the umask; an abstract name has no file"
is "$(precs on)" '["socket-mode","0660",2,null]
["socket-mode","0660",4,null]' "a record per chmod, action is the mode"
pmsg on socket-mode | head -1 | grep -qF "socket file \"$D/b.sock\" bound by fd 3 set to mode 0660 (was 0755)"
ok $? "the message gives the old and new modes"

# a bind that fails never touches the file in the way
"$prog" stream bind:0:$D/old.sock close:0 >/dev/null 2>&1
chmod 0777 "$D/old.sock"
: >"$D/f.sock"
chmod 0640 "$D/f.sock"
prun fail socket-mode=0600 "$prog" stream bind:0:$D/old.sock bind:0:$D/f.sock stat:$D/old.sock stat:$D/f.sock
is "$(pout fail)" "stream ok
bind EADDRINUSE
bind EADDRINUSE
stat socket 0777
stat file 0640" "a failed bind: the existing socket file and regular file keep their modes"
is "$(precs fail)" "" "and no record"

# with stale-socket=unlink the file the retried bind created gets the mode
prun both socket-mode=0600,stale-socket=unlink "$prog" stream bind:0:$D/old.sock stat:$D/old.sock
is "$(pout both)" "stream ok
bind ok
stat socket 0600" "after an unlink and retry the new file gets the mode"
is "$(precs both | jq -r '.[0]' | tr '\n' ' ')" "stale-socket socket-mode " "records: stale-socket, then socket-mode"
done_testing
