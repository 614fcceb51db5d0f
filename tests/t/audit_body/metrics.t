# The server-wide counters: the Prometheus handler "audit-body-metrics"
# passes promtool, counts exactly the records written, and server-status
# (?auto) shows the same totals.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET GET_BODY);
use Time::HiRes qw(usleep);

use lib 't/lib';
use AuditTest qw(marker find_records);
use Metrics qw(metric promtool_check);

plan tests => 15;

my $res = GET '/ab-metrics';
ok t_cmp($res->code, 200, 'metrics: 200');
ok t_cmp($res->header('Content-Type'), qr{^text/plain; version=0\.0\.4},
         'metrics: Prometheus text format 0.0.4');
my $before = $res->content;
t_debug($before);

if (my ($rc, $out) = promtool_check($before)) {
    ok t_cmp($rc, 0, "promtool check metrics: $out");
}
else {
    skip('promtool (Debian package prometheus) not installed');
}
ok t_cmp($before =~ /^# TYPE audit_body_records_written_total counter$/m ? 1 : 0,
         1, 'metrics: records_written_total is a counter');

# The redaction counters are counters (other tests may have redacted).
for my $name (qw(audit_body_redacted_fields_total
                 audit_body_redaction_unparseable_total)) {
    ok t_cmp(($before =~ /^# TYPE \Q$name\E counter$/m ? 1 : 0)
             . ' ' . ((metric($before, $name) // 'missing') =~ /^\d+$/ ? 'n' : 'x'),
             '1 n', "metrics: $name is a counter");
}

my $a = metric($before, 'audit_body_records_written_total');
my $n = 25;
my $m = marker('metrics');
for my $i (1 .. $n) {
    GET_BODY "/ab/small.json?$m-$i";
}
# Records may wait in a child's queue for up to 50 ms.
my @recs;
for (1 .. 100) {
    @recs = find_records($m);
    last if @recs >= $n;
    usleep(50_000);
}
ok t_cmp(scalar(@recs), $n, 'every request has its record');
my $after = GET_BODY '/ab-metrics';
my $b = metric($after, 'audit_body_records_written_total');
ok t_cmp($b - $a, $n, 'records_written_total grew by the records written');
my $bytes_a = metric($before, 'audit_body_bytes_written_total');
my $bytes_b = metric($after, 'audit_body_bytes_written_total');
ok t_cmp($bytes_b > $bytes_a ? 1 : 0, 1, 'bytes_written_total grew');

# server-status is served by the ab_full virtual host.
Apache::TestRequest::module('ab_full');
my $auto = GET_BODY '/ab-status?auto';
Apache::TestRequest::module('default');
my ($total) = $auto =~ /^AuditBodyRecordsTotal: (\d+)$/m;
t_debug($auto);
ok t_cmp(defined $total && $total >= $b ? 1 : 0, 1,
         "server-status ?auto: AuditBodyRecordsTotal ($total) is the server-wide total ($b)");

# Redaction: a form echoed by the reflector has two redacted values each
# way; an invalid JSON body is left out (fail closed) each way.
my %red0 = map { $_ => metric(GET_BODY('/ab-metrics'), $_) }
    qw(audit_body_redacted_fields_total audit_body_redaction_unparseable_total);
my $mr = marker('metricsred');
Apache::TestRequest::POST("/ab/echo?$mr-f", content => 'password=a&token=b&x=1',
    'Content-Type' => 'application/x-www-form-urlencoded');
Apache::TestRequest::POST("/ab/echo?$mr-j", content => '{"a": nope}',
    'Content-Type' => 'application/json');
for (1 .. 100) {
    last if find_records("$mr-f") && find_records("$mr-j");
    usleep(50_000);
}
my $red = GET_BODY '/ab-metrics';
ok t_cmp(metric($red, 'audit_body_redacted_fields_total')
         - $red0{audit_body_redacted_fields_total}, 4,
         'redacted_fields_total grew by the values redacted');
ok t_cmp(metric($red, 'audit_body_redaction_unparseable_total')
         - $red0{audit_body_redaction_unparseable_total}, 2,
         'redaction_unparseable_total grew by the bodies left out');
Apache::TestRequest::module('ab_full');
$auto = GET_BODY '/ab-status?auto';
Apache::TestRequest::module('default');
ok t_cmp(($auto =~ /^AuditBodyRedactedFieldsTotal: (\d+)$/m)[0] // 'missing',
         metric($red, 'audit_body_redacted_fields_total'),
         'server-status ?auto: AuditBodyRedactedFieldsTotal');
ok t_cmp(($auto =~ /^AuditBodyRedactionUnparseableTotal: (\d+)$/m)[0] // 'missing',
         metric($red, 'audit_body_redaction_unparseable_total'),
         'server-status ?auto: AuditBodyRedactionUnparseableTotal');
ok t_cmp(Apache::TestRequest::POST('/ab-metrics', content => 'x')->code, 405,
         'metrics: POST is 405');
