#!/usr/bin/perl
# Bench job: reads stdin in 1 MiB reads and prints how many bytes and lines came and the
# seconds from the first byte to EOF, so the writer's start-up is not in the time. With
# MAX_SECONDS it stops that long after the first byte (cut=1) and exits, writer or not.
#   usage: PRODUCER | drain.pl [MAX_SECONDS]    prints: bytes=N lines=N cut=0|1 s=S
use strict;
use warnings;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my $max_s = shift // 0;
my $chunk = 1 << 20;
my ($bytes, $lines, $first, $buf) = (0, 0);

sub report {
    my ($cut) = @_;
    die "drain: nothing came\n" unless defined $first;
    printf "bytes=%d lines=%d cut=%d s=%.6f\n", $bytes, $lines, $cut, clock_gettime(CLOCK_MONOTONIC) - $first;
    exit 0;
}

$SIG{ALRM} = sub { report(1) };
while (my $n = sysread(STDIN, $buf, $chunk)) {
    if (!defined $first) {
        $first = clock_gettime(CLOCK_MONOTONIC);
        alarm $max_s;
    }
    $bytes += $n;
    $lines += ($buf =~ tr/\n//);
}
report(0);
