#!/usr/bin/perl
# A piped audit logger for the fault tests: appends everything it reads to
# the file named by its argument, and exits once a chunk it read contained
# EXIT-LOGGER (after writing what it read, up to the end of a line, as a
# logger that stops cleanly would): httpd must then restart it.
use strict;
use warnings;
my $file = shift or die "usage: exit_logger.pl FILE\n";
open my $out, '>>', $file or die "$file: $!\n";
binmode $out;
my $exiting = 0;
while (1) {
    my $n = sysread(STDIN, my $buf, 1 << 20);
    last unless $n;
    syswrite($out, $buf) == length($buf) or die "$file: $!\n";
    $exiting ||= index($buf, 'EXIT-LOGGER') >= 0;
    exit 0 if $exiting && substr($buf, -1) eq "\n";    # at a record boundary
}
