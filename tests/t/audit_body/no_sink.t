# A server where AuditBody is never On opens no audit log and starts no
# writer thread (nor its queue) in its children. One with AuditBody On
# does; so does one that names an AuditBodyLog itself, for trees that
# switch auditing on from .htaccess. AuditBody On from .htaccess alone
# (no log opened) writes nothing and says so (AB10032, rate-limited).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Time::HiRes qw(usleep);
use lib 't/lib';
use AbSinkServer qw(start_server stop_server server_get);

plan tests => 17;

my %files = ('a.json' => '{"a":1}', '.htaccess' => "AuditBody On\n");
my $mpm = <<'CONF';
StartServers 1
ServerLimit 1
ThreadsPerChild 4
MinSpareThreads 1
MaxSpareThreads 4
MaxRequestWorkers 4
CONF

sub child_threads {
    my $srv = shift;
    open my $p, '<', "$srv->{dir}/logs/httpd.pid" or return -1;
    chomp(my $ppid = <$p> // '');
    my ($child) = map { /(\d+)/ ? $1 : () } `ps -o pid= --ppid $ppid`;
    return -1 unless $child;
    usleep(500_000);                # let the child start all its threads
    opendir my $d, "/proc/$child/task" or return -1;
    my $n = grep { /^\d+$/ } readdir $d;
    return $n;
}

sub status_has_sink {
    my $srv = shift;
    my (undef, $body) = server_get($srv, '/status?auto', 5);
    return ($body // '') =~ /AuditBodyRecords\(/ ? 'sink' : 'no sink';
}

# 1. never On
my $srv = start_server(files => \%files, conf => <<"CONF");
$mpm
<Location "/x/">
    AuditBody Off
</Location>
CONF
ok t_cmp($srv->{up}, 1, 'never On: started');
ok t_cmp((server_get($srv, '/a.json?never'))[0], 200, 'never On: served');
ok t_cmp(-e "$srv->{dir}/logs/audit_body.log" ? 'created' : 'none', 'none',
         'never On: no log file');
ok t_cmp(status_has_sink($srv), 'no sink', 'never On: no sink on server-status');
my $off_threads = child_threads($srv);
stop_server($srv);

# 2. On: the default log and one writer thread per child
$srv = start_server(files => \%files, conf => <<"CONF");
$mpm
AuditBody On
CONF
ok t_cmp($srv->{up}, 1, 'On: started');
ok t_cmp((server_get($srv, '/a.json?on'))[0], 200, 'On: served');
ok t_cmp(-e "$srv->{dir}/logs/audit_body.log" ? 'created' : 'none',
         'created', 'On: log file');
ok t_cmp(status_has_sink($srv), 'sink', 'On: sink on server-status');
my $on_threads = child_threads($srv);
t_debug("child threads: $off_threads never On, $on_threads On");
ok t_cmp($off_threads > 0 ? $on_threads - $off_threads : 'unknown', 1,
         'never On: no writer thread in the child');
stop_server($srv);

# 3. On from .htaccess only, no log named: nothing written, said once
$srv = start_server(files => \%files, conf => <<"CONF");
$mpm
<Directory "\@DIR\@/htdocs">
    AllowOverride FileInfo
</Directory>
CONF
ok t_cmp($srv->{up}, 1, '.htaccess only: started');
my @codes = map { (server_get($srv, "/a.json?ht-$_"))[0] } 1 .. 5;
ok t_cmp(scalar(grep { $_ == 200 } @codes), 5, '.htaccess only: served');
ok t_cmp(-e "$srv->{dir}/logs/audit_body.log" ? 'created' : 'none', 'none',
         '.htaccess only: no log file');
my @err = stop_server($srv);
ok t_cmp(scalar(grep { /AB10032: .*only from a \.htaccess file/ } @err), 1,
         '.htaccess only: one AB10032 line for five records');

# 4. On from .htaccess, AuditBodyLog named: records written
$srv = start_server(files => \%files, conf => <<"CONF");
$mpm
AuditBodyLog logs/audit.log
<Directory "\@DIR\@/htdocs">
    AllowOverride FileInfo
</Directory>
CONF
ok t_cmp($srv->{up}, 1, '.htaccess + AuditBodyLog: started');
ok t_cmp((server_get($srv, '/a.json?ht-log'))[0], 200,
         '.htaccess + AuditBodyLog: served');
@err = stop_server($srv);
my $log = do { local $/; open my $l, '<', "$srv->{dir}/logs/audit.log"; <$l> } // '';
ok t_cmp($log =~ m{"uri":"/a\.json\?ht-log"} ? 'recorded' : 'missing',
         'recorded', '.htaccess + AuditBodyLog: record written');
ok t_cmp(scalar(grep { /AB10032/ } @err), 0, '.htaccess + AuditBodyLog: no AB10032');
