#!/bin/bash
# Benchmarks mod_audit_body side by side with reference configurations, in
# one invocation:
#   plain   the same httpd without the module
#   audit   mod_audit_body, AuditBody On, default 64 KiB caps, log to a file
#   modsec  libapache2-mod-security2 as a body logger (no rules, audit log
#           parts ABIJEFHZ, both body accesses, 1 MiB limits, ProcessPartial)
#   modsec-full (memory workload only, MODSEC_FULL=1): modsec with 1 GiB
#           limits, so it buffers whole bodies
# Controls, only when named in VARIANTS (throughput):
#   audit-null   audit with AuditBodyLog /dev/null: the module's own cost
#   audit-keep500  audit with AuditBodyKeepBodies "%{REQUEST_STATUS} -ge
#                500": bodies copied, then mostly dropped at log time
#   audit-noredact  audit with AuditBodyRedact none and
#                AuditBodyRedactPatterns none: what redaction costs
#   plain-log2k  plain plus a 2000-byte access-log line per request: the
#                file system's cost of storing a record-sized line
# Each variant is its own httpd (event MPM, identical settings, own
# ServerRoot and port on 127.0.0.1); a shared plain httpd is the backend of
# the proxied cases. Every httpd is started here and stopped on exit.
#
# usage: bench/ab_bench.sh [throughput|ttfb|memory|all]
# knobs (environment):
#   DURATION=5      seconds per wrk run          ROUNDS=3       wrk rounds
#   CONNECTIONS=16  wrk -c                       THREADS=2      wrk -t
#   WARMUP=1        seconds of wrk per variant before the rounds
#   TTFB_REPS=7     time-to-first-byte repetitions per variant and path
#   MEM_ROUNDS=3    transfers per variant and case in the memory workload
#   BIG_MB=512      download size        UPLOAD_MB=256   upload size
#   MODSEC_FULL=0   1 adds modsec-full to the memory workload
#   VARIANTS="plain audit modsec"        PORT_BASE=18200
#            (may add audit-null plain-log2k audit-noredact)
#   CASES="get post proxied"  throughput cases (post-login: a 1 KiB JSON
#            login with 7 values to redact, for audit-noredact; get64 and
#            get64gz: a 64 KiB JSON file plain and gzip-encoded, for the
#            cost of decoding against capturing: CPU per request, each
#            minus plain)
#   KEEP=0          1 keeps the ServerRoots (logs, big files) afterwards
# Results: printed, and bench/out/results-<workload>.md (+ raw-*.tsv).
# Timings are only reported, never asserted.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
what=${1:-all}
case $what in throughput|ttfb|memory|all) ;;
*) echo "usage: $0 [throughput|ttfb|memory|all]" >&2; exit 2 ;; esac

DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-1}
TTFB_REPS=${TTFB_REPS:-7}
MEM_ROUNDS=${MEM_ROUNDS:-3}
BIG_MB=${BIG_MB:-512}
UPLOAD_MB=${UPLOAD_MB:-256}
MODSEC_FULL=${MODSEC_FULL:-0}
VARIANTS=${VARIANTS:-"plain audit modsec"}
PORT_BASE=${PORT_BASE:-18200}
KEEP=${KEEP:-0}
HTTPD=${HTTPD:-/usr/sbin/apache2}
MODS=${MODS:-/usr/lib/apache2/modules}
SO=${AUDIT_SO:-$top/mod_audit_body/.libs/mod_audit_body.so}
for n in DURATION ROUNDS CONNECTIONS THREADS WARMUP TTFB_REPS MEM_ROUNDS BIG_MB UPLOAD_MB; do
    [[ ${!n} =~ ^[0-9]+$ ]] || { echo "$n must be a number" >&2; exit 2; }
done
case " $VARIANTS " in *" plain "*) ;; *) echo "VARIANTS must include plain" >&2; exit 2 ;; esac

source bench/lib/common.sh

[ -f "$SO" ] || die "$SO missing: build first (./autogen.sh && ./configure && make)"
need_tools wrk curl python3 "$HTTPD"

