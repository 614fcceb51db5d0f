# The same routing, reuse and release under the prefork and worker MPMs
# (the suite's own server runs event): a private httpd per MPM, in front of
# the suite's idp_backend virtual host.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::XS ();
use LWP::UserAgent ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use IdpTest qw(backend_lines backend_port count_new_conns private_server
               stop_private_server);

my @mpms = qw(prefork worker);
plan tests => 9 * @mpms;

my $bport = backend_port();
my $json = JSON::XS->new->utf8;

for my $mpm (@mpms) {
    my $threads = $mpm eq 'worker'
        ? "ThreadsPerChild 8\nServerLimit 4\nMaxRequestWorkers 32\nMinSpareThreads 8\nMaxSpareThreads 32\n"
        : "MaxRequestWorkers 4\n";
    my $srv = private_server($mpm, <<"CONF");
StartServers 2
$threads
KeepAlive On
MaxKeepAliveRequests 0
IdProxyRoute /idp/q/ http://127.0.0.{id}:$bport/svc/
CONF
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 10);
    my $base = $srv->{base};
    ok t_cmp($srv->{up}, 1, "$mpm: server up");

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
    my @new = grep { /mpm=$mpm/ } (backend_lines($n0 + $n))[$n0 .. $n0 + $n - 1];
    ok t_cmp(scalar(@new), $n, "$mpm: the backends logged them all");
    ok t_cmp(count_new_conns(@new), 3, "$mpm: one backend connection per id");
    my $st = eval { $json->decode($ua->get("$base/idp-status?json")->content) };
    ok t_cmp(ref $st, 'HASH', "$mpm: status JSON");
    my @e = grep { $_->{id} =~ /^6[012]$/ } @{ $st->{entries} // [] };
    ok t_cmp(scalar(@e), 3, "$mpm: three entries");
    ok t_cmp(join(',', map { "$_->{requests}/$_->{connections_created}/$_->{refs}" } @e),
             '10/1/0,10/1/0,10/1/0', "$mpm: 10 requests, 1 connection, 0 refs each");

    my @log = stop_private_server($srv);
    ok t_cmp($srv->{stopped} ? 'stopped' : 'running', 'stopped', "$mpm: stopped");
    my @bad = grep { /\[(\w+:)?(error|crit|alert|emerg)\]|signal|Segmentation|runtime error:|Sanitizer/ } @log;
    t_debug(@bad);
    ok t_cmp(scalar(@bad), 0, "$mpm: no error in its error log");
}
