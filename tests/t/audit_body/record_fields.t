# Record fields that the client must not choose and httpd knows: the vhost
# port is the server's, not the Host header's; total_bytes counts every
# byte of a CGI or proxied response past the cap.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use IO::Socket::INET;
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes);

plan tests => 14, need_module 'cgid', 'proxy_http';

my $cfg = Apache::Test::config()->{vars};

# Send a raw request; returns the status line and the whole response.
sub raw_request {
    my $req = shift;
    my $sock = IO::Socket::INET->new(PeerAddr => $cfg->{servername},
                                     PeerPort => $cfg->{port},
                                     Timeout => 30) or die "connect: $!";
    binmode $sock;
    print $sock $req;
    my $resp = '';
    while (sysread($sock, my $buf, 65536)) {
        $resp .= $buf;
    }
    close $sock;
    my ($status) = $resp =~ m{^HTTP/\S+ (\d+)};
    return ($status // 0, $resp);
}

# 9b: a client's Host port is not the server's port.
my $m = marker('vhost');
my ($status, $resp) = raw_request("GET /ab/hello.txt?$m HTTP/1.1\r\n"
                                  . "Host: localhost:1\r\n"
                                  . "Connection: close\r\n\r\n");
ok t_cmp($status, 200, 'Host: localhost:1 is served');
my $rec = find_record($m);
ok $rec;
t_debug("vhost: " . ($rec->{vhost} // 'null'));
ok t_cmp(($rec->{vhost} // '') =~ /:(\d+)$/ ? $1 : 'none', $cfg->{port},
         'vhost port is the port the server listens on');
ok t_cmp($rec->{request}{headers}{Host}, 'localhost:1',
         'the Host header is still recorded as sent');

# 9c: a CGI response longer than the cap (50 lines of 11 bytes).
$m = marker('cgitotal');
my $res = GET "/ab/rec/cgi100/stream.pl?n=50&ms=0&m=$m";
ok t_cmp($res->code, 200, 'CGI status');
ok t_cmp(length $res->content, 550, 'client got the whole CGI body');
$rec = find_record($m);
ok $rec;
ok t_cmp($rec->{response}{captured_bytes}, 100, 'record holds the cap');
ok t_cmp($rec->{response}{total_bytes}, 550,
         'total_bytes counts every byte the CGI sent');
ok t_cmp($rec->{response}{truncated} ? 1 : 0, 1, 'truncated');

# 9c: a proxied response longer than the cap (streamed, no length).
$m = marker('proxytotal');
$res = GET "/ab/rec/proxy100/stream?n=20&ms=0&size=64&m=$m";
ok t_cmp($res->code, 200, 'proxied status');
my $got = length $res->content;
$rec = find_record($m);
ok $rec;
ok t_cmp($rec->{response}{captured_bytes}, 100, 'proxied: cap');
ok t_cmp($rec->{response}{total_bytes}, $got,
         'proxied: total_bytes is what the client got');
