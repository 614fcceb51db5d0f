# IdProxyMetricsBackends: per-backend series for the N busiest backends,
# summed over the children of a prefork httpd. With N=2 and routed
# requests to three backends in known proportions (30, 20, 10), spread
# over several children, the two busiest appear with exact totals and
# the third does not; promtool accepts the output; with the directive
# left out (N=0) no per-backend series is printed.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Time::HiRes qw(usleep);

use lib 't/lib';
use AbSinkServer qw(start_server stop_server server_get free_port);
use Metrics qw(metric_with promtool_check);

my $mods = '/usr/lib/apache2/modules';
plan tests => 11,
    need { 'ab (apache2-utils) is needed' => sub { `ab -V 2>&1` =~ /ApacheBench/ } },
    need { 'mod_mpm_prefork is needed' => sub { -e "$mods/mod_mpm_prefork.so" } };

sub conf {
    my ($bport, $n) = @_;
    my $directive = defined $n ? "IdProxyMetricsBackends $n" : '';
    return <<"CONF";
StartServers 4
MinSpareServers 4
MaxSpareServers 8
MaxRequestWorkers 8
$directive
# The backends: this server on a second port, on every loopback address
# (127.0.0.1, .2 and .3 are three backends to mod_id_proxy).
Listen $bport
<VirtualHost *:$bport>
    DocumentRoot "\@DIR\@/htdocs"
</VirtualHost>
IdProxyRoute /t/ http://127.0.0.{id}:$bport/ source=query:id
<Location "/idp-metrics">
    SetHandler id-proxy-metrics
</Location>
LogFormat "%P %U %q" pidlog
CustomLog logs/access.log pidlog
CONF
}

sub series {
    my ($text, $name, $backend) = @_;
    return metric_with($text, $name, 'backend', $backend);
}

my $bport = free_port();
my $srv = start_server(mpm => 'prefork', idp => 1, conf => conf($bport, 2),
                       files => { 'b.json' => '{"backend":true}' });
ok t_cmp($srv->{up}, 1, 'httpd (prefork, IdProxyMetricsBackends 2) answers');

my %want = (1 => 30, 2 => 20, 3 => 10);
my $done = 0;
for my $id (sort keys %want) {
    my $out = `ab -q -n $want{$id} -c 3 '$srv->{base}/t/b.json?id=$id' 2>&1`;
    my ($c) = $out =~ /Complete requests:\s+(\d+)/;
    my ($non2xx) = $out =~ /Non-2xx responses:\s+(\d+)/;
    t_debug($out) if $non2xx;
    $done += $c // 0 unless $non2xx;
}
ok t_cmp($done, 60, 'every routed request answered 200');

# Several children served them (the access log's %P).
my %pids;
if (open my $al, '<', "$srv->{dir}/logs/access.log") {
    while (<$al>) { $pids{$1}++ if m{^(\d+) /t/b\.json \?id=}; }
    close $al;
}
t_debug(join ' ', map { "$_:$pids{$_}" } sort keys %pids);
ok t_cmp(scalar(keys %pids) >= 2 ? 1 : 0, 1,
         'the routed requests were spread over ' . scalar(keys %pids)
         . ' children');

# Each child copies its counts into shared memory after its next sweep
# (about a second); the serving child's own counts are always current.
my ($body, $b1, $b2, $b3) = ('');
for (1 .. 50) {
    (undef, $body) = server_get($srv, '/idp-metrics');
    $body //= '';
    $b1 = series($body, 'id_proxy_top_backend_requests_total', "http://127.0.0.1:$bport");
    $b2 = series($body, 'id_proxy_top_backend_requests_total', "http://127.0.0.2:$bport");
    last if ($b1 // 0) == 30 && ($b2 // 0) == 20;
    usleep(200_000);
}
t_debug($body);
ok t_cmp($b1 // 'missing', 30, 'the busiest backend: its exact total');
ok t_cmp($b2 // 'missing', 20, 'the second busiest: its exact total');
$b3 = series($body, 'id_proxy_top_backend_requests_total', "http://127.0.0.3:$bport");
ok t_cmp($b3 // 'absent', 'absent', 'the third backend is not shown (N=2)');
my @lines = $body =~ /^id_proxy_top_backend_requests_total\{/mg;
ok t_cmp(scalar(@lines), 2, 'exactly N per-backend request series');
ok t_cmp(series($body, 'id_proxy_top_backend_errors_total', "http://127.0.0.1:$bport") // 'missing',
         0, 'errors series of the busiest backend, at 0');
if (my ($rc, $out) = promtool_check($body)) {
    ok t_cmp($rc, 0, "promtool check metrics: $out");
}
else {
    skip('promtool (Debian package prometheus) not installed');
}
stop_server($srv);

# N=0 (the default): no per-backend series.
$bport = free_port();
$srv = start_server(mpm => 'prefork', idp => 1, conf => conf($bport, undef),
                    files => { 'b.json' => '{"backend":true}' });
`ab -q -n 10 -c 2 '$srv->{base}/t/b.json?id=1' 2>&1`;
(undef, $body) = server_get($srv, '/idp-metrics');
$body //= '';
ok t_cmp($body =~ /^id_proxy_cache_hits_total \d+$/m ? 1 : 0, 1,
         'N=0: the metrics are served');
ok t_cmp($body =~ /top_backend/ ? 'present' : 'absent', 'absent',
         'N=0: no per-backend series');
stop_server($srv);
