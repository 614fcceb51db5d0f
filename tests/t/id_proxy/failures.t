# Failures: a name that does not resolve is a fast 502, and the negative
# cache answers the repeat; a backend that is down is a fast 503 and
# recovers when it comes back; neither leaks an entry.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json status);
use Time::HiRes qw(time sleep);
use IO::Socket::INET;

plan tests => 17;

my $vars = Apache::Test::config()->{vars};
my $errlog = "$vars->{t_logs}/error_log";
sub errlog_has {
    my $re = shift;
    open my $fh, '<', $errlog or return 0;
    my $n = grep { /$re/ } <$fh>;
    return $n;
}

my $ua = ua();
my $s0 = status($ua);

# DNS failure.
my $t = time;
my ($res) = get_json($ua, '/idp/dns/x?id=nosuchtenant');
ok t_cmp($res->code, 502, 'unresolvable backend: 502');
ok t_cmp(time - $t < 3, 1, 'answered fast');
($res) = get_json($ua, '/idp/dns/x?id=nosuchtenant');
ok t_cmp($res->code, 502, 'repeat: 502');
my $s1 = status($ua);
ok t_cmp($s1->{pid}, $s0->{pid}, 'same child');
ok t_cmp($s1->{totals}{dns_failures} - $s0->{totals}{dns_failures}, 1,
         'one DNS lookup failed');
ok t_cmp($s1->{totals}{negative_hits} - $s0->{totals}{negative_hits}, 1,
         'the repeat was answered by the negative cache');
ok t_cmp(scalar(grep { $_->{id} eq 'nosuchtenant' } @{ $s1->{entries} }), 0,
         'no entry for it');
ok t_cmp(errlog_has(qr/IDP10005: id nosuchtenant: DNS lookup/) >= 1, 1,
         'tagged DNS error line');
ok t_cmp(errlog_has(qr/IDP10004: id nosuchtenant:/) >= 1, 1,
         'tagged negative-cache line');

# A backend that is down, then up, then down.
my $port = "1$vars->{port}";
$t = time;
($res) = get_json($ua, '/idp/down/x?id=50');
ok t_cmp($res->code, 503, 'backend down: 503');
ok t_cmp(time - $t < 3, 1, 'answered fast');
ok t_cmp(errlog_has(qr/IDP10013: id 50: backend http:\/\/127\.0\.0\.50:$port failed \(status 503\)/) >= 1,
         1, 'tagged backend error line');

my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.50', LocalPort => $port,
                                Listen => 5, ReuseAddr => 1) or die "listen: $!";
my $pid = fork // die;
if (!$pid) {
    # A minimal backend: answers each request with "up" and closes.
    while (my $c = $srv->accept) {
        my $req = '';
        while (my $l = <$c>) { $req .= $l; last if $l eq "\r\n" }
        print $c "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
               . "Content-Length: 3\r\nConnection: close\r\n\r\nup\n";
        close $c;
    }
    exit 0;
}
close $srv;
# A 503 closes the client connection (httpd drops it after a 503), so
# this request may reach another child; the status page that follows on
# the same connection shows that child's entry.
($res) = get_json($ua, '/idp/down/x?id=50');
ok t_cmp($res->code, 200, 'backend back: 200');
ok t_cmp($res->content, "up\n", 'its answer');
my $s2 = status($ua);
my ($e) = grep { $_->{id} eq '50' } @{ $s2->{entries} };
ok t_cmp($e && $e->{refs}, 0, 'entry not leaked (refs 0)');
ok t_cmp($e && $e->{requests} >= 1, 1, 'the entry served the request');
kill 'TERM', $pid;
waitpid($pid, 0);
($res) = get_json($ua, '/idp/down/x?id=50');
ok t_cmp($res->code, 503, 'down again: 503');
