# "apachectl -k graceful" (SIGUSR1) twice under load: no request fails, no
# record is torn or lost, no child crashes, and the id-proxy cache is
# rebuilt in the new children.
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::XS ();
use LWP::UserAgent ();
use Time::HiRes qw(sleep time);
use lib 't/lib';
use AuditTest qw(marker find_records audit_log);
use IdpTest qw(ua status);

my ($CLIENTS, $PER) = (4, 40);
plan tests => 8;

my $vars = Apache::Test::config()->{vars};
my $base = IdpTest::base_url();
my $pidfile = "$vars->{t_logs}/httpd.pid";
my $errlog = "$vars->{t_logs}/error_log";
my $err_start = -s $errlog;
my $m = marker('graceful');
my $s0 = status(ua());

my @pids;
for my $c (1 .. $CLIENTS) {
    my $pid = fork // die;
    if (!$pid) {
        # A new connection per request: a graceful restart lets requests in
        # flight finish, and new connections go to the new children.
        my $u = LWP::UserAgent->new(keep_alive => 0, timeout => 30);
        my $bad = 0;
        for my $i (1 .. $PER) {
            my $body = '{"c":' . $c . ',"i":' . $i . ',"pad":"' . ('p' x 2000) . '"}';
            my $r = $u->post("$base/ab/echo?$m-$c-$i", Content => $body,
                             'Content-Type' => 'application/json');
            $bad++ unless $r->code == 200 && $r->content eq $body;
            my $id = 80 + $i % 4;
            $r = $u->get("$base/idp/q/g?id=$id");
            $bad++ unless $r->code == 200 && $r->content =~ /"addr":"127\.0\.0\.$id"/;
        }
        exit($bad > 255 ? 255 : $bad);
    }
    push @pids, $pid;
}
for (1 .. 2) {
    sleep 1.0;
    open my $pf, '<', $pidfile or die "$pidfile: $!";
    chomp(my $ppid = <$pf>);
    kill 'USR1', $ppid;            # apachectl -k graceful
}
my $failed = 0;
for (@pids) { waitpid($_, 0); $failed += $? >> 8 }
ok t_cmp($failed, 0, 'every request answered correctly across two graceful restarts');

my @recs;
for (1 .. 50) {
    @recs = find_records($m);     # dies on a line that does not parse
    last if @recs >= $CLIENTS * $PER;
    sleep 0.2;
}
ok t_cmp(scalar(@recs), $CLIENTS * $PER, 'one record per request, none lost');
my %uniq = map { $_->{uri} => 1 } @recs;
ok t_cmp(scalar(keys %uniq), $CLIENTS * $PER, 'no duplicate');
ok t_cmp(scalar(grep { $_->{request}{captured_bytes} != length($_->{request}{body} // '') } @recs),
         0, 'every body whole');

open my $el, '<', $errlog or die;
seek $el, $err_start, 0;
my @lines = <$el>;
ok t_cmp(scalar(grep { /AH00493: SIGUSR1 received|AH00171: Graceful restart requested/ } @lines) >= 1, 1, 'graceful restarts happened');
ok t_cmp(scalar(grep { /exit signal|Segmentation|runtime error:|Sanitizer/ } @lines), 0, 'no crash');

# The new children have their own caches, rebuilt on demand. A child of
# the old generation may still answer a last request (and then close the
# connection), so ask again until one connection serves both requests.
my ($r, $s1, $found) = (undef, undef, 0);
for (1 .. 20) {
    my $u = ua();
    $r = $u->get("$base/idp/q/after?id=81");
    next if ($r->header('Connection') // '') =~ /close/i;
    $s1 = status($u);
    $found = scalar grep { $_->{id} eq '81' } @{ $s1->{entries} // [] };
    last if $found;
    sleep 0.3;
}
ok t_cmp($r->code, 200, 'routing after the restarts');
ok t_cmp($found, 1, 'the entry is in the new child\'s cache');
