package IdpTest;
# Helpers shared by the mod_id_proxy tests: a keep-alive client (one
# connection, so one child process and one cache), the backends' access
# log, and the status page.
use strict;
use warnings FATAL => 'all';

use Apache::Test ();
use Apache::TestUtil qw(t_debug);
use JSON::XS ();
use LWP::UserAgent ();
use Exporter 'import';

our @EXPORT_OK = qw(base_url ua get_json backend_lines status backend_port
                    count_new_conns);

my $json = JSON::XS->new->utf8;

sub base_url {
    my $v = Apache::Test::config()->{vars};
    return "http://$v->{servername}:$v->{port}";
}

sub backend_port {
    my $cfg = Apache::Test::config();
    return $cfg->{vhosts}{idp_backend}{port};
}

# A client that keeps its one connection alive across requests.
sub ua {
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 20);
    return $ua;
}

# GET $path with headers; returns ($response, decoded JSON body or undef).
sub get_json {
    my ($ua, $path, @headers) = @_;
    my $res = $ua->get(base_url() . $path, @headers);
    my $data = eval { $json->decode($res->content) };
    t_debug("$path -> " . $res->code . " " . $res->content);
    return ($res, $data);
}

# Lines of the backends' access log ("%A %k XFF \"%r\" %>s").
sub backend_lines {
    my $file = Apache::Test::vars('t_logs') . '/idp_backend.log';
    open my $fh, '<', $file or return ();
    my @l = <$fh>;
    close $fh;
    return @l;
}

# How many of @lines are the first request of a backend connection (%k 0).
sub count_new_conns {
    return scalar grep { (split ' ', $_)[1] eq '0' } @_;
}

# The status page of the child serving $ua's connection, decoded.
sub status {
    my $ua = shift;
    my (undef, $s) = get_json($ua, '/idp-status?json');
    return $s;
}

1;
