# What a record keeps, decided in the logging phase (issue 13):
# AuditBodyKeepBodies on the final status, the latency and the time to
# first byte (the variables AUDIT_BODY_LATENCY_MS, AUDIT_BODY_TTFB_MS);
# AuditBodyCondition leaving health checks out. The client always gets
# every byte; a record that keeps no body still has its sizes.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET POST GET_BODY);
use Time::HiRes qw(usleep);
use lib 't/lib';
use AuditTest qw(marker find_record find_records body_bytes);
use Metrics qw(metric);

plan tests => 26, need_module 'cgid';

my $json = '{"order":42,"note":"a request body"}';

sub post {
    my ($path, $m) = @_;
    my $res = POST "$path&m=$m", content => $json,
        'Content-Type' => 'application/json';
    return ($res, find_record($m, timeout => 10));
}

# KeepBodies: a 200 loses its bodies, a 500 keeps them, a slow 200 too.
{
    my ($res, $rec) = post('/ab/keep/err/status.pl?code=200', marker('k200'));
    ok t_cmp($res->code, 200, '200: status');
    ok t_cmp($res->content, qr/"read":36/, '200: the CGI read the whole body');
    ok $rec;
    ok t_cmp($rec->{request}{state}, 'not-kept', '200: request not kept');
    ok t_cmp($rec->{response}{state}, 'not-kept', '200: response not kept');
    ok t_cmp($rec->{request}{body}, undef, '200: no request body');
    ok t_cmp($rec->{request}{total_bytes}, length $json, '200: size still counted');
    ok t_cmp($rec->{response}{total_bytes}, length $res->content,
             '200: response size still counted');

    ($res, $rec) = post('/ab/keep/err/status.pl?code=500', marker('k500'));
    ok t_cmp($res->code, 500, '500: status');
    ok $rec;
    ok t_cmp($rec->{request}{state}, 'complete', '500: request kept');
    ok t_cmp(body_bytes($rec, 'request'), $json, '500: request body');
    ok t_cmp(body_bytes($rec, 'response'), $res->content, '500: response body');

    ($res, $rec) = post('/ab/keep/err/status.pl?code=200&ms=1200', marker('kslow'));
    ok t_cmp($res->code, 200, 'slow: status');
    ok $rec;
    ok t_cmp($rec->{latency_us} >= 1_000_000 ? 1 : 0, 1, 'slow: latency over 1 s');
    ok t_cmp($rec->{response}{state}, 'complete', 'slow 200: kept by latency');
}

# TTFB: the CGI waits before its first byte.
{
    my ($res, $rec) = post('/ab/keep/ttfb/status.pl?code=200&ms=800', marker('tslow'));
    ok t_cmp($rec->{response}{state}, 'complete', 'late first byte: kept');
    ($res, $rec) = post('/ab/keep/ttfb/status.pl?code=200', marker('tfast'));
    ok t_cmp($rec->{response}{state}, 'not-kept', 'early first byte: not kept');
}

# Condition: health checks leave no record; others do; an inner context
# sets it back.
{
    my $before = metric(GET_BODY('/ab-metrics'),
                        'audit_body_records_condition_false_total');
    my $mh = marker('health');
    my $res = GET "/ab/keep/cond/status.pl?health&m=$mh";
    ok t_cmp($res->code, 200, 'health: served');
    my ($r2, $rec) = post('/ab/keep/cond/status.pl?x=1', marker('cond'));
    ok $rec;
    my ($r3, $rec3) = post('/ab/keep/cond/all/status.pl?health', marker('condall'));
    ok t_cmp($rec3 ? 'recorded' : 'none', 'recorded',
             'an inner AuditBodyCondition true records health too');
    usleep(300_000);
    ok t_cmp(scalar(find_records($mh)), 0, 'health: no record');
    my $after = metric(GET_BODY('/ab-metrics'),
                       'audit_body_records_condition_false_total');
    ok t_cmp($after - $before, 1, 'condition_false_total counted it');
}

# configtest: an expression that does not parse names the directive.
{
    my $vars = Apache::Test::config()->{vars};
    my $so = "$vars->{serverroot}/../../mod_audit_body/.libs/mod_audit_body.so";
    require File::Temp;
    my $dir = File::Temp::tempdir(CLEANUP => 1);
    mkdir "$dir/logs";
    open my $fh, '>', "$dir/httpd.conf" or die;
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
ErrorLog logs/error.log
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule audit_body_module "$so"
AuditBodyKeepBodies "%{REQUEST_STATUS} -ge"
CONF
    close $fh;
    my $out = `$vars->{httpd} -t -d '$dir' -f '$dir/httpd.conf' 2>&1`;
    ok t_cmp($? >> 8 ? 'refused' : 'accepted', 'refused', 'a bad expression is refused');
    ok t_cmp($out, qr/AuditBodyKeepBodies: cannot parse '%\{REQUEST_STATUS\} -ge'/,
             'the message names the directive');
}
