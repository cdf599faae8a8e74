#!/bin/sh
# 501: report --json parses and says what the traces say; --fail-on and usage exit statuses.
. "$IPCG_SRC/tests/lib/harness.sh"
F="$IPCG_SRC/tests/fixtures"
cd "$F" || exit 1
F3="fork-parent.jsonl fork-child1.jsonl fork-child2.jsonl"

# check_json FILE PERL-EXPR DESC: the expression, with $j the decoded object, is true
check_json() {
	perl -MJSON::PP -e 'local $/; open my $fh, "<", $ARGV[0] or die; my $j = JSON::PP->new->decode(<$fh>);
		my $r = eval $ARGV[1]; die $@ if $@; exit($r ? 0 : 1)' "$1" "$2" 2>"$T/perl.err"
	ok $? "$3"
	[ -s "$T/perl.err" ] && sed 's/^/# /' "$T/perl.err"
	return 0
}

"$TOOL" report --json basic.jsonl >"$T/basic.json" 2>/dev/null
check_json "$T/basic.json" '$j->{format} eq "ipcguard-report" && $j->{version} == 1' "basic: format and version"
check_json "$T/basic.json" '$j->{summary}{calls} == 14 && $j->{summary}{errors} == 4 && $j->{summary}{findings} == 8' "basic: summary counts"
check_json "$T/basic.json" '$j->{summary}{by_severity}{error} == 2 && $j->{summary}{by_severity}{warning} == 5 && $j->{summary}{by_severity}{info} == 1' "basic: by severity"
check_json "$T/basic.json" 'my ($s) = grep { $_->{fn} eq "shmget" } @{$j->{functions}}; $s->{calls} == 4 && $s->{errors} == 3 && $s->{errnos}{EINVAL} == 2 && $s->{errnos}{ENOENT} == 1' "basic: shmget calls and errnos"
check_json "$T/basic.json" '$j->{findings}[0]{kind} eq "shm-limit" && $j->{findings}[0]{severity} eq "error" && $j->{findings}[0]{count} == 2 && $j->{findings}[-1]{severity} eq "info"' "basic: most severe first"
check_json "$T/basic.json" 'my $s = $j->{findings}[0]{sites}[0]; $s->{count} == 2 && $s->{frames}[0] eq "demo+0x1600" && $s->{pids}[0] == 4242' "basic: call site frames and pids"
check_json "$T/basic.json" 'my @l = @{$j->{leaks}}; @l == 3 && (grep { $_->{source} eq "exit" } @l) == 3 && $l[1]{kind} eq "segment-leak" && $l[1]{shmid} == 5 && @{$l[1]{frames}} == 3' "basic: leaks at exit with stacks"
check_json "$T/basic.json" '$j->{processes}[0]{pid} == 4242 && $j->{processes}[0]{ended} eq "exit" && $j->{processes}[0]{exit}{status} == 0 && $j->{processes}[0]{duration_ns} == 2000000' "basic: process"

"$TOOL" report --json $F3 >"$T/fork.json" 2>/dev/null
check_json "$T/fork.json" 'my %p = map { $_->{pid} => $_ } @{$j->{processes}}; $p{5001}{parent} == 5000 && $p{5002}{parent} == 5000 && !defined $p{5000}{parent} && $p{5002}{ended} eq "no-exit"' "fork: processes joined through fork records"
check_json "$T/fork.json" 'my ($o) = grep { $_->{object} eq "shmid" && $_->{value} == 32769 } @{$j->{shared}}; my %a = map { $_->{pid} => join(",", @{$_->{actions}}) } @{$o->{processes}}; $a{5000} eq "created,attached,detached,removed" && $a{5001} eq "got,attached,detached" && $a{5002} eq "attached"' "fork: shmid shared by three processes"
check_json "$T/fork.json" 'my ($o) = grep { $_->{object} eq "path" } @{$j->{shared}}; my %a = map { $_->{pid} => join(",", @{$_->{actions}}) } @{$o->{processes}}; $o->{value} eq "/tmp/fixture.sock" && $a{5000} eq "bound,listened,accepted" && $a{5001} eq "connected" && $a{5002} eq "connected"' "fork: socket path shared"
check_json "$T/fork.json" 'my ($o) = grep { $_->{object} eq "key" } @{$j->{shared}}; $o->{value} eq "0x0000abcd" && @{$o->{processes}} == 2' "fork: key shared"
check_json "$T/fork.json" 'my @l = grep { $_->{source} eq "end-of-trace" } @{$j->{leaks}}; @l == 1 && $l[0]{pid} == 5002 && $l[0]{kind} eq "attached" && $l[0]{shmid} == 32769' "fork: what the killed child still held"

