#!/bin/sh
# Stacks through inlined code: events --stacks and export --format folded match eu-addr2line -i -f frame for frame at -O1 and -O2
. "$IPCG_SRC/tests/lib/harness.sh"
command -v eu-addr2line >/dev/null || skip_all "no eu-addr2line (package elfutils)"
command -v "${CC:-cc}" >/dev/null || skip_all "no C compiler"
src="$IPCG_SRC/tests/progs/hs_inline.c"

for O in -O1 -O2; do
	prog="$T/hs$O"
	"${CC:-cc}" $O -g -Wl,--build-id -o "$prog" "$src" || { ok 1 "$O: build"; continue; }
	f="$T/trace$O.jsonl"
	IPCGUARD_OUTPUT="$f" preload "$prog" >/dev/null
	st=$(jq 'select(.type=="call" and .fn=="shmget") | .stack' "$f")
	mod=$(jq --arg p "$prog" 'select(.type=="module" and .path==$p) | .id' "$f")
	# eu-addr2line on every frame of the program: "function file:line" per level
	jq -r --argjson s "$st" --argjson m "$mod" 'select(.type=="stack" and .id==$s) | .frames[] | select(.[0]==$m) | .[1]' "$f" |
	while read -r off; do
		eu-addr2line -i -f -e "$prog" "$(printf '0x%x' $((off - 1)))"
	done | awk 'NR % 2 == 1 {fn = $1} NR % 2 == 0 {n = split($1, p, "/"); sub(/:[0-9]+$/, "", p[n]); if (p[n] != "??") print fn, p[n]}' > "$T/want$O"
	"$TOOL" events --stacks "$f" | awk '/shmget\(/ {on = 1; next} on && /^\[pid/ {exit} on' |
		sed -n 's/^ *#[0-9]* \([^ +]*\)[^ ]* (\(hs_inline\.c:[0-9]*\)).*/\1 \2/p' > "$T/got$O"
	is "$(wc -l < "$T/want$O" | tr -d ' ')" 4 "$O: eu-addr2line sees four levels (three inlined, main)"
	is "$(cat "$T/got$O")" "$(cat "$T/want$O")" "$O: events --stacks gives the same functions and lines as eu-addr2line"
	is "$("$TOOL" export --format folded "$f" | grep ';shmget ' | sed 's/.*;main;/main;/')" \
		"main;worker_loop;handle_request;stats_snapshot;shmget 1" "$O: folded stacks keep the inlined levels"
done
done_testing
