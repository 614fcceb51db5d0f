#!/usr/bin/perl
# Echoes the request body with its Content-Type (mod_reflector does not
# read request bodies under HTTP/2).
use strict;
use warnings;
binmode STDIN;
binmode STDOUT;
my $type = $ENV{CONTENT_TYPE} // 'application/octet-stream';
local $/;
my $body = <STDIN> // '';
print "Content-Type: $type\r\nContent-Length: " . length($body) . "\r\n\r\n";
print $body;
