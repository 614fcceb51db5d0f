# mod_id_proxy's server-wide counters: the Prometheus handler
# "id-proxy-metrics" passes promtool and counts every routed request
# (hits + misses), whichever child served it; the status page's
# server_totals and server-status ?auto show the same.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET GET_BODY);
use JSON::PP ();

use lib 't/lib';
use IdpTest qw(ua get_json);
use Metrics qw(metric promtool_check);

plan tests => 9;

sub routed {
    my $t = shift;
    return (metric($t, 'id_proxy_cache_hits_total') // 0)
         + (metric($t, 'id_proxy_cache_misses_total') // 0);
}

my $res = GET '/idp-metrics';
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
ok t_cmp($before =~ /^# TYPE id_proxy_cache_entries gauge$/m ? 1 : 0, 1,
         'metrics: cache_entries is a gauge');

# Routed requests over several ids and fresh connections, so that more
# than one child may serve them.
my $n = 40;
my $ok = 0;
for my $i (1 .. $n) {
    my ($r, $who) = get_json(ua(), '/idp/q/metrics?id=' . (20 + $i % 5));
    $ok++ if $r->code == 200;
}
ok t_cmp($ok, $n, 'every routed request answered');
my $after = GET_BODY '/idp-metrics';
ok t_cmp(routed($after) - routed($before), $n,
         'hits + misses grew by the routed requests');
ok t_cmp((metric($after, 'id_proxy_cache_entries') // 0) >= 1 ? 1 : 0, 1,
         'cache_entries counts cached backends');

my $json = JSON::PP->new->decode(GET_BODY '/idp-status?json');
my $st = $json->{server_totals} || {};
ok t_cmp(($st->{hits} // 0) + ($st->{misses} // 0) >= routed($after) ? 1 : 0, 1,
         'id-proxy-status: server_totals are the server-wide counts');
Apache::TestRequest::module('ab_full');
my $auto = GET_BODY '/ab-status?auto';
Apache::TestRequest::module('default');
t_debug($auto);
ok t_cmp($auto =~ /^IdProxyHitsTotal: \d+$/m ? 1 : 0, 1,
         'server-status ?auto: IdProxyHitsTotal');
