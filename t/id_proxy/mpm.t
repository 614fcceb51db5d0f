# The same routing, reuse and release under the prefork and worker MPMs
# (the suite's own server runs event): a private httpd per MPM, in front of
# the suite's idp_backend virtual host.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::XS ();
use LWP::UserAgent ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use IdpTest qw(backend_lines backend_port count_new_conns);

my @mpms = qw(prefork worker);
plan tests => 9 * @mpms;

my $vars = Apache::Test::config()->{vars};
my $so = "$vars->{serverroot}/../mod_id_proxy/.libs/mod_id_proxy.so";
my $mods = '/usr/lib/apache2/modules';
my $bport = backend_port();
my $json = JSON::XS->new->utf8;

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Listen => 1) or die "$!";
    my $p = $s->sockport;
    close $s;
    return $p;
}

for my $mpm (@mpms) {
    my $dir = tempdir(CLEANUP => 1);
    mkdir "$dir/logs";
    my $port = free_port();
    my $threads = $mpm eq 'worker'
        ? "ThreadsPerChild 8\nServerLimit 4\nMaxRequestWorkers 32\nMinSpareThreads 8\nMaxSpareThreads 32\n"
        : "MaxRequestWorkers 4\n";
    open my $fh, '>', "$dir/httpd.conf" or die;
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile logs/httpd.pid
ErrorLog logs/error_log
LogLevel warn
DefaultRuntimeDir logs
LoadModule mpm_${mpm}_module $mods/mod_mpm_${mpm}.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule id_proxy_module "$so"
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
StartServers 2
$threads
KeepAlive On
MaxKeepAliveRequests 0
IdProxyRoute /idp/q/ http://127.0.0.{id}:$bport/svc/
<Location "/idp-status">
    SetHandler id-proxy-status
</Location>
CONF
    close $fh;
    my $out = `$vars->{httpd} -d '$dir' -f '$dir/httpd.conf' -k start 2>&1`;
    t_debug($out);
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 10);
    my $base = "http://127.0.0.1:$port";
    my $up = 0;
    for (1 .. 50) { $up = 1, last if $ua->get("$base/idp-status?json")->code == 200; sleep 0.1 }
    ok t_cmp($up, 1, "$mpm: server up");

    my $n0 = scalar(my @x = backend_lines());
    my ($ok, $n) = (0, 0);
    for my $round (1 .. 10) {
        for my $id (60, 61, 62) {
            my $res = $ua->get("$base/idp/q/m?id=$id&mpm=$mpm");
            $n++;
            $ok++ if $res->code == 200 && $res->content =~ /"addr":"127\.0\.0\.$id"/;
        }
    }
    ok t_cmp($ok, $n, "$mpm: $n requests, each from its own backend");
    my @new = grep { /mpm=$mpm/ } (backend_lines())[$n0 .. $n0 + $n - 1];
    ok t_cmp(scalar(@new), $n, "$mpm: the backends logged them all");
    ok t_cmp(count_new_conns(@new), 3, "$mpm: one backend connection per id");
    my $st = eval { $json->decode($ua->get("$base/idp-status?json")->content) };
    ok t_cmp(ref $st, 'HASH', "$mpm: status JSON");
    my @e = grep { $_->{id} =~ /^6[012]$/ } @{ $st->{entries} // [] };
    ok t_cmp(scalar(@e), 3, "$mpm: three entries");
    ok t_cmp(join(',', map { "$_->{requests}/$_->{connections_created}/$_->{refs}" } @e),
             '10/1/0,10/1/0,10/1/0', "$mpm: 10 requests, 1 connection, 0 refs each");

    $out = `$vars->{httpd} -d '$dir' -f '$dir/httpd.conf' -k stop 2>&1`;
    for (1 .. 100) { last unless -e "$dir/logs/httpd.pid"; sleep 0.1 }
    ok t_cmp(-e "$dir/logs/httpd.pid" ? 'running' : 'stopped', 'stopped', "$mpm: stopped");
    open my $el, '<', "$dir/logs/error_log" or die;
    my @bad = grep { /\[(\w+:)?(error|crit|alert|emerg)\]|signal|Segmentation|runtime error:|Sanitizer/ } <$el>;
    t_debug(@bad);
    ok t_cmp(scalar(@bad), 0, "$mpm: no error in its error log");
}
