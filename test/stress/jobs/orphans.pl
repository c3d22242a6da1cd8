#!/usr/bin/perl
# Stress job: makes N orphans for PID 1 to adopt, BATCH at a time (a middle process forks
# BATCH children that exit at once, then exits itself without waiting, so the kernel hands
# all of them to PID 1), then waits until no zombie is left in the PID namespace.
#   usage: orphans.pl N BATCH    prints: orphans=N ms=MS zombies=Z hwm_kb=KB
#   ms: first fork to no zombie left; zombies: still there after LIMIT_S; hwm: PID 1's VmHWM.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC usleep);

my ($n, $batch) = @ARGV;
my $limit_s = 30;

sub zombies {
    my $count = 0;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open(my $fh, '<', $stat) or next;
        my $line = <$fh> // next;
        $count++ if substr($line, rindex($line, ')') + 2, 1) eq 'Z';
    }
    return $count;
}

my $t0 = clock_gettime(CLOCK_MONOTONIC);
for (my $made = 0; $made < $n; $made += $batch) {
    my $mid = fork() // die "fork: $!";
    if ($mid == 0) {
        for (1 .. $batch) { (fork() // die "fork: $!") or POSIX::_exit(0) }
        POSIX::_exit(0);
    }
    waitpid($mid, 0);
}
my $left;
while (($left = zombies()) > 0 && clock_gettime(CLOCK_MONOTONIC) - $t0 < $limit_s) { usleep(1000) }
my $ms = (clock_gettime(CLOCK_MONOTONIC) - $t0) * 1000;
open(my $status, '<', '/proc/1/status') or die "/proc/1/status: $!";
my ($hwm) = map { /^VmHWM:\s+(\d+)/ ? $1 : () } <$status>;
printf "orphans=%d ms=%.0f zombies=%d hwm_kb=%d\n", $n, $ms, $left, $hwm;
