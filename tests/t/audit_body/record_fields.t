# Record fields that the client must not choose and httpd knows: the vhost
# port is the server's, not the Host header's; total_bytes counts every
# byte of a CGI or proxied response past the cap; bytes that are not
# UTF-8 in the URI or a header can be recovered exactly from the record.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use IO::Socket::INET;
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes);
use MIME::Base64 qw(decode_base64);

plan tests => 22, need_module 'cgid', 'proxy_http';

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

# 9d: a 0xFF byte in the URI and in a header value (and a name).
$m = marker('rawbytes');
my $uri = "/ab/hello.txt?m=$m&x=\xff\xfe%41";
($status, $resp) = raw_request("GET $uri HTTP/1.1\r\n"
                               . "Host: $cfg->{servername}\r\n"
                               . "X-Raw: a\xffb\r\n"
                               . "X-Plain: yes\r\n"
                               . "Connection: close\r\n\r\n");
ok t_cmp($status, 200, 'a URI with 0xFF is served');
$rec = find_record($m);
ok $rec;
ok t_cmp($rec->{uri}, qr/x=\x{fffd}+%41$/, 'uri shows U+FFFD');
ok t_cmp(decode_base64($rec->{uri_b64} // ''), $uri,
         'uri_b64 holds the exact bytes of the URI');
my $raw = $rec->{request}{headers_b64} // [];
my %raw = map { decode_base64($_->[0]) => decode_base64($_->[1]) } @$raw;
ok t_cmp($raw{'X-Raw'}, "a\xffb",
         'headers_b64 holds the exact bytes of the header value');
ok t_cmp(scalar @$raw, 1, 'only the header that is not UTF-8');
ok t_cmp($rec->{request}{headers}{'X-Plain'}, 'yes', 'other headers as sent');
ok t_cmp($rec->{response}{headers_b64}, undef, 'response: nothing raw');
