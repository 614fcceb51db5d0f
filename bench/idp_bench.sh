#!/bin/bash
# Benchmarks mod_id_proxy side by side with the ways stock httpd can pick a
# backend from the request, in one invocation (one httpd per variant,
# identical settings, event MPM, 127.0.0.1 only):
#   static    ProxyPass /t/ to ONE backend (the reference: full reuse)
#   static64  one ProxyPass per id, /t/N/ -> http://127.0.0.N:PORT/t/N/:
#             what an admin writes without mod_id_proxy to reach the same
#             IDS backends, with full reuse (IDS workers, IDS pools)
#   idproxy   IdProxyRoute /t/ http://127.0.0.{id}:PORT/t/ source=path:1
#   idproxy1  the same with every id on ONE backend (template without {id}
#             in the host: one worker), to tell the module's own cost from
#             the cost of spreading requests over many backends
#   rewrite   RewriteRule ^/t/([0-9]+)/(.*)$ http://127.0.0.$1:PORT/t/$1/$2 [P]
#   ppmatch   ProxyPassMatch ^/t/([0-9]+)/(.*)$ http://127.0.0.$1:PORT/t/$1/$2
#   balancer  one BalancerMember per id (route=N), stickysession=id
# The backend is one plain httpd listening on 127.0.0.1 ... 127.0.0.255
# (same port), logging "%A %k" per request: %k is 0 on the first request of
# a connection, so zeros count the backend connections the front opened,
# and %A says which backend address each request reached.
#
# usage: bench/idp_bench.sh [throughput|flood|all]
#   throughput: wrk over IDS ids (/t/<id>/small.json?id=<id>, cycling), per
#     variant: req/s, backend connections per 1000 requests, misrouted.
#     The CPU time per request of the front and of the backend in each
#     round is reported too, to tell where a variant's cost lies.
#   flood: the idproxy front with routes /f/<hi>/ ->
#     http://127.<hi/256>.<hi%256>.{id}:PORT/t/ (id N sent as
#     /f/<N/256>/<N%256>/, i.e. to the address 127.N spells) and
#     IdProxyMaxBackends FLOOD_CAP, FLOOD_IDS distinct ids (every backend
#     stays on loopback; only
#     127.0.0.1-255 listen, so most ids get a fast 503, as in an id-spraying
#     attack). Samples RSS and open fds of every child once a second and
#     the status page's entry count; prints the curve.
# knobs (environment):
#   IDS=64 DURATION=5 ROUNDS=3 CONNECTIONS=16 THREADS=2 WARMUP=2
#   STEADY=20 (seconds of continuous load per variant after the rounds,
#     to count backend connections under steady load; 0 skips it)
#   VARIANTS="static static64 idproxy idproxy1 rewrite ppmatch balancer"
#   PORT_BASE=18400
#   FLOOD_IDS=100000 FLOOD_CAP=1024 FLOOD_SECS=90 FLOOD_CONNECTIONS=16
#   KEEP=0 (1 keeps the ServerRoots)
# Results: printed, and bench/out/results-idp-<workload>.md (+ raw files).
# Timings are only reported, never asserted.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
what=${1:-all}
case $what in throughput|flood|all) ;;
*) echo "usage: $0 [throughput|flood|all]" >&2; exit 2 ;; esac

