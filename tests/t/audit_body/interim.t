# Interim records (issue 13, AuditBodyInterim 1 in the ab_interim virtual
# host): a slow CGI and a WebSocket held open past the interval get
# records with phase "interim" while they run, then their final record
# with the same id; a quick request gets only its final record.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET POST);
use lib 't/lib';
use AuditTest qw(marker audit_log find_records);
use JSON::XS ();

plan tests => 16, need_module 'cgid', 'proxy_http';

my $log = audit_log('audit_interim.log');
Apache::TestRequest::module('ab_interim');
my $vars = Apache::Test::config()->{vars};

# Every record of $m in the interim log, once the final one is there.
sub records {
    my ($m) = @_;
    for (1 .. 100) {
        my @r = find_records($m, log => $log);
        return @r if grep { $_->{phase} eq 'final' } @r;
        select undef, undef, undef, 0.1;
    }
    return find_records($m, log => $log);
}

# A CGI that takes 4.5 s: interim records at about 1, 2, 3 and 4 s (at
# least 2 on a loaded machine; the thread looks once a second).
{
    my $m = marker('slow');
    my $res = POST "/ab/cgi/status.pl?ms=4500&token=SECRET-I1&m=$m",
        content => '{"password":"hunter2-I2"}', 'Content-Type' => 'application/json';
    ok t_cmp($res->code, 200, 'slow CGI answered');
    my @r = records($m);
    my @interim = grep { $_->{phase} eq 'interim' } @r;
    my @final = grep { $_->{phase} eq 'final' } @r;
    t_debug(scalar(@interim) . " interim records");
    ok t_cmp(scalar(@final), 1, 'one final record');
    ok t_cmp(scalar(@interim) >= 2 && scalar(@interim) <= 5 ? 1 : 0, 1,
             'interim records while it ran (' . scalar(@interim) . ')');
    ok t_cmp($final[0] && $r[-1]{phase}, 'final', 'the final record comes last');
    ok t_cmp(scalar(grep { $_->{id} eq $final[0]{id} } @interim), scalar(@interim),
             'interim records carry the final record\'s id');
    ok t_cmp($interim[0]{request}{state}, 'in-progress', 'interim: in progress');
    ok t_cmp($interim[0]{latency_us} >= 1_000_000 ? 1 : 0, 1, 'interim: latency so far');
    ok t_cmp($interim[0]{uri}, qr/token=\*\*\*/, 'interim: the uri is redacted');
    my $raw = join '', map { JSON::XS->new->canonical->encode($_) } @r;
    ok t_cmp(index($raw, 'SECRET-I1') < 0 && index($raw, 'hunter2-I2') < 0 ? 1 : 0, 1,
             'no secret in any record');
    ok t_cmp($final[0]{request}{state}, 'complete', 'final: the body');
}

# A quick request: no interim record.
{
    my $m = marker('quick');
    GET "/ab/hello.txt?m=$m";
    my @r = records($m);
    ok t_cmp(scalar(@r), 1, 'a quick request has one record');
    ok t_cmp($r[0]{phase}, 'final', 'its phase is final');
}

# A WebSocket held open for 3 s through mod_proxy_http's tunnel.
{
    my $m = marker('wsint');
    my $port = Apache::Test::config()->{vhosts}{ab_interim}{port};
    my $url = "ws://$vars->{servername}:$port/ab/ws?m=$m";
    my $out = `python3 $vars->{top_dir}/t/bin/ws_client.py --hold=3 '$url' hello 2>&1`;
    t_debug($out);
    ok t_cmp($? >> 8, 0, 'websocket: every echo matched');
    my @r = records($m);
    my @interim = grep { $_->{phase} eq 'interim' } @r;
    ok t_cmp(scalar(@interim) >= 1 ? 1 : 0, 1,
             'websocket: interim records while the tunnel is open (' . scalar(@interim) . ')');
    ok t_cmp($interim[0] ? $interim[0]{status} : 0, 101, 'websocket: interim status 101');
    ok t_cmp($r[-1]{phase}, 'final', 'websocket: final record last');
}
