# The piped audit logger exits: requests are still served with their
# normal status, httpd says so (AH00106) and restarts the logger, and the
# records written before, during and after the restart all arrive intact
# (httpd keeps the pipe open across the restart, so nothing is lost).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::XS ();
use LWP::UserAgent ();
use Time::HiRes qw(sleep);
use lib 't/lib';
use AuditTest qw(marker);

plan tests => 7;

my $cfg = Apache::Test::config();
my $vars = $cfg->{vars};
my $port = $cfg->{vhosts}{ab_pipe_exit}{port};
my $base = "http://$vars->{servername}:$port";
my $log = "$vars->{t_logs}/audit_pipe_exit.log";
my $errlog = "$vars->{t_logs}/error_log";
my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 20);
my $m = marker('pipeexit');

my @codes;
push @codes, $ua->get("$base/ab/small.json?$m-before")->code;
push @codes, $ua->get("$base/ab/small.json?$m-EXIT-LOGGER")->code;
for my $i (1 .. 20) {          # while the logger is dead or restarting
    push @codes, $ua->get("$base/ab/small.json?$m-during-$i")->code;
}
sleep 2.5;                     # the parent restarts it within a second
for my $i (1 .. 5) {
    push @codes, $ua->get("$base/ab/small.json?$m-after-$i")->code;
}
ok t_cmp(scalar(grep { $_ != 200 } @codes), 0, 'every request served with 200');

my (%seen, $bad);
my $json = JSON::XS->new->utf8;
for (1 .. 50) {
    %seen = (); $bad = 0;
    open my $fh, '<', $log or die "$log: $!";
    while (my $line = <$fh>) {
        next unless index($line, $m) >= 0;
        last if substr($line, -1) ne "\n";     # still being written
        my $rec = eval { $json->decode($line) };
        if (!$rec) { $bad++; next }
        $seen{$1}++ if $rec->{uri} =~ /\Q$m\E-(.*)$/;
    }
    close $fh;
    last if keys %seen >= 27;
    sleep 0.2;
}
ok t_cmp($bad, 0, 'every line is a whole record');
ok t_cmp($seen{before} // 0, 1, 'the record before the exit');
ok t_cmp($seen{'EXIT-LOGGER'} // 0, 1, 'the record that made it exit');
ok t_cmp(scalar(grep { /^during-/ } keys %seen), 20,
         'the records written while it was down arrive after the restart');
ok t_cmp(scalar(grep { /^after-/ } keys %seen), 5, 'later records intact');
open my $el, '<', $errlog or die;
ok t_cmp(scalar(grep { /AH00106: piped log program .*exit_logger\.pl/ } <$el>) >= 1, 1,
         'httpd logged the logger\'s exit (AH00106) and restarted it');
