# A CGI that sends 20,000 response headers: the request completes, the
# client gets them, and the record holds the first 256 entries and counts
# the rest in headers_omitted.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use IO::Socket::INET;
use lib 't/lib';
use AuditTest qw(marker find_record);

plan tests => 9, need_module 'cgid';

my $cfg = Apache::Test::config()->{vars};
my $m = marker('manyhdr');
# LWP stops at 128 header lines: read the response from a raw socket.
my $sock = IO::Socket::INET->new(PeerAddr => $cfg->{servername},
                                 PeerPort => $cfg->{port},
                                 Timeout => 60) or die "connect: $!";
print $sock "GET /ab/cgi/headers.pl?n=20000&m=$m HTTP/1.1\r\n"
          . "Host: $cfg->{servername}\r\nConnection: close\r\n\r\n";
my $resp = '';
while (sysread($sock, my $buf, 65536)) {
    $resp .= $buf;
}
close $sock;
my ($head, $body) = split /\r\n\r\n/, $resp, 2;
$head //= '';
ok t_cmp(($head =~ m{^HTTP/\S+ (\d+)})[0] // 0, 200, 'status');
ok t_cmp(scalar(() = $head =~ /^X-Many-\d+: /mg), 20000,
         'client got all 20,000 headers');
ok t_cmp($body // '', qr/headers sent\n/, 'client got the body');

my $rec = find_record($m, timeout => 20);
ok $rec;
my $h = $rec->{response}{headers};
my $entries = 0;
$entries += ref $h->{$_} ? scalar @{$h->{$_}} : 1 for keys %$h;
ok t_cmp($entries, 256, 'the record holds 256 response header entries');
my $omitted = $rec->{response}{headers_omitted};
t_debug("omitted: $omitted");
# 20,000 from the CGI plus the few httpd adds (Content-Type, ...)
ok $omitted >= 20000 - 256 && $omitted <= 20000 - 256 + 8;
ok t_cmp($h->{'X-Many-1'}, 'v1', 'the first header is kept');
ok t_cmp(exists $h->{'X-Many-19999'} ? 'kept' : 'left out', 'left out',
         'a late header is left out');
ok t_cmp($rec->{request}{headers_omitted}, 0, 'request: nothing omitted');
