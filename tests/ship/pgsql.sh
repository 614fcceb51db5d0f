#!/bin/bash
# Proves the shipping recipe of docs/shipping.md: mod_audit_body writes
# records to a file, rsyslog (imfile + ompgsql, Debian's rsyslog and
# rsyslog-pgsql) ships them into a jsonb column of PostgreSQL (Debian's
# postgresql), and every record the module wrote is found in PostgreSQL,
# equal after JSON normalisation (keys sorted, one canonical spelling).
#
# Starts its own PostgreSQL cluster, rsyslogd and httpd, all on loopback,
# in a temporary directory, and stops them again. Needs root (initdb runs
# as "postgres", httpd's children as www-data) and a built tree (make).
#   SHIP_REQUESTS=60   requests made (a mix of JSON, form, UTF-8, binary
#                      and truncated bodies, quotes and backslashes)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${SHIP_REQUESTS:-60}
mods=/usr/lib/apache2/modules
so=$top/mod_audit_body/.libs/mod_audit_body.so
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

say() { echo "ship-pgsql: $*"; }
fail() { echo "ship-pgsql: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { say "skipped: needs root"; exit 0; }
[ -f "$so" ] || fail "$so not built (run make first)"
[ -x "$pgbin/initdb" ] || fail "PostgreSQL not installed (scripts/deps.sh)"
[ -f /usr/lib/x86_64-linux-gnu/rsyslog/ompgsql.so ] \
    || ls /usr/lib/*/rsyslog/ompgsql.so >/dev/null 2>&1 \
    || fail "rsyslog-pgsql not installed (scripts/deps.sh)"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
work=$(mktemp -d /tmp/ship-pgsql.XXXXXX)
chmod 755 "$work"
pgport=$(free_port)
port=$(free_port)
cleanup() {
    [ -f "$work/httpd/httpd.pid" ] && kill "$(cat "$work/httpd/httpd.pid")" 2>/dev/null
    [ -f "$work/rsyslogd.pid" ] && kill "$(cat "$work/rsyslogd.pid")" 2>/dev/null
    [ -d "$work/pg" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" \
        -m immediate stop >/dev/null 2>&1
    sleep 0.5
    [ -n "${KEEP_SHIP_WORK:-}" ] && say "work in $work" || rm -rf "$work"
}
trap cleanup EXIT INT TERM

say "PostgreSQL on 127.0.0.1:$pgport"
mkdir -p "$work/pg" "$work/pgsock" && chown postgres: "$work/pg" "$work/pgsock"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust \
    -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log"; fail initdb; }
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -w -l "$work/pg/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $work/pgsock" start >/dev/null \
    || { cat "$work/pg/server.log"; fail "PostgreSQL did not start"; }
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgport" -U postgres "$@"; }
psql -d postgres -c "CREATE DATABASE audit"
psql -d audit -f "$top/docs/shipping/audit_body_records.sql"

say "rsyslogd (imfile -> ompgsql)"
mkdir -p "$work/rsyslog" "$work/httpd/logs" "$work/htdocs"
log=$work/httpd/logs/audit_body.log
sed -e "s|@STATE@|$work/rsyslog|" -e "s|@LOG@|$log|" \
    -e "s|@CONNINFO@|postgresql://postgres@127.0.0.1:$pgport/audit|" \
    "$top/tests/ship/rsyslog-pgsql.conf.in" > "$work/rsyslog.conf"
rsyslogd -N1 -f "$work/rsyslog.conf" >"$work/rsyslog-check.log" 2>&1 \
    || { cat "$work/rsyslog-check.log"; fail "rsyslog rejects the recipe"; }
rsyslogd -f "$work/rsyslog.conf" -i "$work/rsyslogd.pid" 2>"$work/rsyslogd.err" \
    || { cat "$work/rsyslogd.err"; fail "rsyslogd did not start"; }

say "httpd on 127.0.0.1:$port"
printf '{"tenant":"acme","note":"it'"'"'s \\"quoted\\" and back\\\\slashed"}\n' > "$work/htdocs/q.json"
printf '{"city":"Zürich","emoji":"\xf0\x9f\x98\x80"}\n' > "$work/htdocs/utf8.json"
head -c 3000 /dev/urandom > "$work/htdocs/blob.bin"
chmod -R a+rX "$work/htdocs"
cat > "$work/httpd/httpd.conf" <<EOF
ServerRoot "$work/httpd"
ServerName 127.0.0.1
PidFile $work/httpd/httpd.pid
Listen 127.0.0.1:$port
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule reflector_module $mods/mod_reflector.so
LoadModule audit_body_module $so
User www-data
Group www-data
ErrorLog logs/error.log
TypesConfig /etc/mime.types
AddType image/x-test .bin
DocumentRoot "$work/htdocs"
<Directory "$work/htdocs">
    Require all granted
</Directory>
<Location "/echo">
    SetHandler reflector
</Location>
AuditBody On
AuditBodyLog logs/audit_body.log
AuditBodyTypes */*
EOF
/usr/sbin/apache2 -d "$work/httpd" -f "$work/httpd/httpd.conf" -k start \
    || fail "httpd did not start"
up=0
for i in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/q.json" && { up=1; break; }
    sleep 0.2
done
[ $up = 1 ] || fail "httpd does not answer"

say "$n requests"
u=http://127.0.0.1:$port
big=$(head -c 200000 /dev/zero | tr '\0' 'x')
made=1                                  # the start-up probe has a record too
for i in $(seq "$n"); do
    case $((i % 6)) in
    0) curl -sf -o /dev/null "$u/q.json?i=$i&x=it's" ;;
    1) curl -sf -o /dev/null "$u/utf8.json?i=$i" ;;
    2) curl -sf -o /dev/null "$u/blob.bin?i=$i" ;;
    3) curl -sf -o /dev/null -H 'Content-Type: application/json' \
           --data-binary "{\"i\":$i,\"s\":\"O'Brien \\\\ \\\"x\\\" \\u00e9\"}" "$u/echo?i=$i" ;;
    4) curl -sf -o /dev/null -H 'Content-Type: application/x-www-form-urlencoded' \
           --data-binary "a=$i&b=%27quoted%27" "$u/echo?i=$i" ;;
    5) printf '%s' "$big" | curl -sf -o /dev/null -H 'Content-Type: text/plain' \
           --data-binary @- "$u/echo?i=$i" ;;
    esac
    made=$((made + 1))
