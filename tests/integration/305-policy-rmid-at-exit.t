#!/bin/sh
# rmid-at-exit=on: at exit the segments this process created and did not remove are gone from ipcs; others' segments stay
. "$IPCG_SRC/tests/lib/harness.sh"
. "$IPCG_SRC/tests/lib/policy.sh"
prog="$PROGS/pol_shm"
[ -x "$prog" ] || skip_all "pol_shm not built"

POL_KEY=$(printf '73%04x00' $(($$ & 0xffff)))
export POL_KEY
key() { printf '0x%08x' $((0x$POL_KEY + $1)); }
trap 'for k in 1 2 3 4 5 6; do ipcrm -M "$(key $k)" 2>/dev/null; done
	sed -n "s/^id [0-9]* //p" "$T"/*.err 2>/dev/null | while read -r id; do ipcrm -m "$id" 2>/dev/null; done
	rm -rf "$T"' EXIT
has_key() { ipcs -m | awk -v k="$(key "$1")" '$1 == k' | grep -c .; }
has_id() { ipcs -m | awk -v i="$1" '$2 == i' | grep -c .; }
ids() { sed -n 's/^id [0-9]* //p' "$T/$1.err"; }

# another process's segment, there before
"$prog" get:k1:4096:c600 >/dev/null 2>&1

prun on rmid-at-exit=on "$prog" get:k1:4096:c600 get:k2:4096:c600 get:private:4096:c600 get:k3:4096:c600 \
	at:1 at:2 rmid:3
is "$(cat "$T/on.rc")" 0 "the program ran"
is "$(has_key 2)/$(has_key 3)" "0/0" "ipcs: its keyed segments are gone (one still attached at exit, one removed by the program)"
is "$(ids on | sed -n 3p | { read -r id; has_id "$id"; })" 0 "ipcs: its IPC_PRIVATE segment is gone"
is "$(has_key 1)" 1 "ipcs: the segment created by another process is still there"
is "$(precs on)" '["rmid-at-exit","on",null,null]
["rmid-at-exit","on",null,null]' "two records (key 2 and the private one), seq null; none for the one it removed or the foreign one"
pmsg on rmid-at-exit | grep -q "^marked shmid [0-9]* (key $(key 2), 4096 bytes) for removal at exit; it goes when its last attach does$"
ok $? "the message names the segment and says it was still attached"
f=$(ptrace on)
is "$(jq -r 'select(.type=="finding" or .type=="policy" or .type=="exit")|.type + (if .kind then ":" + .kind else "" end)' "$f" | tail -6 | tr '\n' ' ')" \
	"finding:attached-at-exit finding:segment-leak finding:segment-leak policy policy exit " \
	"the leak findings come first (the segments did leak), then the policy records, then exit"

prun off "" "$prog" get:k4:4096:c600
is "$(has_key 4)" 1 "without the rule the segment outlives the process"
prun offx rmid-at-exit=off "$prog" get:k5:4096:c600
is "$(has_key 5)/$(precs offx)" "1/" "rmid-at-exit=off: the same"

# every way out: _exit too
prun ex rmid-at-exit=on "$prog" get:k6:4096:c600 _exit
is "$(has_key 6)" 0 "_exit: removed"

# fork: the child removes what it created, not the parent's
prun fork rmid-at-exit=on "$prog" get:private:4096:c600 fork get:private:4096:c600
parent_id=$(ids fork | sed -n 1p)
n=$(ids fork | wc -l | tr -d ' ')
is "$n" 3 "three segments: the parent's first, then one each"
gone=0
for id in $(ids fork); do [ "$(has_id "$id")" = 0 ] && gone=$((gone + 1)); done
is "$gone" 3 "all three gone after both exited"
child=$(for f in "$T"/fork.*.jsonl; do jq -r 'select(.type=="header" and .forked==true)|input_filename' "$f"; done | head -1)
is "$(jq -c 'select(.type=="policy")|.rule' "$child" | wc -l | tr -d ' ')" 1 "the child removed one segment (its own)"
is "$(precs fork | wc -l | tr -d ' ')" 2 "the parent removed its two"
done_testing
