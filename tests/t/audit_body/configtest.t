# apachectl configtest refuses bad values with a sentence naming the
# directive, and accepts good ones.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use File::Temp qw(tempdir);

my @cases = (
    ['AuditBodyRequestLimit 17M', qr/AuditBodyRequestLimit: '17M' is above the maximum/],
    ['AuditBodyResponseLimit 10x', qr/AuditBodyResponseLimit: '10x' is not a number/],
    ['AuditBodyRequestLimit -1', qr/AuditBodyRequestLimit: '-1' is not a number/],
    ['AuditBodyTypes json', qr/AuditBodyTypes: 'json' is not a media type/],
    ['AuditBodyMaskHeaders "Bad Name"', qr/AuditBodyMaskHeaders: 'Bad Name' is not a header name/],
    ['AuditBody maybe', qr/AuditBody must be On or Off/],
    ["<Location /x>\nAuditBodyLog logs/x.log\n</Location>", qr/AuditBodyLog not allowed in <Location> context/],
    ['AuditBodyLogBuffer 1000', qr/AuditBodyLogBuffer: '1000' is below the minimum of 4096 bytes/],
    ['AuditBodyLogBuffer 64K 0', qr/AuditBodyLogBuffer: the delay '0' is not a number of milliseconds/],
    ["<VirtualHost *:80>\nAuditBodyLogBuffer 64K\n</VirtualHost>", qr/AuditBodyLogBuffer cannot occur within <VirtualHost> section/],
    ['AuditBodyLogOnFull maybe', qr/AuditBodyLogOnFull: 'maybe' is not block or drop/],
    ["<Location /x>\nAuditBodyLogOnFull drop\n</Location>", qr/AuditBodyLogOnFull not allowed in <Location> context/],
    ["AuditBodyLogOnFull drop\n<VirtualHost *:80>\nAuditBodyLogOnFull block\n</VirtualHost>", undef],
    ['AuditBodyLogBuffer 0', undef],
    ['AuditBodyLogBuffer 1M 200', undef],
    ['AuditBodyRequestLimit 16M', undef],
    ["AuditBodyTypes text/* +json\nAuditBodyMaskHeaders X-Key -Cookie", undef],
    # redaction (issue 12)
    ['AuditBodyRedact "pass word"', qr/AuditBodyRedact: 'pass word' is not a field name/],
    ['AuditBodyRedact +none', qr/AuditBodyRedact: none takes no \+ or -/],
    ['AuditBodyRedactPatterns pan jtw', qr/AuditBodyRedactPatterns: 'jtw' is not a built-in detector/],
    ['AuditBodyRedactPatterns "ACME-([0-9]"', qr/AuditBodyRedactPatterns: 'ACME-\(\[0-9\]' is not a valid regular expression/],
    ['AuditBodyRedactPatterns "x*"', qr/AuditBodyRedactPatterns: 'x\*' matches the empty string/],
    ['AuditBodyRedactWith scramble', qr/AuditBodyRedactWith: 'scramble' is not mask or hmac/],
    ['AuditBodyRedactWith hmac', qr/AB10077: AuditBodyRedactWith hmac \(.*httpd.conf:\d+\) needs AuditBodyRedactKey/],
    ["<VirtualHost *:80>\n<Location /x>\nAuditBodyRedactWith hmac\n</Location>\n</VirtualHost>", qr/AB10077: .*needs AuditBodyRedactKey/],
    ['AuditBodyRedactKey conf/missing.key', qr/AuditBodyRedactKey: cannot read '.*missing.key'/],
    ['AuditBodyRedactKey conf/short.key', qr/AuditBodyRedactKey: '.*short.key' holds 8 bytes; a key is at least 16/],
    ["<Location /x>\nAuditBodyRedactKey conf/good.key\n</Location>", qr/AuditBodyRedactKey not allowed in <Location> context/],
    ["AuditBodyRedactKey conf/good.key\n<VirtualHost *:80>\n<Location /x>\nAuditBodyRedactWith hmac\n</Location>\n</VirtualHost>", undef],
    ["AuditBodyRedact -pin +x-tenant-key *_otp\nAuditBodyRedactPatterns pan jwt bearer \"ACME-[0-9]{6}\"\nAuditBodyRedactWith mask", undef],
    ["AuditBodyRedact none\nAuditBodyRedactPatterns none", undef],
    # log-time decisions (issue 13)
    ['AuditBodySample 1.5', qr/AuditBodySample: /],
    ['AuditBodySample 0.5 by=span', qr/AuditBodySample: /],
    ['AuditBodyCondition "%{REQUEST_URI} =~"', qr/AuditBodyCondition: cannot parse/],
    ['AuditBodyCorrelationHeaders "X Bad"', qr/AuditBodyCorrelationHeaders: 'X Bad' is not a header name/],
    ["AuditBodyKeepBodies \"%{REQUEST_STATUS} -ge 500 || %{AUDIT_BODY_LATENCY_MS} -gt 2000 || %{AUDIT_BODY_TTFB_MS} -gt 500\"\nAuditBodySample 0.01 by=trace\nAuditBodyCondition \"%{REQUEST_URI} !~ m#^/health#\"\nAuditBodyCorrelationHeaders X-Request-ID X-B3-TraceId", undef],
    ["AuditBodySample traceparent\nAuditBodyCorrelationHeaders none", undef],
    ['AuditBodyInterim 0', qr/AuditBodyInterim: '0' is not off or a number of seconds from 1 to 86400/],
    ["<Location /x>\nAuditBodyInterim 5\n</Location>", qr/AuditBodyInterim not allowed in <Location> context/],
    ["AuditBodyInterim 30\n<VirtualHost *:80>\nAuditBodyInterim off\n</VirtualHost>", undef],
    # decoding (issue 13)
    ['AuditBodyDecode gzip compress', qr/AuditBodyDecode: 'compress' is not gzip, deflate, br or none/],
    ['AuditBodyDecode none br', qr/AuditBodyDecode: none cannot be combined with a coding/],
    ['AuditBodyDecode', qr/AuditBodyDecode/],
    ['AuditBodyDecodeRatio 100001', qr/AuditBodyDecodeRatio: '100001' is not 0 \(no limit\) or a ratio from 1 to 100000/],
    ['AuditBodyDecodeRatio -5', qr/AuditBodyDecodeRatio: '-5' is not 0/],
    ["AuditBodyDecode x-gzip BR\nAuditBodyDecodeRatio 0\n<Location /x>\nAuditBodyDecode none\nAuditBodyDecodeRatio 100000\n</Location>", undef],
);
plan tests => 2 * @cases;

