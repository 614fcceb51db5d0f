package AbSinkServer;
# A private httpd with mod_audit_body from the build tree, for the sink
# tests that need their own MPM, children, piped logger or a server that
# starts clean: start(mpm => 'prefork', conf => "...", files => {...})
# writes its httpd.conf in a fresh directory (removed at exit), starts it
# on a free 127.0.0.1 port, waits until it answers and returns
# { dir, port, base, up }. mod_status answers at /status. With idp => 1
# it loads mod_proxy, mod_proxy_http and mod_id_proxy too. Ports come
# from the top of APACHE_TEST_PORT+1..+49 when that is set (each session
# has its own range), else from the kernel.
use strict;
use warnings FATAL => 'all';

use Apache::Test ();
use Apache::TestUtil qw(t_debug);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::XS ();
use Time::HiRes qw(usleep);
use Exporter 'import';

our @EXPORT_OK = qw(start_server stop_server server_get parse_log ab_run
                    free_port);

my $mods = '/usr/lib/apache2/modules';

my %given;                      # ports handed out by this process
sub free_port {
    my $base = $ENV{APACHE_TEST_PORT} // '';
    if ($base =~ /^\d+$/) {
        for my $p (reverse $base + 1 .. $base + 49) {
            next if $given{$p};
            my $s = IO::Socket::INET->new(Listen => 1, ReuseAddr => 1,
                                          LocalAddr => '0.0.0.0',
                                          LocalPort => $p, Proto => 'tcp')
                or next;
            close $s;
            $given{$p} = 1;
            return $p;
        }
    }
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, Proto => 'tcp') or die $!;
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub httpd {
    my ($srv, $what) = @_;
    my $vars = Apache::Test::config()->{vars};
    my $out = `$vars->{httpd} -d '$srv->{dir}' -f '$srv->{dir}/httpd.conf' -k $what 2>&1`;
    t_debug("httpd -k $what: $out") if $out;
    return $? >> 8;
}

sub start_server {
    my %o = @_;
    my $vars = Apache::Test::config()->{vars};
    my $so = "$vars->{serverroot}/../../mod_audit_body/.libs/mod_audit_body.so";
    my $idp_so = "$vars->{serverroot}/../../mod_id_proxy/.libs/mod_id_proxy.so";
    my $idp = $o{idp} ? "LoadModule proxy_module $mods/mod_proxy.so\n"
        . "LoadModule proxy_http_module $mods/mod_proxy_http.so\n"
        . "LoadModule id_proxy_module \"$idp_so\"\n" : '';
    my $bin = "$vars->{serverroot}/bin";
    my $dir = tempdir(CLEANUP => 1);
    chmod 0755, $dir;
    mkdir "$dir/$_" for qw(logs htdocs);
    for my $f (keys %{$o{files} || {}}) {
        open my $fh, '>', "$dir/htdocs/$f" or die "$f: $!";
        print $fh $o{files}{$f};
        close $fh;
    }
    my $mpm = $o{mpm} || 'event';
    my $port = free_port();
    my $conf = $o{conf} // '';
    $conf =~ s/\@DIR\@/$dir/g;
    $conf =~ s/\@BIN\@/$bin/g;
    open my $c, '>', "$dir/httpd.conf" or die;
    print $c <<"CONF";
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile logs/httpd.pid
DefaultRuntimeDir logs
ErrorLog logs/error_log
LogLevel info
LoadModule mpm_${mpm}_module $mods/mod_mpm_${mpm}.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule status_module $mods/mod_status.so
LoadModule audit_body_module "$so"
$idp
TypesConfig /dev/null
AddType application/json .json
AddType text/plain .txt
DocumentRoot "$dir/htdocs"
<Directory "$dir/htdocs">
    Require all granted
    AllowOverride None
</Directory>
<Location "/status">
    SetHandler server-status
</Location>
$conf
CONF
    close $c;
    my $srv = { dir => $dir, port => $port, base => "http://127.0.0.1:$port",
                up => 0 };
    return $srv if httpd($srv, 'start') != 0;
    for (1 .. 100) {
        my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                      Timeout => 1);
        if ($s && -s "$dir/logs/httpd.pid") {
            $srv->{up} = 1;
            last;
        }
        usleep(100_000);
    }
    return $srv;
}

# Stop it (waiting for the parent to go) and return its error log lines.
sub stop_server {
    my $srv = shift;
    my $pid = 0;
    if (open my $p, '<', "$srv->{dir}/logs/httpd.pid") {
        $pid = <$p> // 0;
        chomp $pid;
    }
    httpd($srv, 'stop');
    for (1 .. 300) {
        last unless $pid && kill 0, $pid;
        usleep(100_000);
    }
    open my $el, '<', "$srv->{dir}/logs/error_log" or return ();
    my @lines = <$el>;
    close $el;
    return @lines;
}

# A raw HTTP/1.0 GET: (status, body, seconds), undef status on timeout.
sub server_get {
    my ($srv, $path, $timeout) = @_;
    my $t0 = [Time::HiRes::gettimeofday()];
    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$srv->{port}",
                                  Timeout => $timeout // 10) or return;
    $s->timeout($timeout // 10);
    print $s "GET $path HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    my $buf = '';
    my $ok = eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm($timeout // 10);
        while (sysread($s, my $chunk, 65536)) { $buf .= $chunk }
        alarm 0;
        1;
    };
    alarm 0;
    close $s;
    my $secs = Time::HiRes::tv_interval($t0);
    return (undef, undef, $secs) unless $ok;
    my ($status) = $buf =~ m{^HTTP/\S+ (\d+)};
    my $i = index($buf, "\r\n\r\n");
    return ($status, $i >= 0 ? substr($buf, $i + 4) : '', $secs);
}

# Every line of $file: (records with uri containing $needle, bad lines,
# total lines)
sub parse_log {
    my ($file, $needle) = @_;
    my $json = JSON::XS->new->utf8;
    my ($n, $bad, $lines) = (0, 0, 0);
    open my $l, '<', $file or return (0, 0, 0);
    while (my $line = <$l>) {
        $lines++;
        my $r = eval { $json->decode($line) };
        if (!$r) {
            t_debug("unparsable line ($lines): " . substr($line, 0, 120))
                if $bad++ < 5;
            next;
        }
        $n++ if index($r->{uri} // '', $needle) >= 0;
    }
    close $l;
    return ($n, $bad, $lines);
}

# Start ab in the background: returns a handle for ab_wait.
sub ab_run {
    my ($srv, $path, $n, $c) = @_;
    open my $ab, '-|', "ab -q -n $n -c $c -s 60 '$srv->{base}$path' 2>&1"
        or die $!;
    return $ab;
}

1;
