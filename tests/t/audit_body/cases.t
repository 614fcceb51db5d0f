# Skips, encodings, error pages, HTTP/2, masking and the odd handlers.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET GET_BODY POST);
use IO::Socket::INET;
use Time::HiRes qw(usleep);
use lib 't/lib';
use AuditTest qw(marker find_record find_records body_bytes sha256_hex);

plan tests => 53, need_module 'deflate', 'cgid', 'http2';

my $vars = Apache::Test::config()->{vars};
my $base = "http://$vars->{servername}:$vars->{port}";
my $docs = $vars->{documentroot};
sub slurp { local $/; open my $f, '<', shift or die; binmode $f; <$f> }

# A download (Content-Disposition: attachment) is not captured.
my $m = marker('dl');
my $res = GET "/ab/cgi/download.pl?$m";
ok t_cmp($res->content, "id,name\n1,alpha\n2,beta\n", 'download intact');
my $rec = find_record($m);
ok t_cmp($rec->{response}{skip_reason}, 'attachment', 'download skipped');
ok t_cmp($rec->{response}{state}, 'skipped', 'download state');
ok !defined $rec->{response}{body};

# application/octet-stream is not captured; the size is still recorded.
$m = marker('octet');
$res = GET "/ab/data.bin?$m";
ok t_cmp(length $res->content, 4096, 'octet-stream intact');
$rec = find_record($m);
ok t_cmp($rec->{response}{skip_reason}, 'octet-stream', 'octet skipped');
ok t_cmp($rec->{response}{total_bytes}, 4096, 'octet total');

# A text body holding NUL and invalid UTF-8 is recorded as base64.
$m = marker('bin');
$res = GET "/ab/binary.txt?$m";
my $bin = slurp("$docs/ab/binary.txt");
ok t_cmp($res->content, $bin, 'binary intact');
$rec = find_record($m);
ok t_cmp($rec->{response}{body_encoding}, 'base64', 'binary as base64');
ok t_cmp(body_bytes($rec, 'response'), $bin, 'base64 decodes to the bytes');

# Valid multi-byte UTF-8 stays text.
$m = marker('utf8');
$res = GET "/ab/utf8.txt?$m";
$rec = find_record($m);
ok t_cmp($rec->{response}{body_encoding}, 'text', 'utf-8 as text');
ok t_cmp(body_bytes($rec, 'response'), slurp("$docs/ab/utf8.txt"),
         'utf-8 body exact');

# mod_deflate compresses for the client; the record holds the plain body.
$m = marker('deflate');
my $big = slurp("$docs/ab/small.json");
my $plain_file = "$docs/ab/deflate/data.json";
mkdir "$docs/ab/deflate";
open my $fh, '>', $plain_file or die; print $fh $big; close $fh;
$res = GET "/ab/deflate/data.json?$m", 'Accept-Encoding' => 'gzip';
ok t_cmp($res->header('Content-Encoding'), 'gzip', 'client got gzip');
ok t_cmp($res->decoded_content(charset => 'none'), $big, 'gzip inflates');
$rec = find_record($m);
ok t_cmp(body_bytes($rec, 'response'), $big, 'record uncompressed');
ok !defined $rec->{response}{content_encoding};
ok t_cmp($rec->{response}{headers}{'Content-Encoding'}, 'gzip',
         'record shows what the client got');

# HEAD: headers only, nothing to capture.
$m = marker('head');
$res = Apache::TestRequest::HEAD("/ab/small.json?$m");
ok t_cmp($res->code, 200, 'HEAD');
$rec = find_record($m);
ok t_cmp($rec->{response}{skip_reason}, 'no-body', 'HEAD skipped');
ok t_cmp($rec->{method}, 'HEAD', 'HEAD recorded');

# A range request still gets exactly its range.
$m = marker('range');
$res = GET "/ab/small.json?$m", Range => 'bytes=2-11';
ok t_cmp($res->code, 206, 'range: 206');
ok t_cmp($res->content, substr(slurp("$docs/ab/small.json"), 2, 10),
         'range: the bytes asked for');
$rec = find_record($m);
ok t_cmp($rec->{status}, 206, 'range: recorded');

# A 404 made by httpd itself.
$m = marker('404');
$res = GET "/ab/does-not-exist?$m";
ok t_cmp($res->code, 404, '404');
$rec = find_record($m);
ok t_cmp($rec->{status}, 404, '404 recorded');
ok t_cmp(body_bytes($rec, 'response'), $res->content, '404 page captured');
ok t_cmp($rec->{response}{state}, 'complete', '404 complete');

