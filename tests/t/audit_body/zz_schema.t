# Runs last: every record the suite produced, in the file and the piped
# sink, is one line of JSON that docs/record.schema.json accepts.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use AuditTest qw(audit_log);

plan tests => 4;

my $top = Apache::Test::vars('top_dir');
for my $log (audit_log(), audit_log('audit_pipe.log')) {
    my $out = `python3 $top/tools/validate_records.py $top/../docs/record.schema.json $log 2>&1`;
    my $rc = $? >> 8;
    t_debug($out);
    ok t_cmp($rc, 0, "$log validates");
    my ($n) = $out =~ /(\d+) records valid/;
    # the suite writes hundreds of records; an empty log proves nothing
    ok(($n // 0) >= 100);
}
