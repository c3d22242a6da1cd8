#!/usr/bin/perl
# Bench job: hands PID 1 a batch of ready-made zombies at once and times how long PID 1
# takes to reap them all, so the init's reaping is measured and not the forking.
#   usage: reap.pl N    prints: reaped=N ms=MS hwm_kb=KB   (hwm: PID 1's VmHWM afterwards)
# A middle process forks N children that exit at once; when all N are zombies it notes
# the time and exits, so the kernel reparents all N to PID 1 together. This job (not a
# subreaper) then waits until kill(pid, 0) fails for every one of them: that is PID 1's reap.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC usleep);

my $n = shift // 5000;
my $poll_us = 50;      # sleep between checks of a still-present pid
my $limit_s = 20;      # give up: the init does not reap

sub zombie {
    open(my $fh, '<', "/proc/$_[0]/stat") or return 0;
    my $stat = <$fh>;
    return substr($stat, rindex($stat, ')') + 2, 1) eq 'Z';
}

pipe(my $from_mid, my $to_job) or die "pipe: $!";
my $mid = fork() // die "fork: $!";
if ($mid == 0) {
    close $from_mid;
    my @kids;
    for (1 .. $n) {
        my $pid = fork() // die "fork after $_: $!";
        POSIX::_exit(0) unless $pid;
        push @kids, $pid;
    }
    for my $pid (@kids) { usleep(100) until zombie($pid) }
    syswrite $to_job, join(' ', @kids) . "\n";
    syswrite $to_job, clock_gettime(CLOCK_MONOTONIC) . "\n";
    POSIX::_exit(0);
}
close $to_job;
my @lines = <$from_mid>;
my @kids = split ' ', $lines[0];
my $t0 = $lines[1];
waitpid($mid, 0);
for my $pid (@kids) {
    while (kill 0, $pid) {
        die "PID 1 left $pid unreaped for ${limit_s}s\n" if clock_gettime(CLOCK_MONOTONIC) - $t0 > $limit_s;
        usleep($poll_us);
    }
}
my $ms = (clock_gettime(CLOCK_MONOTONIC) - $t0) * 1000;
open(my $status, '<', '/proc/1/status') or die "/proc/1/status: $!";
my ($hwm) = map { /^VmHWM:\s+(\d+)/ ? $1 : () } <$status>;
printf "reaped=%d ms=%.3f hwm_kb=%d\n", scalar(@kids), $ms, $hwm;
