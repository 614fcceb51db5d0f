# Many concurrent requests with 64 KiB bodies each way, across several
# child processes, to a file and to a piped logger: every record line
# parses (nothing interleaved or torn) and none is missing.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use lib 't/lib';
use AuditTest qw(marker audit_log find_records all_records);

plan tests => 10, need_module 'reflector';

my $n = 200;
my $vars = Apache::Test::config()->{vars};
my $body_file = "$vars->{t_logs}/concurrency-body.json";
open my $fh, '>', $body_file or die;
print $fh '{"d":"' . ('0123456789abcdef' x 4094) . '"}';   # 65512 bytes
close $fh;

sub run_ab {
    my ($port, $m) = @_;
    my $url = "http://$vars->{servername}:$port/ab/echo?$m";
    my $out = `ab -q -n $n -c 50 -s 60 -p $body_file -T application/json '$url' 2>&1`;
    my ($failed) = $out =~ /Failed requests:\s+(\d+)/;
    my ($done) = $out =~ /Complete requests:\s+(\d+)/;
    t_debug($out) unless defined $done && $done == $n;
    return ($done // 0, $failed // -1);
}

sub wait_count {
    my ($m, $log) = @_;
    my @r;
    for (1 .. 100) {
        @r = find_records($m, log => $log);
        last if @r >= $n;
        select undef, undef, undef, 0.1;
    }
    return @r;
}

# The children (access log field %P) that served the requests of marker m.
sub children_of {
    my ($m, $pids) = @_;
    open my $al, '<', "$vars->{t_logs}/access_ab.log" or die;
    while (<$al>) {
        $pids->{(split / /)[2]}++ if index($_, $m) >= 0;
    }
    close $al;
}

for my $sink (['file', $vars->{port}, audit_log()],
              ['pipe', Apache::Test::config()->{vhosts}{ab_pipe}{port},
               audit_log('audit_pipe.log')]) {
    my ($name, $port, $log) = @$sink;
    my $m = marker("conc-$name");
    my ($done, $failed) = run_ab($port, $m);
    ok t_cmp($done, $n, "$name: all requests completed");
    ok t_cmp($failed, 0, "$name: no failed request");
    my @recs = wait_count($m, $log);
    ok t_cmp(scalar(@recs), $n, "$name: one record per request");
    # Several children must have written at the same time. Which child's
    # listener accepts is up to the kernel (a busy machine may hand one
    # child everything): load again, at most three times, until two or
    # more took part.
    my %pids;
    children_of($m, \%pids);
    for my $again (1 .. 3) {
        last if keys %pids >= 2;
        my $m2 = marker("conc-$name-again$again");
        run_ab($port, $m2);
        wait_count($m2, $log);
        children_of($m2, \%pids);
    }
    my $who = join(' ', map { "$_=$pids{$_}" } sort keys %pids);
    t_debug("$name: children: $who");
    ok t_cmp(scalar(keys %pids) >= 2 ? 'several' : "one ($who)", 'several',
             "$name: several children wrote records");
    # every line of the whole log parses as JSON (dies otherwise)
    my @all = eval { all_records($log) };
    ok t_cmp($@, '', "$name: every line of the log parses");
}
