# Routes whose id comes from a header or a cookie send Vary (issue 11 #5):
# behind mod_cache (CacheEnable disk, quick handler), tenants 5, 8 and 10
# each get their own backend's answer, the repeat of each is a cache hit
# with that tenant's answer, and every response of the route, errors
# (400 without the header, 502 from a dead backend) included, carries
# "Vary: X-Tenant" (or "Vary: Cookie"), exactly once.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json);

# mod_cache and mod_cache_disk are loaded by t/conf/idp_routing.conf.in
# (Apache::Test's need_module() knows only base.conf's modules).
plan tests => 26;

# CacheRoot (idp_routing.conf.in) must exist; mod_cache_disk makes the rest.
my $root = Apache::Test::vars('t_logs') . '/idp_routing_cache';
mkdir $root unless -d $root;

my $ua = ua();
sub vary_of {
    my $res = shift;
    return join ', ', $res->header('Vary');
}

# The first round fills the cache, the second must be served from it,
# each tenant its own variant.
for my $round (1, 2) {
    for my $t (5, 8, 10) {
        my ($res, $who) = get_json($ua, '/idp/vh/page', 'X-Tenant' => $t);
        ok t_cmp($who && $who->{addr}, "127.0.0.$t",
                 "round $round, X-Tenant $t: answer of tenant $t");
        ok t_cmp(vary_of($res), qr/^X-Tenant$/i,
                 "round $round, X-Tenant $t: Vary: X-Tenant, once");
        if ($round == 2) {
            ok t_cmp(scalar($res->header('X-Cache') // ''), qr/^HIT/,
                     "round 2, X-Tenant $t: served by mod_cache");
        }
    }
}

# Cookie source: Vary: Cookie.
for my $t (5, 8) {
    my ($res, $who) = get_json($ua, '/idp/vc/page',
                               'Cookie' => "a=1; tenant=$t");
    ok t_cmp($who && $who->{addr}, "127.0.0.$t", "cookie tenant=$t: own answer");
    ok t_cmp(vary_of($res), qr/^Cookie$/i, "cookie tenant=$t: Vary: Cookie");
}

# Errors of the route carry Vary too.
my ($res) = get_json($ua, '/idp/vh/page');
ok t_cmp($res->code, 400, 'no X-Tenant: 400');
ok t_cmp(vary_of($res), qr/^X-Tenant$/i, '400: Vary: X-Tenant');
($res) = get_json($ua, '/idp/vh/page', 'X-Tenant' => '010');
ok t_cmp($res->code, 400, 'X-Tenant 010: 400');
ok t_cmp(vary_of($res), qr/^X-Tenant$/i, '400 (bad id): Vary: X-Tenant');
($res) = get_json($ua, '/idp/vdown/page', 'X-Tenant' => '3');
ok t_cmp($res->code, qr/^50[23]$/, 'dead backend: 502/503');
ok t_cmp(vary_of($res), qr/^X-Tenant$/i, '50x: Vary: X-Tenant');
($res) = get_json($ua, '/idp/vc/page');
ok t_cmp(vary_of($res), qr/^Cookie$/i, 'no cookie: 400 with Vary: Cookie');
