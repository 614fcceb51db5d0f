# The audit log holds request and response bodies and headers: httpd
# creates it 0640 (never readable by others), in the group of its
# directory, as Debian keeps httpd's own logs.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use AbSinkServer qw(start_server stop_server server_get);

plan tests => 5;

my $srv = start_server(files => { 'a.json' => '{"a":1}' }, conf => <<'CONF');
AuditBody On
AuditBodyLog logs/audit.log
CONF
ok t_cmp($srv->{up}, 1, 'private server started');
my ($status) = server_get($srv, '/a.json?mode');
ok t_cmp($status, 200, 'request served');
my @st = stat "$srv->{dir}/logs/audit.log";
my @dir = stat "$srv->{dir}/logs";
my $mode = @st ? sprintf('%04o', $st[2] & 07777) : 'missing';
t_debug("audit.log mode $mode");
ok t_cmp(@st && !($st[2] & 07) ? 'private' : $mode, 'private',
         'the log is not readable by others');
ok t_cmp(@st ? $st[2] & 0600 : 0, 0600, 'the owner reads and writes it');
ok t_cmp(@st ? $st[5] : -1, $dir[5], 'the log has the group of its directory');
stop_server($srv);
