#!/usr/bin/perl
# A login handler behind a front controller: reads the form, answers JSON.
local $/;
my $in = <STDIN>;
print "Content-Type: application/json\r\n\r\n";
print '{"login":"ok","read":', length($in // ''), "}\n";
