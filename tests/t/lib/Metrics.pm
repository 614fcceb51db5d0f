package Metrics;
# The Prometheus text format as the metrics tests read it:
# metric($text, $name) is the value of the unlabelled series $name (a
# whole number), or undef when there is no such line;
# metric_with($text, $name, $label, $value) the same for the series
# $name{$label="$value"}; promtool_check($text) is (exit status, output)
# of `promtool check metrics` on $text, or () without promtool (Debian's
# package prometheus).
use strict;
use warnings FATAL => 'all';

use Exporter 'import';
use File::Temp qw(tempfile);
our @EXPORT_OK = qw(metric metric_with promtool_check);

sub metric {
    my ($text, $name) = @_;
    return $1 if $text =~ /^\Q$name\E (\d+)$/m;
    return undef;
}

sub metric_with {
    my ($text, $name, $label, $value) = @_;
    return $1 if $text =~ /^\Q$name\E\{\Q$label\E="\Q$value\E"\} (\d+)$/m;
    return undef;
}

sub promtool_check {
    my $text = shift;
    return () unless `promtool --version 2>&1` =~ /promtool/;
    my ($fh, $file) = tempfile(UNLINK => 1);
    print $fh $text;
    close $fh;
    my $out = `promtool check metrics < '$file' 2>&1`;
    return ($? >> 8, $out);
}

1;
