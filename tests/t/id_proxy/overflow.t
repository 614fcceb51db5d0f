# A full cache whose entries are all in use (a WebSocket tunnel and a slow
# request) answers a new backend with 503 and a tagged line, never tears
# down the entries in use, and serves the new backend once one is idle.
# A private worker-MPM server with one child, so there is one cache.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::XS ();
use LWP::UserAgent ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use IdpTest qw(backend_port private_server stop_private_server);

plan tests => 12;

my $vars = Apache::Test::config()->{vars};
my $top = $vars->{top_dir};
my $bport = backend_port();
my $json = JSON::XS->new->utf8;
my $srv = private_server('worker', <<"CONF");
ServerLimit 1
StartServers 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 16
IdProxyMaxBackends 2
IdProxyWorkerParams upgrade=websocket
IdProxyRoute /idp/q/ http://127.0.0.{id}:$bport/svc/
IdProxyRoute /idp/ws/ http://127.0.0.{id}:$bport/ws
CONF
my ($dir, $port, $base) = @$srv{qw(dir port base)};
my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 20);
ok t_cmp($srv->{up}, 1, 'server up');
sub status { $json->decode($ua->get("$base/idp-status?json")->content) }

my $ws_out = "$dir/ws.out";
my $ws = fork // die;
if (!$ws) {
    exec "python3 $top/t/bin/ws_client.py --hold=4 'ws://127.0.0.1:$port/idp/ws/?id=70' hi >'$ws_out' 2>&1";
}
my $slow = fork // die;
if (!$slow) {
    my $r = LWP::UserAgent->new(timeout => 20)->get("$base/idp/q/slow?id=71&sleep_ms=3000");
    exit($r->code == 200 && $r->content =~ /127\.0\.0\.71/ ? 0 : 1);
}
sleep 1.2;
my $s1 = status();
my %refs = map { $_->{id} => $_->{refs} } @{ $s1->{entries} };
ok t_cmp($refs{70}, 1, 'the WebSocket tunnel holds its entry');
ok t_cmp($refs{71}, 1, 'the slow request holds its entry');

my $t = time;
my $res = $ua->get("$base/idp/q/x?id=72");
ok t_cmp($res->code, 503, 'full and all in use: 503');
my $s2 = status();
ok t_cmp($s2->{totals}{overflows} - $s1->{totals}{overflows}, 1, 'overflow counted');
ok t_cmp($s2->{entries_count}, 2, 'still 2 entries');

waitpid($slow, 0);
ok t_cmp($? >> 8, 0, 'the slow request completed from its backend');
waitpid($ws, 0);
ok t_cmp($? >> 8, 0, 'the tunnel was never torn down (every echo matched)');
open my $wo, '<', $ws_out or die;
my $wtext = do { local $/; <$wo> };
t_debug($wtext);
ok t_cmp($wtext, qr/^after-hold$/m, 'echo after the hold');

$res = $ua->get("$base/idp/q/x?id=72");
ok t_cmp($res->code == 200 && $res->content =~ /127\.0\.0\.72/ ? 1 : 0, 1,
         'once idle, an entry is evicted for the new backend');

my @lines = stop_private_server($srv);
t_debug(@lines);
ok t_cmp(scalar(grep { /IDP10006: id 72: all 2 cached backends are in use/ } @lines), 1,
         'tagged overflow line');
ok t_cmp(scalar(grep { /signal|Segmentation|runtime error:|Sanitizer|\[(\w+:)?(crit|alert|emerg)\]/ } @lines), 0,
         'no crash');