IDS=${IDS:-64}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2}
STEADY=${STEADY:-20}
VARIANTS=${VARIANTS:-"static static64 idproxy idproxy1 rewrite ppmatch balancer"}
PORT_BASE=${PORT_BASE:-18400}
FLOOD_IDS=${FLOOD_IDS:-100000}
FLOOD_CAP=${FLOOD_CAP:-1024}
FLOOD_SECS=${FLOOD_SECS:-90}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-16}
KEEP=${KEEP:-0}
HTTPD=${HTTPD:-/usr/sbin/apache2}
MODS=${MODS:-/usr/lib/apache2/modules}
SO=""
IDP_SO=${IDP_SO:-$top/mod_id_proxy/.libs/mod_id_proxy.so}
for n in IDS DURATION ROUNDS CONNECTIONS THREADS WARMUP STEADY FLOOD_IDS FLOOD_CAP FLOOD_SECS FLOOD_CONNECTIONS; do
    [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a number" >&2; exit 2; }
done
[ "$IDS" -ge 1 ] && [ "$IDS" -le 254 ] || { echo "IDS must be 1..254" >&2; exit 2; }

source bench/lib/common.sh
die() { say "idp_bench: $*"; exit 1; }

[ -f "$IDP_SO" ] || die "$IDP_SO missing: build first (./autogen.sh && ./configure && make)"
need_tools wrk curl python3 "$HTTPD"

# ------------------------------------------------------------ work dir
setup_work idp
mkdir -p "$work/htdocs" "$work/conf-src"
cleanup() {
    stop_all
    if [ "$KEEP" = 1 ]; then say "idp_bench: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

small_json > "$work/htdocs/small.json"
chmod -R a+rX "$work/htdocs"

# ------------------------------------------------------------ configurations
src=$work/conf-src
{
    echo "# backend: answers on 127.0.0.1-255, one log line per request"
    multi_backend_conf 255 120
    echo 'AsyncRequestWorkerFactor 16'
    echo 'LogFormat "%A %k %U" idp'
    echo 'CustomLog logs/idp.log idp'
} > "$src/backend.conf"
# The fronts proxy to the backend and keep the backend's connection reuse
# honest: nothing else differs.
echo 'ProxyPass "/t/" "http://127.0.0.1:@BACKEND_PORT@/t/"' > "$src/static.conf"
for ((i = 1; i <= IDS; i++)); do
    echo "ProxyPass \"/t/$i/\" \"http://127.0.0.$i:@BACKEND_PORT@/t/$i/\""
done > "$src/static64.conf"
{
    echo 'LoadModule id_proxy_module "@IDP_SO@"'
    echo 'IdProxyRoute /t/ http://127.0.0.{id}:@BACKEND_PORT@/t/ source=path:1'
    echo 'IdProxyIdPattern ^[0-9]{1,3}$'
} > "$src/idproxy.conf"
{
    echo 'LoadModule id_proxy_module "@IDP_SO@"'
    echo 'IdProxyRoute /t/ http://127.0.0.1:@BACKEND_PORT@/t/{id}/ source=path:1'
    echo 'IdProxyIdPattern ^[0-9]{1,3}$'
} > "$src/idproxy1.conf"
{
    echo "LoadModule rewrite_module @MODS@/mod_rewrite.so"
    echo 'RewriteEngine On'
    echo 'RewriteRule "^/t/([0-9]+)/(.*)$" "http://127.0.0.$1:@BACKEND_PORT@/t/$1/$2" [P]'
} > "$src/rewrite.conf"
echo 'ProxyPassMatch "^/t/([0-9]+)/(.*)$" "http://127.0.0.$1:@BACKEND_PORT@/t/$1/$2"' > "$src/ppmatch.conf"
{
    echo "LoadModule slotmem_shm_module @MODS@/mod_slotmem_shm.so"
    echo "LoadModule proxy_balancer_module @MODS@/mod_proxy_balancer.so"
    echo "LoadModule lbmethod_byrequests_module @MODS@/mod_lbmethod_byrequests.so"
    echo '<Proxy "balancer://ids">'
    for ((i = 1; i <= IDS; i++)); do
        echo "    BalancerMember http://127.0.0.$i:@BACKEND_PORT@ route=$i"
    done
    echo '</Proxy>'
    echo 'ProxyPass "/t/" "balancer://ids/t/" stickysession=id stickysessionsep=Off nofailover=On'
} > "$src/balancer.conf"
{
    echo 'LoadModule id_proxy_module "@IDP_SO@"'
    # A numeric template takes canonical octets only (issue 11 #3), so
    # id N is sent as /f/<N/256>/<N%256>/ and each /f/<hi>/ route maps it
    # to 127.<hi/256>.<hi%256>.<N%256>: the address 127.N spells.
    for ((hi = 0; hi <= FLOOD_IDS / 256; hi++)); do
        echo "IdProxyRoute /f/$hi/ http://127.$((hi / 256)).$((hi % 256)).{id}:@BACKEND_PORT@/t/ source=path:1"
    done
    echo 'IdProxyIdPattern ^[0-9]{1,8}$'
    echo "IdProxyMaxBackends $FLOOD_CAP"
    # The backend would refuse "Host: 127.N" (not a dotted quad): send the
    # client's Host instead.
    echo 'ProxyPreserveHost On'
    echo 'LogLevel crit'
    echo '<Location "/idp-status">'
    echo '    SetHandler id-proxy-status'
    echo '</Location>'
} > "$src/flood.conf"

ALL=""
[ "$what" != flood ] && ALL=$VARIANTS
[ "$what" != throughput ] && ALL="$ALL flood"
instance backend "$src/backend.conf"
for v in $ALL; do
    case $v in static|static64|idproxy|idproxy1|rewrite|ppmatch|balancer|flood) ;;
    *) die "unknown variant $v" ;; esac
    instance "$v" "$src/$v.conf"
