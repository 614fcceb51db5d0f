#!/usr/bin/perl
# A slow piped audit logger: reads at most 4 KiB at a time and sleeps
# $usec microseconds after each read, so httpd's writes find the pipe
# full; appends what it read to FILE.
use strict;
use warnings;
use Time::HiRes qw(usleep);
my ($file, $usec) = @ARGV;
die "usage: slow_logger.pl FILE [usec]\n" unless $file;
open my $out, '>>', $file or die "$file: $!\n";
binmode $out;
while (1) {
    my $n = sysread(STDIN, my $buf, 4096);
    last unless $n;
    syswrite($out, $buf) == length($buf) or die "$file: $!\n";
    usleep($usec // 500);
}
