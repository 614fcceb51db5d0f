# Each id reaches its own backend with path and query preserved; every
# source kind works; a bad id is a 400 and no backend sees the request.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json backend_lines backend_port);
use LWP::UserAgent ();

my @bad = (
    ['/idp/q/?id=2.3',            'dot'],
    ['/idp/q/?id=%2e',            'encoded dot'],
    ['/idp/q/?id=2%2e3',          'encoded dot inside'],
    ['/idp/q/?id=a/b',            'slash'],
    ['/idp/q/?id=a%2Fb',          'encoded slash'],
    ['/idp/q/?id=x@y',            'at-sign'],
    ['/idp/q/?id=x:1',            'colon'],
    ['/idp/q/?id=a%20b',          'space'],
    ['/idp/q/?id=a+b',            'plus'],
    ['/idp/q/?id=',               'empty'],
    ['/idp/q/?id=' . ('a' x 64),  'overlong'],
    ['/idp/q/?id=%zz',            'bad encoding'],
    ['/idp/q/?id=%00',            'NUL'],
    ['/idp/q/?id=2&id=3',         'repeated'],
    ['/idp/q/?id=2&id=2',         'repeated, same value'],
    ['/idp/q/?userid=2',          'only a longer name'],
    ['/idp/q/?xid=2',             'only a suffix name'],
    ['/idp/q/',                   'no query'],
    ['/idp/q/?id=-2',             'pattern: leading dash'],
    ['/idp/q/?id=A2',             'pattern: upper case'],
    ['/idp/p/a%25b/x',            'path: percent after decoding'],
    ['/idp/p/',                   'path: no segment'],
);
my @good = (
    # path, headers, expected backend address, expected backend URI
    ['/idp/q/a/b?id=2&x=1', [], '127.0.0.2', '/svc/a/b?id=2&x=1'],
    ['/idp/q/a/b?x=1&id=3', [], '127.0.0.3', '/svc/a/b?x=1&id=3'],
    ['/idp/q/?userid=1&id=4', [], '127.0.0.4', '/svc/?userid=1&id=4'],
    ['/idp/q/?%69d=5', [], '127.0.0.5', '/svc/?%69d=5'],
    ['/idp/q/sp%20ace/%C3%A9?id=2', [], '127.0.0.2', '/svc/sp%20ace/%C3%A9?id=2'],
    ['/idp/p/6/rest/of?z=1', [], '127.0.0.6', '/6/rest/of?z=1'],
    ['/idp/h/x?y=1', ['X-Tenant' => '7'], '127.0.0.7', '/h/x?y=1'],
    ['/idp/c/x', ['Cookie' => 'a=1; tenant=8; b=2'], '127.0.0.8', '/c/x'],
);
plan tests => 2 * @bad + 4 * @good + 12;

my $ua = ua();
for my $g (@good) {
    my ($path, $hdr, $addr, $uri) = @$g;
    my ($res, $who) = get_json($ua, $path, @$hdr);
    ok t_cmp($res->code, 200, "$path: 200");
    ok t_cmp($who && $who->{addr}, $addr, "$path: backend $addr");
    ok t_cmp($who && $who->{uri}, $uri, "$path: path and query kept");
    ok t_cmp($who && $who->{host}, "$addr:" . backend_port(),
             "$path: Host is the backend's");
}

# Each bad request carries a marker, so that no backend log line can be
# one of them (other tests' requests may still be logged meanwhile).
my $mark = "bad$$" . time;
my $t0 = time;
for my $b (@bad) {
    my ($path, $what) = @$b;
    my $res = $ua->get(IdpTest::base_url() . $path
                       . ($path =~ /\?/ ? '&' : '?') . "m=$mark");
    ok t_cmp($res->code, 400, "$what ($path): 400");
    ok t_cmp($res->content, qr/Bad tenant id: /, "$what: says why");
}
ok t_cmp(time - $t0 < 10, 1, 'bad ids are answered at once');
ok t_cmp(scalar(grep { index($_, $mark) >= 0 } backend_lines()), 0,
         'no backend saw any bad request');

# Header and cookie traps.
my $res = $ua->get(IdpTest::base_url() . '/idp/h/x', 'X-Tenant' => '7, 8');
ok t_cmp($res->code, 400, 'two X-Tenant values: 400');
$res = $ua->get(IdpTest::base_url() . '/idp/c/x',
                'Cookie' => 'tenant=7; tenant=8');
ok t_cmp($res->code, 400, 'two tenant cookies: 400');
$res = $ua->get(IdpTest::base_url() . '/idp/h/x');
ok t_cmp($res->code, 400, 'missing header: 400');

# Location headers: ProxyPassReverse with ${IDPROXY_BACKEND} interpolated
# maps the backend's own URL back under the route.
my $noredir = LWP::UserAgent->new(max_redirect => 0, keep_alive => 1);
$res = $noredir->get(IdpTest::base_url() . '/idp/r/x?id=9&redirect=/svc/next');
ok t_cmp($res->code, 302, 'redirect passed through');
ok t_cmp($res->header('Location') // '', qr{^http://[^/]+/idp/r/next$},
         'Location rewritten to the front end');
$res = $noredir->get(IdpTest::base_url() . '/idp/q/x?id=9&redirect=/svc/next');
ok t_cmp($res->header('Location') // '',
         'http://127.0.0.9:' . backend_port() . '/svc/next',
         'without ProxyPassReverse: left alone');
# A prefix without a trailing slash matches at a segment boundary only.
$res = $ua->get(IdpTest::base_url() . '/idp/nbx?id=2');
ok t_cmp($res->code, 404, '/idp/nbx is not under /idp/nb');
my $who;
($res, $who) = get_json($ua, '/idp/nb/y?id=2');
ok t_cmp($who && $who->{uri}, '/nb/y?id=2', '/idp/nb/y is');

# IDPROXY_ID and IDPROXY_BACKEND are in the environment (mod_headers).
$res = $ua->get(IdpTest::base_url() . '/idp/q/env?id=3');
ok t_cmp($res->header('X-IdProxy-Id') // '', '3', 'IDPROXY_ID');
ok t_cmp($res->header('X-IdProxy-Backend') // '',
         'http://127.0.0.3:' . backend_port(), 'IDPROXY_BACKEND');