# ------------------------------------------------------------ work dir
setup_work ab
mkdir -p "$work/htdocs/cgi"
strace_pid=""
cleanup() {
    [ -n "$strace_pid" ] && kill -INT "$strace_pid" 2>/dev/null
    stop_all
    if [ "$KEEP" = 1 ]; then say "ab_bench: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ content
small_json > "$work/htdocs/small.json"
# 64 KiB of valid JSON (exactly the 65536-byte cap, so redaction parses
# all of it rather than failing closed), and the same gzip'ed served with
# Content-Encoding: gzip (mod_mime: .json.gz is application/json, encoding
# gzip), for the decode cases get64 and get64gz.
python3 - > "$work/htdocs/big64.json" <<'PY'
import json, sys
def doc(items, pad=""):
    return json.dumps({"orders": items, "pad": pad})
items = []
while True:
    i = len(items)
    it = {"id": i, "user": "user%d" % i, "note": "order note " * 3, "qty": i % 7}
    if len(doc(items + [it])) > 65536:
        break
    items.append(it)
s = doc(items)
s = doc(items, "x" * (65536 - len(s)))
assert len(s) == 65536
json.loads(s)
sys.stdout.write(s)
PY
gzip -9 -c "$work/htdocs/big64.json" > "$work/htdocs/big64.json.gz"
cp bench/lib/stream.pl "$work/htdocs/cgi/stream.pl"
if [ "$what" = memory ] || [ "$what" = all ]; then
    say "ab_bench: writing ${BIG_MB} MiB and ${UPLOAD_MB} MiB test files"
    yes 'audit body benchmark: one line of plain text, 64 bytes long ...' \
        | head -c $((BIG_MB * 1048576)) > "$work/htdocs/big.txt"
    head -c $((UPLOAD_MB * 1048576)) "$work/htdocs/big.txt" > "$work/upload.txt"
fi
chmod -R a+rX "$work/htdocs"

# ------------------------------------------------------------ instances
ALL=$VARIANTS
if [ "$MODSEC_FULL" = 1 ] && { [ "$what" = memory ] || [ "$what" = all ]; }; then
    avail=$(awk '/^MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo)
    if [ "$avail" -ge $((3 * (BIG_MB + UPLOAD_MB) / 1024 + 2)) ]; then
        ALL="$VARIANTS modsec-full"
    else
        say "ab_bench: only ${avail} GiB available, skipping modsec-full"
    fi
fi
instance backend backend.conf
for v in $ALL; do
    case $v in
    plain|audit|modsec|audit-null|plain-log2k|audit-noredact|audit-keep500) instance "$v" "$v.conf" ;;
    modsec-full) instance "$v" modsec.conf 1073741824 ;;
    *) die "unknown variant $v" ;;
    esac
done
for v in backend $ALL; do start "$v"; done
say "ab_bench: ports: $(for v in backend $ALL; do printf '%s=%s ' "$v" "${PORT[$v]}"; done)"

url() { echo "http://127.0.0.1:${PORT[$1]}$2"; }
post_body=$(small_json)

# Sanity: every variant answers the three requests correctly, and the
# loggers really record bodies.
checks=$work/checks.md
{
    echo "Checks (one request of each kind per variant):"
    echo
    for v in $ALL; do
        truncate_logs "$v"
        g=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{size_download} %{content_type}' "$(url "$v" /small.json)")
        p=$(curl -s --max-time 10 -H 'Content-Type: application/json' --data-binary "$post_body" \
              -w ' %{http_code} %{content_type}' "$(url "$v" /echo)")
        [ "${p%% *}" = "$post_body" ] && p="echoed${p#"$post_body"}" || p="NOT ECHOED: ${p:0:40}"
        x=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{size_download}' "$(url "$v" /proxy/small.json)")
        if [ "$v" = audit ]; then
            # the 64 KiB cases' bodies: recorded (redacted, not refused
            # as unparseable; decoded for the gzip one)
            curl -s -o /dev/null --max-time 10 "$(url "$v" /big64.json)"
            curl -s -o /dev/null --max-time 10 "$(url "$v" /big64.json.gz)"
        fi
        sleep 0.2
        echo "- $v: GET $g; POST $p; proxied GET $x; records $(records "$v")"
        if [ "$v" = audit ]; then
            python3 - "$work/audit/logs/audit_body.log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    q, s = r["request"], r["response"]
    print("  - audit record %s %s: request %s %s B, response %s %s B,"
          " redaction %s, decoded %s"
          % (r["method"], r["uri"], q["state"], q["captured_bytes"],
             s["state"], s["captured_bytes"], s.get("redaction"),
             s.get("decoded")))
PY
        fi
        case $v in modsec*)
            echo "  - modsec log: $(grep -c -- '^--[0-9a-z]*-[CI]--$' "$work/$v/logs/modsec_audit.log") C/I (request body) parts, $(grep -c -- '^--[0-9a-z]*-E--$' "$work/$v/logs/modsec_audit.log") E (response body) parts" ;;
        esac
        truncate_logs "$v"
    done
    echo
} > "$checks"
cat "$checks" >&2
# A bench body that redaction refuses (or cannot decode) would measure
# records without bodies: stop rather than report such figures.
if grep -q 'redaction \(unparseable\|encoded\)' "$checks"; then
    die "a bench body was recorded without its text (see the checks above)"
