#!/usr/bin/env perl
# Replies "Hello, <name>!" to every message received; exits when the
# connection (stdin) closes.
# Run: websocketd --port=8080 examples/perl/greeter.pl

use strict;
use warnings;

$| = 1;    # flush after every print: stdout is a pipe

while (my $line = <STDIN>) {
    $line =~ s/\r?\n\z//;
    print "Hello, $line!\n";
}
