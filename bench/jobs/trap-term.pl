#!/usr/bin/perl
# Bench job: exits 0 on SIGTERM; without one it runs on for a minute (the signal was lost).
# A SIGTERM before the handler kills it (the signal still arrived). Once the handler is in,
# SIGTERM stays blocked except inside sigsuspend, so it cannot slip past the wait.
use strict;
use warnings;
use POSIX qw(sigprocmask sigsuspend SIG_BLOCK SIGTERM);

my $give_up_s = 60;
sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGTERM)) or die "sigprocmask: $!";
$SIG{TERM} = sub { exit 0 };
$SIG{ALRM} = sub { exit 1 };
alarm $give_up_s;
sigsuspend(POSIX::SigSet->new) while 1;
