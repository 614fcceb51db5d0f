#!/usr/bin/perl
# A 2 s text/plain stream: a line every 0.25 s.
use strict;
use warnings;
use Time::HiRes qw(usleep);
$| = 1;
print "Content-Type: text/plain\r\n\r\n";
for my $i (1 .. 9) {
    printf "line %d\n", $i;
    usleep(250_000) if $i < 9;
}
