#!/usr/bin/perl
# Reads the request body, waits ms=N milliseconds, then answers with
# status code=N (default 200) and a small JSON body naming both.
use strict;
use warnings;
use Time::HiRes qw(usleep);
binmode STDIN;
local $/;
my $in = <STDIN> // '';
my %q = map { split /=/, $_, 2 } grep { /=/ } split /&/, $ENV{QUERY_STRING} // '';
my $code = ($q{code} // '200') =~ /^(\d{3})$/ ? $1 : 200;
usleep(1000 * (($q{ms} // 0) =~ /^(\d+)$/ ? $1 : 0));
my $body = qq({"status":$code,"read":) . length($in) . qq(,"note":"kept-or-not"}\n);
print "Status: $code\r\nContent-Type: application/json\r\n"
    . "Content-Length: " . length($body) . "\r\n\r\n$body";
