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

plan tests => 7;

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
