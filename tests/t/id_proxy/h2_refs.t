# An idle HTTP/2 client cannot hold cache slots (issue 11, finding 2): a
# request's reference to its cached backend is dropped as soon as
# mod_proxy is done with the backend connection, not when the request's
# pool goes, which under HTTP/2 waits for the client to read the
# response. An h2c client (nghttp) opens streams to two tenants with a
# zero receive window, so their responses stay unsent; with
# IdProxyMaxBackends 2, a third tenant must still be admitted, and the
# status page must show both entries with refs 0 while the client waits.
# A WebSocket tunnel keeps its reference for its life: overflow.t.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::XS ();
use LWP::UserAgent ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use IdpTest qw(backend_port private_server stop_private_server);

my $nghttp = `sh -c 'command -v nghttp' 2>/dev/null`;
chomp $nghttp;
plan tests => 8, need need_module('http2'),
    { 'nghttp (Debian package nghttp2-client) is needed' => $nghttp ne '' };

my $bport = backend_port();
my $mods = '/usr/lib/apache2/modules';
my $json = JSON::XS->new->utf8;
my $srv = private_server('worker', <<"CONF");
LoadModule http2_module $mods/mod_http2.so
Protocols h2c http/1.1
ServerLimit 1
StartServers 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 16
IdProxyMaxBackends 2
IdProxyRoute /idp/q/ http://127.0.0.{id}:$bport/svc/
CONF
my ($dir, $base) = @$srv{qw(dir base)};
ok t_cmp($srv->{up}, 1, 'server up');
my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 20);
sub status { $json->decode($ua->get("$base/idp-status?json")->content) }

# Streams to tenants 80 and 81 whose responses the client never takes.
my $out = "$dir/nghttp.out";
my $pid = fork // die;
if (!$pid) {
    exec "exec timeout 30 $nghttp -v -w 0 '$base/idp/q/a?id=80' '$base/idp/q/b?id=81' >'$out' 2>&1";
}
my $s;
for (1 .. 50) {
    sleep 0.2;
    $s = status();
    last if $s->{entries_count} >= 2;
}
ok t_cmp($s->{entries_count}, 2, 'both tenants of the h2 client are cached');
sleep 0.5;
$s = status();
my %refs = map { $_->{id} => $_->{refs} } @{ $s->{entries} };
t_debug(join ' ', map { "$_=$refs{$_}" } sort keys %refs);
ok t_cmp($refs{80}, 0, 'tenant 80: no reference while the client holds the response');
ok t_cmp($refs{81}, 0, 'tenant 81: no reference while the client holds the response');

my $res = $ua->get("$base/idp/q/x?id=82");
t_debug($res->code . ' ' . $res->content);
ok t_cmp($res->code, 200, 'a new tenant is admitted (an idle entry is evicted)');
ok t_cmp($res->content, qr/127\.0\.0\.82/, 'from its own backend');

open my $fh, '<', $out;
my $trace = $fh ? do { local $/; <$fh> } : '';
ok t_cmp(scalar(() = $trace =~ /recv HEADERS frame <length=\d+, flags=0x04, stream_id=\d+>/g) >= 2 ? 1 : 0, 1,
         'the h2 client got both response headers (its streams were served, bodies held)');
kill 'TERM', $pid;
waitpid($pid, 0);

my @lines = stop_private_server($srv);
t_debug(@lines);
ok t_cmp(scalar(grep { /IDP10006|signal|Segmentation|runtime error:|Sanitizer|\[(\w+:)?(crit|alert|emerg)\]/ } @lines), 0,
         'no overflow, no crash');
