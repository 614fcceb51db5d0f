# Hostile ids and paths (issue 11 #3, #6).
# #3: in a numeric template (127.0.0.{id}) an id is canonical decimal:
#     010 (octal 8), 0x8, 0010, 08 are a 400 and reach no backend, 8 reaches
#     127.0.0.8, and the bad spellings create no worker.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json backend_lines status);

my @numeric_bad = ('010', '0x8', '0010', '08', '256', '00');
plan tests => 3 * @numeric_bad + 4;

my $vars = Apache::Test::config()->{vars};
my $errlog = "$vars->{t_logs}/error_log";
sub errlog_count {
    my $re = shift;
    open my $fh, '<', $errlog or return 0;
    return scalar grep { /$re/ } <$fh>;
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
