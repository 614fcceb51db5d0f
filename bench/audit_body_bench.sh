#!/bin/bash
# Benchmarks mod_audit_body side by side with the same httpd without it
# ("plain") and with mod_security2 used as a body logger ("modsec"), in one
# invocation. Every variant is its own httpd on 127.0.0.1; a shared plain
# backend serves the proxied cases. Prints markdown tables with medians and
# ratios against plain.
#
#   bench/audit_body_bench.sh [throughput|ttfb|memory|all]
#   env: DURATION (s per wrk run, 5), ROUNDS (3), CONNECTIONS (16),
#        BIG_MB (512), UPLOAD_MB (256), VARIANTS ("plain audit modsec")
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
what=${1:-all}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}
BIG_MB=${BIG_MB:-512}
UPLOAD_MB=${UPLOAD_MB:-256}
VARIANTS=${VARIANTS:-"plain audit modsec"}
so="$top/mod_audit_body/.libs/mod_audit_body.so"
mods=/usr/lib/apache2/modules
httpd=/usr/sbin/apache2
[ -f "$so" ] || { echo "build first (make)" >&2; exit 1; }
work=$(mktemp -d /tmp/ab-bench.XXXXXX)
chmod 755 "$work"
declare -A PORT=([backend]=18100 [plain]=18101 [audit]=18102 [modsec]=18103)

