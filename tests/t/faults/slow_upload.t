# A slow upload: a few bytes per second for 30 s. Other requests are served
# at once meanwhile, the upload completes (no mod_reqtimeout here; with it
# the request would end in a 408, and the record would say so), and its
# record is written whole.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes);
use LWP::UserAgent ();

my $SECS = $ENV{SLOW_UPLOAD_SECS} || 30;
plan tests => 8;

my $vars = Apache::Test::config()->{vars};
my $m = marker('slow');
my $body = join '', map { sprintf "%04d.", $_ } 1 .. $SECS;     # 5 bytes/s
my $sock = IO::Socket::INET->new(PeerAddr => $vars->{servername},
                                 PeerPort => $vars->{port}) or die;
print $sock "POST /ab/echo?$m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          . "Content-Type: text/plain\r\nContent-Length: " . length($body) . "\r\n\r\n";
my $t0 = time;
my $max_other = 0;
for my $i (0 .. $SECS - 1) {
    print $sock substr($body, $i * 5, 5);
    $sock->flush;
    my $t = time;
    my $r = GET '/ab/small.json';
    my $took = time - $t;
    $max_other = $took if $took > $max_other;
    sleep(1.0 - $took) if $took < 1.0;
}
my $resp = do { local $/; <$sock> } // '';
close $sock;
my $took = time - $t0;
ok t_cmp($max_other < 2, 1, sprintf('other requests served meanwhile (slowest %.2f s)', $max_other));
ok t_cmp($resp, qr{^HTTP/1\.1 200 }, 'the upload completed');
ok t_cmp($resp =~ /\r\n\r\n(.*)$/s ? $1 : '', $body, 'and was echoed whole');
ok t_cmp($took >= $SECS - 1, 1, sprintf('it took %.0f s', $took));
my $rec = find_record($m, timeout => 10);
ok $rec;
ok t_cmp($rec->{request}{state}, 'complete', 'record: request complete');
ok t_cmp(body_bytes($rec, 'request'), $body, 'record: the whole slow body');

# No worker thread is left busy afterwards (the scoreboard of the whole
# server, through the ab_full virtual host's server-status): only the
# status request itself, within a few seconds.
my $cfg = Apache::Test::config();
my $sport = $cfg->{vhosts}{ab_full}{port};
my $busy = -1;
for (1 .. 25) {
    my $st = LWP::UserAgent->new(timeout => 5)
        ->get("http://$vars->{servername}:$sport/ab-status?auto")->content;
    ($busy) = $st =~ /^BusyWorkers: (\d+)$/m;
    last if defined $busy && $busy <= 1;
    sleep 0.2;
}
ok t_cmp($busy, 1, 'no worker stuck: only the status request is busy');
