#!/usr/bin/perl
# A text body sent as a download (Content-Disposition: attachment).
use strict;
use warnings;
print "Content-Type: text/csv\r\n";
print "Content-Disposition: attachment; filename=\"report.csv\"\r\n\r\n";
print "id,name\n1,alpha\n2,beta\n";
