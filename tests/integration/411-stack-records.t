#!/bin/sh
# Stack records: ids resolve, frames name known modules, no frame in libipcguard.so or libunwind, interned, bounded by IPCGUARD_STACK, offsets symbolise
. "$IPCG_SRC/tests/lib/harness.sh"

steps="$PROGS/t2_steps"
[ -x "$steps" ] || skip_all "t2_steps not built"

# check TRACE LABEL: the structural checks on one trace
check() {
	f=$1 l=$2
	is "$(jq -r 'if .type=="stack" then "s \(.id)" elif (.type=="call" or .type=="finding") and .stack!=null then "c \(.stack)" else empty end' "$f" |
		awk '$1=="s"{d[$2]=1} $1=="c" && !($2 in d){print "stack " $2 " undefined"; exit}')" "" \
		"$l: every stack id refers to an earlier stack record"
	is "$(jq -r 'select(.type=="stack")|.id' "$f" | sort -n | uniq -d)" "" "$l: stack ids are unique"
	is "$(jq -r 'if .type=="module" then "m \(.id)" elif .type=="stack" then (.frames[]|"f \(.[0])") else empty end' "$f" |
		awk '$1=="m"{d[$2]=1} $1=="f" && $2!=0 && !($2 in d){print "module " $2 " undefined"; exit}')" "" \
		"$l: every frame names a module defined before it (or 0)"
	is "$(jq -s -r '(map(select(.type=="module"))|map({key:(.id|tostring), value:.path})|from_entries) as $m |
		.[]|select(.type=="stack")|.frames[]|$m[.[0]|tostring] // empty|select(test("libipcguard|libunwind"))' "$f" | sort -u)" "" \
		"$l: no frame in libipcguard.so or libunwind"
	is "$(jq -s -r '(map(select(.type=="module"))|map({key:(.id|tostring), value:.size})|from_entries) as $m |
		.[]|select(.type=="stack")|.frames[]|select(.[0]!=0)|select((.[1]|ltrimstr("0x")|explode|reduce .[] as $c (0; .*16 + (if $c>=97 then $c-87 else $c-48 end))) >= $m[.[0]|tostring])' "$f")" "" \
		"$l: offsets fall inside their module"
	is "$(jq -r 'select(.type=="call" and (.stack|type)!="number")|.seq' "$f")" "" "$l: every call has a stack"
}

preload "$steps" calls=21 sock fork dlopen="$PROGS/libt2_dl.so" >/dev/null 2>&1
for f in "$T"/trace.*; do
	check "$f" "$(jq -r 'select(.type=="header")|if .forked then "fork child" else "t2_steps" end' "$f")"
done
main=$(for f in "$T"/trace.*; do jq -r 'select(.type=="header" and .forked==false)|input_filename' "$f"; done)
# interning: 10 shmget/shmctl pairs from one loop give one stack each
is "$(jq -r 'select(.type=="call" and (.fn=="shmget" or .fn=="shmctl") and .seq<=20)|.stack' "$main" | sort -u | wc -l | tr -d ' ')" 2 \
	"20 calls from 2 call sites: 2 stack records (interned)"
is "$(count_type stack "$main")" "$(jq -r 'select(.type=="call")|.stack' "$main" | sort -u | wc -l | tr -d ' ')" \
	"one stack record per distinct stack used"
# the innermost frame of a call made by the program is in the program, and
# the address symbolises to the caller (addr2line; the frame is a return address)
exe_id=$(jq -r --arg e "$steps" 'select(.type=="module" and .path==$e)|.id' "$main")
top=$(jq -s -r '(map(select(.type=="stack"))|map({key:(.id|tostring), value:.frames[0]})|from_entries) as $s |
	.[]|select(.type=="call" and .fn=="shmget")|$s[.stack|tostring]|"\(.[0]) \(.[1])"' "$main" | head -n 1)
is "${top%% *}" "$exe_id" "innermost frame of shmget is in the program's module"
if command -v addr2line >/dev/null 2>&1; then
	is "$(addr2line -f -e "$steps" "$(printf '0x%x' $((${top#* } - 1)))" | head -n 1)" shm_pair "it symbolises to shm_pair"
fi
# main is called by libc, not by anything of ipcguard's
is "$(jq -s -r '(map(select(.type=="module"))|map({key:(.id|tostring), value:.path})|from_entries) as $m |
	[.[]|select(.type=="stack")|.frames|map($m[.[0]|tostring] // "?")|join(" ")]|first' "$main" | tr ' ' '\n' | grep -c libipcguard)" 0 \
	"the frames around main hold nothing of ipcguard's"

# depth bound
rm -f "$T"/trace.*
IPCGUARD_STACK=2 preload "$steps" calls=4 >/dev/null 2>&1
is "$(jq -r 'select(.type=="stack")|.frames|length' "$T"/trace.* | sort -u | tr '\n' ' ')" "2 " "IPCGUARD_STACK=2: two frames per stack"
rm -f "$T"/trace.*
IPCGUARD_STACK=1 preload "$steps" calls=4 >/dev/null 2>&1
is "$(jq -s -r --arg e "$steps" '(map(select(.type=="module" and .path==$e))|first|.id) as $x |
	[.[]|select(.type=="stack")|.frames|(length==1 and .[0][0]==$x)]|unique|map(tostring)|join(" ")' "$T"/trace.*)" true \
	"IPCGUARD_STACK=1: the one frame is the caller's, in the program"

# deep recursion: cut at the default 32 frames, or at IPCGUARD_STACK=256
rm -f "$T"/trace.*
preload "$steps" deep=100 >/dev/null 2>&1
f=$(ls "$T"/trace.*)
check "$f" "deep=100"
is "$(jq -r 'select(.type=="stack")|.frames|length' "$f" | sort -u)" 32 "deep=100: stacks cut at 32 frames"
rm -f "$T"/trace.*
IPCGUARD_STACK=256 preload "$steps" deep=300 >/dev/null 2>&1
is "$(jq -r 'select(.type=="stack")|.frames|length' "$T"/trace.*  | sort -u)" 256 "deep=300, IPCGUARD_STACK=256: 256 frames"
rm -f "$T"/trace.*
IPCGUARD_STACK=256 preload "$steps" deep=100 >/dev/null 2>&1
n=$(jq -r 'select(.type=="stack")|.frames|length' "$T"/trace.* | sort -u)
ok $([ "$n" -ge 103 ] && [ "$n" -le 110 ]; echo $?) "deep=100, IPCGUARD_STACK=256: the whole stack, down to _start ($n frames)"
done_testing