"$TOOL" report --json noexit.jsonl >"$T/noexit.json" 2>/dev/null
check_json "$T/noexit.json" 'my %k = map { $_->{kind} => $_ } @{$j->{leaks}}; $k{segment}{shmid} == 98304 && $k{attached}{shmaddr} eq "0x7f1000000000" && $k{socket}{fd} == 3 && !grep { $_->{shmid} && $_->{shmid} == 98305 } @{$j->{leaks}}' "noexit: held objects, removed segment not listed"

# every fixture gives valid JSON from report --json and export --format chrome
for f in *.jsonl; do
	"$TOOL" report --json "$f" 2>/dev/null | jq -e . >/dev/null
	ok $? "report --json $f is one JSON value"
	"$TOOL" export --format chrome "$f" 2>/dev/null | jq -e '.traceEvents|type=="array"' >/dev/null
	ok $? "export chrome $f is a JSON object with traceEvents"
done
"$TOOL" export --format chrome $F3 2>/dev/null >"$T/chrome.json"
is "$(jq '[.traceEvents[]|select(.ph=="b")]|length' "$T/chrome.json")" "$(jq '[.traceEvents[]|select(.ph=="e")]|length' "$T/chrome.json")" "chrome: every slice ends"
is "$(jq -r '[.traceEvents[]|select(.ph=="i")|.args.message]|length' "$T/chrome.json")" 2 "chrome: one instant per finding"
is "$(jq '[.traceEvents[]|select(.ph=="M")|.pid]|sort|join(",")' "$T/chrome.json")" '"5000,5001,5002"' "chrome: one track per process"
"$TOOL" export --format folded basic.jsonl 2>/dev/null >"$T/folded"
is "$(awk '{n+=$NF} END{print n}' "$T/folded")" 22 "folded: counts add up to calls + findings"
ok "$(grep -vc '^[^ ]* [0-9][0-9]*$' "$T/folded")" "folded: every line is 'frames count'"

# --fail-on
st() { "$@" >/dev/null 2>&1; echo $?; }
is "$(st "$TOOL" report --fail-on error basic.jsonl)" 1 "--fail-on error with an error finding: 1"
is "$(st "$TOOL" report --fail-on warning basic.jsonl)" 1 "--fail-on warning: 1"
is "$(st "$TOOL" report --fail-on info unknown.jsonl)" 1 "--fail-on info with an info finding: 1"
is "$(st "$TOOL" report --fail-on warning unknown.jsonl)" 0 "--fail-on warning with only info: 0"
is "$(st "$TOOL" report --fail-on error $F3)" 0 "--fail-on error with warnings only: 0"
is "$(st "$TOOL" report --fail-on none basic.jsonl)" 0 "--fail-on none: 0"
is "$(st "$TOOL" report basic.jsonl)" 0 "no --fail-on: 0"
is "$(st "$TOOL" report --json --fail-on error basic.jsonl)" 1 "--json --fail-on error: 1"
"$TOOL" report --json --fail-on warning basic.jsonl 2>/dev/null | jq -e '.summary.failed == true and .summary.fail_on == "warning"' >/dev/null
ok $? "--json says failed and fail_on"
is "$(st "$TOOL" report --fail-on error noexit.jsonl basic.jsonl newer.jsonl)" 2 "unreadable input wins: 2"

# usage errors: 2, naming the bad option
is "$(st "$TOOL" report)" 2 "report without traces: 2"
is "$(st "$TOOL" report --bogus basic.jsonl)" 2 "unknown option: 2"
"$TOOL" report --bogus basic.jsonl 2>&1 >/dev/null | grep -q -- "'--bogus'"
ok $? "unknown option is named"
is "$(st "$TOOL" report --fail-on fatal basic.jsonl)" 2 "bad --fail-on: 2"
is "$(st "$TOOL" report --top many basic.jsonl)" 2 "bad --top: 2"
is "$(st "$TOOL" report "$T/missing.jsonl")" 2 "missing file: 2"
"$TOOL" report "$T/missing.jsonl" 2>&1 >/dev/null | grep -q "missing.jsonl: cannot open: No such file"
ok $? "missing file is named"
is "$(st "$TOOL" export basic.jsonl)" 2 "export without --format: 2"
is "$(st "$TOOL" export --format svg basic.jsonl)" 2 "export --format svg: 2"
is "$(st "$TOOL" events)" 2 "events without traces: 2"
is "$(st "$TOOL" frobnicate)" 2 "unknown command: 2"
is "$(st "$TOOL" --version)" 0 "--version: 0"
"$TOOL" report --top 1 basic.jsonl >"$T/top1" 2>/dev/null
ok $? "--top 1 runs"
# colour only on a tty: a pipe gets none
ok "$(grep -c "$(printf '\033')" "$T/top1")" "no escape sequences when stdout is not a tty"
"$TOOL" report basic.jsonl 2>/dev/null | cat >/dev/null
ok $? "report into a pipe"
if [ -w /dev/full ]; then
	"$TOOL" report basic.jsonl >/dev/full 2>/dev/null
	is $? 2 "a failed stdout write is an error"
fi
done_testing
