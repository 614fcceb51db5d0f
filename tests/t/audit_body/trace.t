# Trace correlation and sampling (issue 13): the record's trace object
# from a strictly valid traceparent, the correlation headers, and
# AuditBodySample by trace (one decision per trace, about half of the
# traces at 0.5) or following the traceparent's sampled flag.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(POST);
use Time::HiRes qw(usleep);
use lib 't/lib';
use AuditTest qw(marker find_record find_records);

plan tests => 20, need_module 'cgid';

my $json = '{"order":42}';
my $tid = '4bf92f3577b34da6a3ce929d0e0e4736';

sub req {
    my ($path, $m, %h) = @_;
    POST "$path?m=$m", content => $json, 'Content-Type' => 'application/json', %h;
    return find_record($m, timeout => 10);
}

# The trace object: valid, invalid (uppercase, all-zero, wrong length),
# absent, sent twice.
{
    my $rec = req('/ab/trace/corr/echo.pl', marker('tpok'),
                  traceparent => "00-$tid-00f067aa0ba902b7-01");
    ok t_cmp($rec->{trace}{trace_id}, $tid, 'valid: trace_id');
    ok t_cmp($rec->{trace}{parent_id}, '00f067aa0ba902b7', 'valid: parent_id');
    ok t_cmp($rec->{trace}{sampled} ? 1 : 0, 1, 'valid: sampled');
    for my $bad ("00-" . uc($tid) . "-00f067aa0ba902b7-01",
                 "00-" . ('0' x 32) . "-00f067aa0ba902b7-01",
                 "00-$tid-00f067aa0ba902b7-1",
                 "ff-$tid-00f067aa0ba902b7-01") {
        $rec = req('/ab/trace/corr/echo.pl', marker('tpbad'), traceparent => $bad);
        ok t_cmp($rec->{trace}, undef, "invalid: $bad");
    }
    $rec = req('/ab/trace/corr/echo.pl', marker('tpnone'));
    ok t_cmp($rec->{trace}, undef, 'absent: null');
}

# Correlation headers as configured; a masked name stays masked.
{
    my $rec = req('/ab/trace/corr/echo.pl', marker('corr'),
                  'X-Request-ID' => 'req-77', 'X-Tenant' => 'acme',
                  Authorization => 'Bearer s3cr3t-corr');
    ok t_cmp($rec->{correlation}{'X-Request-ID'}, 'req-77', 'X-Request-ID');
    ok t_cmp($rec->{correlation}{'X-Tenant'}, 'acme', 'X-Tenant');
    ok t_cmp($rec->{correlation}{Authorization}, '***', 'a masked header stays masked');
    # the default list elsewhere
    $rec = req('/ab/trace/half/echo.pl', marker('corrdef'),
               'X-Correlation-ID' => 'c-1', 'X-Tenant' => 'acme');
    ok t_cmp($rec->{correlation}{'X-Correlation-ID'}, 'c-1', 'default list: X-Correlation-ID');
    ok t_cmp(exists $rec->{correlation}{'X-Tenant'} ? 1 : 0, 0, 'default list: not X-Tenant');
}

# Sampling by trace: one decision per trace id; about half of 200 traces.
{
    my ($same, $kept) = (0, 0);
    my @ids = map { sprintf "%032x", 0x1234567 + $_ * 7919 } 1 .. 200;
    for my $i (0 .. $#ids) {
        my $tp = "00-$ids[$i]-00f067aa0ba902b7-00";
        my $r1 = req('/ab/trace/half/echo.pl', marker("s$i-a"), traceparent => $tp);
        my $k1 = $r1->{request}{state} eq 'complete' ? 1 : 0;
        $kept += $k1;
        if ($i < 20) {
            my $r2 = req('/ab/trace/half/echo.pl', marker("s$i-b"), traceparent => $tp);
            my $k2 = $r2->{request}{state} eq 'complete' ? 1 : 0;
            $same++ if $k1 == $k2;
        }
    }
    ok t_cmp($same, 20, 'two requests of one trace: the same decision');
    t_debug("kept $kept of 200");
    # binomial(200, 0.5): 5 sigma is about 35
    ok t_cmp($kept > 65 && $kept < 135 ? 1 : 0, 1, "about half kept ($kept of 200)");
    ok t_cmp($kept > 0 && $kept < 200 ? 1 : 0, 1, 'neither all nor none');
}

# AuditBodySample traceparent: the sampled flag decides.
{
    my $rec = req('/ab/trace/tp/echo.pl', marker('tp1'), traceparent => "00-$tid-00f067aa0ba902b7-01");
    ok t_cmp($rec->{request}{state}, 'complete', 'sampled flag set: kept');
    $rec = req('/ab/trace/tp/echo.pl', marker('tp0'), traceparent => "00-$tid-00f067aa0ba902b7-00");
    ok t_cmp($rec->{request}{state}, 'not-kept', 'sampled flag clear: not kept');
    $rec = req('/ab/trace/tp/echo.pl', marker('tpx'));
    ok t_cmp($rec->{request}{state}, 'not-kept', 'no traceparent: not kept');
}

# The recipe: a 500 keeps its bodies whatever the sample says.
{
    my $m = marker('recipe');
    POST "/ab/trace/recipe/status.pl?code=500&m=$m", content => $json,
        'Content-Type' => 'application/json';
    my $rec = find_record($m, timeout => 10);
    ok t_cmp($rec->{request}{state}, 'complete', 'recipe: a 500 is kept');
}
