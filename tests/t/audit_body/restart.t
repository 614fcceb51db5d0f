# Records queued in a child are written when the child exits: after a
# graceful restart under load and after a stop, every request has its
# record and every line of the log is whole. A private httpd (own
# ServerRoot and port) is started for this, so the suite's server is not
# restarted. "AuditBodyLogBuffer 64K 60000" keeps the last records of
# each child queued for a minute, so only the flush at exit can write
# them in time. Under prefork there is no queue: each request writes.
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
my $have_prefork = -e "$mods/mod_mpm_prefork.so";
plan tests => 14,
    need { 'ab (apache2-utils) is needed' => sub { `ab -V 2>&1` =~ /ApacheBench/ } };

my $so = "$vars->{serverroot}/../../mod_audit_body/.libs/mod_audit_body.so";
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/$_" for qw(logs htdocs);
open my $fh, '>', "$dir/htdocs/r.json" or die;
print $fh '{"pad":"' . ('x' x 1000) . '"}';
close $fh;
my $log = "$dir/logs/audit.log";

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, Proto => 'tcp') or die $!;
    my $p = $s->sockport;
    close $s;
    return $p;
}
my $port = free_port();

sub write_conf {
    my $mpm = shift;
    open my $c, '>', "$dir/httpd.conf" or die;
    print $c <<"CONF";
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile logs/httpd.pid
DefaultRuntimeDir logs
ErrorLog logs/error.log
LogLevel info
LoadModule mpm_${mpm}_module $mods/mod_mpm_${mpm}.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule audit_body_module "$so"
TypesConfig /dev/null
AddType application/json .json
DocumentRoot "$dir/htdocs"
<Directory "$dir/htdocs">
    Require all granted
</Directory>
# Every child from the start, and never one retired for being idle:
# only the restarts and the stop below make children exit.
StartServers 4
ServerLimit 4
MaxRequestWorkers 40
<IfModule mpm_event_module>
    ThreadsPerChild 10
    MinSpareThreads 10
    MaxSpareThreads 40
</IfModule>
AuditBodyLog logs/audit.log
AuditBodyLogBuffer 64K 60000
AuditBody On
CONF
    close $c;
}

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
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                      Timeout => 1);
        return 1 if $s && pid();
        usleep(100_000);
    }
    return 0;
}

sub stop {
    my $pid = pid();
    httpd('stop');
    for (1 .. 300) {
        return 1 unless $pid && kill 0, $pid;
        usleep(100_000);
    }
    return 0;
}

# (records whose uri holds $m, whether every line of the log parses)
sub records {
    my $m = shift;
    my $json = JSON::XS->new->utf8;
    my ($n, $ok) = (0, 1);
    open my $l, '<', $log or return (0, 1);
    while (my $line = <$l>) {
        my $r = eval { $json->decode($line) };
        if (!$r) {
            $ok = 0;
            t_debug("unparsable line: " . substr($line, 0, 200));
            next;
        }
        $n++ if index($r->{uri}, $m) >= 0;
    }
    close $l;
    return ($n, $ok);
}

sub wait_records {
    my ($m, $want, $secs) = @_;
    my ($n, $ok);
    for (1 .. $secs * 10) {
        ($n, $ok) = records($m);
        last if $n >= $want;
        usleep(100_000);
    }
    return ($n, $ok);
}

# ab against the private server; returns its output's request counts
sub ab_start {
    my ($n, $m) = @_;
    open my $ab, '-|', "ab -q -n $n -c 16 -s 60 "
        . "'http://127.0.0.1:$port/r.json?$m' 2>&1" or die $!;
    return $ab;
}

sub ab_finish {
    my $ab = shift;
    my $out = do { local $/; <$ab> };
    close $ab;
    my ($done) = $out =~ /Complete requests:\s+(\d+)/;
    my ($failed) = $out =~ /Failed requests:\s+(\d+)/;
    t_debug($out) unless $done && defined $failed && $failed == 0;
    t_debug($1) if $out =~ /(Time taken for tests:.*)/;
    return ($done // 0, $failed // -1);
}

# 1. event: graceful restart under load, then again once it is idle.
write_conf('event');
ok t_cmp(httpd('start') == 0 && up() ? 'up' : 'down', 'up', 'event: started');
my $m = "graceful-$$-" . time;
my $n = 10000;
my $ab = ab_start($n, $m);
usleep(200_000);
httpd('graceful');
my ($done, $failed) = ab_finish($ab);
ok t_cmp($done, $n, 'graceful: every request completed');
# The children that served the rest keep their last records queued
# (60 s): a second graceful restart makes them exit.
up();
httpd('graceful');
my ($got, $whole) = wait_records($m, $n, 30);
ok t_cmp($got, $n, 'graceful: one record per request');
ok t_cmp($whole, 1, 'graceful: every line of the log parses');

# 2. event: stop right after the load.
up();
$m = "stop-$$-" . time;
$n = 1000;
($done, $failed) = ab_finish(ab_start($n, $m));
ok t_cmp($done, $n, 'stop: every request completed');
($got) = records($m);
t_debug("records before the stop: $got");
ok t_cmp($got < $n ? 'queued' : 'written', 'queued',
         'stop: some records are still queued before the stop');
ok t_cmp(stop() ? 'stopped' : 'running', 'stopped', 'stop: server stopped');
($got, $whole) = records($m);
ok t_cmp($got, $n, 'stop: one record per request');
ok t_cmp($whole, 1, 'stop: every line of the log parses');

# 3. prefork: no writer thread, each request writes its own record.
if ($have_prefork) {
    write_conf('prefork');
    ok t_cmp(httpd('start') == 0 && up() ? 'up' : 'down', 'up',
             'prefork: started');
    $m = "prefork-$$-" . time;
    $n = 500;
    ($done, $failed) = ab_finish(ab_start($n, $m));
    ok t_cmp($done, $n, 'prefork: every request completed');
    ($got) = wait_records($m, $n, 5);
    ok t_cmp($got, $n, 'prefork: records written without the queue');
    ok t_cmp(stop() ? 'stopped' : 'running', 'stopped', 'prefork: stopped');
    ($got, $whole) = records($m);
    ok t_cmp($whole, 1, 'prefork: every line of the log parses');
}
else {
    skip('mod_mpm_prefork.so not installed') for 1 .. 5;
}
open my $el, '<', "$dir/logs/error.log" or die;
my @bad = grep { /\[[a-z_]+:(error|crit|alert|emerg)\]/ && !/AH00170|AH00169/ } <$el>;
close $el;
t_debug("error.log: @bad") if @bad;
