# apachectl configtest on template rules (issue 11 #7, #3, #8): a host
# made of {id} alone (no fixed label after a dot) is refused unless the
# route says allowbarehost=on; a numeric host must be a dotted quad of
# canonical octets.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use File::Temp qw(tempdir);

my $bare = qr/IdProxyRoute: the template '.*' has a host made of \{id\} alone .*allowbarehost=on/;
my @cases = (
    ["IdProxyRoute /a/ http://{id}:8080/", $bare],
    ["IdProxyRoute /a/ http://id-{id}:8080/", $bare],
    ["IdProxyRoute /a/ http://{id}./", $bare],
    ["IdProxyRoute /a/ http://{id}:8080/ source=header:X-T", $bare],
    ["IdProxyRoute /a/ http://{id}:8080/ allowbarehost=off", $bare],
    ["IdProxyRoute /a/ http://{id}:8080/ allowbarehost=on", undef],
    ["IdProxyRoute /a/ http://{id}:8080/ source=path:1 allowbarehost=on", undef],
    ["IdProxyRoute /a/ http://{id}:8080/ allowbarehost=On source=path:1", undef],
    ["IdProxyRoute /a/ http://{id}.svc:8080/", undef],
    ["IdProxyRoute /a/ http://id-{id}.tenants.svc:8080/", undef],
    ["IdProxyRoute /a/ http://127.0.0.{id}:8080/", undef],
    ["IdProxyRoute /a/ http://svc.local/t/{id}/", undef],
    ["IdProxyRoute /a/ http://{id}.svc/ allowbarehost=maybe", qr/IdProxyRoute: unknown option 'allowbarehost=maybe'/],
    ["IdProxyRoute /a/ http://127.{id}:8080/", qr/IdProxyRoute: bad template .*four dot-separated decimal labels/],
    ["IdProxyRoute /a/ http://127.0.00.{id}/", qr/IdProxyRoute: bad template .*no leading zero/],
);
plan tests => 2 * @cases;

my $vars = Apache::Test::config()->{vars};
my $so = "$vars->{serverroot}/../../mod_id_proxy/.libs/mod_id_proxy.so";
my $mods = '/usr/lib/apache2/modules';
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/logs";

sub configtest {
    my $snippet = shift;
    open my $fh, '>', "$dir/httpd.conf" or die;
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
PidFile logs/httpd.pid
ErrorLog logs/error.log
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
LoadModule id_proxy_module "$so"
$snippet
CONF
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