# A 401 from mod_auth_basic (ap_die before any handler), then the user.
$m = marker('401');
$res = GET "/ab/auth/hello.txt?$m", Authorization => 'Basic Zm9vOmJhcg==';
ok t_cmp($res->code, 401, '401');
$rec = find_record($m);
ok t_cmp($rec->{status}, 401, '401 recorded');
ok t_cmp($rec->{request}{headers}{Authorization}, '***', 'auth masked');
$m = marker('user');
$res = GET "/ab/auth/hello.txt?$m",
    Authorization => 'Basic YWxpY2U6c2VjcmV0';
ok t_cmp($res->code, 200, 'authenticated');
$rec = find_record($m);
ok t_cmp($rec->{user}, 'alice', 'user recorded');

# Masking: defaults plus X-Secret, Cookie unmasked in /ab/masked/.
$m = marker('mask');
$res = GET "/ab/hello.txt?$m", Cookie => 'sid=abc', 'X-Secret' => 's3';
$rec = find_record($m);
ok t_cmp($rec->{request}{headers}{Cookie}, '***', 'cookie masked');
ok t_cmp($rec->{request}{headers}{'X-Secret'}, 's3', 'x-secret kept');
$m = marker('mask2');
mkdir "$docs/ab/masked";
open $fh, '>', "$docs/ab/masked/a.txt" or die; print $fh "a\n"; close $fh;
$res = GET "/ab/masked/a.txt?$m", Cookie => 'sid=abc', 'X-Secret' => 's3';
$rec = find_record($m);
ok t_cmp($rec->{request}{headers}{Cookie}, 'sid=abc', 'cookie unmasked');
ok t_cmp($rec->{request}{headers}{'X-Secret'}, '***', 'x-secret masked');

# AuditBody Off in an inner Location: no record.
$m = marker('off');
mkdir "$docs/ab/off";
open $fh, '>', "$docs/ab/off/a.txt" or die; print $fh "a\n"; close $fh;
$res = GET "/ab/off/a.txt?$m";
ok t_cmp($res->code, 200, 'off: served');
sleep 1;
ok t_cmp(scalar(find_records($m)), 0, 'off: no record');

# HTTP/2 over cleartext (prior knowledge), with a request body.
$m = marker('h2c');
my $out = `curl -s --http2-prior-knowledge -H 'Content-Type: application/json' --data-binary '{"h2":true}' '$base/ab/cgi/echo.pl?$m' -w ' %{http_version}'`;
ok t_cmp($out, '{"h2":true} 2', 'h2c echo');
$rec = find_record($m);
ok t_cmp($rec->{protocol}, 'HTTP/2.0', 'h2c protocol');
ok t_cmp(body_bytes($rec, 'request'), '{"h2":true}', 'h2c request body');
ok t_cmp(body_bytes($rec, 'response'), '{"h2":true}', 'h2c response body');

# HTTP/2 without Content-Length (body from a pipe): the input filter is
# only added for requests that announce a body, and mod_http2 announces
# this one with Transfer-Encoding: chunked.
$m = marker('h2c-nocl');
$out = `printf '{"h2":"nocl"}' | curl -s --http2-prior-knowledge -X POST -H 'Content-Type: application/json' -T - '$base/ab/cgi/echo.pl?$m' -w ' %{http_version}'`;
ok t_cmp($out, '{"h2":"nocl"} 2', 'h2c echo without Content-Length');
$rec = find_record($m);
ok t_cmp(body_bytes($rec, 'request'), '{"h2":"nocl"}',
         'h2c request body without Content-Length');

# A handler that never reads the body: httpd discards it after the
# response, and the record says what was read.
$m = marker('noread');
my $body = '{"x":"' . ('y' x 2000) . '"}';
$res = POST "/ab/noread?$m", content => $body,
    'Content-Type' => 'application/json';
ok t_cmp($res->content, "noread\n", 'noread answered');
$rec = find_record($m);
ok t_cmp($rec->{request}{total_bytes} <= length $body ? 1 : 0, 1,
         'noread: never more than was sent');
ok t_cmp($rec->{request}{state},
         qr/^(complete|incomplete)$/, 'noread: state');
ok t_cmp(length(body_bytes($rec, 'request') // ''),
         $rec->{request}{captured_bytes}, 'noread: body matches count');

# The client aborts in the middle of an upload.
$m = marker('abort');
my $sock = IO::Socket::INET->new(PeerAddr => $vars->{servername},
                                 PeerPort => $vars->{port}) or die;
print $sock "POST /ab/echo?$m HTTP/1.1\r\nHost: x\r\n"
          . "Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
          . ('z' x 5000);
usleep(300_000);
close $sock;
$rec = find_record($m, timeout => 10);
ok $rec;
ok t_cmp($rec->{request}{state}, 'aborted', 'abort: request state');
ok t_cmp($rec->{aborted} ? 1 : 0, 1, 'abort: aborted flag');
ok t_cmp($rec->{request}{total_bytes}, 5000, 'abort: bytes received');
ok t_cmp(body_bytes($rec, 'request'), 'z' x 5000, 'abort: what came');
