#!/usr/bin/perl
# Bench job: answers every SIGUSR1 with one byte "u" on stdout, for the signal round trip.
# Says "ready" once the handler is in place; the bench ends it by killing the namespace.
use strict;
use warnings;

$SIG{USR1} = sub { syswrite STDOUT, 'u' };
syswrite STDOUT, "ready\n";
sleep 60 while 1;    # sleep is interrupted by the signal, so the handler runs at once
