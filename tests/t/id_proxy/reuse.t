# Connection reuse: N requests over K ids from C concurrent keep-alive
# clients open at most K x C backend connections (counted from the
# backends' access log: %k is 0 on a connection's first request), and each
# request reaches its own backend.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json backend_lines count_new_conns);

my ($K, $C, $PER) = (4, 4, 50);          # ids, clients, requests each
my @ids = (11 .. 10 + $K);
plan tests => 6;

# One client, one id, 30 requests in a row: at most one new connection
# (none if an earlier test left one in the pool of that child).
my $n0 = scalar(my @x = backend_lines());
my $ua = ua();
my $okseq = 0;
for (1 .. 30) {
    my ($res, $who) = get_json($ua, '/idp/q/seq?id=10');
    $okseq++ if $res->code == 200 && $who && $who->{addr} eq '127.0.0.10';
}
my @seq = (backend_lines($n0 + 30))[$n0 .. $n0 + 29];
ok t_cmp($okseq, 30, 'sequential: every answer from 127.0.0.10');
ok t_cmp(count_new_conns(@seq) <= 1, 1,
         'sequential: at most 1 backend connection for 30 requests ('
         . count_new_conns(@seq) . ')');

# C clients in parallel, each cycling over the K ids.
my $n1 = scalar(my @y = backend_lines($n0 + 30));
my @pids;
for my $c (1 .. $C) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        my $u = ua();
        my $wrong = 0;
        for my $i (1 .. $PER) {
            my $id = $ids[($i + $c) % $K];
            my $res = $u->get(IdpTest::base_url() . "/idp/q/par?id=$id&c=$c");
            $wrong++ unless $res->code == 200
                && $res->content =~ /"addr":"127\.0\.0\.$id"/;
        }
        exit($wrong ? 1 : 0);
    }
    push @pids, $pid;
}
my $failed = 0;
for (@pids) { waitpid($_, 0); $failed++ if $? }
ok t_cmp($failed, 0, 'parallel: every answer came from its own backend');
my @par = (backend_lines($n1 + $C * $PER))[$n1 .. $n1 + $C * $PER - 1];
ok t_cmp(scalar(grep { defined } @par), $C * $PER, 'parallel: all requests logged');
my $new = count_new_conns(grep { defined } @par);
t_debug("parallel: $new new backend connections for " . $C * $PER
        . " requests");
ok t_cmp($new <= $K * $C, 1, "parallel: $new backend connections <= K x C = "
         . $K * $C);
my %per_id;
for (grep { defined } @par) { my @f = split ' '; $per_id{$f[0]}++ }
ok t_cmp(join(',', sort keys %per_id),
         join(',', map { "127.0.0.$_" } sort @ids), 'every id reached');
