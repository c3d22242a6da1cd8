#!/usr/bin/perl
# Bench job: reads stdin to EOF in 1 MiB reads and prints how many bytes and lines came and
# the seconds from the first byte to EOF, so the writer's start-up is not in the time.
#   usage: PRODUCER | drain.pl    prints: bytes=N lines=N s=S
use strict;
use warnings;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my $chunk = 1 << 20;
my ($bytes, $lines, $first, $buf) = (0, 0);
while (my $n = sysread(STDIN, $buf, $chunk)) {
    $first //= clock_gettime(CLOCK_MONOTONIC);
    $bytes += $n;
    $lines += ($buf =~ tr/\n//);
}
die "drain: nothing came\n" unless defined $first;
printf "bytes=%d lines=%d s=%.6f\n", $bytes, $lines, clock_gettime(CLOCK_MONOTONIC) - $first;
