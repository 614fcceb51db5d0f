# Finding 10b of issue 10: observing must not change the output. A slow
# CGI stream (reads of its pipe return EAGAIN) compressed by mod_deflate
# gives byte-identical gzip output with AuditBody On and Off: the module
# passes no FLUSH down to mod_deflate (which would make it sync-flush).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use IO::Uncompress::Gunzip qw(gunzip);
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes first_body_byte);

plan tests => 14, need_module 'deflate', 'cgid';

# 12 lines compress; 3 lines (33 bytes) are left alone by mod_deflate,
# which only knows when it sees the end of the body with its start.
for my $n (12, 3) {
    my $q = "n=$n&ms=150";
    my $m = marker("z$n");
    my $on = GET "/ab/zcgi/stream.pl?$q&$m", 'Accept-Encoding' => 'gzip';
    my $off = GET "/abf-off/zcgi/stream.pl?$q&$m",
        'Accept-Encoding' => 'gzip';
    ok t_cmp($on->header('Content-Encoding'),
             $off->header('Content-Encoding'),
             "$n lines: the same Content-Encoding");
    my $plain = join '', map { sprintf "chunk %04d\n", $_ } 1 .. $n;
    my $out = $on->content;
    if (($on->header('Content-Encoding') // '') eq 'gzip') {
        gunzip(\($on->content) => \$out);
    }
    ok t_cmp($out, $plain, "$n lines: the client got the stream");
    ok t_cmp(unpack('H*', $on->content), unpack('H*', $off->content),
             "$n lines: the same bytes with and without auditing");
    my $rec = find_record($m);
    ok t_cmp(body_bytes($rec, 'response'), $plain,
             "$n lines: the record holds the stream");
    ok t_cmp($rec->{response}{state}, 'complete', "$n lines: complete");
    ok t_cmp($rec->{response}{headers}{'Content-Encoding'},
             $off->header('Content-Encoding'),
             "$n lines: the record shows what was sent");
}

# Without mod_deflate below, the stream still flows as it is produced.
my $m = marker('zflow');
my ($first, $total) = first_body_byte("/ab/cgi/stream.pl?n=4&ms=400&$m");
ok $first < 1.0;
ok $total > 1.0;
