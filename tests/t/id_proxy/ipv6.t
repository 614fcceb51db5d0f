# An IPv6-literal template works (issue 11 #8): the admission check
# resolved "[::1]" with its brackets, so every request was a 502
# (IDP10005). The test listens on [::1] itself (Apache::Test's vhosts
# listen on IPv4 only) and answers each request with its request line and
# Host header.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use IdpTest qw(ua get_json);
use IO::Socket::IP;
use POSIX ();

my $vars = Apache::Test::config()->{vars};
my $port = "3$vars->{port}";
my $srv = IO::Socket::IP->new(LocalHost => '::1', LocalPort => $port,
                              Listen => 8, ReuseAddr => 1);
plan tests => 6, need { 'a socket on [::1]' => defined $srv };

my $pid = fork // die "fork: $!";
if (!$pid) {
    # One request per connection, then close; at most 20 connections.
    for (1 .. 20) {
        my $c = $srv->accept or last;
        my ($line, $host) = ('', '');
        while (defined(my $l = <$c>)) {
            $l =~ s/\r?\n$//;
            last if $l eq '';
            if (!$line) { $line = $l } elsif ($l =~ /^Host:\s*(.*)$/i) { $host = $1 }
        }
        (my $j = qq({"line":"$line","host":"$host"})) =~ s/\\/\\\\/g;
        print $c "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               . "Content-Length: " . length($j) . "\r\nConnection: close\r\n\r\n$j";
        close $c;
    }
    POSIX::_exit(0);
}
close $srv;

my $ua = ua();
my ($res, $who) = get_json($ua, '/idp/v6/x/y?id=acme');
ok t_cmp($res->code, 200, '[::1] template: 200, not 502');
ok t_cmp($who && $who->{line}, 'GET /v6/acme/x/y?id=acme HTTP/1.1',
         'path and query as for any template');
ok t_cmp($who && $who->{host}, "[::1]:$port", 'Host names the IPv6 literal');
($res, $who) = get_json($ua, '/idp/v6/z?id=beta');
ok t_cmp($res->code, 200, 'a second id, same backend: 200');
ok t_cmp($who && $who->{line}, 'GET /v6/beta/z?id=beta HTTP/1.1', 'its own path');
open my $fh, '<', "$vars->{t_logs}/error_log" or die;
ok t_cmp(scalar(grep { /IDP10005: .*::1/ } <$fh>), 0, 'no DNS failure logged');
kill 'TERM', $pid;
waitpid $pid, 0;
