# Routes yield to ProxyPass where mod_proxy users expect it (issue 11
# #10): "ProxyPass /idp/n/private !" and "ProxyPassMatch ... !" inside the
# route's prefix, a longer "ProxyPass /idp/n/health ..." (server or
# <Location>), and the no-proxy variable. A shorter ProxyPass (/idp/n)
# does not take the route's requests. See t/conf/idp_routing.conf.in.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json);

plan tests => 18;

my $cfg = Apache::Test::config();
my $front = $cfg->{vars}{port};
my $back = $cfg->{vhosts}{idp_routing_backend}{port};
my $ua = ua();

# Served by the front end itself (idp-whoami there): its own port.
for my $p ('/idp/n/private?id=3', '/idp/n/private/x?id=3',
           '/idp/n/a/b.local?id=3', '/idp/n/np/x?id=3') {
    my ($res, $who) = get_json($ua, $p);
    ok t_cmp($res->code, 200, "$p: 200, not 400");
    ok t_cmp($who && $who->{port}, $front, "$p: not proxied (front end)");
}
# A longer ProxyPass: its own backend and path, no id needed.
my ($res, $who) = get_json($ua, '/idp/n/health');
ok t_cmp($res->code, 200, '/idp/n/health without id: 200, not 400');
ok t_cmp($who && $who->{uri}, '/health', 'ProxyPass /idp/n/health used');
($res, $who) = get_json($ua, '/idp/n/health/deep?id=3');
ok t_cmp($who && $who->{uri}, '/health/deep?id=3', 'also below it');
ok t_cmp($who && $who->{addr}, '127.0.0.1', 'on its own backend');
($res, $who) = get_json($ua, '/idp/n/loc/x');
ok t_cmp($res->code, 200, '<Location> ProxyPass: 200, not 400');
ok t_cmp($who && $who->{uri}, '/locpass/x', '<Location> ProxyPass used');
# The route itself, also next to a shorter ProxyPass and for names that
# only start like the excluded ones.
for my $c (['/idp/n/x?id=3', '127.0.0.3', '/n/x?id=3'],
           ['/idp/n/privateer?id=4', '127.0.0.4', '/n/privateer?id=4'],
           ['/idp/n/healthy?id=5', '127.0.0.5', '/n/healthy?id=5']) {
    my ($p, $addr, $uri) = @$c;
    ($res, $who) = get_json($ua, $p);
    ok t_cmp($who && "$who->{addr} $who->{port} $who->{uri}",
             "$addr $back $uri", "$p: the route's backend");
}
($res) = get_json($ua, '/idp/n/x');
ok t_cmp($res->code, 400, '/idp/n/x without id: the route, 400');