fi

git_rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$top" status --porcelain 2>/dev/null)" ] && git_rev="$git_rev (with uncommitted changes)"
load_start=$(cut -d" " -f1-3 /proc/loadavg)
header() {   # workload command
    echo "## mod_audit_body benchmark: $1"
    echo
    echo "$(date -u '+%F %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo),"\
         "$("$HTTPD" -v | sed -n 's/^Server version: //p') event MPM,"\
         "mod_security2 $(dpkg-query -W -f '${Version}' libapache2-mod-security2 2>/dev/null || echo '?'),"\
         "commit $git_rev, load average at its start: $load_start"
    echo
    echo "Reproduce: \`$2\`"
    echo
}

errors() {   # error.log lines above warn, per instance
    local v
    printf 'error.log lines at level error or worse:'
    for v in backend $ALL; do
        printf ' %s %s,' "$v" "$(grep -c -E '\[[a-z0-9_]+:(error|crit|alert|emerg)\]' "$work/$v/logs/error.log")"
    done | sed 's/,$//'
    echo
    for v in backend $ALL; do
        grep -E '\[[a-z0-9_]+:(error|crit|alert|emerg)\]' "$work/$v/logs/error.log" \
            | sed -E 's/^\[[^]]*\] //; s/ \[(pid|client|hostname|uri|unique_id) [^]]*\]//g' \
            | sort | uniq -c | sort -rn | head -3 | sed -E "s/^ *([0-9]+) /- $v, \\1×: /"
    done
}

finish() {   # workload command raw extra-md
    local md=$out/results-$1.md
    { header "$1" "$2"; BIG_MB=$BIG_MB UPLOAD_MB=$UPLOAD_MB python3 bench/lib/report.py "$1" "$3" $ALL_FOR_REPORT; echo;
      [ -n "${4:-}" ] && cat "$4"; cat "$checks"; errors; echo;
      echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$md"
    cp "$3" "$out/"
    RESULTS+=("$md")
}
RESULTS=()

# ------------------------------------------------------------ throughput
# wrk VARIANT CASE -> "req/s requests note"
run_wrk() {
    local v=$1 case=$2 secs=$3 args o
    case $case in
    get) args=("$(url "$v" /small.json)") ;;
    post) args=(-s bench/lib/post.lua "$(url "$v" /echo)") ;;
    post-login) args=(-s bench/lib/post-login.lua "$(url "$v" /echo)") ;;
    get64) args=("$(url "$v" /big64.json)") ;;
    get64gz) args=("$(url "$v" /big64.json.gz)") ;;
    proxied) args=("$(url "$v" /proxy/small.json)") ;;
    esac
    local c0 c1 cpu
    c0=$(cpu_ticks "$v")
    o=$(timeout $((secs + 30)) "${CLIENT_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" "${args[@]}" 2>&1)
    c1=$(cpu_ticks "$v")
    local rps req bad err
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$o")
    req=$(awk '/requests in/ {print $1}' <<<"$o")
    bad=$(awk '/Non-2xx/ {print $NF}' <<<"$o")
    err=$(grep -o 'Socket errors:.*' <<<"$o")
    # CPU time of the variant's children per request (µs), a second view
    # of the cost that does not depend on what else got the CPUs
    cpu=$(awk -v d=$((c1 - c0)) -v t="$(getconf CLK_TCK)" -v n="${req:-0}" \
          'BEGIN {if (n > 0) printf "cpu_us/req=%.1f", d / t * 1e6 / n}')
    echo "${rps:-nan} ${req:-0} ${cpu}${bad:+ non2xx=$bad}${err:+ ${err// /_}}"
}

