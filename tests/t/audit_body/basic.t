# Small JSON GET and POST: the client gets the bytes intact and the record
# holds the whole bodies and the request metadata.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET POST);
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes sha256_hex);

plan tests => 27, need_module 'reflector';

my $file = Apache::Test::vars('documentroot') . '/ab/small.json';
my $expected = do { local $/; open my $fh, '<', $file or die; <$fh> };

# GET of a static 1 KiB JSON file.
my $m = marker('get');
my $res = GET "/ab/small.json?$m", 'X-Test' => 'yes';
ok t_cmp($res->code, 200, 'GET status');
ok t_cmp(sha256_hex($res->content), sha256_hex($expected), 'GET body intact');
my $rec = find_record($m);
ok $rec;
ok t_cmp($rec->{method}, 'GET', 'method');
ok t_cmp($rec->{status}, 200, 'status');
ok t_cmp($rec->{uri}, "/ab/small.json?$m", 'uri');
ok t_cmp($rec->{response}{state}, 'complete', 'response complete');
ok t_cmp($rec->{response}{captured_bytes}, 1024, 'captured all');
ok t_cmp($rec->{response}{total_bytes}, 1024, 'total');
ok t_cmp(body_bytes($rec, 'response'), $expected, 'response body in record');
ok t_cmp($rec->{request}{headers}{'X-Test'}, 'yes', 'request header');
ok t_cmp($rec->{request}{state}, 'none', 'no request body');

# POST echo of a 1 KiB JSON body.
$m = marker('post');
my $body = '{"k":"' . ('v' x 1015) . '"}';
$res = POST "/ab/echo?$m", content => $body,
    'Content-Type' => 'application/json';
ok t_cmp($res->code, 200, 'POST status');
ok t_cmp($res->content, $body, 'POST echo intact');
$rec = find_record($m);
ok t_cmp($rec->{request}{state}, 'complete', 'request complete');
ok t_cmp($rec->{request}{captured_bytes}, length $body, 'request captured');
ok t_cmp($rec->{request}{total_bytes}, length $body, 'request total');
ok t_cmp(body_bytes($rec, 'request'), $body, 'request body in record');
ok t_cmp(body_bytes($rec, 'response'), $body, 'response body in record');
ok t_cmp($rec->{request}{truncated} ? 'yes' : 'no', 'no', 'not truncated');
ok t_cmp($rec->{request}{content_type}, 'application/json', 'type');
ok $rec->{latency_us} >= 0 && defined $rec->{ttfb_us};

# Two requests on one keep-alive connection: one record each, each with
# its own bodies.
Apache::TestRequest::user_agent(reset => 1, keep_alive => 1);
my @m = (marker('ka1'), marker('ka2'));
for my $i (0, 1) {
    $res = POST "/ab/echo?$m[$i]", content => "{\"n\":$i}",
        'Content-Type' => 'application/json';
}
my @recs = map { find_record($_) } @m;
ok t_cmp($recs[0]{client}{port}, $recs[1]{client}{port}, 'same connection');
ok t_cmp(body_bytes($recs[0], 'request'), '{"n":0}', 'first request body');
ok t_cmp(body_bytes($recs[1], 'request'), '{"n":1}', 'second request body');
ok t_cmp(body_bytes($recs[0], 'response'), '{"n":0}', 'first response');
ok t_cmp(body_bytes($recs[1], 'response'), '{"n":1}', 'second response');
