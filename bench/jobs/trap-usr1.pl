#!/usr/bin/perl
# Bench job: answers every SIGUSR1 with one byte "u" on stdout, for the signal round trip.
# Says "ready" once the handler is in place; the bench ends it by killing the namespace.
# SIGUSR1 stays blocked except inside sigsuspend, so none can slip in between Perl's
# deferred handler and the next wait (with a plain sleep loop, one is lost now and then).
use strict;
use warnings;
use POSIX qw(sigprocmask sigsuspend SIG_BLOCK SIGUSR1);

sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR1)) or die "sigprocmask: $!";
$SIG{USR1} = sub { syswrite STDOUT, 'u' };
syswrite STDOUT, "ready\n";
my $none = POSIX::SigSet->new;
sigsuspend($none) while 1;
