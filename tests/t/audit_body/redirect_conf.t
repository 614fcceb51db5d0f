# Finding 3 of issue 10: after an internal redirect (a .htaccess front
# controller, ErrorDocument, a CGI's local Location:) the final request's
# configuration governs the limits, types and masks of what is written.
# A record is written when AuditBody is On for any request of the chain:
# a redirect into an AuditBody Off location does not remove it.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET POST);
use lib 't/lib';
use AuditTest qw(marker find_record find_records body_bytes audit_log);

plan tests => 41, need_module 'rewrite', 'cgid';

my $docs = Apache::Test::config()->{vars}{documentroot};
sub slurp { local $/; open my $f, '<', shift or die; binmode $f; <$f> }
# The raw line of a record, to check a secret appears nowhere in it.
sub raw_line {
    my $m = shift;
    open my $fh, '<', audit_log() or die;
    my @l = grep { index($_, $m) >= 0 } <$fh>;
    return $l[-1] // '';
}

my $form = 'user=bob&password=hunter2';

# The front controller and the direct request give the same record.
for my $path ('/ab/fc/signin', '/ab/fc/login.pl') {
    my $m = marker('fc');
    my $res = POST "$path?$m", content => $form,
        'Content-Type' => 'application/x-www-form-urlencoded',
        'X-Secret' => 'topsecret';
    ok t_cmp($res->code . ' ' . $res->content, qq(200 {"login":"ok","read":25}\n),
             "$path: the handler read the form");
    my $rec = find_record($m);
    ok t_cmp($rec->{request}{headers}{'X-Secret'}, '***',
             "$path: X-Secret masked (target's mask)");
    ok t_cmp($rec->{request}{skip_reason}, 'limit-zero',
             "$path: request body not recorded (target's limit 0)");
    ok t_cmp($rec->{request}{total_bytes}, 25, "$path: request counted");
    ok t_cmp($rec->{response}{skip_reason}, 'limit-zero',
             "$path: response body not recorded");
    my $line = raw_line($m);
    ok $line ne '' && index($line, 'hunter2') < 0 && index($line, 'topsecret') < 0;
}

# ErrorDocument into a location with limit 0 and a mask.
my $m = marker('errdoc');
my $res = GET "/ab/errdoc/missing?$m", 'X-Secret' => 'topsecret';
ok t_cmp($res->code, 404, 'errdoc: 404');
ok t_cmp($res->content, slurp("$docs/ab/errdoc-target/notfound.json"),
         'errdoc: the ErrorDocument was served');
my $rec = find_record($m);
ok t_cmp($rec->{status}, 404, 'errdoc: status recorded');
ok t_cmp($rec->{response}{skip_reason}, 'limit-zero',
         'errdoc: response body not recorded (target limit 0)');
ok t_cmp($rec->{request}{headers}{'X-Secret'}, '***', 'errdoc: masked');
ok index(raw_line($m), 'topsecret') < 0;

# A CGI reads the body, then redirects locally into a location whose
# limits are 10 bytes: the record holds no more than 10 of each body.
$m = marker('lim10');
my $body = 'abcdefghijklmnopqrstuvwxy';          # 25 bytes
$res = POST "/ab/cgi/localredir.pl?to=/ab/lim10/hello.txt&$m",
    content => $body, 'Content-Type' => 'text/plain';
my $hello = slurp("$docs/ab/lim10/hello.txt");
ok t_cmp($res->code . ' ' . $res->content, "200 $hello",
         'local redirect: target served');
$rec = find_record($m);
ok t_cmp(body_bytes($rec, 'request'), substr($body, 0, 10),
         'local redirect: request cut at the target limit');
ok t_cmp($rec->{request}{captured_bytes}, 10, 'request captured_bytes');
ok t_cmp($rec->{request}{truncated}, 1, 'request truncated');
ok t_cmp($rec->{request}{state}, 'truncated', 'request state truncated');
ok t_cmp($rec->{request}{total_bytes}, 25, 'request total');
ok t_cmp(body_bytes($rec, 'response'), substr($hello, 0, 10),
         'local redirect: response cut at the target limit');
ok t_cmp($rec->{response}{truncated}, 1, 'response truncated');

# Redirected from an audited URL into an AuditBody Off location: the
# record is still written (the request the client chose was audited).
$m = marker('leave');
$res = GET "/ab/fc/leave?$m", 'X-Secret' => 'topsecret';
my $target = slurp("$docs/ab/off/abf-target.txt");
ok t_cmp($res->code . ' ' . $res->content, "200 $target", 'leave: served');
$rec = find_record($m);
ok t_cmp($rec && $rec->{uri}, qr/leave/, 'leave: record written');
ok t_cmp($rec && $rec->{status}, 200, 'leave: final status');
ok t_cmp(body_bytes($rec, 'response'), $target,
         'leave: body per the final request limits');

# From a location that is not audited into one that is: recorded, with
# the target's mask.
$m = marker('enter');
$res = GET "/abf-fc/enter?$m", 'X-Secret' => 'topsecret';
ok t_cmp($res->content, slurp("$docs/abf-on/echo.json"), 'enter: served');
$rec = find_record($m);
ok t_cmp($rec && $rec->{request}{headers}{'X-Secret'}, '***',
         'enter: recorded with the target mask');
ok t_cmp(scalar(find_records($m)), 1, 'enter: one record');

# DirectoryIndex (a fast redirect in fixups): the index's location governs.
$m = marker('dirindex');
$res = GET "/ab/dirindex/?$m", 'X-Secret' => 'topsecret';
my $index = slurp("$docs/ab/dirindex/index.json");
ok t_cmp($res->content, $index, 'dirindex: index served');
$rec = find_record($m);
ok t_cmp($rec->{request}{headers}{'X-Secret'}, '***', 'dirindex: masked');
ok t_cmp(body_bytes($rec, 'response'), substr($index, 0, 8),
         'dirindex: response cut at the index location limit');
ok t_cmp($rec->{response}{truncated}, 1, 'dirindex: truncated');

# A CGI reads a text/plain body, then redirects locally into a location
# that captures application/xml only: the body read under the first
# request's types is not written.
$m = marker('types');
$res = POST "/ab/cgi/localredir.pl?to=/ab/onlyxml/abf.xml&$m",
    content => 'plain secret text', 'Content-Type' => 'text/plain';
ok t_cmp($res->content, "<ok/>\n", 'types: target served');
$rec = find_record($m);
ok t_cmp($rec->{request}{skip_reason}, 'type', 'types: target list applies');
ok t_cmp($rec->{request}{body}, undef, 'types: no body written');
ok index(raw_line($m), 'plain secret text') < 0;
