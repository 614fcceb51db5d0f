package AuditTest;
# Helpers shared by the mod_audit_body tests: unique markers, finding the
# record of a request in the audit log, decoding bodies.
use strict;
use warnings FATAL => 'all';

use Apache::Test ();
use Apache::TestUtil qw(t_debug);
use JSON::XS ();
use MIME::Base64 qw(decode_base64);
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(usleep);
use Exporter 'import';

our @EXPORT_OK = qw(marker audit_log find_record find_records body_bytes
                    sha256_hex all_records first_body_byte);

my $seq = 0;

# A string unique to this test run, to put in a URI.
sub marker {
    my $name = shift // 'm';
    return sprintf "%s-%d-%d-%d", $name, $$, time, ++$seq;
}

sub audit_log {
    my $name = shift // 'audit_body.log';
    return Apache::Test::vars('t_logs') . "/$name";
}

# Every record (decoded) of the audit log whose "uri" contains $needle.
sub find_records {
    my ($needle, %opt) = @_;
    my $file = $opt{log} // audit_log();
    my $json = JSON::XS->new->utf8;
    my @found;
    open my $fh, '<', $file or return ();
    while (my $line = <$fh>) {
        next unless index($line, $needle) >= 0;
        # A last line without its newline is a write still in progress (a
        # reader can see part of a write to a regular file): the next look
        # finds it whole. Every complete line must parse.
        last if substr($line, -1) ne "\n";
        my $rec = eval { $json->decode($line) };
        die "unparsable record line in $file: $@" unless $rec;
        push @found, $rec if index($rec->{uri} // '', $needle) >= 0;
    }
    close $fh;
    return @found;
}

# The record of the request whose URI contains $needle, waiting up to
# $opt{timeout} seconds (default 5) for the logging phase to write it.
sub find_record {
    my ($needle, %opt) = @_;
    my $deadline = time + ($opt{timeout} // 5);
    while (1) {
        my @r = find_records($needle, %opt);
        return $r[-1] if @r;
        return undef if time > $deadline;
        usleep(50_000);
    }
}

# Every line of a log file, decoded; dies on a line that is not JSON.
sub all_records {
    my $file = shift // audit_log();
    my $json = JSON::XS->new->utf8;
    my @recs;
    open my $fh, '<', $file or die "open $file: $!";
    while (my $line = <$fh>) {
        push @recs, $json->decode($line);
    }
    close $fh;
    return @recs;
}

# The captured body of a direction ("request" or "response") as bytes.
sub body_bytes {
    my ($rec, $dir) = @_;
    my $d = $rec->{$dir};
    return undef unless defined $d->{body};
    return decode_base64($d->{body}) if ($d->{body_encoding} // '') eq 'base64';
    my $b = $d->{body};
    utf8::encode($b);
    return $b;
}

# GET $path over a raw HTTP/1.1 connection and time it: returns
# (seconds to the first body byte, seconds to the end, de-chunked body,
# status). Headers in %hdr are added to the request.
sub first_body_byte {
    my ($path, %hdr) = @_;
    require IO::Socket::INET;
    require Time::HiRes;
    my $cfg = Apache::Test::config()->{vars};
    my $sock = IO::Socket::INET->new(PeerAddr => $cfg->{servername},
                                     PeerPort => $cfg->{port},
                                     Timeout => 30) or die "connect: $!";
    my $req = "GET $path HTTP/1.1\r\nHost: $cfg->{servername}\r\n"
            . "Connection: close\r\n"
            . join('', map { "$_: $hdr{$_}\r\n" } sort keys %hdr) . "\r\n";
    my $t0 = [Time::HiRes::gettimeofday()];
    print $sock $req;
    my ($buf, $first, $head, $status) = ('', undef, undef, 0);
    while (1) {
        my $n = sysread($sock, my $chunk, 65536);
        last unless $n;
        $buf .= $chunk;
        if (!defined $head && (my $i = index($buf, "\r\n\r\n")) >= 0) {
            $head = substr($buf, 0, $i);
            $buf = substr($buf, $i + 4);
            ($status) = $head =~ m{^HTTP/\S+ (\d+)};
        }
        next unless defined $head;
        if (!defined $first) {
            my $data = $buf;
            if ($head =~ /^Transfer-Encoding:\s*chunked/mi) {
                # the first chunk's data, past its size line
                next unless $data =~ /^[0-9a-fA-F]+[^\r]*\r\n(.)/s;
            }
            elsif ($data eq '') {
                next;
            }
            $first = Time::HiRes::tv_interval($t0);
        }
    }
    my $total = Time::HiRes::tv_interval($t0);
    close $sock;
    if (defined $head && $head =~ /^Transfer-Encoding:\s*chunked/mi) {
        my $out = '';
        while ($buf =~ s/^([0-9a-fA-F]+)[^\r]*\r\n//) {
            my $len = hex $1;
            last if $len == 0;
            $out .= substr($buf, 0, $len, '');
            $buf =~ s/^\r\n//;
        }
        $buf = $out;
    }
    return ($first // $total, $total, $buf, $status);
}

1;
