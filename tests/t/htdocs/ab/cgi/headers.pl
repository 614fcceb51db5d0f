#!/usr/bin/perl
# Sends QUERY_STRING n=<count> response headers X-Many-<i>: v<i>, then a
# short text body.
use strict;
use warnings;
my %q = map { split /=/, $_, 2 } split /&/, ($ENV{QUERY_STRING} // '');
my $n = $q{n} // 10;
my $out = "Content-Type: text/plain\r\n";
$out .= "X-Many-$_: v$_\r\n" for 1 .. $n;
print $out, "\r\n", "headers sent\n";
