# Admission of new backends (issue 11, finding 9): one admission per
# backend, the requests that arrive meanwhile wait for it and reuse its
# result (one DNS lookup of ours, whatever the concurrency), and at most
# 8 admissions run at once in a child: beyond, a 503 with IDP10016. A
# private worker-MPM server with one child, and a resolver the test
# controls and slows down (t/bin/fake_resolver.c, preloaded), which logs
# every lookup.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::XS ();
use LWP::UserAgent ();
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);
use lib 't/lib';
use IdpTest qw(backend_port private_server stop_private_server);

my $cc = `sh -c 'command -v cc' 2>/dev/null`;
chomp $cc;
plan tests => 10, need { 'a C compiler (cc) builds the test resolver' => $cc ne '' };

my $vars = Apache::Test::config()->{vars};
my $bport = backend_port();
my $json = JSON::XS->new->utf8;
my $tmp = tempdir(CLEANUP => 1);
my $so = "$tmp/fake_resolver.so";
system("$cc -shared -fPIC -o '$so' '$vars->{top_dir}/t/bin/fake_resolver.c' -ldl") == 0
    or die "cannot build the test resolver";
open my $hf, '>', "$tmp/hosts" or die;
print $hf "same.idp-resolve.test 127.0.0.1 1500\n";
print $hf "slow$_.idp-resolve.test 127.0.0.1 1500\n" for 1 .. 10;
close $hf;

local $ENV{LD_PRELOAD} = $so;
local $ENV{IDP_FAKE_HOSTS} = "$tmp/hosts";
local $ENV{IDP_FAKE_LOG} = "$tmp/lookups";
my $srv = private_server('worker', <<"CONF");
ServerLimit 1
StartServers 1
ThreadsPerChild 32
MaxRequestWorkers 32
MinSpareThreads 1
MaxSpareThreads 32
IdProxyRoute /d/ http://{id}.idp-resolve.test:$bport/svc/
CONF
delete $ENV{LD_PRELOAD};
ok t_cmp($srv->{up}, 1, 'server up');
my $base = $srv->{base};

# N concurrent GETs; returns their status codes.
sub burst {
    my @ids = @_;
    my @kids;
    for my $i (0 .. $#ids) {
        my $pid = fork // die;
        if (!$pid) {
            my $r = LWP::UserAgent->new(timeout => 30)
                ->get("$base/d/x?id=$ids[$i]");
            open my $o, '>', "$tmp/code.$i" or die;
            print $o $r->code;
            close $o;
            exit 0;
        }
        push @kids, $pid;
    }
    waitpid($_, 0) for @kids;
    return map { open my $i, '<', "$tmp/code.$_" or die; scalar <$i> } 0 .. $#ids;
}
sub lookups {
    my $name = shift;
    open my $l, '<', "$tmp/lookups" or return 0;
    return scalar grep { /^\Q$name\E$/ } <$l>;
}

my @codes = burst(('same') x 6);
t_debug("@codes");
ok t_cmp(scalar(grep { $_ == 200 } @codes), 6, 'six concurrent first requests for one backend all served');
# ours (the admission) + mod_proxy's for the worker's first connection
ok t_cmp(lookups('same.idp-resolve.test'), 2, 'one admission lookup, not six');
my $st = $json->decode(LWP::UserAgent->new->get("$base/idp-status?json")->content);
ok t_cmp($st->{totals}{inserts}, 1, 'one worker set up');
ok t_cmp($st->{totals}{admission_waits}, 5, 'five requests waited for the admission');

@codes = burst(map { "slow$_" } 1 .. 10);
t_debug("@codes");
ok t_cmp(scalar(grep { $_ == 200 } @codes), 8, 'eight concurrent admissions served');
ok t_cmp(scalar(grep { $_ == 503 } @codes), 2, 'the two beyond the cap get 503');
$st = $json->decode(LWP::UserAgent->new->get("$base/idp-status?json")->content);
ok t_cmp($st->{totals}{admission_overflows}, 2, 'counted');

my @lines = stop_private_server($srv);
t_debug(@lines);
ok t_cmp(scalar(grep { /IDP10016: id slow\d+: 8 admissions of new backends already in progress/ } @lines), 2,
         'tagged line for each refusal');
ok t_cmp(scalar(grep { /signal|Segmentation|runtime error:|Sanitizer|\[(\w+:)?(crit|alert|emerg)\]/ } @lines), 0,
         'no crash');
