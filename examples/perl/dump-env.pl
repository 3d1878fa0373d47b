#!/usr/bin/env perl
# Prints every environment variable as NAME=value, sorted by name, then
# exits. Useful for inspecting the CGI-style variables websocketd sets.
# Run: websocketd --port=8080 examples/perl/dump-env.pl

use strict;
use warnings;

$| = 1;    # flush after every print: stdout is a pipe

for my $name (sort keys %ENV) {
    print "$name=$ENV{$name}\n";
}
