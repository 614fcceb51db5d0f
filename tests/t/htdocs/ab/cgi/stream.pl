#!/usr/bin/perl
# Streams a text body: QUERY_STRING n=<chunks>&ms=<interval>&type=<type>.
use strict;
use warnings;
use Time::HiRes qw(usleep);
my %q = map { split /=/, $_, 2 } split /&/, ($ENV{QUERY_STRING} // '');
my $n = $q{n} // 6;
my $ms = $q{ms} // 500;
(my $type = $q{type} // 'text/plain') =~ s/%2F/\//gi;
$| = 1;
print "Content-Type: $type\r\n\r\n";
for my $i (1 .. $n) {
    if ($type eq 'text/event-stream') {
        print "data: event $i\n\n";
    }
    else {
        printf "chunk %04d\n", $i;
    }
    usleep($ms * 1000) if $i < $n;
}
