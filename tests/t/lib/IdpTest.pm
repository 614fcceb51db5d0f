package IdpTest;
# Helpers shared by the mod_id_proxy tests: a keep-alive client (one
# connection, so one child process and one cache), the backends' access
# log, and the status page.
use strict;
use warnings FATAL => 'all';

use Apache::Test ();
use Apache::TestUtil qw(t_debug);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::XS ();
use Time::HiRes ();
use LWP::UserAgent ();
use Exporter 'import';

our @EXPORT_OK = qw(base_url ua get_json backend_lines status backend_port
                    count_new_conns private_server stop_private_server);

my $json = JSON::XS->new->utf8;

sub base_url {
    my $v = Apache::Test::config()->{vars};
    return "http://$v->{servername}:$v->{port}";
}

sub backend_port {
    my $cfg = Apache::Test::config();
    return $cfg->{vhosts}{idp_backend}{port};
}

# A client that keeps its one connection alive across requests.
sub ua {
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 20);
    return $ua;
}

# GET $path with headers; returns ($response, decoded JSON body or undef).
sub get_json {
    my ($ua, $path, @headers) = @_;
    my $res = $ua->get(base_url() . $path, @headers);
    my $data = eval { $json->decode($res->content) };
    t_debug("$path -> " . $res->code . " " . $res->content);
    return ($res, $data);
}

# Lines of the backends' access log ("%A %k XFF \"%r\" %>s"). With
# $want, wait up to 5 s for at least that many: a backend logs a request
# after sending its response, so the last line can trail the client.
sub backend_lines {
    my $want = shift // 0;
    my $file = Apache::Test::vars('t_logs') . '/idp_backend.log';
    my @l;
    for (1 .. 100) {
        if (open my $fh, '<', $file) {
            @l = <$fh>;
            close $fh;
        }
        last if @l >= $want;
        Time::HiRes::sleep(0.05);
    }
    return @l;
}

# How many of @lines are the first request of a backend connection (%k 0).
sub count_new_conns {
    return scalar grep { (split ' ', $_)[1] eq '0' } @_;
}

# The status page of the child serving $ua's connection, decoded.
sub status {
    my $ua = shift;
    my (undef, $s) = get_json($ua, '/idp-status?json');
    return $s;
}

# A private httpd with mod_id_proxy from the build tree, for tests that
# need another MPM or their own cache: private_server($mpm, $directives)
# writes its httpd.conf in a fresh directory (removed at exit), starts it
# on a free 127.0.0.1 port with an id-proxy-status handler at
# /idp-status, waits for it to answer and returns { dir, port, base, up }.
# mod_id_proxy is loaded before mod_proxy, as Debian's a2enmod orders
# them: the harder order, proven at run time here.
sub private_server {
    my ($mpm, $directives) = @_;
    my $vars = Apache::Test::config()->{vars};
    my $so = "$vars->{serverroot}/../../mod_id_proxy/.libs/mod_id_proxy.so";
    my $mods = '/usr/lib/apache2/modules';
    my $dir = tempdir(CLEANUP => 1);
    mkdir "$dir/logs";
    my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                     LocalPort => 0, Listen => 1) or die "$!";
    my $port = $sock->sockport;
    close $sock;
    open my $fh, '>', "$dir/httpd.conf" or die "$dir/httpd.conf: $!";
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile logs/httpd.pid
ErrorLog logs/error_log
LogLevel warn
DefaultRuntimeDir logs
LoadModule mpm_${mpm}_module $mods/mod_mpm_${mpm}.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule id_proxy_module "$so"
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
<Location "/idp-status">
    SetHandler id-proxy-status
</Location>
$directives
CONF
    close $fh;
    t_debug(`$vars->{httpd} -d '$dir' -f '$dir/httpd.conf' -k start 2>&1`);
    my $srv = { dir => $dir, port => $port, base => "http://127.0.0.1:$port",
                up => 0 };
    my $ua = LWP::UserAgent->new(timeout => 10);
    for (1 .. 50) {
        $srv->{up} = 1, last
            if $ua->get("$srv->{base}/idp-status?json")->code == 200;
        Time::HiRes::sleep(0.1);
    }
    return $srv;
}

# Stop a private_server and return the lines of its error log.
sub stop_private_server {
    my $srv = shift;
    my $vars = Apache::Test::config()->{vars};
    t_debug(`$vars->{httpd} -d '$srv->{dir}' -f '$srv->{dir}/httpd.conf' -k stop 2>&1`);
    for (1 .. 100) {
        last unless -e "$srv->{dir}/logs/httpd.pid";
        Time::HiRes::sleep(0.1);
    }
    $srv->{stopped} = !-e "$srv->{dir}/logs/httpd.pid";
    open my $el, '<', "$srv->{dir}/logs/error_log" or return ();
    my @lines = <$el>;
    close $el;
    return @lines;
}

1;