stop_all() {
    for d in "$work"/*/; do
        [ -f "$d/conf/httpd.conf" ] && "$httpd" -d "$d" -f conf/httpd.conf -k stop 2>/dev/null
    done
    sleep 1
    rm -rf "$work"
}
trap stop_all EXIT INT TERM

# ------------------------------------------------------------ content
docs="$work/htdocs"
mkdir -p "$docs/cgi"
python3 -c 'import json; print(json.dumps({"pad": "x" * (1024 - 12)}), end="")' > "$docs/small.json"
cp bench/lib/stream.pl "$docs/cgi/stream.pl"
if [ "$what" = memory ] || [ "$what" = all ]; then
    yes 'audit body benchmark line of text, sixty-four bytes long ......' \
        | head -c $((BIG_MB * 1024 * 1024)) > "$docs/big.txt"
    head -c $((UPLOAD_MB * 1024 * 1024)) "$docs/big.txt" > "$work/upload.txt"
fi
chmod -R a+rX "$docs"

user=""
[ "$(id -u)" = 0 ] && user="User www-data
Group www-data"

conf() {   # name extra-config
    local name=$1 extra=$2 dir="$work/$1"
    mkdir -p "$dir/conf" "$dir/logs"
    cat > "$dir/conf/httpd.conf" <<CONF
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:${PORT[$name]}
PidFile logs/httpd.pid
$user
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule cgid_module $mods/mod_cgid.so
LoadModule reflector_module $mods/mod_reflector.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
LoadModule unique_id_module $mods/mod_unique_id.so
StartServers 2
ThreadsPerChild 25
MaxRequestWorkers 100
EnableSendfile On
ErrorLog logs/error.log
LogLevel warn
LogFormat "%h %{UNIQUE_ID}e \"%r\" %>s %b" common
CustomLog logs/access.log common
TypesConfig /etc/mime.types
DocumentRoot "$docs"
<Directory "$docs">
    Require all granted
</Directory>
<Directory "$docs/cgi">
    Options +ExecCGI
    SetHandler cgi-script
</Directory>
<Location "/echo">
    SetHandler reflector
</Location>
ProxyPass "/proxy/" "http://127.0.0.1:${PORT[backend]}/"
$extra
CONF
    "$httpd" -d "$dir" -f conf/httpd.conf -k start || exit 1
}

conf backend ""
for v in $VARIANTS; do
    case $v in
    plain) conf plain "" ;;
    audit) conf audit "LoadModule audit_body_module $so
AuditBodyLog ${AUDIT_LOG:-logs/audit_body.log}
AuditBody On" ;;
    modsec) conf modsec "LoadModule security2_module $mods/mod_security2.so
SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess On
SecRequestBodyLimit 1048576
SecRequestBodyNoFilesLimit 1048576
SecResponseBodyLimit 1048576
SecRequestBodyLimitAction ProcessPartial
SecResponseBodyLimitAction ProcessPartial
SecResponseBodyMimeType text/plain text/html application/json
SecAuditEngine On
SecAuditLogParts ABIJEFHZ
SecAuditLogType Serial
SecAuditLog logs/modsec_audit.log
SecTmpDir /tmp
SecDataDir /tmp" ;;
    esac
done
sleep 1
for v in backend $VARIANTS; do
    curl -sf -o /dev/null "http://127.0.0.1:${PORT[$v]}/small.json" \
        || { echo "variant $v did not start" >&2; cat "$work/$v/logs/error.log" >&2; exit 1; }
done

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# ------------------------------------------------------------ throughput
throughput() {
    echo "### Throughput (wrk -t2 -c$CONNECTIONS -d${DURATION}s, median of $ROUNDS rounds, req/s)"
    echo
    printf '| workload |'; for v in $VARIANTS; do printf ' %s |' "$v"; done
    for v in $VARIANTS; do [ $v != plain ] && printf ' %s/plain |' "$v"; done; echo
    printf '|---|'; for v in $VARIANTS; do printf -- '---|'; done
    for v in $VARIANTS; do [ $v != plain ] && printf -- '---|'; done; echo
    for wl in get post proxied; do
        declare -A runs=()
        for r in $(seq 1 "$ROUNDS"); do
            for v in $VARIANTS; do
                case $wl in
                get) args=("http://127.0.0.1:${PORT[$v]}/small.json") ;;
                post) args=(-s bench/lib/post.lua "http://127.0.0.1:${PORT[$v]}/echo") ;;
                proxied) args=("http://127.0.0.1:${PORT[$v]}/proxy/small.json") ;;
                esac
                rps=$(timeout $((DURATION + 30)) wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "${args[@]}" \
                      | awk '/Requests\/sec/ {print $2}')
                runs[$v]="${runs[$v]:-} ${rps:-0}"
            done
        done
        printf '| %s |' "$wl"
        declare -A med=()
        for v in $VARIANTS; do
            med[$v]=$(echo ${runs[$v]} | tr ' ' '\n' | median)
            printf ' %.0f |' "${med[$v]}"
        done
        for v in $VARIANTS; do
            [ $v != plain ] && printf ' %.2f |' "$(echo "${med[$v]} / ${med[plain]}" | bc -l)"
        done
        echo
        unset runs med
    done
    echo
}

# ------------------------------------------------------------ ttfb
ttfb() {
    echo "### Time to first body byte of a 2 s text/plain stream (median of 5, ms)"
    echo
    printf '| path |'; for v in $VARIANTS; do printf ' %s |' "$v"; done
    for v in $VARIANTS; do [ $v != plain ] && printf ' %s - plain |' "$v"; done; echo
    printf '|---|'; for v in $VARIANTS; do printf -- '---|'; done
    for v in $VARIANTS; do [ $v != plain ] && printf -- '---|'; done; echo
    for p in /cgi/stream.pl /proxy/cgi/stream.pl; do
        declare -A ms=()
        printf '| %s |' "$p"
        for v in $VARIANTS; do
            s=$(python3 bench/lib/ttfb.py "${PORT[$v]}" "$p" 5)
            ms[$v]=$(echo "$s * 1000" | bc -l)
            printf ' %.1f |' "${ms[$v]}"
        done
        for v in $VARIANTS; do
            [ $v != plain ] && printf ' %+.1f |' "$(echo "${ms[$v]} - ${ms[plain]}" | bc -l)"
        done
        echo
        unset ms
    done
    echo
}

# ------------------------------------------------------------ memory
children() { pgrep -P "$(cat "$work/$1/logs/httpd.pid")" -f apache2 | while read -r pid; do
    [ "$(awk '/^Uid/ {print $2}' /proc/$pid/status)" != 0 ] && echo "$pid"; done; }

# Largest VmHWM - VmRSS(before) over the children of variant $1 while "$2" runs.
peak_growth() {
    local v=$1; shift
    declare -A before=()
    for pid in $(children "$v"); do
        echo 5 > /proc/$pid/clear_refs 2>/dev/null
        before[$pid]=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
    done
    "$@" > /dev/null 2>&1
    local max=0
    for pid in "${!before[@]}"; do
        hwm=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
        g=$(( ${hwm:-0} - ${before[$pid]} ))
        [ $g -gt $max ] && max=$g
    done
    echo "scale=1; $max / 1024" | bc
}

memory() {
    echo "### Peak growth of a child's RSS during one transfer (MiB)"
    echo
    printf '| transfer |'; for v in $VARIANTS; do printf ' %s |' "$v"; done; echo
    printf '|---|'; for v in $VARIANTS; do printf -- '---|'; done; echo
    for t in static proxied upload; do
        printf '| %s |' "$t"
        for v in $VARIANTS; do
            base="http://127.0.0.1:${PORT[$v]}"
            case $t in
            static) g=$(peak_growth "$v" curl -s -o /dev/null --max-time 120 "$base/big.txt") ;;
            proxied) g=$(peak_growth "$v" curl -s -o /dev/null --max-time 120 "$base/proxy/big.txt") ;;
            upload) g=$(peak_growth "$v" curl -s -o /dev/null --max-time 120 -H 'Content-Type: text/plain' \
                        --data-binary "@$work/upload.txt" "$base/echo") ;;
            esac
            printf ' %s |' "$g"
        done
        echo
    done
    echo
    if echo " $VARIANTS " | grep -q " audit " && command -v strace >/dev/null; then
        pids=$(children audit | sed 's/^/-p /' | tr '\n' ' ')
        strace -f -c -e trace=sendfile,read,mmap -o "$work/strace.txt" $pids &
        sp=$!
        sleep 1
        curl -s -o /dev/null --max-time 120 "http://127.0.0.1:${PORT[audit]}/big.txt"
        sleep 1
        kill -INT $sp 2>/dev/null; wait $sp 2>/dev/null
        echo "sendfile under audit, static ${BIG_MB} MiB download (strace -c):"
        echo
        echo '```'
        grep -E "calls|sendfile|read|mmap" "$work/strace.txt"
        echo '```'
        echo
    fi
}

echo "## mod_audit_body benchmark, $(date -u +%F), $(nproc) cores"
echo "command: DURATION=$DURATION ROUNDS=$ROUNDS CONNECTIONS=$CONNECTIONS BIG_MB=$BIG_MB UPLOAD_MB=$UPLOAD_MB bench/audit_body_bench.sh $what"
echo
case $what in
throughput) throughput ;;
ttfb) ttfb ;;
memory) memory ;;
all) throughput; ttfb; memory ;;
*) echo "usage: $0 [throughput|ttfb|memory|all]" >&2; exit 2 ;;
esac
