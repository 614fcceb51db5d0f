# Log rotation as Debian's logrotate does it for apache2 (rename the log,
# then "apache2ctl graceful"), under load: no record is lost and none is
# torn. The children of the old generation keep writing to the renamed
# file until they exit (their queued records included), the new
# generation opens a new log; together the two files hold one record per
# request. A private httpd (own ServerRoot and port) is started, so the
# suite's server is not restarted.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::XS ();
use Time::HiRes qw(usleep);

my $vars = Apache::Test::config()->{vars};
my $mods = '/usr/lib/apache2/modules';
plan tests => 7,
    need { 'ab (apache2-utils) is needed' => sub { `ab -V 2>&1` =~ /ApacheBench/ } };

my $so = "$vars->{serverroot}/../../mod_audit_body/.libs/mod_audit_body.so";
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/$_" for qw(logs htdocs);
open my $fh, '>', "$dir/htdocs/r.json" or die;
print $fh '{"pad":"' . ('x' x 1000) . '"}';
close $fh;
my $log = "$dir/logs/audit.log";

my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                              LocalPort => 0, Proto => 'tcp') or die $!;
my $port = $s->sockport;
close $s;

open my $c, '>', "$dir/httpd.conf" or die;
print $c <<"CONF";
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile logs/httpd.pid
DefaultRuntimeDir logs
ErrorLog logs/error.log
LogLevel info
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule audit_body_module "$so"
TypesConfig /dev/null
AddType application/json .json
DocumentRoot "$dir/htdocs"
<Directory "$dir/htdocs">
    Require all granted
</Directory>
StartServers 2
ServerLimit 4
MaxRequestWorkers 40
ThreadsPerChild 10
# A long delay keeps records queued in the old children until they exit.
AuditBodyLog logs/audit.log
AuditBodyLogBuffer 64K 60000
AuditBody On
CONF
close $c;

sub httpd {
    my $what = shift;
    my $out = `$vars->{httpd} -d '$dir' -f '$dir/httpd.conf' -k $what 2>&1`;
    t_debug("httpd -k $what: $out") if $out;
    return $? >> 8;
}

sub pid {
    open my $p, '<', "$dir/logs/httpd.pid" or return 0;
    my $pid = <$p> // 0;
    chomp $pid;
    return $pid;
}

sub up {
    for (1 .. 100) {
        my $sock = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                         Timeout => 1);
        return 1 if $sock && pid();
        usleep(100_000);
    }
    return 0;
}

# (records whose uri holds $m in FILES, whether every line parses)
sub records {
    my ($m, @files) = @_;
    my $json = JSON::XS->new->utf8;
    my ($n, $ok) = (0, 1);
    for my $f (@files) {
        open my $l, '<', $f or next;
        while (my $line = <$l>) {
            my $r = eval { $json->decode($line) };
            if (!$r) {
                $ok = 0;
                t_debug("unparsable line in $f: " . substr($line, 0, 200));
                next;
            }
            $n++ if index($r->{uri}, $m) >= 0;
        }
        close $l;
    }
    return ($n, $ok);
}

ok t_cmp(httpd('start') == 0 && up() ? 'up' : 'down', 'up', 'started');
my $m = "rotate-$$-" . time;
my $n = 6000;
open my $ab, '-|', "ab -q -n $n -c 8 -s 60 'http://127.0.0.1:$port/r.json?$m' 2>&1"
    or die $!;
usleep(300_000);
# What logrotate does, then its postrotate "apache2ctl graceful".
rename $log, "$log.1" or die "rename: $!";
httpd('graceful');
my $out = do { local $/; <$ab> };
close $ab;
my ($done) = $out =~ /Complete requests:\s+(\d+)/;
my ($failed) = $out =~ /Failed requests:\s+(\d+)/;
t_debug($out) unless ($done // 0) == $n && ($failed // -1) == 0;
ok t_cmp($done // 0, $n, 'every request completed');

my ($old) = records($m, "$log.1");
t_debug("records in the rotated log before the stop: $old");
ok t_cmp($old > 0 ? 'yes' : 'no', 'yes', 'the old generation wrote to the rotated file');

# A stop makes every child exit and write what it still queues.
my $pid = pid();
httpd('stop');
for (1 .. 300) { last unless $pid && kill 0, $pid; usleep(100_000); }
ok t_cmp(($pid && kill 0, $pid) ? 'running' : 'stopped', 'stopped', 'stopped');

my ($new) = records($m, $log);
my ($got, $whole) = records($m, "$log.1", $log);
t_debug("rotated: $old+, new log: $new");
ok t_cmp($new > 0 ? 'yes' : 'no', 'yes', 'the new generation wrote to a new log');
ok t_cmp($got, $n, 'rotated and new log together: one record per request');
ok t_cmp($whole, 1, 'every line of both files parses');
