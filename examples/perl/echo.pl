#!/usr/bin/env perl
# Sends every message received straight back, unchanged.
# Run: websocketd --port=8080 examples/perl/echo.pl

use strict;
use warnings;

$| = 1;    # flush after every print: stdout is a pipe

while (my $line = <STDIN>) {
    chomp $line;
    print "$line\n";
}
