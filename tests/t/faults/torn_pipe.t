# Records through a piped logger that reads slowly are never torn: small
# and large (> 64 KiB, larger than the pipe) records are written at once
# by many request threads and processes, under prefork and under event
# with AuditBodyLogBuffer 0 (both write from the request thread), and
# every line the logger receives parses and there is one per request. A
# pipe only keeps writes of up to PIPE_BUF whole, and a write larger than
# the pipe is split by the kernel: without the sink's mutex on every write,
# a small record lands inside a large one.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Time::HiRes qw(usleep);
use lib 't/lib';
use AbSinkServer qw(start_server stop_server parse_log ab_run);

my $mods = '/usr/lib/apache2/modules';
plan tests => 10,
    need { 'ab (apache2-utils) is needed' => sub { `ab -V 2>&1` =~ /ApacheBench/ } },
    need { 'mod_mpm_prefork is needed' => sub { -e "$mods/mod_mpm_prefork.so" } };

my %files = ('big.txt' => ('0123456789abcdefghijklmnopqrstuvwxyz' x 2900) . "\n",
             'small.json' => '{"ok":true}');
my ($nbig, $nsmall) = (80, 400);

for my $case (['prefork', ''], ['event', 'AuditBodyLogBuffer 0']) {
    my ($mpm, $extra) = @$case;
    my $srv = start_server(mpm => $mpm, files => \%files, conf => <<"CONF");
StartServers 6
ServerLimit 12
MaxRequestWorkers 12
<IfModule mpm_event_module>
    ThreadsPerChild 4
    MinSpareThreads 4
    MaxSpareThreads 48
</IfModule>
AuditBody On
AuditBodyResponseLimit 256K
AuditBodyLog "|/usr/bin/perl \@BIN\@/slow_logger.pl \@DIR\@/logs/audit.log 300"
$extra
CONF
    ok t_cmp($srv->{up}, 1, "$mpm: private server started");
    my $m = "torn-$mpm-$$";
    my $big = ab_run($srv, "/big.txt?$m-big", $nbig, 6);
    my $small = ab_run($srv, "/small.json?$m-small", $nsmall, 10);
    my $out = join '', <$big>, <$small>;
    close $big;
    close $small;
    my @done = $out =~ /Complete requests:\s+(\d+)/g;
    my $done = 0;
    $done += $_ for @done;
    ok t_cmp($done, $nbig + $nsmall, "$mpm: every request completed");
    # the logger drains the pipe; stopping httpd ends it
    my ($n, $bad, $lines);
    for (1 .. 100) {
        ($n, $bad, $lines) = parse_log("$srv->{dir}/logs/audit.log", $m);
        last if $lines >= $nbig + $nsmall;
        usleep(100_000);
    }
    my @err = stop_server($srv);
    ($n, $bad, $lines) = parse_log("$srv->{dir}/logs/audit.log", $m);
    t_debug("$mpm: $lines lines, $bad unparsable, $n records of this run");
    ok t_cmp($bad, 0, "$mpm: every line the logger got parses");
    ok t_cmp($n, $nbig + $nsmall, "$mpm: one record per request");
    my @bad = grep { /\[audit_body:(error|crit|alert|emerg)\]|exit signal/ } @err;
    ok t_cmp(scalar(@bad), 0, "$mpm: no errors in the error log") or t_debug("@bad");
}
