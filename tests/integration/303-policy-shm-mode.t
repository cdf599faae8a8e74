#!/bin/sh
# shm-mode: permission bits outside the mask are cleared on creation only; an existing segment is opened as asked
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/pol_shm"
[ -x "$prog" ] || skip_all "pol_shm not built"

POL_KEY=$(printf '72%04x00' $(($$ & 0xffff)))
export POL_KEY
key() { printf '0x%08x' $((0x$POL_KEY + $1)); }
trap 'for k in 1 2 3 4; do ipcrm -M "$(key $k)" 2>/dev/null; done; rm -rf "$T"' EXIT
perms() { ipcs -m | awk -v k="$(key "$1")" '$1 == k { print $4 }'; }

prun off "" "$prog" get:private:4096:c666 stat:0 rmid:0
is "$(sed -n 2p "$T/off.out")" "stat mode=0666 size=4096 nattch=0" "off: created with the mode asked for"
is "$(precs off)" "" "off: no policy record"
is "$(jq -r 'select(.type=="finding")|.kind' "$(ptrace off)")" "world-accessible" "off: the world-accessible finding fires"

prun mask shm-mode=0600 "$prog" get:private:4096:c666 stat:0 get:k1:4096:cx644 stat:2 get:k2:4096:c660 stat:4 \
	get:k2:4096:c666 stat:6 get:k3:4096:c600 stat:8 rmid:0
is "$(pout mask)" "get ok
stat mode=0600 size=4096 nattch=0
get ok
stat mode=0600 size=4096 nattch=0
get ok
stat mode=0600 size=4096 nattch=0
get ok
stat mode=0600 size=4096 nattch=0
get ok
stat mode=0600 size=4096 nattch=0
rmid ok" "0600: IPC_PRIVATE, IPC_CREAT|IPC_EXCL and IPC_CREAT alone are created 0600; opening again changes nothing"
is "$(precs mask)" '["shm-mode","0600",1,null]
["shm-mode","0600",3,null]
["shm-mode","0600",5,null]' "0600: one record per segment whose mode was reduced (not for 0600 asked, not for the reopen)"
pmsg mask shm-mode | head -1 | grep -q "^shmid [0-9]* created with mode 0600 instead of 0666$"
ok $? "the message gives both modes"
is "$(jq -c 'select(.type=="call" and .fn=="shmget")|.args.shmflg' "$(ptrace mask)" | head -1)" '"IPC_CREAT|0666"' \
	"the call record shows the flags the program passed"
is "$(jq -r 'select(.type=="finding")|.kind' "$(ptrace mask)" | grep -c world-accessible)" 0 \
	"no world-accessible finding: the segments are not"
is "$(perms 1)/$(perms 2)/$(perms 3)" "600/600/600" "ipcs agrees"

# a segment created by another process is opened, never changed
"$prog" get:k4:4096:c666 >/dev/null 2>&1
prun other shm-mode=0600 "$prog" get:k4:4096:c666 stat:0
is "$(pout other)" "get ok
stat mode=0666 size=4096 nattch=0" "an existing segment is opened with the same flags and keeps its mode"
is "$(precs other)" "" "no record for a segment not created here"
is "$(perms 4)" "666" "ipcs: unchanged"

prun zero shm-mode=0 "$prog" get:private:4096:c640 stat:0 rmid:0
is "$(pout zero)" "get ok
stat mode=0000 size=4096 nattch=0
rmid ok" "mask 0: mode 0000, and the creator can still remove it"
done_testing