my $vars = Apache::Test::config()->{vars};
my $so = "$vars->{serverroot}/../../mod_audit_body/.libs/mod_audit_body.so";
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/logs";
mkdir "$dir/conf";
for (['short.key', "12345678\n"], ['good.key', ('k' x 32) . "\n"]) {
    open my $kf, '>', "$dir/conf/$_->[0]" or die;
    print $kf $_->[1];
    close $kf;
    chmod 0600, "$dir/conf/$_->[0]";
}
for my $c (@cases) {
    my ($snippet, $want) = @$c;
    open my $fh, '>', "$dir/httpd.conf" or die;
    print $fh <<"CONF";
ServerRoot "$dir"
ServerName localhost
PidFile logs/httpd.pid
ErrorLog logs/error.log
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule audit_body_module "$so"
AuditBodyLog logs/audit.log
$snippet
CONF
    close $fh;
    my $out = `$vars->{httpd} -t -d '$dir' -f '$dir/httpd.conf' 2>&1`;
    my $rc = $? >> 8;
    t_debug($out);
    die "sanitizer report from httpd -t:\n$out" if $out =~ /runtime error:|Sanitizer/;
    if ($want) {
        ok t_cmp($rc != 0 ? 'refused' : 'accepted', 'refused', $snippet);
        ok t_cmp($out, $want, "message for $snippet");
    }
    else {
        ok t_cmp($rc, 0, "accepted: $snippet");
        ok t_cmp($out, qr/Syntax OK/, "syntax ok: $snippet");
    }
}
