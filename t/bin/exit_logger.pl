#!/usr/bin/perl
# A piped audit logger for the fault tests: appends every line it reads to
# the file named by its argument, and exits right after a line containing
# EXIT-LOGGER (httpd must then restart it).
use strict;
use warnings;
use IO::Handle;
my $file = shift or die "usage: exit_logger.pl FILE\n";
open my $out, '>>', $file or die "$file: $!\n";
$out->autoflush(1);
while (my $line = <STDIN>) {
    print $out $line;
    exit 0 if index($line, 'EXIT-LOGGER') >= 0;
}
