# What the core is handed for static files: the AB_BUCKET_PROBE filter of
# the test module notes the data bucket types just above the connection
# filters. Whether the file is copied whole (small), in part (larger than
# the cap) or not at all (AuditBody Off), the FILE bucket reaches the core
# untouched, so sendfile still sends it; the copy is taken with pread().
# The bytes and the records are exact in every case.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET);
use File::Path qw(make_path);
use lib 't/lib';
use AuditTest qw(marker find_record find_records body_bytes sha256_hex);

plan tests => 4 * 5 + 1;

my $vars = Apache::Test::config()->{vars};
my $docs = $vars->{documentroot};
make_path("$docs/ab/generated", "$docs/ab/off/generated");

sub text {
    my $size = shift;
    my $line = join('', map { chr(ord('a') + $_ % 26) } 0 .. 62) . "\n";
    return substr($line x ($size / 64 + 1), 0, $size);
}

sub write_file {
    my ($path, $content) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $content;
    close $fh;
}

# The probe's note for the request whose URI contains $m.
sub buckets {
    my $m = shift;
    my $log = "$vars->{t_logs}/abb_probe.log";
    for (1 .. 50) {
        if (open my $fh, '<', $log) {
            while (<$fh>) {
                return $1 if /^(.*) \S*\Q$m\E\S*$/;
            }
        }
        select(undef, undef, undef, 0.1);
    }
    return undef;
}

my @cases = (
    # name, path, size, FILE expected, audited
    [ 'small',  '/ab/generated/probe-1k.txt',   1000,   1, 1 ],
    [ 'medium', '/ab/generated/probe-40k.txt',  40000,  1, 1 ],
    [ 'large',  '/ab/generated/probe-300k.txt', 300000, 1, 1 ],
    [ 'off',    '/ab/off/generated/probe-1k.txt', 1000, 1, 0 ],
);
for my $c (@cases) {
    my ($name, $path, $size, $want_file, $audited) = @$c;
    my $content = text($size);
    write_file("$docs$path", $content);
    my $m = marker($name);
    my $res = GET "$path?abprobe-$m";
    ok t_cmp($res->code, 200, "$name: 200");
    ok t_cmp(sha256_hex($res->content), sha256_hex($content),
             "$name: the file's bytes (digest)");
    my $b = buckets($m);
    t_debug("$name: buckets: " . ($b // 'none'));
    ok t_cmp(defined $b ? ($b =~ /\bFILE\b/ ? 1 : 0) : undef, $want_file,
             "$name: " . ($want_file ? 'FILE bucket kept (sendfile)'
                                     : 'no FILE bucket (the copy is sent)'));
    my $rec = $audited ? find_record($m) : undef;
    if ($audited) {
        my $cap = 65536;
        my $copied = $size < $cap ? $size : $cap;
        ok t_cmp($rec->{response}{total_bytes}, $size, "$name: total");
        ok t_cmp(sha256_hex(body_bytes($rec, 'response')),
                 sha256_hex(substr($content, 0, $copied)), "$name: the copy");
    }
    else {
        select(undef, undef, undef, 0.5);   # past the queue's delay
        ok t_cmp(scalar(find_records($m)), 0, "$name: no record");
        ok t_cmp($res->header('Content-Length'), $size, "$name: length");
    }
}

# A range of a small file: the byterange filter cuts the copy handed on.
my $m = marker("range");
my $content = text(1000);
my $res = GET "/ab/generated/probe-1k.txt?abprobe-$m", Range => 'bytes=100-199';
ok t_cmp($res->content, substr($content, 100, 100), 'range of an inlined file');
