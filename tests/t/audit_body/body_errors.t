# Finding 6 of issue 10: a request body refused by httpd (LimitRequestBody,
# bad chunking) is an error, not a client abort. The record shows the
# error page as what was sent (its type, the allow-list applied to it),
# and the request body gets state "error" with a reason.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(POST);
use IO::Socket::INET;
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes);

plan tests => 32, need_module 'reflector';

my $vars = Apache::Test::config()->{vars};
my $body = 'abcdefghijklmnopqrstuvwxy';      # 25 bytes, limit is 10

# A static JSON resource and the reflector, both behind LimitRequestBody 10.
for my $path ('/ab/lrb/data.json', '/ab/lrb/echo') {
    my $m = marker('lrb');
    my $res = POST "$path?$m", content => $body,
        'Content-Type' => 'application/json';
    ok t_cmp($res->code, 413, "$path: 413");
    ok t_cmp($res->content, qr/Request Entity Too Large/i,
             "$path: the error page was sent");
    my $rec = find_record($m);
    ok t_cmp($rec->{status}, 413, "$path: status recorded");
    ok t_cmp($rec->{aborted}, 0, "$path: not an abort");
    ok t_cmp($rec->{request}{state}, 'error', "$path: request state error");
    ok t_cmp($rec->{request}{error}, 'too-large', "$path: reason");
    ok t_cmp($rec->{response}{content_type}, qr{^text/html},
             "$path: the error page's type");
    ok t_cmp($rec->{response}{state}, 'complete', "$path: page complete");
    ok t_cmp(body_bytes($rec, 'response'), $res->content,
             "$path: the page as sent");
}

# Where only application/json is captured, the HTML error page is not
# (the allow-list is applied to what was sent).
my $m = marker('lrbtype');
my $res = POST "/ab/lrb/onlyjson/data.json?$m", content => $body,
    'Content-Type' => 'application/json';
ok t_cmp($res->code, 413, 'onlyjson: 413');
my $rec = find_record($m);
ok t_cmp($rec->{response}{skip_reason}, 'type',
         'onlyjson: the HTML page is outside the list');
ok t_cmp($rec->{response}{content_type}, qr{^text/html}, 'onlyjson: type');
ok t_cmp($rec->{request}{state}, 'error', 'onlyjson: request error');

# Bad chunking: 400, request state error, reason bad-request.
$m = marker('badchunk');
my $sock = IO::Socket::INET->new(PeerAddr => $vars->{servername},
                                 PeerPort => $vars->{port}, Timeout => 10)
    or die "connect: $!";
print $sock "POST /ab/hello.txt?$m HTTP/1.1\r\nHost: $vars->{servername}\r\n"
    . "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
    . "Connection: close\r\n\r\n5\r\nhello\r\nZZ\r\nbad\r\n0\r\n\r\n";
my $resp = do { local $/; <$sock> } // '';
close $sock;
ok t_cmp($resp, qr{^HTTP/1\.1 400}, 'bad chunk: 400');
$rec = find_record($m);
ok t_cmp($rec->{status}, 400, 'bad chunk: status');
ok t_cmp($rec->{aborted}, 0, 'bad chunk: not an abort');
ok t_cmp($rec->{request}{state}, 'error', 'bad chunk: request state');
ok t_cmp($rec->{request}{error}, 'bad-request', 'bad chunk: reason');

# A body that stops arriving: Timeout 2 in the abf_timeout virtual host.
# The state is "error" with reason "timeout", not an abort.
{
    Apache::TestRequest::module('abf_timeout');
    my $hostport = Apache::TestRequest::hostport();
    Apache::TestRequest::module('default');
    $m = marker('timeout');
    my $s = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 20)
        or die "connect $hostport: $!";
    print $s "POST /ab/hello.txt?$m HTTP/1.1\r\nHost: localhost\r\n"
        . "Content-Type: text/plain\r\nContent-Length: 100\r\n"
        . "Connection: close\r\n\r\n0123456789";
    my $r = do { local $/; <$s> } // '';
    close $s;
    ok t_cmp($r, qr{^HTTP/1\.1 408}, 'timeout: 408');
    $rec = find_record($m, log => AuditTest::audit_log(), timeout => 10);
    ok t_cmp($rec && $rec->{status}, 408, 'timeout: status');
    ok t_cmp($rec && $rec->{aborted}, 0, 'timeout: not an abort');
    ok t_cmp($rec && $rec->{request}{state}, 'error', 'timeout: state error');
    ok t_cmp($rec && $rec->{request}{error}, 'timeout', 'timeout: reason');
}
