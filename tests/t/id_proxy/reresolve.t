# Cached workers re-resolve their host (issue 11, finding 4): by default
# every 30 s (IdProxyWorkerParams addressttl= overrides), so a tenant whose
# name moves to another address follows it, and a name that stops
# resolving stops receiving traffic (502, IDP10015) within addressttl.
# The resolver is one the test controls: a preloaded getaddrinfo()
# (t/bin/fake_resolver.c) answers names under .idp-resolve.test from a
# file the test rewrites. (A private /etc/hosts through a mount namespace
# needs root, and the suite runs as an unprivileged user.)
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use IO::Socket::INET;
use JSON::XS ();
use LWP::UserAgent ();
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep time);
use lib 't/lib';
use IdpTest qw(backend_port private_server stop_private_server);

my $cc = `sh -c 'command -v cc' 2>/dev/null`;
chomp $cc;
plan tests => 12, need { 'a C compiler (cc) builds the test resolver' => $cc ne '' };

my $vars = Apache::Test::config()->{vars};
my $bport = backend_port();
my $json = JSON::XS->new->utf8;
my $tmp = tempdir(CLEANUP => 1);
my $so = "$tmp/fake_resolver.so";
my $hosts = "$tmp/hosts";
system("$cc -shared -fPIC -o '$so' '$vars->{top_dir}/t/bin/fake_resolver.c' -ldl") == 0
    or die "cannot build the test resolver";
sub set_hosts {
    open my $fh, '>', "$hosts.new" or die;
    print $fh @_;
    close $fh;
    rename "$hosts.new", $hosts or die;
}
set_hosts("t1.idp-resolve.test 127.0.0.41\n");

my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                              Listen => 1) or die;
my $vport = $s->sockport;
close $s;
local $ENV{LD_PRELOAD} = $so;
local $ENV{IDP_FAKE_HOSTS} = $hosts;
my $srv = private_server('worker', <<"CONF");
ServerLimit 1
StartServers 1
ThreadsPerChild 8
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 8
IdProxyNegativeTTL 1
IdProxyRoute /d/ http://{id}.idp-resolve.test:$bport/svc/
Listen 127.0.0.1:$vport
<VirtualHost 127.0.0.1:$vport>
    IdProxyWorkerParams addressttl=2
    IdProxyRoute /r/ http://{id}.idp-resolve.test:$bport/svc/
</VirtualHost>
CONF
delete $ENV{LD_PRELOAD};
ok t_cmp($srv->{up}, 1, 'server up');
my $base = $srv->{base};
my $vbase = "http://127.0.0.1:$vport";
my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 10);

my $r = $ua->get("$vbase/r/x?id=t1");
ok t_cmp($r->code, 200, 'resolves through the test resolver');
ok t_cmp($r->content, qr/127\.0\.0\.41/, 'at its first address');
$r = $ua->get("$base/d/x?id=t1");
ok t_cmp($r->code, 200, 'the default route too');

my $st = $json->decode($ua->get("$base/idp-status?json")->content);
my %ttl = map { (split /\|/, $_->{key})[0] => $_->{address_ttl_s} } @{ $st->{entries} };
t_debug(join ' ', map { "$_=$ttl{$_}" } sort keys %ttl);
ok t_cmp($ttl{s0}, 30, 'a cached worker re-resolves every 30 s by default');
ok t_cmp($ttl{s1}, 2, 'addressttl=2 overrides it');

# The name moves: within addressttl (2 s, expiries aligned on 2 s) plus
# a margin, requests reach the new address.
set_hosts("t1.idp-resolve.test 127.0.0.42\n");
my $t0 = time;
my $moved = 0;
while (time - $t0 < 8) {
    $r = $ua->get("$vbase/r/x?id=t1");
    $moved = 1, last if $r->code == 200 && $r->content =~ /127\.0\.0\.42/;
    sleep 0.25;
}
my $dt = time - $t0;
t_debug("moved after $dt s");
ok t_cmp($moved, 1, 'the worker follows the new address');
ok t_cmp($dt < 4.5 ? 1 : 0, 1, "within addressttl ($dt s)");

# The name goes: traffic stops, with a 502.
set_hosts("");
$t0 = time;
my $code = 200;
while (time - $t0 < 8) {
    $code = $ua->get("$vbase/r/x?id=t1")->code;
    last if $code != 200;
    sleep 0.25;
}
$dt = time - $t0;
t_debug("stopped after $dt s with $code");
ok t_cmp($code, 502, "a name that stops resolving gets 502 ($dt s)");
ok t_cmp($ua->get("$vbase/r/x?id=t1")->code, 502, 'and keeps getting it');

my @lines = stop_private_server($srv);
t_debug(@lines);
ok t_cmp(scalar(grep { /IDP10015: id t1: t1\.idp-resolve\.test no longer resolves/ } @lines), 1,
         'the lost name is logged once (then admission refuses it)');
ok t_cmp(scalar(grep { /signal|Segmentation|runtime error:|Sanitizer|\[(\w+:)?(crit|alert|emerg)\]/ } @lines), 0,
         'no crash');
