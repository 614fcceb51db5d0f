# Finding 2 of issue 10: what is left out of the record follows what
# happens on the wire, not what a request header asks for. An Upgrade that
# is not answered with 101, an Accept naming text/event-stream, and a
# request Content-Disposition: attachment all leave capture on.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET POST);
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes);

plan tests => 12, need_module 'reflector';

my $docs = Apache::Test::config()->{vars}{documentroot};
sub slurp { local $/; open my $f, '<', shift or die; binmode $f; <$f> }

# Upgrade: foo on a POST answered 200: the body is captured.
my $m = marker('upg');
my $body = '{"user":"bob","upgrade":"no"}';
my $res = POST "/ab/echo?$m", content => $body,
    'Content-Type' => 'application/json', Upgrade => 'foo',
    Connection => 'Upgrade';
ok t_cmp($res->code . ' ' . $res->content, "200 $body", 'upgrade: echoed');
my $rec = find_record($m);
ok t_cmp($rec->{request}{state}, 'complete', 'upgrade: request complete');
ok t_cmp(body_bytes($rec, 'request'), $body, 'upgrade: request captured');
ok t_cmp($rec->{request}{skip_reason}, undef, 'upgrade: no skip reason');

# Accept naming text/event-stream does not make a JSON response a stream.
$m = marker('accept');
my $json = slurp("$docs/ab/small.json");
$res = GET "/ab/small.json?$m",
    Accept => 'application/json, text/event-stream';
ok t_cmp($res->content, $json, 'accept: JSON served');
$rec = find_record($m);
ok t_cmp($rec->{response}{state}, 'complete', 'accept: response complete');
ok t_cmp(body_bytes($rec, 'response'), $json, 'accept: response captured');
ok t_cmp($rec->{response}{skip_reason}, undef, 'accept: no skip reason');

# A request Content-Disposition: attachment does not hide the request body.
$m = marker('reqcd');
$body = 'user=bob&password=hunter2';
$res = POST "/ab/echo?$m", content => $body,
    'Content-Type' => 'application/x-www-form-urlencoded',
    'Content-Disposition' => 'attachment; filename="x.csv"';
ok t_cmp($res->content, $body, 'request attachment: echoed');
$rec = find_record($m);
ok t_cmp($rec->{request}{state}, 'complete', 'request attachment: complete');
ok t_cmp(body_bytes($rec, 'request'), 'user=bob&password=***',
         'request attachment: captured (and redacted)');
ok t_cmp($rec->{request}{skip_reason}, undef,
         'request attachment: no skip reason');
