# The worker cache of one child (one keep-alive client, so one child):
# eviction beyond IdProxyMaxBackends (8 in the test config) with routing
# still correct, refcounts back to 0, the status page's counters matching
# what the test did, and idle connections and entries swept away.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json backend_lines count_new_conns status);

plan tests => 25;

my $ua = ua();
my $s0 = status($ua);
ok t_cmp(ref $s0, 'HASH', 'status JSON parses');
my $cap = $s0->{capacity};
ok t_cmp($cap, 8, 'capacity is IdProxyMaxBackends');

my @ids = (20 .. 31);                      # 12 ids never used elsewhere
my $n0 = scalar(my @x = backend_lines());
my $wrong = 0;
for my $id (@ids) {
    my ($res, $who) = get_json($ua, "/idp/q/c?id=$id");
    $wrong++ unless $res->code == 200 && $who->{addr} eq "127.0.0.$id";
}
ok t_cmp($wrong, 0, '12 ids, each answered by its own backend');
my $s1 = status($ua);
ok t_cmp($s1->{pid}, $s0->{pid}, 'same child throughout');
my $html = $ua->get(IdpTest::base_url() . '/idp-status');
ok t_cmp($html->header('Content-Type'), qr{^text/html}, 'HTML page');
ok t_cmp($html->content, qr{<td>31</td><td>http://127\.0\.0\.31:\d+</td><td>ready</td>},
         'HTML lists the entries');
my $d = sub { $s1->{totals}{$_[0]} - $s0->{totals}{$_[0]} };
ok t_cmp($d->('misses'), 12, '12 misses');
ok t_cmp($d->('inserts'), 12, '12 inserts');
ok t_cmp($s1->{entries_count} <= $cap, 1, "entries ($s1->{entries_count}) <= capacity");
ok t_cmp($d->('evictions') >= 12 - $cap, 1,
         'at least ' . (12 - $cap) . ' LRU evictions (' . $d->('evictions') . ')');
my @new = (backend_lines($n0 + 12))[$n0 .. $n0 + 11];
ok t_cmp($d->('connections_created'), count_new_conns(grep { defined } @new),
         'connections_created matches the backends\' accepted connections');
my @e = @{ $s1->{entries} };
ok t_cmp($e[0]{id}, '31', 'most recently used first');
ok t_cmp(scalar(grep { $_->{refs} != 0 } @e), 0, 'no entry still referenced');
ok t_cmp(scalar(grep { $_->{id} eq '20' } @e), 0, 'the oldest id was evicted');

# The evicted id works again (a new worker), a cached one is a hit.
my ($res, $who) = get_json($ua, "/idp/q/c?id=20");
ok t_cmp($who && $who->{addr}, '127.0.0.20', 'evicted id routed again');
($res, $who) = get_json($ua, "/idp/q/c?id=31");
ok t_cmp($who && $who->{addr}, '127.0.0.31', 'cached id routed');
my $s2 = status($ua);
ok t_cmp($s2->{totals}{hits} - $s1->{totals}{hits}, 1, 'one hit');
ok t_cmp($s2->{totals}{misses} - $s1->{totals}{misses}, 1, 'one miss');
my ($e31) = grep { $_->{id} eq '31' } @{ $s2->{entries} };
ok t_cmp($e31 && $e31->{requests}, 2, 'id 31: 2 requests');
ok t_cmp($e31 && $e31->{connections_created}, 1, 'id 31: one connection, reused');

# The sweeper: after ttl (2 s) the idle connections are closed while the
# entry stays; after IdProxyIdleTimeout (8 s) the entry goes. The status
# page is asked every 2 s so that the client connection (KeepAliveTimeout
# 5 s) stays with the same child.
sleep 2; status($ua); sleep 2;
my $s3 = status($ua);
($e31) = grep { $_->{id} eq '31' } @{ $s3->{entries} };
ok t_cmp($e31 && $e31->{connections_open}, 0,
         'after ttl: no open backend connection');
ok t_cmp($e31 && $e31->{state}, 'ready', 'after ttl: entry kept');
sleep 2; status($ua); sleep 2; status($ua); sleep 2;
my $s4 = status($ua);
ok t_cmp($s4->{pid}, $s0->{pid}, 'still the same child');
ok t_cmp(scalar(grep { $_->{id} eq '31' } @{ $s4->{entries} }), 0,
         'after IdProxyIdleTimeout: entry evicted');
ok t_cmp($s4->{totals}{expirations} > $s3->{totals}{expirations}, 1,
         'expirations counted');
