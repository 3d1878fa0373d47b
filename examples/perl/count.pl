#!/usr/bin/env perl
# Counts from 1 to 10, one number per message, pausing half a second
# between numbers, then exits.
# Run: websocketd --port=8080 examples/perl/count.pl

use strict;
use warnings;
use Time::HiRes qw(sleep);

$| = 1;    # flush after every print: stdout is a pipe

for my $i (1 .. 10) {
    print "$i\n";
    sleep 0.5 if $i < 10;
}
