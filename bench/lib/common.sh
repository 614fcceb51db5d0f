# shellcheck shell=bash disable=SC2154
# Helpers for bench/ab_bench.sh and bench/idp_bench.sh (sourced): httpd
# instances, ports, logs. Expects: top, work, HTTPD, MODS, SO, RUN_USER
# (empty when not root); IDP_SO optionally.

declare -A PORT=()       # instance name -> port
declare -a STARTED=()    # instance names whose httpd was started

say() { printf '%s\n' "$*" >&2; }

# setup_work NAME: sets out (bench/out), RUN_USER (www-data when run as
# root, else empty) and work, a fresh directory for this run under
# bench/out, or under /tmp when www-data cannot reach the repository;
# removes what killed runs of NAME left behind.
setup_work() {
    local d
    out=$top/bench/out
    mkdir -p "$out" && chmod 755 "$out"
    RUN_USER=""
    [ "$(id -u)" = 0 ] && RUN_USER=www-data
    work=$out/$1-run-$$
    if [ -n "$RUN_USER" ] && ! runuser -u "$RUN_USER" -- test -x "$out" 2>/dev/null; then
        work=/tmp/$1-bench-$$          # the repo is not traversable by www-data
    fi
    for d in "$out/$1"-run-* /tmp/"$1"-bench-*; do   # leftovers of killed runs
        [ -d "$d" ] || continue
        kill -0 "${d##*-}" 2>/dev/null || rm -rf "$d"
    done
    mkdir -p "$work" && chmod 755 "$work"
}

# need_tools CMD...: die unless every command is there.
need_tools() {
    local t
    for t in "$@"; do command -v "$t" >/dev/null || die "$t not found"; done
}
die() { say "ab_bench: $*"; exit 1; }

# First free 127.0.0.1 port at or above $1 not yet handed out.
free_port() {
    local p=$1 i used
    for ((i = 0; i < 500; i++, p++)); do
        used=0
        for u in "${PORT[@]}"; do [ "$u" = "$p" ] && used=1; done
        [ $used = 1 ] && continue
        python3 - "$p" <<'PY' 2>/dev/null && { echo "$p"; return 0; }
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
PY
    done
    return 1
}

# instance NAME VARIANT_CONF [LIMIT]: write NAME's ServerRoot under $work.
# VARIANT_CONF is a file of bench/lib/conf/, or an absolute path.
instance() {
    local name=$1 vconf=$2 limit=${3:-1048576} dir="$work/$1"
    PORT[$name]=$(free_port "${PORT_BASE}") || die "no free port"
    mkdir -p "$dir/conf" "$dir/logs" "$dir/run" "$dir/tmp"
    [ -n "$RUN_USER" ] && chown "$RUN_USER:$RUN_USER" "$dir/run" "$dir/tmp"
    local subst=(-e "s|@ROOT@|$dir|g" -e "s|@PORT@|${PORT[$name]}|g"
                 -e "s|@MODS@|$MODS|g" -e "s|@DOCS@|$work/htdocs|g"
                 -e "s|@BACKEND_PORT@|${PORT[backend]:-0}|g"
                 -e "s|@SO@|$SO|g" -e "s|@LIMIT@|$limit|g"
                 -e "s|@IDP_SO@|${IDP_SO:-}|g")
    if [ -n "$RUN_USER" ]; then
        subst+=(-e "s|@USER@|User $RUN_USER|" -e "s|@GROUP@|Group $RUN_USER|")
    else
        subst+=(-e "/@USER@/d" -e "/@GROUP@/d")
    fi
    sed "${subst[@]}" bench/lib/conf/httpd.conf.in > "$dir/conf/httpd.conf"
    [[ $vconf == /* ]] || vconf=bench/lib/conf/$vconf
    sed "${subst[@]}" "$vconf" > "$dir/conf/variant.conf"
}

pid_of() { cat "$work/$1/logs/httpd.pid" 2>/dev/null; }

# PIN=1 (the default when the machine has 2 or more CPUs): every httpd on
# CPU 0 (SERVER_CPUS), the load generator on CPU 1 (CLIENT_CPUS), so they
# do not take turns on one core; PIN=0 leaves scheduling to the kernel.
if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    SERVER_PIN=(taskset -c "${SERVER_CPUS:-0}")
    CLIENT_PIN=(taskset -c "${CLIENT_CPUS:-1}")
else
    SERVER_PIN=()
    CLIENT_PIN=()
fi

start() {
    local name=$1 dir="$work/$1" i
    "$HTTPD" -d "$dir" -f "$dir/conf/httpd.conf" -t >/dev/null 2>"$dir/logs/configtest.log" \
        || { cat "$dir/logs/configtest.log" >&2; die "$name: configtest failed"; }
    "${SERVER_PIN[@]}" "$HTTPD" -d "$dir" -f "$dir/conf/httpd.conf" -k start \
        || die "$name: httpd did not start"
    STARTED+=("$name")
    for ((i = 0; i < 100; i++)); do
        curl -s -o /dev/null --max-time 2 "http://127.0.0.1:${PORT[$name]}/small.json" \
            && [ -s "$dir/logs/httpd.pid" ] && return 0
        sleep 0.1
    done
    cat "$dir/logs/error.log" >&2
    die "$name: not answering on port ${PORT[$name]}"
}

# Stop every started httpd: SIGTERM to its parent, wait up to 20 s for it
# (and so its children) to exit, SIGKILL by pid only as a last resort.
stop_all() {
    local name pid i kids
    for name in "${STARTED[@]}"; do
        pid=$(pid_of "$name") || continue
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
    done
    for name in "${STARTED[@]}"; do
        pid=$(pid_of "$name") || continue
        [ -n "$pid" ] || continue
        for ((i = 0; i < 200; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kids=$(children "$pid")
            say "ab_bench: $name (pid $pid) still running after 20 s, killing it"
            kill -KILL "$pid" $kids 2>/dev/null
        fi
    done
    STARTED=()
}

# Child pids of the httpd parent $1.
children() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
    done
}

# Empty an instance's logs between runs (all are opened with O_APPEND).
truncate_logs() {
    local f
    for f in "$work/$1"/logs/*.log; do
        case $f in */error.log|*/configtest.log) ;; *) : > "$f" ;; esac
    done
}

