# apachectl configtest refuses bad mod_id_proxy configuration with a
# sentence naming the directive, accepts good configuration, and does not
# care whether mod_id_proxy is loaded before or after mod_proxy.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use File::Temp qw(tempdir);

my $T = 'http://id-{id}.tenants.svc:8080/api/';
my @cases = (
    ["IdProxyRoute /api/ http://id-{id}.x.svc:8080/ source=query:id", undef],
    ["IdProxyRoute /api/ $T source=path:1\nIdProxyRoute /b/ https://{id}.b.svc/ source=header:X-Tenant", undef],
    ["IdProxyRoute /api/ $T\nIdProxyIdPattern ^[0-9]{1,18}\$\nIdProxyMaxBackends 64\nIdProxyIdleTimeout 60\nIdProxyNegativeTTL 0\nIdProxyWorkerParams ttl=30 smax=2 max=16 acquire=500 connectiontimeout=2 timeout=30 addressttl=60 keepalive=On", undef],
    ["IdProxyRoute api/ $T", qr/IdProxyRoute: the prefix 'api\/' must be a URL path/],
    ["IdProxyRoute /api/ http://id-{id}.svc:8080/ source=query:", qr/IdProxyRoute: bad source/],
    ["IdProxyRoute /api/ http://id-{id}.svc:8080/ source=nope:id", qr/IdProxyRoute: bad source/],
    ["IdProxyRoute /api/ http://svc:8080/", qr/IdProxyRoute: bad template/],
    ["IdProxyRoute /api/ http://user\@id-{id}.svc/", qr/IdProxyRoute: bad template/],
    ["IdProxyRoute /api/ ftp://id-{id}.svc/", qr/IdProxyRoute: bad template/],
    ["IdProxyRoute /api/ http://id.svc:{id}/", qr/IdProxyRoute: bad template/],
    ["IdProxyRoute /api/ $T\nIdProxyRoute /api/ $T", qr/the prefix '\/api\/' has a route already/],
    ["IdProxyRoute /api/ $T bogus=1", qr/IdProxyRoute: unknown option 'bogus=1'/],
    ["IdProxyIdPattern ^.*\$", qr/IdProxyIdPattern '\^\.\*\$' refused/],
    ["IdProxyIdPattern [a-z]+", qr/IdProxyIdPattern '\[a-z\]\+' refused/],
    ["IdProxyIdPattern ^[^/]+\$", qr/IdProxyIdPattern .* refused/],
    ["IdProxyMaxBackends 0", qr/IdProxyMaxBackends must be a whole number from 1 to 100000/],
    ["IdProxyMaxBackends lots", qr/IdProxyMaxBackends must be a whole number/],
    ["IdProxyIdleTimeout -1", qr/IdProxyIdleTimeout must be a whole number/],
    ["IdProxyMetricsBackends 256", undef],
    ["IdProxyMetricsBackends 257", qr/IdProxyMetricsBackends must be a whole number from 0 to 256, not '257'/],
    ["IdProxyMetricsBackends -1", qr/IdProxyMetricsBackends must be a whole number from 0 to 256/],
    ["<VirtualHost *:80>\nIdProxyMetricsBackends 2\n</VirtualHost>", qr/IdProxyMetricsBackends cannot occur within <VirtualHost> section/],
    ["<VirtualHost *:80>\nIdProxyMaxBackends 10\n</VirtualHost>", qr/IdProxyMaxBackends cannot occur within <VirtualHost> section/],
    ["IdProxyWorkerParams ttl=0", qr/IdProxyWorkerParams: ttl=0: must be a number of seconds, at least 1/],
    ["IdProxyWorkerParams retry=5", qr/IdProxyWorkerParams: 'retry' is a balancer or health-check parameter/],
    ["IdProxyWorkerParams frobnicate=1", qr/IdProxyWorkerParams: unknown worker parameter 'frobnicate'/],
    ["IdProxyWorkerParams ttl", qr/IdProxyWorkerParams: 'ttl' is not of the form key=value/],
    ["<Location /x>\nIdProxyRoute /api/ $T\n</Location>", qr/IdProxyRoute not allowed/],
);
plan tests => 2 * @cases + 4;

my $vars = Apache::Test::config()->{vars};
my $so = "$vars->{serverroot}/../../mod_id_proxy/.libs/mod_id_proxy.so";
my $mods = '/usr/lib/apache2/modules';
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/logs";

sub configtest {
    my ($snippet, %o) = @_;
    my $load_id = qq{LoadModule id_proxy_module "$so"\n};
    my $load_proxy = "LoadModule proxy_module $mods/mod_proxy.so\n";
    $load_proxy .= "LoadModule proxy_http_module $mods/mod_proxy_http.so\n"
        unless $o{no_http};
    $load_proxy = '' if $o{no_proxy};
    open my $fh, '>', "$dir/httpd.conf" or die;
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
PidFile logs/httpd.pid
ErrorLog logs/error.log
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
CONF
    # id_proxy first: the load order must not matter.
    print $fh $o{proxy_first} ? $load_proxy . $load_id : $load_id . $load_proxy;
    print $fh "$snippet\n";
    close $fh;
    my $out = `$vars->{httpd} -t -d '$dir' -f '$dir/httpd.conf' 2>&1`;
    my $rc = $? >> 8;
    t_debug($out);
    die "sanitizer report from httpd -t:\n$out" if $out =~ /runtime error:|Sanitizer/;
    return ($rc, $out);
}

for my $c (@cases) {
    my ($snippet, $want) = @$c;
    my ($rc, $out) = configtest($snippet);
    if ($want) {
        ok t_cmp($rc != 0 ? 'refused' : 'accepted', 'refused', $snippet);
        ok t_cmp($out, $want, "message for $snippet");
    }
    else {
        ok t_cmp($rc, 0, "accepted: $snippet");
        ok t_cmp($out, qr/Syntax OK/, "syntax ok: $snippet");
    }
}
my ($rc, $out) = configtest("IdProxyRoute /api/ $T", proxy_first => 1);
ok t_cmp($rc, 0, 'accepted with mod_proxy loaded first');
($rc, $out) = configtest("IdProxyRoute /api/ $T", no_proxy => 1);
ok t_cmp($out, qr/IDP10014: mod_id_proxy needs mod_proxy/, 'without mod_proxy: refused, says why');
($rc, $out) = configtest("IdProxyRoute /api/ $T", no_http => 1);
ok t_cmp($rc != 0, 1, 'without mod_proxy_http: refused');
ok t_cmp($out, qr/IDP10001: IdProxyRoute \/api\/ .* needs mod_proxy_http/, 'and says why');
