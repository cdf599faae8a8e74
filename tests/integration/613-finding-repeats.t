#!/bin/sh
# IPCGUARD_REPEATS: findings repeated at one call site are written the first N times and counted after; report, export and the exit record stay exact
. "$IPCG_SRC/tests/lib/harness.sh"
prog="$PROGS/lk_daemon"
[ -x "$prog" ] || skip_all "lk_daemon not built"
trap 'for f in "$T"/*/trace.*.jsonl; do jq -r "select(.type==\"finding\" and .kind==\"segment-leak\")|.shmid" "$f" 2>/dev/null; done |
	while read -r id; do ipcrm -m "$id" 2>/dev/null; done; rm -rf "$T"' EXIT

run() {	# run NAME [REPEATS]: the daemon, 1 worker, 40 requests
	mkdir -p "$T/$1"
	if [ -n "${2:-}" ]; then export IPCGUARD_REPEATS="$2"; else unset IPCGUARD_REPEATS; fi
	IPCGUARD_OUTPUT="$T/$1/trace.%p.jsonl" preload "$prog" 1 40 10 "$T/$1/d.sock" >/dev/null 2>"$T/$1.err"
	echo $? > "$T/$1.rc"
	unset IPCGUARD_REPEATS
}
worker() { for f in "$T/$1"/trace.*.jsonl; do [ "$(jq -r 'select(.type=="header") | .forked' "$f")" = true ] && echo "$f"; done; }
written() { jq -c 'select(.type=="finding" and .kind=="repeated-attach")' "$(worker "$1")" | wc -l | tr -d ' '; }
rep_count() { "$TOOL" report --json "$T/$1"/trace.*.jsonl | jq '[.findings[] | select(.kind=="repeated-attach") | .count] | add'; }

run def
is "$(cat "$T/def.rc")" 0 "default: the daemon ran"
is "$(written def)" 10 "default: 10 of the 39 repeated-attach findings written in full"
is "$(jq -c 'select(.type=="finding_repeats") | [.kind, .count, .written]' "$(worker def)")" '["repeated-attach",39,10]' \
	"default: one finding_repeats record with the exact count"
is "$(jq -s '(map(select(.type=="finding_repeats")) | .[0].stack) == (map(select(.type=="finding" and .kind=="repeated-attach")) | .[0].stack)' "$(worker def)")" \
	true "default: it names the site's stack"
is "$(tail -n 2 "$(worker def)" | jq -r .type | tr '\n' ' ')" "finding_repeats exit " "default: written just before the exit record"
is "$(jq 'select(.type=="exit") | .findings' "$(worker def)")" \
	"$(( $(jq -c 'select(.type=="finding")' "$(worker def)" | wc -l) + 29 ))" "default: the exit record counts every finding"
is "$(rep_count def)" 39 "default: report counts 39"
is "$("$TOOL" export --format folded "$T/def"/trace.*.jsonl | awk '/finding:repeated-attach/ {s += $NF} END {print s}')" 39 \
	"default: folded export counts 39"

run all 0
is "$(written all)" 39 "IPCGUARD_REPEATS=0: all 39 written"
is "$(jq -c 'select(.type=="finding_repeats")' "$(worker all)" | wc -l | tr -d ' ')" 0 "IPCGUARD_REPEATS=0: no finding_repeats"
is "$(rep_count all)" 39 "IPCGUARD_REPEATS=0: report counts 39"

run three 3
is "$(written three)" 3 "IPCGUARD_REPEATS=3: 3 written"
is "$(rep_count three)" 39 "IPCGUARD_REPEATS=3: report counts 39"
is "$(jq -c 'select(.type=="header") | .config.repeats' "$(worker three)")" 3 "the header's config says repeats=3"

IPCGUARD_REPEATS=lots preload "$prog" 1 1 0 "$T/x.sock" >/dev/null 2>"$T/bad.err"
is "$?" 2 "IPCGUARD_REPEATS=lots: startup error, status 2"
grep -q "^ipcguard: invalid IPCGUARD_REPEATS='lots': " "$T/bad.err"
ok $? "one line naming the variable"
done_testing
