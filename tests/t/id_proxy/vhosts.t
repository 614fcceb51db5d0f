# Each virtual host gets its own cached workers, with its own proxy
# settings (issue 11, finding 1): a keep-alive TLS connection made under
# vhost A's "SSLProxyVerify none" is never reused for vhost B, which
# requires a verified backend, and each vhost's ProxyTimeout applies to
# its own workers. A private worker-MPM server with one child, so every
# request meets the same cache; the TLS backend is the test server's
# mod_ssl vhost (its own certificate, which B cannot verify: no CA).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use IO::Socket::INET;
use JSON::XS ();
use LWP::UserAgent ();
use lib 't/lib';
use IdpTest qw(backend_port private_server stop_private_server);

plan tests => 12, need_module 'ssl';

my $cfg = Apache::Test::config();
my $tls = $cfg->{vhosts}{mod_ssl}{port};
my $bport = backend_port();
my $mods = '/usr/lib/apache2/modules';
my $json = JSON::XS->new->utf8;

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Listen => 1) or die "$!";
    my $p = $s->sockport;
    close $s;
    return $p;
}
my ($pa, $pb) = (free_port(), free_port());

my $srv = private_server('worker', <<"CONF");
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
LoadModule ssl_module $mods/mod_ssl.so
ServerLimit 1
StartServers 1
ThreadsPerChild 8
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 8
IdProxyMaxBackends 8
Listen 127.0.0.1:$pa
Listen 127.0.0.1:$pb
<VirtualHost 127.0.0.1:$pa>
    ServerName vhost-a
    SSLProxyEngine on
    SSLProxyVerify none
    SSLProxyCheckPeerName off
    SSLProxyCheckPeerExpire off
    ProxyTimeout 1
    IdProxyRoute /tls/ https://127.0.0.{id}:$tls/ab/
    IdProxyRoute /q/ http://127.0.0.{id}:$bport/svc/
    <Location "/idp-status">
        SetHandler id-proxy-status
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:$pb>
    ServerName vhost-b
    SSLProxyEngine on
    SSLProxyVerify require
    SSLProxyCheckPeerName off
    ProxyTimeout 10
    IdProxyRoute /tls/ https://127.0.0.{id}:$tls/ab/
    IdProxyRoute /q/ http://127.0.0.{id}:$bport/svc/
</VirtualHost>
CONF
ok t_cmp($srv->{up}, 1, 'server up');
my ($a, $b) = ("http://127.0.0.1:$pa", "http://127.0.0.1:$pb");
my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 20);

# TLS trust: A (no verification) works; B (verification required, no CA)
# must fail, even right after A left a verified-by-nobody connection idle
# in the cache.
my $r = $ua->get("$a/tls/hello.txt?id=1");
t_debug("A: " . $r->code . " " . $r->content);
ok t_cmp($r->code, 200, 'vhost A (SSLProxyVerify none) reaches the TLS backend');
$r = $ua->get("$b/tls/hello.txt?id=1");
t_debug("B: " . $r->code . " " . $r->content);
ok t_cmp($r->code >= 500 ? 1 : 0, 1,
         'vhost B (SSLProxyVerify require, no CA) is refused after A ('
         . $r->code . ')');
$r = $ua->get("$a/tls/hello.txt?id=1");
ok t_cmp($r->code, 200, 'A still served');
$r = $ua->get("$b/tls/hello.txt?id=1");
ok t_cmp($r->code >= 500 ? 1 : 0, 1, 'B still refused (' . $r->code . ')');

# ProxyTimeout: B's 10 s worker is made first; A's 1 s must still apply
# to A's own worker of the same backend.
$r = $ua->get("$b/q/slow?id=1&sleep_ms=2500");
ok t_cmp($r->code, 200, 'vhost B (ProxyTimeout 10) waits 2.5 s');
$r = $ua->get("$a/q/slow?id=1&sleep_ms=2500");
ok t_cmp($r->code, qr/^50[24]$/,
         'vhost A (ProxyTimeout 1) times out on the same backend');
$r = $ua->get("$b/q/slow?id=1&sleep_ms=2500");
ok t_cmp($r->code, 200, 'B unaffected');

my $st = $json->decode($ua->get("$a/idp-status?json")->content);
my %n;
$n{$_->{backend}}++ for @{ $st->{entries} };
t_debug(join ' ', map { "$_->{key}" } @{ $st->{entries} });
ok t_cmp($n{"https://127.0.0.1:$tls"}, 2, 'one TLS worker per vhost');
ok t_cmp($n{"http://127.0.0.1:$bport"}, 2, 'one HTTP worker per vhost');

my @lines = stop_private_server($srv);
t_debug(@lines);
ok t_cmp(scalar(grep { /IDP10013: id 1: backend http:\/\/127\.0\.0\.1:$bport failed \(status 50[24]\)/ } @lines), 1,
         'the timeout is logged once, for A');
ok t_cmp(scalar(grep { /signal|Segmentation|runtime error:|Sanitizer|\[(\w+:)?(crit|alert|emerg)\]/ } @lines), 0,
         'no crash');
