# Each record names the machine it was written on ("host"), so trails of
# many gateways can be merged: the host name httpd's machine reports.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use Apache::TestRequest qw(GET_BODY);
use Sys::Hostname qw(hostname);
use Time::HiRes qw(usleep);

use lib 't/lib';
use AuditTest qw(marker find_records);

plan tests => 2;

my $m = marker('host');
GET_BODY "/ab/small.json?$m";
my @recs;
for (1 .. 100) {
    @recs = find_records($m);
    last if @recs;
    usleep(50_000);
}
ok t_cmp(scalar(@recs), 1, 'one record');
ok t_cmp($recs[0] ? $recs[0]{host} // 'null' : 'no record', hostname(),
         'host is the machine\'s host name');
