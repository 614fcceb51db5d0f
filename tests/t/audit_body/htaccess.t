# Whoever writes .htaccess files must not be able to switch the audit off
# or lower what it records; switching it on stays allowed. A directive a
# .htaccess file may not use makes httpd answer 500 for that tree (as it
# does for any directive not allowed there) and log why, so the content is
# never served unaudited. Both override paths are tried: AllowOverride
# FileInfo (AuditBody's class) and AllowOverrideList, which hands out
# directives by name.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestUtil qw(t_start_error_log_watch t_finish_error_log_watch);
use Apache::TestRequest qw(GET);
use lib 't/lib';
use AuditTest qw(marker find_record find_records body_bytes);

plan tests => 35;

t_start_error_log_watch();

# The tree is audited by <Directory>: a record with the body, masks applied.
my $m = marker('ht-base');
my $res = GET "/abht/hello.txt?$m", Authorization => 'Basic c2VjcmV0';
ok t_cmp($res->code, 200, 'audited tree: 200');
ok t_cmp($res->content, "hello from abht\n", 'audited tree: body');
my $rec = find_record($m);
ok t_cmp($rec ? $rec->{status} : undef, 200, 'audited tree: record written');
ok t_cmp(body_bytes($rec, 'response'), "hello from abht\n",
         'audited tree: response body in the record');
ok t_cmp($rec->{request}{headers}{Authorization}, '***',
         'audited tree: Authorization masked');

# "AuditBody Off" from .htaccess: refused, the tree answers 500.
$m = marker('ht-off');
$res = GET "/abht/off/hello.txt?$m";
ok t_cmp($res->code, 500, 'AuditBody Off in .htaccess: 500');
ok t_cmp($res->content =~ /hello from/ ? 'served' : 'not served',
         'not served', 'AuditBody Off in .htaccess: content not served');
ok t_cmp(scalar(grep { $_->{status} == 200 } find_records($m)), 0,
         'AuditBody Off in .htaccess: no unaudited 200');

# "AuditBody On" from .htaccess is allowed, inside an audited tree ...
$m = marker('ht-on-again');
$res = GET "/abht/on-again/hello.txt?$m";
ok t_cmp($res->code, 200, 'AuditBody On in .htaccess: 200');
$rec = find_record($m);
ok t_cmp($rec ? body_bytes($rec, 'response') : undef,
         "hello from abht/on-again\n", 'AuditBody On in .htaccess: recorded');

# ... and where the configuration leaves auditing off.
$m = marker('ht-on');
$res = GET "/abht-on/hello.txt?$m";
ok t_cmp($res->code, 200, 'AuditBody On in .htaccess (not audited tree): 200');
$rec = find_record($m);
ok t_cmp($rec ? body_bytes($rec, 'response') : undef,
         "hello from abht-on\n",
         'AuditBody On in .htaccess (not audited tree): recorded');

# Limits, types and masks from .htaccess, even when the administrator
# lists them in AllowOverrideList: refused.
for my $case (['list/resp0', 'AuditBodyResponseLimit'],
              ['list/unmask', 'AuditBodyMaskHeaders'],
              ['list/types', 'AuditBodyTypes'],
              ['list/addmask', 'AuditBodyMaskHeaders'],
              ['list/decode', 'AuditBodyDecode'],
              ['list/ratio', 'AuditBodyDecodeRatio'],
              ['fi-resp0', 'AuditBodyResponseLimit']) {
    my ($dir, $directive) = @$case;
    $m = marker("ht-$dir");
    $m =~ s{/}{-}g;
    $res = GET "/abht/$dir/hello.txt?$m", Authorization => 'Basic c2VjcmV0';
    ok t_cmp($res->code, 500, "$directive in $dir/.htaccess: 500");
    ok t_cmp($res->content =~ /hello from/ ? 'served' : 'not served',
             'not served', "$directive in $dir/.htaccess: content not served");
    my @recs = find_records($m);
    ok t_cmp(scalar(grep { $_->{status} == 200 } @recs), 0,
             "$directive in $dir/.htaccess: no 200 with its setting");
}

my @log = t_finish_error_log_watch();
t_debug("error log: @log");
ok t_cmp(scalar(grep { m{abht/off/\.htaccess: AuditBody Off cannot occur within htaccess files} } @log) >= 1,
         1, 'error log: AuditBody Off refused, the .htaccess named');
ok t_cmp(scalar(grep { m{abht/list/resp0/\.htaccess: AuditBodyResponseLimit cannot occur within htaccess files} } @log) >= 1,
         1, 'error log: AuditBodyResponseLimit refused under AllowOverrideList');
