#!/usr/bin/perl
# Bench job: exits 0 on SIGTERM; without one it runs on for a minute (the signal was lost).
use strict;
use warnings;

$SIG{TERM} = sub { exit 0 };
sleep 60;
exit 1;
