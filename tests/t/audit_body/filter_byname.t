# Finding 1 of issue 10: AUDIT_BODY_OUT / AUDIT_BODY_IN added by name
# (SetOutputFilter, SetInputFilter, AddOutputFilter, FilterProvider) have
# no context of their own: they must step aside, never crash the child.
# Under /ab/ AuditBody is On, so the module's own filters still make
# exactly one record; under /abf-off/ it is Off and no record is made.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestUtil qw(t_start_error_log_watch t_finish_error_log_watch);
use Apache::TestRequest qw(GET POST);
use Time::HiRes qw(usleep);
use lib 't/lib';
use AuditTest qw(marker find_record find_records body_bytes);

plan tests => 17, need_module 'filter', 'reflector';

t_start_error_log_watch();

my %file = map { $_ => "hello from $_\n" }
    qw(ab/byname/out ab/provider abf-off/out abf-off/add abf-off/provider);

# Output filter by name, auditing On: served intact, one record.
for my $d ('ab/byname/out', 'ab/provider') {
    my $m = marker('byname');
    my $res = GET "/$d/hello.txt?$m";
    ok t_cmp($res->code . ' ' . $res->content, "200 $file{$d}",
             "$d: served intact");
    my $rec = find_record($m);
    ok t_cmp(body_bytes($rec, 'response'), $file{$d},
             "$d: the record holds the body");
    my @all = find_records($m);
    ok t_cmp(scalar @all, 1, "$d: exactly one record");
}

# Input filter by name, auditing On: the echo is intact and captured once.
my $m = marker('bynamein');
my $body = '{"by":"name"}';
my $res = POST "/ab/byname/in/?$m", content => $body,
    'Content-Type' => 'application/json';
ok t_cmp($res->code . ' ' . $res->content, "200 $body", 'in: echo intact');
my $rec = find_record($m);
ok t_cmp(body_bytes($rec, 'request'), $body, 'in: request captured');
ok t_cmp($rec->{request}{total_bytes}, length $body,
         'in: counted once, not twice');

# Auditing Off: the named filters pass everything on, and write nothing.
for my $d ('abf-off/out', 'abf-off/add', 'abf-off/provider') {
    $m = marker('byname-off');
    $res = GET "/$d/hello.txt?$m";
    ok t_cmp($res->code . ' ' . $res->content, "200 $file{$d}",
             "$d: served intact");
}
$m = marker('bynamein-off');
$res = POST "/abf-off/in/?$m", content => $body,
    'Content-Type' => 'application/json';
ok t_cmp($res->code . ' ' . $res->content, "200 $body",
         'off in: echo intact');
$res = POST "/abf-off/in/?$m", content => 'x' x 100000,
    'Content-Type' => 'text/plain';
ok t_cmp(length $res->content, 100000, 'off in: large echo intact');
# The off requests make no record (wait for the sink like find_record).
usleep(300_000);
ok t_cmp(scalar(find_records('byname-off')) + scalar(find_records($m)), 0,
         'AuditBody Off: no record');

# And no child died on the way.
usleep(500_000);
my @lines = t_finish_error_log_watch();
my @crash = grep { /exit signal|Segmentation/ } @lines;
ok t_cmp(scalar @crash, 0, "no child crashed: @crash");
ok t_cmp(scalar(grep { /AH00052/ } @lines), 0, 'no AH00052');
