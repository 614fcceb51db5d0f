# A sink that cannot be written to never fails the request: the response
# is served, one tagged and rate-limited error line says records are lost.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestUtil qw(t_start_error_log_watch t_finish_error_log_watch);
use Apache::TestRequest qw(GET GET_BODY);

plan tests => 9, need_module 'status';

Apache::TestRequest::module('ab_full');
Apache::TestRequest::user_agent(reset => 1, keep_alive => 1);
t_start_error_log_watch();
for my $i (1 .. 3) {
    my $res = GET "/ab/hello.txt?full-$i";
    ok t_cmp($res->code, 200, "request $i served");
    ok t_cmp($res->content, "hello, audit\n", "request $i body");
}
sleep 1;
my @lines = grep { /AB10007/ } t_finish_error_log_watch();
t_debug(@lines);
# three failed writes on one connection (one child): one line only
ok t_cmp(scalar(@lines), 1, 'one tagged error line (rate-limited)');

# The counter of the child that served them (same keep-alive connection).
my $status = GET_BODY '/ab-status?auto';
t_debug($status);
my ($lost) = $status =~ m{^AuditBodyLost\(/dev/full\): (\d+)$}m;
ok t_cmp($lost, 3, 'status: three records lost in this child');
if (Apache::Test::vars('defines') =~ /\bAB_(?:UNBATCHED|PREFORK)\b/) {
    # AuditBodyLogBuffer 0, or prefork (no writer thread in a child that
    # serves one request at a time): each request wrote its own record
    my ($batches) = $status =~ m{^AuditBodyBatches\(/dev/full\): (\d+)$}m;
    ok t_cmp($batches, 0, 'status: no queue (AuditBodyLogBuffer 0)');
}
else {
    # they went through this child's queue (event MPM): one to three writes
    my ($batches) = $status =~ m{^AuditBodyBatches\(/dev/full\): (\d+)$}m;
    ok t_cmp($batches, qr/^[123]$/, 'status: written by the queue\'s writer');
}
