# Over TLS the request-level filters see plain bodies: the record holds
# the request and response bodies, not TLS records.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use AuditTest qw(marker find_record body_bytes);

plan tests => 5, need_module 'ssl', 'reflector';

my $vars = Apache::Test::config()->{vars};
my $port = Apache::Test::config()->{vhosts}{mod_ssl}{port};
my $m = marker('tls');
my $body = '{"over":"tls","n":' . ('1' x 100) . '}';
my $out = `curl -s -k -H 'Content-Type: application/json' --data-binary '$body' 'https://$vars->{servername}:$port/ab/echo?$m' -w ' %{scheme}'`;
ok t_cmp($out, "$body HTTPS", 'echo over TLS');
my $rec = find_record($m);
ok $rec;
ok t_cmp(body_bytes($rec, 'request'), $body, 'request body in clear');
ok t_cmp(body_bytes($rec, 'response'), $body, 'response body in clear');
ok t_cmp($rec->{response}{state}, 'complete', 'complete');
