# A WebSocket upgrade through mod_id_proxy (mod_proxy_http does the
# tunnel) with a real client; while the tunnel is open, requests for other
# ids still reach their own backends, and afterwards the tunnel's entry is
# released.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json backend_lines);
use Time::HiRes qw(sleep);

plan tests => 7, need_module 'proxy_http';

my $vars = Apache::Test::config()->{vars};
my $top = $vars->{top_dir};
my $url = "ws://$vars->{servername}:$vars->{port}/idp/ws/?id=40";
my $out_file = "$vars->{t_logs}/idp_ws_client.out";
my $pid = fork // die;
if (!$pid) {
    exec "python3 $top/t/bin/ws_client.py --hold=3 '$url' hello >'$out_file' 2>&1";
}
sleep 1.0;
my $ua = ua();
my $wrong = 0;
for my $id (41, 42, 41) {
    my ($res, $who) = get_json($ua, "/idp/q/during-ws?id=$id");
    $wrong++ unless $res->code == 200 && $who->{addr} eq "127.0.0.$id";
}
ok t_cmp($wrong, 0, 'other ids reach their own backends while the tunnel is open');
waitpid($pid, 0);
my $rc = $? >> 8;
open my $fh, '<', $out_file or die;
my $out = do { local $/; <$fh> };
t_debug($out);
ok t_cmp($rc, 0, 'client: every echo matched');
ok t_cmp($out, qr/^hello$/m, 'echo before the hold');
ok t_cmp($out, qr/^after-hold$/m, 'echo after the hold');
my @ws = grep { /"GET \/ws\?id=40 / } backend_lines();
ok t_cmp(scalar(@ws), 1, 'the backend of id 40 got the upgrade request');
ok t_cmp($ws[0] // '', qr/^127\.0\.0\.40 /, 'on its own address');
ok t_cmp($ws[0] // '', qr/ 101$/, 'and answered 101');