# Records written by instance $1 since its logs were last truncated.
records() {
    case $1 in
    audit) wc -l < "$work/$1/logs/audit_body.log" ;;
    plain-log2k) wc -l < "$work/$1/logs/pad.log" ;;
    modsec*) grep -c -- '^--[0-9a-z]*-Z--$' "$work/$1/logs/modsec_audit.log" ;;
    *) wc -l < "$work/$1/logs/access.log" ;;
    esac
}

# CPU clock ticks "user system" used so far by the children of instance
# $1 (its worker processes; the parent does no request work).
cpu_split_ticks() {
    local u=0 s=0 a b p pid
    pid=$(pid_of "$1") || { echo "0 0"; return; }
    for p in $(children "$pid"); do
        read -r a b < <(awk '{print $14, $15}' "/proc/$p/stat" 2>/dev/null || echo "0 0")
        u=$((u + a)); s=$((s + b))
    done
    echo "$u $s"
}

# The same, user + system.
cpu_ticks() {
    local u s
    read -r u s <<<"$(cpu_split_ticks "$1")"
    echo $((u + s))
}

# The 1 KiB JSON document every workload fetches or posts ({"pad":"xx..."}).
small_json() {
    python3 -c 'import sys; sys.stdout.write("{\"pad\":\"" + "x" * 1014 + "\"}")'
}

# multi_backend_conf LAST KEEPALIVE: the httpd.conf lines of a backend
# answering on 127.0.0.2 to 127.0.0.LAST (one address per id) with the
# document root under /t/<anything>/, and enough event MPM threads that it
# never closes idle keep-alive connections to make room (it does when all
# workers are busy): the fronts' per-backend pools hold hundreds.
multi_backend_conf() {
    local i
    echo "LoadModule alias_module @MODS@/mod_alias.so"
    for ((i = 2; i <= $1; i++)); do echo "Listen 127.0.0.$i:@PORT@"; done
    echo 'AliasMatch "^/t/.*/([^/]+)$" "@DOCS@/$1"'
    echo "KeepAliveTimeout $2"
    echo 'ServerLimit 4'
    echo 'StartServers 4'
    echo 'ThreadsPerChild 64'
    echo 'MaxRequestWorkers 256'
    echo 'MinSpareThreads 64'
    echo 'MaxSpareThreads 256'
}
