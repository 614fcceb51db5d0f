# Streamed responses keep flowing: the first chunk of a 3 s stream reaches
# the client within 1 s (handler, CGI and proxied), and server-sent events
# are never captured.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes first_body_byte);

plan tests => 21, need_module 'cgid', 'proxy_http';

my $q = 'n=7&ms=500';
for my $case (['handler', "/ab/stream?$q"],
              ['cgi',     "/ab/cgi/stream.pl?$q"],
              ['proxied', "/ab/proxy/stream?$q"]) {
    my ($name, $path) = @$case;
    my $m = marker($name);
    my ($first, $total, $body, $status) = first_body_byte("$path&$m");
    t_debug("$name: first body byte after $first s, end after $total s");
    ok t_cmp($status, 200, "$name: status");
    ok $first < 1.0;
    ok $total >= 2.5;
    my $rec = find_record($m);
    ok t_cmp($rec->{response}{state}, 'complete', "$name: record complete");
    ok t_cmp(body_bytes($rec, 'response'), $body,
             "$name: record holds the streamed body");
}

# Server-sent events: flows, and the record says why nothing was copied.
my $m = marker('sse');
my ($first, $total, $body, $status) =
    first_body_byte("/ab/cgi/stream.pl?n=7&ms=500&type=text/event-stream&$m");
t_debug("sse: first body byte after $first s");
ok $first < 1.0;
ok t_cmp($body, qr/data: event 7/, 'sse: all events arrived');
my $rec = find_record($m);
ok t_cmp($rec->{response}{skip_reason}, 'event-stream', 'sse: skip reason');
ok !defined $rec->{response}{body};

# A text/plain stream asked for with Accept: text/event-stream: the
# response decides (issue 10, finding 2), so it is captured, and flows.
$m = marker('accept');
($first) = first_body_byte("/ab/stream?n=3&ms=300&$m",
                           Accept => 'text/event-stream');
$rec = find_record($m);
ok t_cmp($rec->{response}{skip_reason}, undef, 'accept: not skipped');
ok $first < 1.0;