done
for v in backend $ALL; do start "$v"; done
say "idp_bench: ports: $(for v in backend $ALL; do printf '%s=%s ' "$v" "${PORT[$v]}"; done)"
url() { echo "http://127.0.0.1:${PORT[$1]}$2"; }
blog=$work/backend/logs/idp.log

git_rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ] && git_rev="$git_rev (with uncommitted changes)"
header() {   # title command
    echo "## mod_id_proxy benchmark: $1"
    echo
    echo "$(date -u '+%F %H:%M UTC'), $(nproc) cores,"\
         "$("$HTTPD" -v | sed -n 's/^Server version: //p') event MPM (2 children x 32 threads),"\
         "commit $git_rev, load average at its start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "Reproduce: \`$2\`"
    echo
}

# Sanity: each variant routes id 7 to 127.0.0.7 (static: to 127.0.0.1).
for v in $VARIANTS; do
    [ "$what" = flood ] && break
    : > "$blog"
    c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$(url "$v" '/t/7/small.json?id=7')")
    sleep 0.2
    got=$(awk '{print $1}' "$blog" | tail -1)
    want=127.0.0.7; case $v in static|idproxy1) want=127.0.0.1 ;; esac
    [ "$c" = 200 ] && [ "$got" = "$want" ] || die "$v: /t/7/ gave $c via ${got:-nothing} (want 200 via $want)"
    say "idp_bench: $v routes id 7 to $got"
done

# ------------------------------------------------------------ throughput
# wrk VARIANT SECS -> "req/s requests non2xx front-ticks backend-ticks
# front-system-ticks": the CPU clock ticks (user + system) the front's and
# the backend's children used meanwhile, and the front's in the kernel, to
# tell where a variant's cost lies.
run_wrk() {
    local o rps req bad fu0 fs0 fu1 fs1 b0 b1
    read -r fu0 fs0 <<<"$(cpu_split_ticks "$1")"
    b0=$(cpu_ticks backend)
    o=$(IDS=$IDS THREADS=$THREADS timeout $(($2 + 30)) "${CLIENT_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" \
        -d"$2s" -s bench/lib/ids.lua "$(url "$1" /)" 2>&1)
    read -r fu1 fs1 <<<"$(cpu_split_ticks "$1")"
    b1=$(cpu_ticks backend)
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$o")
    req=$(awk '/requests in/ {print $1}' <<<"$o")
    bad=$(awk '/Non-2xx/ {print $NF}' <<<"$o")
    echo "${rps:-nan} ${req:-0} ${bad:-0} $((fu1 + fs1 - fu0 - fs0)) $((b1 - b0)) $((fs1 - fs0))"
}

# measured VARIANT PRE SECS -> run_wrk's six fields, then "lines conns":
# PRE seconds of load not counted, then SECS counted, with the backend
# log's request lines and new connections (%k = 0) of the counted part.
measured() {
    local o
    run_wrk "$1" "$2" >/dev/null
    : > "$blog"
    o=$(run_wrk "$1" "$3")
    sleep 0.5
    echo "$o $(wc -l < "$blog") $(awk '$2 == 0' "$blog" | wc -l)"
}

throughput() {
    local raw=$work/raw-idp-throughput.tsv r v rps req bad lines conns wrong fticks bticks fsys
    local -a order=($VARIANTS)
    : > "$raw"
    say "idp_bench: throughput: warm-up"
    for v in $VARIANTS; do run_wrk "$v" "$WARMUP" >/dev/null; done
    for ((r = 1; r <= ROUNDS; r++)); do
        # the order rotates every round, so that no variant always runs
        # first (or right after the same neighbour)
        for v in "${order[@]}"; do
            # The other variants ran meanwhile and this one sat idle: a
            # short run first, not counted. It does not absorb all the
            # reconnection that follows a pause past the workers' ttl and
            # addressttl (docs/performance.md): the steady phase below
            # counts connections without pauses.
            read -r rps req bad fticks bticks fsys lines conns <<<"$(measured "$v" 1 "$DURATION")"
            # misrouted: a request for /t/N/ that reached another address
            wrong=$(awk -v v="$v" '{ split($3, p, "/"); want = (v == "static" || v == "idproxy1") ? "127.0.0.1" : "127.0.0." p[3]; if ($1 != want) n++ } END { print n + 0 }' "$blog")
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$v" "$r" "$rps" "$req" "$lines" "$conns" "$wrong/$bad" "$fticks" "$bticks" "$fsys" >> "$raw"
            say "idp_bench: round $r $v: $rps req/s, $req requests, backend saw $lines on $conns new connections, misrouted $wrong, non-2xx $bad"
        done
        order=("${order[@]:1}" "${order[0]}")
    done
    python3 - "$raw" "$VARIANTS" "$(getconf CLK_TCK)" > "$work/idp-throughput-table.md" <<'PY'
import statistics, sys
raw, variants, hz = sys.argv[1], sys.argv[2].split(), float(sys.argv[3])
rows = {}
cpu = {}
for line in open(raw):
    v, r, rps, req, lines, conns, bad, ft, bt, fs = line.rstrip("\n").split("\t")
    rows.setdefault(v, []).append((float(rps), int(req), int(lines), int(conns), bad))
    n = int(req)
    # CPU µs per request of the front and of the backend in that run
    cpu.setdefault(v, []).append(tuple(int(t) / hz * 1e6 / n if n else float("nan")
                                       for t in (ft, bt, fs)))
ref = statistics.median(x[0] for x in rows["static"]) if "static" in rows else None
def paired_with(ref_v, rr):
    # each round's req/s over ref_v's in the same round: median [min–max]
    if ref_v not in rows or len(rows[ref_v]) != len(rr):
        return "-"
    pr = [a[0] / b[0] for a, b in zip(rr, rows[ref_v]) if b[0] > 0]
    if not pr:
        return "-"
    return "%.2f [%.2f–%.2f]" % (statistics.median(pr), min(pr), max(pr))
s64 = "static64" in rows
print("| variant | req/s (median) | × static | × static, paired per round: median [min–max] |"
      + (" × static64, paired |" if s64 else "")
      + " backend connections per 1000 requests | misrouted / non-2xx | every round (req/s, conns/1000) |")
print("|---|---|---|---|" + ("---|" if s64 else "") + "---|---|---|")
for v in variants:
    if v not in rows:
        continue
    rr = rows[v]
    med = statistics.median(x[0] for x in rr)
    cpk = statistics.median(1000.0 * x[3] / x[2] if x[2] else float("nan") for x in rr)
    bad = ", ".join(sorted(set(x[4] for x in rr)))
    each = "; ".join("%.0f, %.2f" % (x[0], 1000.0 * x[3] / x[2] if x[2] else float("nan")) for x in rr)
    ratio = "%.2f" % (med / ref) if ref else "-"
    paired = paired_with("static", rr)
    p64 = (" %s |" % paired_with("static64", rr)) if s64 else ""
    print("| %s | %.0f | %s | %s |%s %.2f | %s | %s |" % (v, med, ratio, paired, p64, cpk, bad, each))
# Where the cost lies: CPU time per request of the front under test and of
# the shared backend (both on the servers' CPU), each round's own figures.
print()
print("| variant | front CPU µs per request (median) | of which in the kernel | static's / this, paired per round: median [min–max] | backend CPU µs per request (median) |")
print("|---|---|---|---|---|")
for v in variants:
    if v not in cpu:
        continue
    fr = statistics.median(x[0] for x in cpu[v])
    br = statistics.median(x[1] for x in cpu[v])
    paired = "-"
    if "static" in cpu and len(cpu["static"]) == len(cpu[v]):
        pr = [b[0] / a[0] for a, b in zip(cpu[v], cpu["static"]) if a[0] > 0]
        if pr:
            paired = "%.2f [%.2f–%.2f]" % (statistics.median(pr), min(pr), max(pr))
    fs = statistics.median(x[2] for x in cpu[v])
    print("| %s | %.1f | %.1f | %s | %.1f |" % (v, fr, fs, paired, br))
PY
    # Reuse under steady load, apart from the rounds: in the rounds a
    # variant sits idle while the others run (about 7 s per other
    # variant), and once that passes the workers' ttl and addressttl
    # (30 s for mod_id_proxy's; stock ProxyPass given the same parameters
    # does the same) its first seconds reconnect. Here each variant gets
    # STEADY seconds of continuous load after 2 s not counted.
    local steady=$work/idp-steady.md
    : > "$steady"
    if [ "$STEADY" -gt 0 ]; then
        echo "| variant | requests in ${STEADY} s of continuous load | new backend connections | per 1000 requests |" >> "$steady"
        echo "|---|---|---|---|" >> "$steady"
        for v in $VARIANTS; do
            read -r rps req bad fticks bticks fsys lines conns <<<"$(measured "$v" 2 "$STEADY")"
            say "idp_bench: steady $v: $lines requests on $conns new backend connections"
            echo "| $v | $lines | $conns | $(awk -v c="$conns" -v l="$lines" 'BEGIN { printf "%.2f", l ? 1000 * c / l : 0 }') |" >> "$steady"
        done
    fi
    local md=$out/results-idp-throughput.md
    { header "throughput, $IDS ids" "IDS=$IDS DURATION=$DURATION ROUNDS=$ROUNDS CONNECTIONS=$CONNECTIONS THREADS=$THREADS VARIANTS=\"$VARIANTS\" bench/idp_bench.sh throughput"
      echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s cycling over $IDS ids, 1 KiB static file from the backend; median of $ROUNDS rounds, variants interleaved (the order rotated every round); paired: each round's req/s over static's (static64's) in the same round. Targets: idproxy ≥ 0.95 × static, ≤ 3 backend connections per 1000 requests. The second table splits the cost: user + system CPU time per request of the front under test and of the backend (both on the servers' CPU) during each round, so static's front CPU over a variant's is the throughput ratio the front alone would allow."
      echo
      cat "$work/idp-throughput-table.md"
      echo
      if [ -s "$steady" ]; then
          echo "Connection reuse under steady load (each variant alone, after the rounds):"
          echo
          cat "$steady"
          echo
      fi
      printf 'error.log lines at level error or worse:'
      for v in backend $VARIANTS; do
          printf ' %s %s' "$v" "$(grep -c -E '\[[a-z0-9_]+:(error|crit|alert|emerg)\]' "$work/$v/logs/error.log")"
      done
      echo
    } > "$md"
    cp "$raw" "$out/"
    cat "$md"
}

# ------------------------------------------------------------ flood
# sample T: one line of the flood curve (sum over the flood front's
# children of VmRSS KiB and open fds, and its status page).
sample() {
    local p rss=0 fds=0 st
    for p in $(children "$(pid_of flood)"); do
        rss=$((rss + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
        fds=$((fds + $(ls "/proc/$p/fd" 2>/dev/null | wc -l)))
    done
    st=$(curl -s --max-time 2 "$(url flood '/idp-status?json')" \
         | python3 -c 'import json,sys; d=json.load(sys.stdin); t=d["totals"]; print(d["pid"], d["entries_count"], t["inserts"], t["evictions"], t["overflows"])' 2>/dev/null || echo "- - - - -")
    printf '%s\t%s\t%s\t%s\n' "$1" "$rss" "$fds" "$st"
}

flood() {
    local raw=$work/raw-idp-flood.tsv md=$out/results-idp-flood.md wpid t0 t
    : > "$blog"
    say "idp_bench: flood: $FLOOD_IDS distinct ids, cap $FLOOD_CAP, ${FLOOD_SECS}s"
    sample before > "$raw"
    IDS=$FLOOD_IDS FLOOD=1 THREADS=$THREADS timeout $((FLOOD_SECS + 30)) \
        wrk -t"$THREADS" -c"$FLOOD_CONNECTIONS" -d"${FLOOD_SECS}s" -s bench/lib/ids.lua \
        "$(url flood /)" > "$work/flood-wrk.txt" 2>&1 &
    wpid=$!
    t0=$(date +%s)
    while kill -0 "$wpid" 2>/dev/null; do
        t=$(($(date +%s) - t0))
        sample "$t" >> "$raw"
        sleep 1
    done
    sleep 2
    sample after >> "$raw"
    python3 - "$raw" "$FLOOD_CAP" > "$work/flood-table.md" <<'PY'
import sys
raw, cap = sys.argv[1], int(sys.argv[2])
rows = [l.rstrip("\n").split("\t") for l in open(raw)]
rows_all = rows
print("| t (s) | RSS of all children (MiB) | open fds of all children | status: pid entries inserts evictions overflows |")
print("|---|---|---|---|")
step = max(1, len(rows) // 15)
for i, r in enumerate(rows):
    if i % step == 0 or i == len(rows) - 1:
        print("| %s | %.1f | %s | %s |" % (r[0], int(r[1]) / 1024.0, r[2], r[3]))
ents = [int(r[3].split()[1]) for r in rows if r[3].split()[1].isdigit()]
before = rows[0]
rows = [r for r in rows if r[0] not in ("before", "after")]
n = len(rows)
half = rows[n // 2:]
print()
print("Before the flood: RSS %.1f MiB, %s fds. Full cache (first sample after "
      "the cap was reached, per child: %d entries): RSS %.1f MiB, so about "
      "%.0f KiB per cached backend." % (
          int(before[1]) / 1024.0, before[2], cap, int(rows[min(2, n - 1)][1]) / 1024.0,
          (int(rows[min(2, n - 1)][1]) - int(before[1])) / (2.0 * cap)))
rss_half = [int(r[1]) for r in half]
fds_half = [int(r[2]) for r in half]
print()
print("Max entries seen on the status page: %d (cap %d) — %s." % (
    max(ents) if ents else -1, cap, "never above the cap" if ents and max(ents) <= cap else "CHECK"))
if half:
    print("Second half of the run: RSS %.1f–%.1f MiB, fds %d–%d." % (
        min(rss_half) / 1024.0, max(rss_half) / 1024.0, min(fds_half), max(fds_half)))
PY
    { header "flood of $FLOOD_IDS distinct ids" "FLOOD_IDS=$FLOOD_IDS FLOOD_CAP=$FLOOD_CAP FLOOD_SECS=$FLOOD_SECS FLOOD_CONNECTIONS=$FLOOD_CONNECTIONS bench/idp_bench.sh flood"
      echo "wrk over ids 1..$FLOOD_IDS, each thread walking its share in order (routes /f/<hi>/ -> http://127.<hi/256>.<hi%256>.{id}:PORT/t/, so id N is 127.0.x.y; only 127.0.0.1–255 listen, the rest are refused: a fast 503). Sampled once a second: the sum over the front's children of VmRSS and of open fds, and the status page of whichever child answered."
      echo
      sed -n '/requests in/p; /Requests\/sec/p; /Non-2xx/p; /Socket errors/p' "$work/flood-wrk.txt" | sed 's/^ */    /'
      echo
      cat "$work/flood-table.md"
    } > "$md"
    cp "$raw" "$out/"
    cat "$md"
}

case $what in
throughput) throughput ;;
flood) flood ;;
all) throughput; flood ;;
esac