throughput() {
    load_start=$(cut -d" " -f1-3 /proc/loadavg)
    local raw=$work/raw-throughput.tsv case r v res rps req note rec
    : > "$raw"
    for case in ${CASES:-get post proxied}; do
        say "ab_bench: throughput $case: warm-up"
        for v in $VARIANTS; do run_wrk "$v" "$case" "$WARMUP" >/dev/null; truncate_logs "$v"; done
        order=$VARIANTS
        for ((r = 1; r <= ROUNDS; r++)); do
            for v in $order; do
                truncate_logs "$v"
                # start every run with no dirty log pages of the one before
                sync
                res=$(run_wrk "$v" "$case" "$DURATION")
                read -r rps req note <<<"$res"
                sleep 0.5
                rec=$(records "$v")
                [ "$req" -gt 0 ] 2>/dev/null && note="${note:+$note }records/requests=$(awk -v a="$rec" -v b="$req" 'BEGIN {printf "%.2f", a/b}')"
                printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$v" "$r" "$rps" "${note:-}" >> "$raw"
                say "ab_bench: throughput $case round $r $v: $rps req/s ${note:-}"
                truncate_logs "$v"
            done
            # rotate, so that no variant always runs first
            [[ $order == *" "* ]] && order="${order#* } ${order%% *}"
        done
    done
    ALL_FOR_REPORT=$VARIANTS finish throughput \
        "DURATION=$DURATION ROUNDS=$ROUNDS CONNECTIONS=$CONNECTIONS THREADS=$THREADS WARMUP=$WARMUP VARIANTS=\"$VARIANTS\" bench/ab_bench.sh throughput" \
        "$raw" <(echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, median of $ROUNDS rounds; in each round the variants run one after the other, in an order rotated every round (first round: $VARIANTS), each after a \`sync\`. Notes: cpu_us/req = user + system CPU time of the variant's children per request; records/requests = records in the variant's log over requests wrk counted (sanity check that every request was logged)."; echo)
}

# ------------------------------------------------------------ ttfb
ttfb() {
    load_start=$(cut -d" " -f1-3 /proc/loadavg)
    local raw=$work/raw-ttfb.tsv case path r v o first total status len note
    : > "$raw"
    for case in cgi proxied; do
        [ $case = cgi ] && path=/cgi/stream.pl || path=/proxy/cgi/stream.pl
        for v in $VARIANTS; do          # warm-up (cgid, proxy connections)
            timeout 40 python3 bench/lib/ttfb.py "${PORT[$v]}" "$path" >/dev/null
        done
        for ((r = 1; r <= TTFB_REPS; r++)); do
            for v in $VARIANTS; do
                o=$(timeout 40 python3 bench/lib/ttfb.py "${PORT[$v]}" "$path") || o="nan nan 0 0"
                read -r first total status len <<<"$o"
                note="total=${total%.*}ms"
                [ "$status" = 200 ] && [ "$len" = 63 ] || note="$note BAD:status=$status,len=$len"
                printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$v" "$r" "$first" "$note" >> "$raw"
                say "ab_bench: ttfb $case rep $r $v: first body byte ${first} ms, $note"
                truncate_logs "$v"
            done
            # rotate, so that no variant always runs first
            [[ $order == *" "* ]] && order="${order#* } ${order%% *}"
        done
    done
    ALL_FOR_REPORT=$VARIANTS finish ttfb \
        "TTFB_REPS=$TTFB_REPS VARIANTS=\"$VARIANTS\" bench/ab_bench.sh ttfb" "$raw" \
        <(echo "Time from sending the request to the first de-chunked body byte (bench/lib/ttfb.py, HTTP/1.1, new connection each time) of a CGI printing a line every 0.25 s for 2 s; median of $TTFB_REPS, variants interleaved. Notes: total time of each response."; echo)
}

# ------------------------------------------------------------ memory
memory() {
    load_start=$(cut -d" " -f1-3 /proc/loadavg)
    local raw=$work/raw-memory.tsv case r v u res g s method rc w note
    : > "$raw"
    for v in $ALL; do                   # warm-up: touch each code path once
        curl -s -o /dev/null --max-time 10 "$(url "$v" /small.json)" "$(url "$v" /proxy/small.json)"
        curl -s -o /dev/null --max-time 10 -H 'Content-Type: text/plain' --data-binary x "$(url "$v" /echo)"
        truncate_logs "$v"
    done
    for case in static proxied upload; do
        for ((r = 1; r <= MEM_ROUNDS; r++)); do
            for v in $ALL; do
                case $case in
                static) u=(-o /dev/null "$(url "$v" /big.txt)") ;;
                proxied) u=(-o /dev/null "$(url "$v" /proxy/big.txt)") ;;
                upload) u=(-o /dev/null -X POST -T "$work/upload.txt" -H 'Expect:'
                           -H 'Content-Type: text/plain' "$(url "$v" /echo)") ;;
                esac
                res=$(python3 bench/lib/memwatch.py "$(pid_of "$v")" 600 -- \
                      curl -s --max-time 590 -w '%{http_code}:%{size_download}:%{size_upload}' "${u[@]}")
                read -r g s method rc w <<<"$res"
                note="sampled=${s}"
                [ "$method" = hwm ] || note="$note method=$method"
                case $case in
                upload) [ "$w" = "200:$((UPLOAD_MB * 1048576)):$((UPLOAD_MB * 1048576))" ] || note="$note BAD:$rc:$w" ;;
                *) [ "$w" = "200:$((BIG_MB * 1048576)):0" ] || note="$note BAD:$rc:$w" ;;
                esac
                printf '%s\t%s\t%s\t%s\t%s\n' "$case" "$v" "$r" "$g" "$note" >> "$raw"
                say "ab_bench: memory $case round $r $v: +$g MiB ($note)"
                truncate_logs "$v"
            done
        done
    done
    # sendfile: trace one static download per variant
    local sf=$work/sendfile.md trace pids p i
    {
        echo "System calls on big.txt in the children during one ${BIG_MB} MiB static download (\`strace -f -y -e trace=sendfile,read,pread64,readv,preadv,mmap -p <children>\`):"
        echo
        echo "| variant | sendfile calls | sendfile MiB | read calls | read KiB | mmap calls |"
        echo "|---|---|---|---|---|---|"
    } > "$sf"
    if command -v strace >/dev/null; then
        for v in $ALL; do
            trace=$work/strace-$v.txt
            pids=()
            for p in $(children "$(pid_of "$v")"); do pids+=(-p "$p"); done
            timeout 600 strace -f -y -qq -e trace=sendfile,read,pread64,readv,preadv,mmap \
                -e signal=none -o "$trace" "${pids[@]}" 2>/dev/null &
            strace_pid=$!
            for ((i = 0; i < 50; i++)); do       # attached when TracerPid is set
                [ "$(awk '/^TracerPid/ {print $2}' "/proc/${pids[1]}/status" 2>/dev/null)" != 0 ] \
                    && [ "$(awk '/^TracerPid/ {print $2}' "/proc/${pids[-1]}/status" 2>/dev/null)" != 0 ] && break
                sleep 0.1
            done
            sleep 0.5
            curl -s -o /dev/null --max-time 590 "$(url "$v" /big.txt)"
            sleep 0.5
            kill -INT "$strace_pid" 2>/dev/null
            wait "$strace_pid" 2>/dev/null
            strace_pid=""
            read -r c b rc rb mc <<<"$(python3 bench/lib/strace_sum.py "$trace" /htdocs/big.txt)"
            awk -v v="$v" -v c="$c" -v b="$b" -v rc="$rc" -v rb="$rb" -v mc="$mc" \
                'BEGIN {printf "| %s | %s | %.1f | %s | %.1f | %s |\n", v, c, b / 1048576, rc, rb / 1024, mc}' >> "$sf"
            say "ab_bench: sendfile $v: $c calls, $b bytes; read $rc calls, $rb bytes; mmap $mc"
            rm -f "$trace"
            truncate_logs "$v"
        done
    else
        echo "| (strace not installed) | | | | | |" >> "$sf"
    fi
    {
        echo
        echo "Peak RSS growth: for each child, VmRSS before the transfer, VmHWM reset (\`echo 5 > /proc/PID/clear_refs\`), VmHWM after; the table shows max over the children of VmHWM − VmRSS before, median of $MEM_ROUNDS transfers (curl, response discarded). Notes: the same from VmRSS sampled every 10 ms."
        echo
    } >> "$sf"
    ALL_FOR_REPORT=$ALL finish memory \
        "MEM_ROUNDS=$MEM_ROUNDS BIG_MB=$BIG_MB UPLOAD_MB=$UPLOAD_MB MODSEC_FULL=$MODSEC_FULL VARIANTS=\"$VARIANTS\" bench/ab_bench.sh memory" \
        "$raw" "$sf"
}

case $what in
throughput) throughput ;;
ttfb) ttfb ;;
memory) memory ;;
all) throughput; ttfb; memory ;;
esac

echo
for f in "${RESULTS[@]}"; do cat "$f"; echo; done
if [ "$what" = all ]; then cat "${RESULTS[@]}" > "$out/results-all.md"; fi
say "ab_bench: results in ${RESULTS[*]}"
