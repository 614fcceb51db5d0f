# A WebSocket echo through mod_proxy_http's upgrade, with a real client:
# data flows both ways, and the record says the body was not captured
# because of the upgrade.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use AuditTest qw(marker find_record);

plan tests => 7, need_module 'proxy_http';

my $vars = Apache::Test::config()->{vars};
my $top = $vars->{top_dir};
my $m = marker('ws');
my $url = "ws://$vars->{servername}:$vars->{port}/ab/ws?$m";
my $out = `python3 $top/t/bin/ws_client.py '$url' hello 'second message' 2>&1`;
my $rc = $? >> 8;
t_debug($out);
ok t_cmp($rc, 0, 'client: every echo matched');
ok t_cmp($out, qr/^hello$/m, 'first echo');
ok t_cmp($out, qr/^second message$/m, 'second echo');
my $rec = find_record($m, timeout => 10);
ok t_cmp($rec->{status}, 101, 'status 101');
ok t_cmp($rec->{response}{skip_reason}, 'upgrade', 'response: upgrade');
ok t_cmp($rec->{request}{skip_reason}, 'upgrade', 'request: upgrade');
ok t_cmp($rec->{request}{headers}{Upgrade}, qr/websocket/i, 'upgrade header');
