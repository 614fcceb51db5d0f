# Finding 10a of issue 10: a request body read before insert_filter (here
# by mod_auth_form while it authenticates, with KeptBody replaying it to
# the handler) is in the record.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(POST);
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes);

# mod_auth_form, mod_session, mod_request are loaded by ab_filter.conf.in.
plan tests => 8, need_module 'reflector';

my $form = 'httpd_username=alice&httpd_password=secret&note=hello';
my $m = marker('form');
my $res = POST "/ab/form/echo?$m", content => $form,
    'Content-Type' => 'application/x-www-form-urlencoded';
ok t_cmp($res->code, 200, 'form login accepted');
# mod_auth_form caps the input with an empty kept body: the handler reads
# nothing, so the form is only in the record if it was seen when read.
ok t_cmp($res->content, '', 'mod_auth_form kept the body from the handler');
my $rec = find_record($m);
ok t_cmp($rec->{user}, 'alice', 'user recorded');
ok t_cmp($rec->{request}{state}, 'complete', 'request body complete');
# (redacted: httpd_password matches the default *password*)
ok t_cmp(body_bytes($rec, 'request'),
         'httpd_username=alice&httpd_password=***&note=hello',
         'request body recorded, the password redacted');
ok t_cmp($rec->{request}{total_bytes}, length $form, 'counted once');
ok t_cmp($rec->{bytes_received}, length $form, 'bytes_received');

# A wrong password: mod_auth_form refuses, the body it read is recorded.
$m = marker('formbad');
my $bad = 'httpd_username=alice&httpd_password=wrong';
$res = POST "/ab/form/echo?$m", content => $bad,
    'Content-Type' => 'application/x-www-form-urlencoded';
$rec = find_record($m);
ok t_cmp(body_bytes($rec, 'request'), 'httpd_username=alice&httpd_password=***',
         "refused login (status " . $res->code . "): body recorded");
