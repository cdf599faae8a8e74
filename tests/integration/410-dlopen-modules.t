#!/bin/sh
# dlopen of a library that makes calls: its module record comes before the stacks that use it; dlclose and reload give a new id
. "$IPCG_SRC/tests/lib/harness.sh"

prog="$PROGS/t2_steps"
dl="$PROGS/libt2_dl.so"
[ -x "$prog" ] && [ -f "$dl" ] || skip_all "t2_steps or libt2_dl.so not built"

preload "$prog" shm dlopen="$dl" dlclose dlopen="$dl" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out")" "0:dl calls: 0 failed
dlclose: 0
dl calls: 0 failed" "the library's calls work preloaded"
tr=$(ls "$T"/trace.*)
ok $(json_valid "$tr"; echo $?) "trace valid"
ids=$(jq -r --arg p "$dl" 'select(.type=="module" and .path==$p)|.id' "$tr" | tr '\n' ' ')
is "$(echo $ids | wc -w | tr -d ' ')" 2 "two module records for the library: one per load ($ids)"
first=${ids%% *}
second=$(echo $ids | cut -d' ' -f2)
ok $([ "$first" != "$second" ]; echo $?) "the reloaded library gets a new module id"
is "$(jq -r --arg p "$dl" 'select(.type=="module" and .path==$p)|.build_id|test("^[0-9a-f]{40}$")' "$tr" | sort -u)" true \
	"its build_id is the hex NT_GNU_BUILD_ID"
want=$(readelf -n "$dl" 2>/dev/null | sed -n 's/.*Build ID: *//p')
[ -n "$want" ] && is "$(jq -r --arg p "$dl" 'select(.type=="module" and .path==$p)|.build_id' "$tr" | head -n 1)" "$want" \
	"build_id matches readelf -n"

# order: each module id is defined on a line before any stack frame that names it
is "$(jq -r 'if .type=="module" then "m \(.id)" elif .type=="stack" then (.frames[]|"f \(.[0])") else empty end' "$tr" |
	awk '$1=="m"{d[$2]=1} $1=="f" && $2!=0 && !($2 in d){print "module " $2 " used before its record"; exit}')" "" \
	"every frame's module record comes before it"
# the calls made inside the library: innermost frame in the library, in
# the module of the load that was current
is "$(jq -s -r --argjson a "$first" --argjson b "$second" '
	(map(select(.type=="stack"))|map({key:(.id|tostring), value:.frames[0][0]})|from_entries) as $top |
	[.[]|select(.type=="call" and .seq>2)|$top[.stack|tostring]]|map(tostring)|join(" ")' "$tr")" \
	"$first $first $first $first $second $second $second $second" \
	"calls 3-10 are innermost in the library: first load, then the second"
# the offsets point into the library: addr2line names the function
if command -v addr2line >/dev/null 2>&1; then
	off=$(jq -s -r --argjson a "$first" '[.[]|select(.type=="stack")|.frames[0]|select(.[0]==$a)|.[1]]|first' "$tr")
	fn=$(addr2line -f -e "$dl" "$(printf '0x%x' $((off - 1)))" | head -n 1)
	is "$fn" t2_dl_calls "frame offset resolves to t2_dl_calls (addr2line)"
fi
done_testing
