# A backend killed in the middle of a response, then restarted: the client
# sees a clean error (a short body on a closed connection, never a hang or
# another tenant's data), the id-proxy entry is neither leaked nor stuck,
# and the next requests succeed.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use lib 't/lib';
use IdpTest qw(ua get_json status);

plan tests => 9;

my $vars = Apache::Test::config()->{vars};
my $port = "1$vars->{port}";          # the /idp/down/ route's port

# A backend on 127.0.0.51 that answers $mode: "die" sends the headers and
# half the body, then exits; "ok" answers in full (and keeps serving).
sub backend {
    my $mode = shift;
    my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.51', LocalPort => $port,
                                    Listen => 5, ReuseAddr => 1) or die "listen: $!";
    my $pid = fork // die;
    if (!$pid) {
        while (my $c = $srv->accept) {
            while (my $l = <$c>) { last if $l eq "\r\n" }
            if ($mode eq 'die') {
                print $c "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                       . "Content-Length: 200000\r\n\r\n" . ('d' x 50000);
                $c->flush;
                sleep 0.2;
                exit 0;       # killed in the middle of the response
            }
            print $c "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                   . "Content-Length: 3\r\n\r\nok\n";
            close $c;
        }
        exit 0;
    }
    close $srv;
    return $pid;
}

my $ua = ua();
my $pid = backend('die');
my $t = time;
# A raw client, to see exactly what it gets on the wire.
my $c = IO::Socket::INET->new(PeerAddr => $vars->{servername},
                              PeerPort => $vars->{port}, Timeout => 10) or die;
print $c "GET /idp/down/k?id=51 HTTP/1.1\r\nHost: x\r\n\r\n";
my $raw = '';
$c->blocking(1);
eval {
    local $SIG{ALRM} = sub { die "timeout\n" };
    alarm 15;
    while (sysread($c, my $buf, 65536)) { $raw .= $buf }
    alarm 0;
};
close $c;
my $took = time - $t;
waitpid($pid, 0);
my ($head, $body) = split /\r\n\r\n/, $raw, 2;
$head //= ''; $body //= '';
t_debug("$head\n(" . length($body) . ' body bytes)');
ok t_cmp($took < 10, 1, 'no hang: the connection is closed (' . sprintf('%.1f', $took) . ' s)');
my $truncated;
if ($head =~ /^Content-Length:\s*(\d+)/mi) {
    $truncated = length($body) < $1;
}
elsif ($head =~ /^Transfer-Encoding:\s*chunked/mi) {
    $truncated = $body !~ /(^|\r\n)0\r\n\r\n$/;
}
else {
    $truncated = $head !~ /^HTTP\/1\.1 200/;
}
ok t_cmp($truncated ? 1 : 0, 1, 'the client can tell the response is incomplete');
(my $data = $body) =~ s/\r\n[0-9a-fA-F]+\r\n//g;       # drop chunk sizes
$data =~ s/^[0-9a-fA-F]+\r\n//;
ok t_cmp($data =~ /^d*(\r\n)?$/ ? 1 : 0, 1, 'and nothing but what the backend sent');
ok t_cmp(length($data) < 200000, 1, 'not the full body');

# The request's connection is gone (httpd closed it after the broken
# response), so ask the status on a new connection and make sure it is the
# child that served: the entry must be there with refs 0.
$pid = backend('ok');
my ($ok, $st, $e) = (0);
for (1 .. 20) {
    my $u = ua();
    my ($r) = get_json($u, '/idp/down/k?id=51');
    $ok++ if $r->code == 200 && $r->content eq "ok\n";
    $st = status($u);
    ($e) = grep { $_->{id} eq '51' } @{ $st->{entries} };
    last if $e && $e->{requests} >= 1;
}
ok t_cmp($ok >= 1, 1, 'after a restart the next request succeeds');
ok t_cmp($e ? 1 : 0, 1, 'the entry is in the cache');
ok t_cmp($e && $e->{refs}, 0, 'not leaked: refs 0');
ok t_cmp($e && $e->{state}, 'ready', 'not stuck: ready');
my ($r2) = get_json($ua = ua(), '/idp/down/k?id=51');
ok t_cmp($r2->code, 200, 'and the next one too');
kill 'TERM', $pid;
waitpid($pid, 0);
