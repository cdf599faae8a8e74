#!/usr/bin/perl
# partcheck.pl PART0 PART1 ...: checks the parts of one rotated trace, in
# order (docs/trace-format.md, "Size cap and rotation"): every line is a
# JSON object; part N's header says part N and names part N-1; every part
# but the last ends with a rotate record naming the next, the last with
# exit; every stack and module a record refers to is defined earlier in
# the same part (each part is self-contained); call seqs over all parts
# are 1..calls, each once.  Prints "parts N calls C live L" and exits 0,
# or prints what is wrong and exits 1.
use strict;
use warnings;
use JSON::PP;
use File::Basename;

my $json = JSON::PP->new;
my (%seq, $exit_calls, $nlive, @err);
for my $k (0 .. $#ARGV) {
	my $f = $ARGV[$k];
	open(my $fh, '<', $f) or die "$f: $!\n";
	my (%stacks, %mods, $last);
	my $n = 0;
	while (my $line = <$fh>) {
		$n++;
		my $r = eval { $json->decode($line) };
		if (!$r || ref($r) ne 'HASH') { push @err, "$f:$n: not a JSON object"; next; }
		my $t = $r->{type} // '';
		if ($n == 1) {
			push @err, "$f: first record is $t, not header" if $t ne 'header';
			my $part = $r->{part} // 0;
			push @err, "$f: header part $part, expected $k" if $part != $k;
			push @err, "$f: header previous is not " . basename($ARGV[$k - 1])
				if $k && ($r->{previous} // '') ne basename($ARGV[$k - 1]);
		}
		$mods{$r->{id}} = 1 if $t eq 'module';
		if ($t eq 'stack') {
			for my $fr (@{ $r->{frames} }) {
				push @err, "$f:$n: stack $r->{id} names module $fr->[0] not defined in this part"
					if $fr->[0] && !$mods{$fr->[0]};
			}
			$stacks{$r->{id}} = 1;
		}
		if (defined $r->{stack} && !ref $r->{stack} && $t ne 'stack' && !$stacks{$r->{stack}}) {
			push @err, "$f:$n: $t refers to stack $r->{stack}, not defined before in this part";
		}
		if ($t eq 'call') {
			push @err, "$f:$n: seq $r->{seq} twice" if $seq{$r->{seq}}++;
		}
		$nlive++ if $t eq 'live' && $k == $#ARGV;
		$exit_calls = $r->{calls} if $t eq 'exit';
		$last = $r;
	}
	close($fh);
	my $lt = $last ? $last->{type} : 'nothing';
	if ($k < $#ARGV) {
		push @err, "$f: ends with $lt, not rotate" if $lt ne 'rotate';
		push @err, "$f: rotate names " . ($last->{next} // 'nothing') . ", not " . basename($ARGV[$k + 1])
			if $lt eq 'rotate' && $last->{next} ne basename($ARGV[$k + 1]);
	} else {
		push @err, "$f: ends with $lt, not exit" if $lt ne 'exit';
	}
}
my $calls = scalar(keys %seq);
if (defined $exit_calls) {
	push @err, "calls written $calls, exit says $exit_calls" if $calls != $exit_calls;
	for my $s (1 .. $exit_calls) {
		if (!$seq{$s}) { push @err, "seq $s missing"; last; }
	}
}
if (@err) {
	print "$_\n" for @err[0 .. ($#err < 20 ? $#err : 19)];
	exit 1;
}
printf "parts %d calls %d live %d\n", scalar(@ARGV), $calls, $nlive // 0;
exit 0;
