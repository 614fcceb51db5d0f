# A piped logger that stops reading (the pipe fills up, as a stalled disk
# would): with "AuditBodyLogOnFull drop" requests keep completing quickly,
# under event (queue) and prefork (no queue), and every record that found
# no room is counted on server-status (AuditBodyDropped) and reported in a
# rate-limited tagged line (AB10031). With the default (block) the workers
# end up waiting for the logger and the same load stalls: the control.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use AbSinkServer qw(start_server stop_server server_get);

my $mods = '/usr/lib/apache2/modules';
plan tests => 13,
    need { 'ab (apache2-utils) is needed' => sub { `ab -V 2>&1` =~ /ApacheBench/ } },
    need { 'mod_mpm_prefork is needed' => sub { -e "$mods/mod_mpm_prefork.so" } };

my $page = ('x' x 63 . "\n") x 128;     # 8 KiB
my %files = ('page.txt' => $page);
my $n = 400;

sub load {
    my ($srv, $m, $c, $timeout) = @_;
    my $t0 = time;
    my $out = `ab -q -n $n -c $c -s $timeout '$srv->{base}/page.txt?$m' 2>&1`;
    my ($done) = $out =~ /Complete requests:\s+(\d+)/;
    my ($failed) = $out =~ /Failed requests:\s+(\d+)/;
    my ($secs) = $out =~ /Time taken for tests:\s+([\d.]+)/;
    my ($longest) = $out =~ /100%\s+(\d+) \(longest request\)/;
    t_debug("ab: " . ($done // 'none') . " done in " . ($secs // '?')
            . " s, longest " . ($longest // '?') . " ms");
    return ($done // 0, $failed // -1, $longest // 999999);
}

sub dropped {
    my $srv = shift;
    my (undef, $body) = server_get($srv, '/status?auto', 5);
    return $body && $body =~ /AuditBodyDropped\([^)]*\): (\d+)/ ? $1 : -1;
}

my $common = <<'CONF';
AuditBody On
AuditBodyLog "|/bin/sleep 100000"
CONF

# event with a small queue
my $srv = start_server(mpm => 'event', files => \%files, conf => <<"CONF");
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MinSpareThreads 1
MaxSpareThreads 8
MaxRequestWorkers 8
AuditBodyLogBuffer 16K
AuditBodyLogOnFull drop
$common
CONF
ok t_cmp($srv->{up}, 1, 'event, drop: started');
my ($done, $failed, $secs) = load($srv, "full-event-$$", 4, 10);
ok t_cmp($done, $n, 'event, drop: every request completed');
ok t_cmp($failed, 0, 'event, drop: no failed request');
ok t_cmp($secs < 2000 ? 'fast' : "$secs ms", 'fast',
         'event, drop: no request waited for the logger (longest < 2 s)');
my $d = dropped($srv);
t_debug("event: $d dropped");
ok t_cmp($d > 100 && $d <= $n ? 'counted' : $d, 'counted',
         'event, drop: dropped records counted on server-status');
my @err = stop_server($srv);
my $lines = grep { /AB10031: .*record dropped/ } @err;
ok t_cmp($lines >= 1 && $lines <= 2 ? 'rate-limited' : $lines, 'rate-limited',
         'event, drop: one tagged line per 10 s');

# prefork: each request writes its own record
$srv = start_server(mpm => 'prefork', files => \%files, conf => <<"CONF");
StartServers 1
ServerLimit 1
MaxRequestWorkers 1
AuditBodyLogOnFull drop
$common
CONF
ok t_cmp($srv->{up}, 1, 'prefork, drop: started');
($done, $failed, $secs) = load($srv, "full-prefork-$$", 1, 10);
ok t_cmp($done, $n, 'prefork, drop: every request completed');
ok t_cmp($secs < 2000 ? 'fast' : "$secs ms", 'fast',
         'prefork, drop: no request waited for the logger (longest < 2 s)');
$d = dropped($srv);
t_debug("prefork: $d dropped");
ok t_cmp($d > 100 && $d <= $n ? 'counted' : $d, 'counted',
         'prefork, drop: dropped records counted on server-status');
stop_server($srv);

# control: the default blocks
$srv = start_server(mpm => 'event', files => \%files, conf => <<"CONF");
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MinSpareThreads 1
MaxSpareThreads 8
MaxRequestWorkers 8
AuditBodyLogBuffer 16K
$common
CONF
ok t_cmp($srv->{up}, 1, 'event, block: started');
($done) = load($srv, "full-block-$$", 4, 3);
ok t_cmp($done < $n ? 'stalled' : 'all done', 'stalled',
         'event, block (default): the load stalls behind the logger');
# end the stuck workers' wait: stop the logger (the parent's child)
if (open my $p, '<', "$srv->{dir}/logs/httpd.pid") {
    chomp(my $ppid = <$p> // '');
    for (`ps -o pid= -o args= --ppid $ppid`) {
        kill 'TERM', $1 if m{^\s*(\d+)\s+/bin/sleep 100000};
    }
}
@err = stop_server($srv);
ok t_cmp(scalar(grep { /AB10031/ } @err), 0, 'event, block: nothing dropped');
