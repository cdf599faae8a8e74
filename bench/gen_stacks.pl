#!/usr/bin/perl
# Writes a trace of N calls from N distinct stacks to stdout, for the
# reader's memory measurements (docs/performance.md, "Reader memory").
# The header and module records are those of a real trace TEMPLATE (so the
# frames symbolise against its binaries); each stack is a pseudo-random
# sequence of DEPTH frames drawn from the frames TEMPLATE's stacks use,
# deterministic for a given SEED. With ADDRS, frames are drawn instead from
# ADDRS distinct offsets spread over module MODULE of the template (a
# program with that many call sites); without MODULE over module 1, and
# every module path is changed so that nothing symbolises (a trace read on
# a machine that does not have its binaries).
# usage: gen_stacks.pl TEMPLATE N [DEPTH] [SEED] [ADDRS [MODULE]]
use strict;
use warnings;

my ($tpl, $n, $depth, $seed, $addrs, $modid) = @ARGV;
die "usage: gen_stacks.pl TEMPLATE N [DEPTH] [SEED] [ADDRS [MODULE]]\n" unless defined $n;
my $absent = $addrs && !$modid;
$modid ||= 1;
$depth //= 24;
$seed //= 1;
my (@frames, %seen, $pid, $modsize);
open my $in, '<', $tpl or die "$tpl: $!\n";
while (<$in>) {
	if (/"type":"(header|module)"/) {
		my $type = $1;
		s/("path":"[^"]*)"/$1.absent"/ if $absent && $type eq 'module';	# not on this machine
		print;
		($pid) = /"pid":(\d+)/ if $type eq 'header';
		($modsize) = /"size":(\d+)/ if $type eq 'module' && /"id":$modid,/;
	} elsif (/"type":"stack"/) {
		push @frames, grep { !$seen{$_}++ } /(\[\d+,"0x[0-9a-f]+"\])/g;
	}
}
close $in;
die "$tpl: no header or no stacks\n" unless defined $pid && @frames;
# a 64-bit LCG (wrapping integer arithmetic): the same trace for the same seed
my $x = $seed;
my $rnd = sub { { use integer; $x = $x * 6364136223846793005 + 1442695040888963407; } return ($x >> 33) & 0x7fffffff };
die "$tpl: no module $modid\n" if $addrs && !$modsize;
@frames = map { sprintf '[%d,"0x%x"]', $modid, 16 + int($_ * ($modsize - 32) / $addrs) } 0 .. $addrs - 1
	if $addrs;
my $ts = 1000000;
for my $i (1 .. $n) {
	my @f = map { $frames[$rnd->() % @frames] } 1 .. $depth;
	# the id in the first frames makes every stack distinct
	print qq({"type":"stack","id":$i,"frames":[[0,"0x), sprintf("%x", $i), qq("],), join(',', @f), "]}\n";
	$ts += 1000;
	print qq({"type":"call","seq":$i,"ts_ns":$ts,"tid":$pid,"fn":"socket","args":{"domain":"AF_UNIX","type":"0x7ff","protocol":0},"ret":-1,"errno":"EINVAL","stack":$i}\n);
}
print qq({"type":"exit","ts_ns":), $ts + 1000, qq(,"calls":$n,"findings":0,"how":"exit","status":0,"dropped":0}\n);