done
# A stop writes out what the children still queue.
/usr/sbin/apache2 -d "$work/httpd" -f "$work/httpd/httpd.conf" -k stop
for i in $(seq 100); do [ -f "$work/httpd/httpd.pid" ] || break; sleep 0.1; done
lines=$(wc -l < "$log")
[ "$lines" = "$made" ] || fail "$lines records in the log for $made requests"

say "waiting for PostgreSQL to hold $made records"
got=0
for i in $(seq 300); do
    got=$(psql -d audit -At -c "SELECT count(*) FROM audit_body_records")
    [ "$got" -ge "$made" ] && break
    sleep 0.2
done
[ "$got" = "$made" ] || { cat "$work/rsyslogd.err"; fail "PostgreSQL holds $got records, want $made"; }

psql -d audit -At -c "SELECT record::text FROM audit_body_records ORDER BY id" > "$work/pg.out"
python3 - "$log" "$work/pg.out" <<'PY'
import collections, json, sys
def canon(line):
    return json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
with open(sys.argv[1], encoding="utf-8") as f:
    logged = [canon(l) for l in f if l.strip()]
with open(sys.argv[2], encoding="utf-8") as f:
    stored = [canon(l) for l in f if l.strip()]
missing = collections.Counter(logged) - collections.Counter(stored)
extra = collections.Counter(stored) - collections.Counter(logged)
if missing or extra:
    for k in list(missing)[:3]:
        print("ship-pgsql: in the log, not in PostgreSQL:", k[:300])
    for k in list(extra)[:3]:
        print("ship-pgsql: in PostgreSQL, not in the log:", k[:300])
    sys.exit("ship-pgsql: FAIL: %d missing, %d extra" % (sum(missing.values()), sum(extra.values())))
kinds = collections.Counter()
for l in logged:
    r = json.loads(l)
    kinds[r["response"]["body_encoding"] or "none"] += 1
    if r["request"].get("truncated"):
        kinds["request truncated"] += 1
print("ship-pgsql: all %d records found, equal after normalisation (%s)"
      % (len(logged), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
PY
say "all passed"
