# 10 MiB downloads (static with sendfile, proxied chunked) and uploads
# (Content-Length and chunked): passed through intact, the copy holds
# exactly the cap, is marked truncated, and the total is exact.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use File::Path qw(make_path);
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes sha256_hex);

plan tests => 32, need_module 'reflector', 'proxy_http';

my $size = 10 * 1024 * 1024;
my $cap = 65536;
my $vars = Apache::Test::config()->{vars};
my $base = "http://$vars->{servername}:$vars->{port}";
my $gen = "$vars->{documentroot}/ab/generated";
make_path($gen);

# A deterministic 10 MiB text file.
my $line = join('', map { chr(ord('a') + $_ % 26) } 0 .. 62) . "\n";
my $content = $line x ($size / 64);
my $file = "$gen/big10.txt";
open my $fh, '>', $file or die "$file: $!";
print $fh $content;
close $fh;
my $sha = sha256_hex($content);

sub curl {
    my @args = @_;
    open my $p, '-|', 'curl', '-s', '-S', '--max-time', '60', @args
        or die "curl: $!";
    binmode $p;
    local $/;
    my $out = <$p>;
    close $p;
    return $out;
}

# Static download: sendfile stays possible, the copy is the cap.
my $m = marker('static');
my $got = curl("$base/ab/generated/big10.txt?$m");
ok t_cmp(length $got, $size, 'static: length');
ok t_cmp(sha256_hex($got), $sha, 'static: digest');
my $rec = find_record($m);
ok t_cmp($rec->{response}{captured_bytes}, $cap, 'static: copy = cap');
ok t_cmp($rec->{response}{total_bytes}, $size, 'static: total exact');
ok t_cmp($rec->{response}{state}, 'truncated', 'static: state');
ok $rec->{response}{truncated};
ok t_cmp(body_bytes($rec, 'response'), substr($content, 0, $cap),
         'static: copy is the head of the file');
ok t_cmp($rec->{bytes_sent}, $size, 'static: bytes sent');

# Proxied chunked download from the backend's ab-bigbody handler.
my $bport = Apache::Test::config()->{vhosts}{ab_backend}{port};
my $q = "size=$size&type=text/plain";
my $direct = curl("http://$vars->{servername}:$bport/backend/big?$q");
$m = marker('proxied');
my $hdrs = "$vars->{t_logs}/hdrs-$m";
$got = curl('-D', $hdrs, "$base/ab/proxy/big?$q&$m");
ok t_cmp(length $got, $size, 'proxied: length');
ok t_cmp(sha256_hex($got), sha256_hex($direct), 'proxied: digest');
my $h = do { local $/; open my $x, '<', $hdrs or die; <$x> };
ok t_cmp($h, qr/Transfer-Encoding: chunked/i, 'proxied: chunked');
$rec = find_record($m);
ok t_cmp($rec->{response}{captured_bytes}, $cap, 'proxied: copy = cap');
ok t_cmp($rec->{response}{total_bytes}, $size, 'proxied: total exact');
ok t_cmp($rec->{response}{state}, 'truncated', 'proxied: state');
ok t_cmp(body_bytes($rec, 'response'), substr($direct, 0, $cap),
         'proxied: copy is the head of the body');

# Upload with Content-Length, echoed back.
$m = marker('upcl');
$got = curl('-H', 'Content-Type: text/plain', '--data-binary', "\@$file",
            "$base/ab/echo?$m");
ok t_cmp(length $got, $size, 'upload CL: echo length');
ok t_cmp(sha256_hex($got), $sha, 'upload CL: echo digest');
$rec = find_record($m);
ok t_cmp($rec->{request}{captured_bytes}, $cap, 'upload CL: copy = cap');
ok t_cmp($rec->{request}{total_bytes}, $size, 'upload CL: total');
ok t_cmp($rec->{request}{state}, 'truncated', 'upload CL: state');
ok t_cmp(body_bytes($rec, 'request'), substr($content, 0, $cap),
         'upload CL: copy is the head');
ok t_cmp($rec->{response}{captured_bytes}, $cap, 'upload CL: resp copy');
ok t_cmp($rec->{bytes_received}, $size, 'upload CL: bytes received');

# Chunked upload.
$m = marker('upchunked');
$got = curl('-H', 'Content-Type: text/plain',
            '-H', 'Transfer-Encoding: chunked', '--data-binary', "\@$file",
            "$base/ab/echo?$m");
ok t_cmp(length $got, $size, 'upload chunked: echo length');
ok t_cmp(sha256_hex($got), $sha, 'upload chunked: echo digest');
$rec = find_record($m);
ok t_cmp($rec->{request}{headers}{'Transfer-Encoding'}, 'chunked',
         'upload chunked: was chunked');
ok t_cmp($rec->{request}{captured_bytes}, $cap, 'upload chunked: copy');
ok t_cmp($rec->{request}{total_bytes}, $size, 'upload chunked: total');
ok t_cmp($rec->{request}{state}, 'truncated', 'upload chunked: state');
ok t_cmp(body_bytes($rec, 'request'), substr($content, 0, $cap),
         'upload chunked: copy is the head');

# A small limit on the same upload path: 100 bytes kept.
$m = marker('lim');
$got = curl('-H', 'Content-Type: text/plain', '--data-binary',
            'x' x 1000, "$base/ab/limit100/echo?$m");
$rec = find_record($m);
ok t_cmp($rec->{request}{captured_bytes}, 100, 'limit 100: request');
ok t_cmp($rec->{response}{captured_bytes}, 100, 'limit 100: response');
