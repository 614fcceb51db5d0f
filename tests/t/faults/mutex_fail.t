# When the sink's mutex cannot be locked (here: its SysV semaphore is
# removed under the running server), records are still written and
# served, and the error (AB10008) is reported at most once per 10 s per
# child, not once per record.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use AbSinkServer qw(start_server stop_server server_get parse_log);

my $mods = '/usr/lib/apache2/modules';
plan tests => 6,
    need { 'mod_mpm_prefork is needed' => sub { -e "$mods/mod_mpm_prefork.so" } },
    need { 'ipcs and ipcrm are needed' => sub { `ipcs -s 2>&1` =~ /Semaphore/ } };

my $srv = start_server(mpm => 'prefork', files => { 'a.json' => '{"a":1}' },
                       conf => <<'CONF');
StartServers 1
ServerLimit 1
MaxRequestWorkers 1
Mutex sysvsem audit-body
AuditBody On
AuditBodyLog "|$cat >> @DIR@/logs/audit.log"
CONF
ok t_cmp($srv->{up}, 1, 'private server started');
ok t_cmp((server_get($srv, '/a.json?mutex-first'))[0], 200, 'first request');

# our semaphore: the one whose last operation our only child made
open my $p, '<', "$srv->{dir}/logs/httpd.pid" or die;
chomp(my $ppid = <$p>);
my @kids = map { /(\d+)/ ? $1 : () } `ps -o pid= --ppid $ppid`;
my $removed = 0;
for my $id (map { /^0x[0-9a-f]+\s+(\d+)/ ? $1 : () } `ipcs -s`) {
    my $info = `ipcs -s -i $id 2>/dev/null`;
    for my $kid (@kids) {
        next unless $info =~ /^\d+\s+\d+\s+\d+\s+\d+\s+$kid\s*$/m;
        $removed++ if system('ipcrm', '-s', $id) == 0;
    }
}
ok t_cmp($removed, 1, "removed the audit-body semaphore (children @kids)");

my @codes = map { (server_get($srv, "/a.json?mutex-$$-$_"))[0] // 0 } 1 .. 30;
ok t_cmp(scalar(grep { $_ == 200 } @codes), 30, 'every request served');
my @err = stop_server($srv);
my ($n) = parse_log("$srv->{dir}/logs/audit.log", "mutex-$$-");
ok t_cmp($n, 30, 'every record written without the mutex');
my $lines = grep { /AB10008/ } @err;
t_debug("AB10008 lines: $lines");
ok t_cmp($lines >= 1 && $lines <= 2 ? 'rate-limited' : $lines, 'rate-limited',
         'AB10008 at most once per 10 s, not once per record');
