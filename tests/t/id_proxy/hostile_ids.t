# Hostile ids and paths (issue 11 #3, #6).
# #3: in a numeric template (127.0.0.{id}) an id is canonical decimal:
#     010 (octal 8), 0x8, 0010, 08 are a 400 and reach no backend, 8 reaches
#     127.0.0.8, and the bad spellings create no worker.
# #6: with {id} in the template's path (/tenants/{id}/), a segment that is
#     a dot-segment once ";params" are dropped or once decoded again is a
#     400; ordinary paths pass unchanged.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json backend_lines status);

my @numeric_bad = ('010', '0x8', '0010', '08', '256', '00');
my @dot_bad = (
    '/idp/pt/..;/beta/secret?id=acme',
    '/idp/pt/%252e%252e/beta/secret?id=acme',
    '/idp/pt/.%253b/x?id=acme',
    '/idp/pt/.%3b/x?id=acme',
    '/idp/pt/x/..;jsessionid=1/y?id=acme',
    '/idp/pt/%252e%252e%252fbeta?id=acme',
);
my @dot_good = (
    ['/idp/pt/a..b/c?id=acme',  '/tenants/acme/a..b/c?id=acme'],
    ['/idp/pt/x;y/z?id=acme',   '/tenants/acme/x;y/z?id=acme'],
    ['/idp/pt/...?id=acme',     '/tenants/acme/...?id=acme'],
);
plan tests => 3 * @numeric_bad + 4 + 3 * @dot_bad + 2 * @dot_good + 2;

my $vars = Apache::Test::config()->{vars};
my $errlog = "$vars->{t_logs}/error_log";
sub errlog_count {
    my $re = shift;
    open my $fh, '<', $errlog or return 0;
    return scalar grep { /$re/ } <$fh>;
}

# Lines of the routing backend's access log (idp_routing.conf.in).
sub routing_backend_lines {
    my $file = "$vars->{t_logs}/idp_routing_backend.log";
    open my $fh, '<', $file or return ();
    return <$fh>;
}

my $ua = ua();
my $n = 0;
for my $id (@numeric_bad) {
    my $mark = 'hostile' . $n++;
    my ($res) = get_json($ua, "/idp/q/$mark?id=$id");
    ok t_cmp($res->code, 400, "id=$id: 400");
    ok t_cmp(scalar(grep { /$mark/ } backend_lines()), 0,
             "id=$id: no backend saw it");
    ok t_cmp(errlog_count(qr/IDP10011: .*id \Q$id\E does not fit/) >= 1, 1,
             "id=$id: tagged INFO line");
}
my ($res, $who) = get_json($ua, '/idp/q/hostile-ok?id=8');
ok t_cmp($res->code, 200, 'id=8: 200');
ok t_cmp($who && $who->{addr}, '127.0.0.8', 'id=8: reaches 127.0.0.8');
($res, $who) = get_json($ua, '/idp/q/hostile-ok?id=10');
ok t_cmp($who && $who->{addr}, '127.0.0.10', 'id=10: reaches 127.0.0.10');
my $s1 = status($ua);
# (a 400 closes the connection, so this is the cache of the child that
# served the last requests)
ok t_cmp(scalar(grep { $_->{id} =~ /^0./ } @{ $s1->{entries} }), 0,
         'no worker for a non-canonical spelling');

my $ndot = errlog_count(qr/IDP10035:/);
for my $path (@dot_bad) {
    my $mark = 'dotseg' . $n++;
    my $p = $path =~ /\?/ ? "$path&m=$mark" : "$path?m=$mark";
    my ($res) = get_json($ua, $p);
    ok t_cmp($res->code, 400, "$path: 400");
    ok t_cmp(scalar(grep { /$mark/ } routing_backend_lines()), 0,
             "$path: no backend saw it");
    $ndot++;
    ok t_cmp(errlog_count(qr/IDP10035: IdProxyRoute \/idp\/pt\/: .*dot-segment/),
             $ndot, "$path: tagged INFO line");
}
for my $g (@dot_good) {
    my ($path, $uri) = @$g;
    my ($res, $who) = get_json($ua, $path);
    ok t_cmp($res->code, 200, "$path: 200");
    ok t_cmp($who && $who->{uri}, $uri, "$path: forwarded as $uri");
}
# {id} only in the host: the prefix is not a boundary, ';' passes.
($res, $who) = get_json($ua, '/idp/q/..;/x?id=3');
ok t_cmp($res->code, 200, '{id} in the host only: ..; is not refused');
ok t_cmp($who && $who->{uri}, '/svc/..;/x?id=3', 'and is forwarded as is');
