# IdProxyIdPattern decides on live traffic, per virtual host: an id the
# pattern takes reaches its backend, any other is a 400 with a tagged line
# and reaches no backend. The module runs the pattern under PCRE2's JIT
# (mod_id_proxy/idp_regex.h), falling back to ap_regexec(): these answers
# are httpd's regex semantics (anchors, counts, case, alternatives).
use strict;
use warnings FATAL => 'all';

use Apache::Test;
use Apache::TestUtil;
use JSON::XS ();
use LWP::UserAgent ();

my @cases = (
    # vhost, id, want
    ['idp_pattern', 't7', 200],
    ['idp_pattern', 't123', 200],
    ['idp_pattern', 't1234', 400],     # {1,3}
    ['idp_pattern', 'T7', 400],        # case matters
    ['idp_pattern', 'x7', 400],        # ^
    ['idp_pattern', 't7a', 400],       # $
    ['idp_pattern', 'at7', 400],
    ['idp_pattern_alt', 'acme-42', 200],   # another vhost, its pattern
    ['idp_pattern_alt', 'beta-07', 200],
    ['idp_pattern_alt', 'acme-420', 400],
    ['idp_pattern_alt', 'gamma-42', 400],
    ['idp_pattern_alt', 't7', 400],        # the other vhost's id
);
plan tests => 3 * @cases;

my $cfg = Apache::Test::config();
my $logs = $cfg->{vars}{t_logs};
my $json = JSON::XS->new->utf8;
my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 20);

sub routing_lines {
    open my $fh, '<', "$logs/idp_routing_backend.log" or return ();
    return <$fh>;
}
sub errlog_count {
    my $re = shift;
    open my $fh, '<', "$logs/error_log" or return 0;
    return scalar grep { /$re/ } <$fh>;
}

my $n = 0;
for my $c (@cases) {
    my ($vh, $id, $want) = @$c;
    my $port = $cfg->{vhosts}{$vh}{port};
    my $mark = 'pattern' . $n++;
    my $tagged = errlog_count(qr/IDP10010: IdProxyRoute \/pat\//);
    my $res = $ua->get("http://127.0.0.1:$port/pat/$mark?id=$id");
    t_debug("$vh id=$id -> " . $res->code . ' ' . $res->content);
    ok t_cmp($res->code, $want, "$vh: id=$id: $want");
    if ($want == 200) {
        my $who = eval { $json->decode($res->content) } || {};
        ok t_cmp($who->{uri}, "/tenants/$id/$mark?id=$id", "$vh: id=$id: its path");
        # the backend logs after answering: wait for the line
        my $seen = 0;
        for (1 .. 100) {
            last if ($seen = grep { /$mark/ } routing_lines());
            select undef, undef, undef, 0.05;
        }
        ok t_cmp($seen, 1, "$vh: id=$id: the backend saw it once");
    }
    else {
        ok t_cmp(scalar(grep { /$mark/ } routing_lines()), 0,
                 "$vh: id=$id: no backend saw it");
        ok t_cmp(errlog_count(qr/IDP10010: IdProxyRoute \/pat\//), $tagged + 1,
                 "$vh: id=$id: one tagged line");
    }
}
