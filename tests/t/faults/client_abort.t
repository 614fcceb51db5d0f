# A client that goes away in the middle of a download: the record says the
# response was aborted, holds at most the cap, and later requests on the
# server are fine (the mid-upload case is in t/audit_body/cases.t).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use IO::Socket::INET;
use Time::HiRes qw(usleep);
use lib 't/lib';
use AuditTest qw(marker find_record);

plan tests => 8;

my $vars = Apache::Test::config()->{vars};
my $size = 20 * 1024 * 1024;
my $m = marker('dlabort');
my $sock = IO::Socket::INET->new(PeerAddr => $vars->{servername},
                                 PeerPort => $vars->{port}) or die;
print $sock "GET /ab/big?size=$size&type=text/plain&$m HTTP/1.1\r\nHost: x\r\n\r\n";
my ($got, $buf) = (0, '');
while ($got < 300_000) {
    my $n = sysread($sock, $buf, 65536);
    last unless $n;
    $got += $n;
}
close $sock;
ok t_cmp($got >= 300_000, 1, 'read the first 300 KB, then closed');
my $rec = find_record($m, timeout => 15);
ok $rec;
ok t_cmp($rec->{aborted} ? 1 : 0, 1, 'record: aborted');
ok t_cmp($rec->{response}{state}, qr/^(aborted|truncated)$/, 'response state');
ok t_cmp($rec->{response}{captured_bytes} <= 65536, 1, 'copy within the cap');
ok t_cmp($rec->{bytes_sent} < $size, 1, 'not all of it was sent');
my $res = GET '/ab/small.json';
ok t_cmp($res->code, 200, 'the server goes on');

# Nothing leaks: after a few aborted downloads and uploads to warm up, 20
# more of each leave the children's memory where it was.
sub children_rss_kb {
    open my $pf, '<', "$vars->{t_logs}/httpd.pid" or die;
    chomp(my $ppid = <$pf>);
    my $kb = 0;
    for my $st (glob '/proc/[0-9]*/status') {
        open my $fh, '<', $st or next;
        my $txt = do { local $/; <$fh> };
        next unless $txt =~ /^PPid:\s+$ppid$/m;
        $kb += $1 if $txt =~ /^VmRSS:\s+(\d+)/m;
    }
    return $kb;
}
sub abort_both {
    my $i = shift;
    my $d = IO::Socket::INET->new(PeerAddr => $vars->{servername},
                                  PeerPort => $vars->{port}) or die;
    print $d "GET /ab/big?size=$size&type=text/plain&$m-$i HTTP/1.1\r\nHost: x\r\n\r\n";
    sysread($d, my $b, 65536) for 1 .. 4;
    close $d;
    my $u = IO::Socket::INET->new(PeerAddr => $vars->{servername},
                                  PeerPort => $vars->{port}) or die;
    print $u "POST /ab/echo?$m-u$i HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
           . "Content-Length: 10000000\r\n\r\n" . ('u' x 200000);
    close $u;
}
abort_both($_) for 1 .. 5;
sleep 1;
my $before = children_rss_kb();
abort_both($_) for 6 .. 25;
sleep 1;
my $after = children_rss_kb();
t_debug("children RSS: $before KiB -> $after KiB");
if ($vars->{httpd} =~ /httpd-san$/) {
    # ASan keeps freed memory in quarantine: RSS says nothing there
    skip('sanitized build: RSS includes the ASan quarantine', 1);
}
else {
    ok t_cmp($after - $before < 4096, 1,
             sprintf('20 more aborted downloads and uploads: RSS %+d KiB',
                     $after - $before));
}
