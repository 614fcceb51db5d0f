# The documentation stays true: every relative link and #anchor of the
# README and docs/ resolves, and every ```apache example passes
# apachectl configtest with the modules of this build.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;

plan tests => 4;

my $vars = Apache::Test::config()->{vars};
my $top = "$vars->{top_dir}/..";
my $out = `python3 $top/tests/tools/doc_links.py $top 2>&1`;
t_debug($out);
ok t_cmp($? >> 8, 0, 'links and anchors resolve');
ok t_cmp($out, qr/^\d+ files, 0 bad links$/m, 'the checker saw the files');

my $so = "$top/mod_audit_body/.libs/mod_audit_body.so";
my $so2 = "$top/mod_id_proxy/.libs/mod_id_proxy.so";
$out = `python3 $top/tests/tools/doc_snippets.py $vars->{httpd} $so $so2 $top/README.md $top/docs/*.md 2>&1`;
t_debug($out);
ok t_cmp($? >> 8, 0, 'every apache example passes configtest');
my ($n) = $out =~ /^(\d+) blocks, 0 failing$/m;
# the pages hold dozens of examples: none found means the test looks nowhere
ok(($n // 0) >= 20);
