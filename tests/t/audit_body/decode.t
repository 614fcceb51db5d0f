# Decoding of compressed bodies for the record (issue 13, "Decoding"):
# gzip, deflate and brotli responses from a proxied backend and a gzip
# request body are recorded decoded (and redacted), while the client and
# the handler get the encoded bytes untouched; a gzip bomb is recorded
# capped ("ratio" or "cap") and the serving child's peak memory stays
# near the cap; AuditBodyDecode none and unlisted or chained codings
# record the body as before.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET POST);
use IO::Compress::Gzip qw(gzip $GzipError);
use IO::Compress::Deflate qw(deflate $DeflateError);
use Time::HiRes qw(usleep);
use lib 't/lib';
use AuditTest qw(marker audit_log find_record body_bytes sha256_hex);

plan tests => 79, need_module 'proxy_http', 'reflector', 'mime', 'deflate',
    'alias';

my $docroot = Apache::Test::vars('documentroot') . '/abdec';
Apache::TestRequest::user_agent(reset => 1, keep_alive => 1);

sub write_file {
    my ($name, $bytes) = @_;
    open my $fh, '>', "$docroot/$name" or die "$docroot/$name: $!";
    binmode $fh;
    print $fh $bytes;
    close $fh;
}

sub json_doc {
    my ($m) = @_;
    return qq({"greeting":"hello $m","password":"pw-$m","n":[)
        . join(',', 1 .. 300) . "]}\n";
}

# Fetch $url (marker in the query), check the client got $raw intact,
# return the record.
sub fetch {
    my ($url, $raw, $what) = @_;
    my $res = GET $url;
    ok t_cmp($res->code, 200, "$what: status");
    ok t_cmp(sha256_hex($res->content), sha256_hex($raw),
             "$what: the client gets the encoded bytes untouched");
    my ($m) = $url =~ /\?(.*)$/;
    return find_record($m, timeout => 10);
}

# 1. A gzip JSON response from a proxied backend, with a password.
{
    my $m = marker('gz');
    my $plain = json_doc($m);
    gzip(\$plain => \my $gz) or die $GzipError;
    write_file("$m.json.gz", $gz);
    my $rec = fetch("/ab/dec/proxy/$m.json.gz?$m", $gz, 'gzip');
    my $d = $rec->{response};
    ok t_cmp($d->{content_encoding}, 'gzip', 'gzip: content_encoding');
    ok t_cmp($d->{decoded}, 'complete', 'gzip: decoded complete');
    ok t_cmp($d->{encoded_bytes}, length $gz, 'gzip: encoded_bytes');
    ok t_cmp($d->{total_bytes}, length $gz,
             'gzip: total_bytes counts the bytes that passed (encoded)');
    ok t_cmp($d->{state}, 'complete', 'gzip: state');
    ok t_cmp($d->{body_encoding}, 'text', 'gzip: recorded as text');
    ok t_cmp($d->{redaction}, 'on', 'gzip: redaction inspected the text');
    my $body = body_bytes($rec, 'response');
    ok t_cmp(index($body, "\"greeting\":\"hello $m\"") >= 0, 1,
             'gzip: the decoded text is in the record');
    ok t_cmp(index($body, "pw-$m"), -1, 'gzip: the password is redacted');
    (my $want = $plain) =~ s/"pw-\Q$m\E"/"***"/;
    ok t_cmp($body, $want, 'gzip: the whole body, redacted');
}

# 2. A brotli response (the committed fixture, made with libbrotlienc).
{
    my $m = marker('br');
    open my $fh, '<', "$docroot/hello.json.br" or die;
    binmode $fh;
    my $br = do { local $/; <$fh> };
    close $fh;
    my $rec = fetch("/ab/dec/proxy/hello.json.br?$m", $br, 'br');
    my $d = $rec->{response};
    ok t_cmp($d->{content_encoding}, 'br', 'br: content_encoding');
    ok t_cmp($d->{decoded}, 'complete', 'br: decoded complete');
    ok t_cmp($d->{encoded_bytes}, length $br, 'br: encoded_bytes');
    my $body = body_bytes($rec, 'response');
    ok t_cmp(index($body, 'hello from a brotli backend') >= 0, 1,
             'br: the decoded text is in the record');
    ok t_cmp(index($body, 'br-secret-7'), -1, 'br: the password is redacted');
    ok t_cmp(scalar(() = $body =~ /"word":"brotli"/g), 40,
             'br: the whole body');
}

# 3. deflate (zlib-wrapped), served locally from a pre-compressed file.
{
    my $m = marker('zz');
    my $plain = json_doc($m);
    deflate(\$plain => \my $zz) or die $DeflateError;
    write_file("$m.json.zz", $zz);
    my $rec = fetch("/ab/dec/local/$m.json.zz?$m", $zz, 'deflate');
    my $d = $rec->{response};
    ok t_cmp($d->{content_encoding}, 'deflate', 'deflate: content_encoding');
    ok t_cmp($d->{decoded}, 'complete', 'deflate: decoded complete');
    ok t_cmp(index(body_bytes($rec, 'response'), "hello $m") >= 0, 1,
             'deflate: decoded text recorded');
}

# 4. A gzip request body, echoed by mod_reflector.
{
    my $m = marker('reqgz');
    my $plain = json_doc($m);
    gzip(\$plain => \my $gz) or die $GzipError;
    my $res = POST "/ab/dec/echo?$m", content => $gz,
        'Content-Type' => 'application/json', 'Content-Encoding' => 'gzip';
    ok t_cmp($res->code, 200, 'request gzip: status');
    ok t_cmp(sha256_hex($res->content), sha256_hex($gz),
             'request gzip: the handler read the encoded bytes');
    my $rec = find_record($m, timeout => 10);
    my $d = $rec->{request};
    ok t_cmp($d->{content_encoding}, 'gzip', 'request gzip: content_encoding');
    ok t_cmp($d->{decoded}, 'complete', 'request gzip: decoded complete');
    ok t_cmp($d->{encoded_bytes}, length $gz, 'request gzip: encoded_bytes');
    ok t_cmp($d->{total_bytes}, length $gz, 'request gzip: total_bytes');
    ok t_cmp($rec->{bytes_received}, length $gz,
             'request gzip: bytes_received counts encoded bytes');
    my $body = body_bytes($rec, 'request');
    ok t_cmp(index($body, "hello $m") >= 0, 1,
             'request gzip: decoded text recorded');
    ok t_cmp(index($body, "pw-$m"), -1, 'request gzip: password redacted');
    ok t_cmp($rec->{response}{decoded}, undef,
             'request gzip: the echo (no coding) is not decoded');
}

# 5. mod_deflate's input filter inflates the body for the handler: the
# record holds the body as the handler read it, without the coding.
{
    my $m = marker('inflate');
    my $plain = json_doc($m);
    gzip(\$plain => \my $gz) or die $GzipError;
    my $res = POST "/ab/dec/echo-inflate?$m", content => $gz,
        'Content-Type' => 'application/json', 'Content-Encoding' => 'gzip';
    ok t_cmp(index($res->content, qq({"greeting":"hello $m")), 0,
             'inflate: the handler read plain text');
    my $rec = find_record($m, timeout => 10);
    my $d = $rec->{request};
    ok t_cmp($d->{content_encoding}, undef, 'inflate: no coding left');
    ok t_cmp($d->{decoded}, undef, 'inflate: nothing for the module to decode');
    my $body = body_bytes($rec, 'request');
    ok t_cmp(index($body, "hello $m") >= 0 && index($body, "pw-$m") < 0, 1,
             'inflate: plain text recorded and redacted');
}

# 6. The bomb: 100 MiB of zeros in about 100 KiB of gzip.
my $bomb = 'bomb-' . $$ . '.json.gz';
my $bombgz;
{
    my $z = IO::Compress::Gzip->new(\$bombgz, -Level => 9) or die $GzipError;
    my $mib = "\0" x (1024 * 1024);
    $z->print($mib) for 1 .. 100;
    $z->close;
    write_file($bomb, $bombgz);
    t_debug('bomb: ' . length($bombgz) . ' bytes of gzip');
}
for my $case (['proxy', 'ratio'], ['proxy-noratio', 'cap']) {
    my ($loc, $why) = @$case;
    my $m = marker("bomb-$why");
    my $rec = fetch("/ab/dec/$loc/$bomb?$m", $bombgz, "bomb ($why)");
    my $d = $rec->{response};
    ok t_cmp($d->{decoded}, $why, "bomb: decoding stopped at the $why");
    ok t_cmp($d->{truncated}, 1, "bomb ($why): truncated");
    ok t_cmp($d->{state}, 'truncated', "bomb ($why): state");
    ok t_cmp($d->{total_bytes}, length $bombgz,
             "bomb ($why): total_bytes is every encoded byte");
    ok t_cmp($d->{captured_bytes} <= 65536, 1,
             "bomb ($why): at most the cap recorded");
    ok t_cmp($d->{encoded_bytes} < length $bombgz, 1,
             "bomb ($why): the decoder stopped early");
    if ($why eq 'cap') {
        ok t_cmp($d->{captured_bytes}, 65536, 'bomb (cap): exactly the cap');
    }
    else {
        ok t_cmp($d->{captured_bytes} <= 100 * $d->{encoded_bytes} + 8192, 1,
                 'bomb (ratio): within the ratio and its slack');
    }
}

# 7. Memory: the child that serves the bomb (a local file, so the same
# thread reads it) on a kept-alive connection. Its peak RSS is reset
# (/proc/PID/clear_refs 5) before the bomb and read after it. The same
# measure with a 16 MiB cap and no ratio limit shows it sees growth.
sub child_pid {
    my ($m) = @_;
    my $log = Apache::Test::vars('t_logs') . '/access_ab.log';
    for (1 .. 100) {
        if (open my $fh, '<', $log) {
            my $pid;
            while (my $l = <$fh>) {
                $pid = (split ' ', $l)[2] if index($l, $m) >= 0;
            }
            close $fh;
            return $pid if $pid;
        }
        usleep(50_000);
    }
    return undef;
}

sub status_kb {
    my ($pid, $key) = @_;
    open my $fh, '<', "/proc/$pid/status" or return undef;
    while (my $l = <$fh>) {
        return $1 if $l =~ /^$key:\s+(\d+)\s+kB/;
    }
    return undef;
}

sub peak_growth {
    my ($loc, $what) = @_;
    my $m = marker("mem-$what");
    my $res = GET "/ab/dec/local/hello.json.br?$m-warm";
    my $pid = child_pid("$m-warm");
    open my $cr, '>', "/proc/$pid/clear_refs" or return (undef, $pid);
    print $cr "5\n";
    close $cr;
    my $before = status_kb($pid, 'VmRSS');
    $res = GET "/ab/dec/$loc/$bomb?$m";
    my $after = status_kb($pid, 'VmHWM');
    my $served = child_pid($m);
    t_debug("$what: pid $pid (bomb served by $served): VmRSS before "
            . "$before kB, VmHWM after $after kB");
    return ($served == $pid ? $after - $before : undef, $pid,
            length($res->content));
}
{
    my ($grow, $pid, $len) = peak_growth('local', 'default');
    ok t_cmp($len, length $bombgz, 'memory: the client got every byte');
    ok defined $grow;
    t_debug("peak growth with the default cap: $grow kB");
    ok t_cmp(defined $grow && $grow <= 64 + 512, 1,
             'memory: peak growth of the child within the cap + 512 KiB');
    my ($big) = peak_growth('local-big', 'cap16m');
    t_debug("peak growth with a 16 MiB cap, no ratio: $big kB");
    ok t_cmp(defined $big && $big >= 15 * 1024, 1,
             'memory: the same measure sees a 16 MiB decoded capture');
}

# 8. AuditBodyDecode none, a coding that is not listed, and a chain:
# recorded as before (the encoded body is not inspected, so not kept).
for my $case (['proxy-none', 'gz', undef, 'none'],
              ['proxy-gzip-only', 'br', undef, 'unlisted coding'],
              ['proxy', 'gz.zz', 'unsupported', 'chain']) {
    my ($loc, $ext, $want, $what) = @$case;
    my $m = marker('as-is');
    my $plain = json_doc($m);
    my $raw;
    if ($ext eq 'gz') {
        gzip(\$plain => \$raw) or die $GzipError;
    }
    elsif ($ext eq 'br') {
        open my $fh, '<', "$docroot/hello.json.br" or die;
        binmode $fh;
        $raw = do { local $/; <$fh> };
        close $fh;
    }
    else {
        gzip(\$plain => \my $gz) or die $GzipError;
        deflate(\$gz => \$raw) or die $DeflateError;
    }
    my $file = $ext eq 'br' ? 'hello.json.br' : "$m.json.$ext";
    write_file($file, $raw) unless $ext eq 'br';
    my $rec = fetch("/ab/dec/$loc/$file?$m", $raw, $what);
    my $d = $rec->{response};
    ok t_cmp($d->{decoded}, $want, "$what: decoded");
    ok t_cmp($d->{encoded_bytes}, undef, "$what: encoded_bytes null");
    ok t_cmp($d->{redaction}, 'encoded', "$what: redaction encoded");
    ok t_cmp($d->{body}, undef, "$what: no body recorded");
}
