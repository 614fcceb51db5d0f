# A real Prometheus server scrapes the audit-body-metrics and
# id-proxy-metrics handlers of an httpd whose load is spread over several
# children (prefork, each child one connection at a time): the values
# Prometheus reports for audit_body_records_written_total and for the
# routed requests (id_proxy cache hits + misses) equal the requests made.
# A private httpd (AbSinkServer, with its own backend virtual host) and a
# private Prometheus (Debian's package), all on 127.0.0.1.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::XS ();
use LWP::UserAgent;
use Time::HiRes qw(usleep);

use lib 't/lib';
use AbSinkServer qw(start_server stop_server free_port);

my $mods = '/usr/lib/apache2/modules';
my $prom = `command -v prometheus 2>/dev/null`;
chomp $prom;
plan tests => 8,
    need { 'prometheus (Debian package prometheus) is needed' => sub { $prom ne '' } },
    need { 'ab (apache2-utils) is needed' => sub { `ab -V 2>&1` =~ /ApacheBench/ } },
    need { 'mod_mpm_prefork is needed' => sub { -e "$mods/mod_mpm_prefork.so" } };

my $bport = free_port();
my $pport = free_port();
# The backend: the same server on a second port (routed requests take a
# frontend and a backend child each).
my $srv = start_server(mpm => 'prefork', idp => 1,
                       files => { 'r.json' => '{"ok":true}',
                                  'b.json' => '{"backend":true}' },
                       conf => <<"CONF");
StartServers 6
MinSpareServers 6
MaxSpareServers 12
MaxRequestWorkers 16
Listen 127.0.0.1:$bport
<VirtualHost 127.0.0.1:$bport>
    DocumentRoot "\@DIR\@/htdocs"
</VirtualHost>
IdProxyRoute /t/ http://127.0.0.{id}:$bport/ source=query:id
<Location "/idp-metrics">
    SetHandler id-proxy-metrics
</Location>
LogFormat "%P %U" pidlog
CustomLog logs/access.log pidlog
AuditBodyLog logs/audit.log
<Location "/r.json">
    AuditBody On
</Location>
<Location "/metrics">
    SetHandler audit-body-metrics
</Location>
CONF
my $dir = $srv->{dir};
my $port = $srv->{port};
mkdir "$dir/prom";

open my $pc, '>', "$dir/prometheus.yml" or die;
print $pc <<"YML";
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: audit_body
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$port']
  - job_name: id_proxy
    metrics_path: /idp-metrics
    static_configs:
      - targets: ['127.0.0.1:$port']
YML
close $pc;

my $ua = LWP::UserAgent->new(timeout => 5);
my $up = 0;
for (1 .. 50) {
    if ($ua->get("http://127.0.0.1:$port/metrics")->is_success) { $up = 1; last; }
    usleep(100_000);
}
ok t_cmp($up, 1, 'httpd (prefork, 6 children) answers');

my $ppid = fork();
die "fork: $!" unless defined $ppid;
if (!$ppid) {
    open STDOUT, '>', "$dir/prom/out.log";
    open STDERR, '>&', \*STDOUT;
    exec $prom, "--config.file=$dir/prometheus.yml",
        "--storage.tsdb.path=$dir/prom/data",
        "--web.listen-address=127.0.0.1:$pport";
    exit 127;
}

my $n = 400;
my $ab = `ab -q -n $n -c 4 'http://127.0.0.1:$port/r.json' 2>&1`;
my ($done) = $ab =~ /Complete requests:\s+(\d+)/;
ok t_cmp($done // 0, $n, 'every request completed');
my $nr = 200;
$ab = `ab -q -n $nr -c 4 'http://127.0.0.1:$port/t/b.json?id=1' 2>&1`;
my ($rdone) = $ab =~ /Complete requests:\s+(\d+)/;
my ($rfail) = $ab =~ /Failed requests:\s+(\d+)/;
my ($non2xx) = $ab =~ /Non-2xx responses:\s+(\d+)/;
t_debug($ab) if ($rfail // 1) || $non2xx;
ok t_cmp(($rdone // 0) == $nr && !$rfail && !$non2xx ? 1 : 0, 1,
         "every routed request completed with 200 ($nr)");

# Several children served the load (the access log's %P).
my %pids;
if (open my $al, '<', "$dir/logs/access.log") {
    while (<$al>) { $pids{$1}++ if m{^(\d+) /(r|t/b)\.json$}; }
    close $al;
}
t_debug(join ' ', map { "$_:$pids{$_}" } sort keys %pids);
ok t_cmp(scalar(keys %pids) >= 2 ? 1 : 0, 1,
         'the load was spread over ' . scalar(keys %pids) . ' children');

# Prometheus reports the server-wide total once it has scraped after the
# load (records of a prefork child are written by the request itself).
my $json = JSON::XS->new;
my ($value, $query_ok) = (undef, 0);
for (1 .. 150) {
    my $r = $ua->get("http://127.0.0.1:$pport/api/v1/query?query="
                     . "audit_body_records_written_total");
    if ($r->is_success) {
        my $d = eval { $json->decode($r->content) };
        my $res = $d && $d->{data} && $d->{data}{result};
        if ($res && @$res) {
            $query_ok = 1;
            $value = $res->[0]{value}[1];
            last if $value == $n;
        }
    }
    usleep(200_000);
}
ok t_cmp($query_ok, 1, 'Prometheus scraped the handler');

my $routed;
for (1 .. 100) {
    my $r = $ua->get("http://127.0.0.1:$pport/api/v1/query?query="
                     . "id_proxy_cache_hits_total%2Bid_proxy_cache_misses_total");
    if ($r->is_success) {
        my $d = eval { $json->decode($r->content) };
        my $res = $d && $d->{data} && $d->{data}{result};
        if ($res && @$res) {
            $routed = $res->[0]{value}[1];
            last if $routed == $nr;
        }
    }
    usleep(200_000);
}
ok t_cmp($routed // -1, $nr,
         'Prometheus: id_proxy hits + misses equal the routed requests');
ok t_cmp($value // -1, $n,
         'Prometheus: audit_body_records_written_total equals the requests made');

my $lines = 0;
if (open my $l, '<', "$dir/logs/audit.log") { $lines++ while <$l>; close $l; }
ok t_cmp($lines, $n, 'and the log holds that many records');

kill 'TERM', $ppid;
waitpid $ppid, 0;
stop_server($srv);
