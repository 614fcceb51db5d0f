#!/usr/bin/perl
# Reads the request body, then sends a local redirect: httpd serves the
# target (QUERY_STRING names it) as an internal redirect.
local $/;
my $in = <STDIN>;
my ($target) = ($ENV{QUERY_STRING} // '') =~ /to=([^&]+)/;
print "Location: $target\r\n\r\n";
