#!/bin/sh
# Builds the Debian packages from a clean clone of HEAD, checks them with
# lintian, installs them into the system's apache2, enables both modules
# with Debian's own layout (a2enmod, conf-available), runs a smoke test
# against that httpd (a record written, an id routed, both metrics
# handlers scraped), then purges the
# packages and checks that nothing of them is left behind.
#
# Needs root and Debian 12 (scripts/deps.sh installs what it needs). The
# system apache2 must not be running; it is started on 127.0.0.1:80 and
# a backend on 127.0.0.1:$PKG_BACKEND_PORT (default 18099), both loopback
# only, and stopped again.
#   KEEP_PKG_WORK=1  keep the build directory (its path is printed)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
port=${PKG_BACKEND_PORT:-18099}
[ "$(id -u)" = 0 ] || { echo "package-test: needs root" >&2; exit 2; }

work=$(mktemp -d /tmp/pkg-test.XXXXXX)
conf=/etc/apache2/conf-available/zz-pkg-smoke.conf
docs=/var/www/pkg-smoke
cleanup() {
    apache2ctl -k stop >/dev/null 2>&1 || true
    a2disconf -q zz-pkg-smoke >/dev/null 2>&1 || true
    rm -f "$conf"
    [ -f /etc/apache2/ports.conf.pkg-smoke ] \
        && mv /etc/apache2/ports.conf.pkg-smoke /etc/apache2/ports.conf
    rm -rf "$docs"
    dpkg -s libapache2-mod-audit-body >/dev/null 2>&1 \
        && apt-get purge -y -qq libapache2-mod-audit-body libapache2-mod-id-proxy >/dev/null 2>&1
    [ -n "${KEEP_PKG_WORK:-}" ] && echo "package-test: work in $work" || rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }

if pidof apache2 >/dev/null 2>&1 && [ -f /var/run/apache2/apache2.pid ] \
   && kill -0 "$(cat /var/run/apache2/apache2.pid)" 2>/dev/null; then
    fail "the system apache2 is running; stop it first"
fi

echo "== package-test: dpkg-buildpackage -us -uc -b from a clean clone"
git clone -q "$top" "$work/src"
(cd "$work/src" && dpkg-buildpackage -us -uc -b > "$work/build.log" 2>&1) \
    || { tail -40 "$work/build.log"; fail "dpkg-buildpackage"; }
ls "$work"/*.deb

echo "== package-test: lintian"
# Errors and warnings fail; the remaining informational tags are listed
# with their justification in debian/*.lintian-overrides.
lintian --fail-on error,warning --info "$work"/*.changes 2>&1 \
    | grep -v 'running with root privileges' || true
lintian --fail-on error,warning "$work"/*.changes >/dev/null 2>&1 \
    || fail "lintian reported errors or warnings"

echo "== package-test: install"
apt-get install -y -qq "$work"/libapache2-mod-audit-body_*.deb \
    "$work"/libapache2-mod-id-proxy_*.deb >/dev/null
for m in audit_body id_proxy proxy proxy_http; do
    a2query -q -m $m || fail "module $m is not enabled after install"
done
for f in /usr/lib/apache2/modules/mod_audit_body.so \
         /usr/lib/apache2/modules/mod_id_proxy.so \
         /etc/apache2/mods-available/audit_body.load \
         /etc/apache2/mods-available/id_proxy.load; do
    [ -f "$f" ] || fail "$f not installed"
done

echo "== package-test: smoke test against the system apache2"
mkdir -p "$docs/t"
printf '{"tenant":"backend"}\n' > "$docs/t/hello.json"
cat > "$conf" <<EOF
# package-test.sh: a backend on loopback, a record for /echo/, a route
# for /tenant/ (id 1 is 127.0.0.1).
ServerName 127.0.0.1
Listen 127.0.0.1:$port
<VirtualHost 127.0.0.1:$port>
    DocumentRoot $docs
    <Directory $docs>
        Require all granted
    </Directory>
</VirtualHost>
<Directory $docs>
    Require all granted
</Directory>
Alias /echo/ $docs/t/
<Location "/echo/">
    AuditBody On
</Location>
IdProxyRoute /tenant/ http://127.0.0.{id}:$port/t/ source=query:id
<Location "/metrics/audit-body">
    SetHandler audit-body-metrics
</Location>
<Location "/metrics/id-proxy">
    SetHandler id-proxy-metrics
</Location>
EOF
a2enconf -q zz-pkg-smoke
# Loopback only: Debian's ports.conf listens on every address.
cp /etc/apache2/ports.conf /etc/apache2/ports.conf.pkg-smoke
sed -i 's/^\([[:space:]]*\)Listen \([0-9][0-9]*\)[[:space:]]*$/\1Listen 127.0.0.1:\2/' \
    /etc/apache2/ports.conf
apache2ctl configtest 2>&1 | grep -q 'Syntax OK' || {
    apache2ctl configtest; fail "configtest"; }
log=/var/log/apache2/audit_body.log
rm -f "$log"
apache2ctl -k start
i=0
until curl -s -o /dev/null http://127.0.0.1/ ; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "apache2 did not start"; sleep 0.2
done
marker="pkg-$$-$(date +%s)"
got=$(curl -s --max-time 10 "http://127.0.0.1/echo/hello.json?m=$marker")
[ "$got" = '{"tenant":"backend"}' ] || fail "/echo/ answered '$got'"
got=$(curl -s --max-time 10 "http://127.0.0.1/tenant/hello.json?id=1")
[ "$got" = '{"tenant":"backend"}' ] || fail "the route answered '$got'"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
    "http://127.0.0.1/tenant/hello.json?id=..")
[ "$code" = 400 ] || fail "a bad id gave $code, not 400"
i=0
until grep -q "$marker" "$log" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "no record with $marker in $log"; sleep 0.2
done
grep "$marker" "$log" | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
assert r["status"] == 200, r
assert r["response"]["body"] == "{\"tenant\":\"backend\"}\n", r["response"]
print("package-test: record", r["id"], "holds the response body")'
# The metrics handlers of the installed modules, summed over the children.
m=$(curl -s --max-time 10 http://127.0.0.1/metrics/audit-body)
echo "$m" | grep -q '^audit_body_records_written_total [1-9]' \
    || fail "audit-body-metrics: no record counted: $m"
m=$(curl -s --max-time 10 http://127.0.0.1/metrics/id-proxy)
echo "$m" | grep -q '^id_proxy_cache_misses_total [1-9]' \
    || fail "id-proxy-metrics: the routed request is not counted: $m"
if command -v promtool >/dev/null; then
    curl -s http://127.0.0.1/metrics/id-proxy | promtool check metrics \
        || fail "promtool rejects id-proxy-metrics"
fi
echo "package-test: metrics scraped"
apache2ctl -k stop
i=0
while [ -f /var/run/apache2/apache2.pid ]; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "apache2 did not stop"; sleep 0.2
done
a2disconf -q zz-pkg-smoke
rm -f "$conf"
mv /etc/apache2/ports.conf.pkg-smoke /etc/apache2/ports.conf

echo "== package-test: remove and purge"
apt-get remove -y -qq libapache2-mod-audit-body libapache2-mod-id-proxy >/dev/null
a2query -q -m audit_body 2>/dev/null && fail "audit_body still enabled after remove"
a2query -q -m id_proxy 2>/dev/null && fail "id_proxy still enabled after remove"
apt-get purge -y -qq libapache2-mod-audit-body libapache2-mod-id-proxy >/dev/null
left=$(ls /usr/lib/apache2/modules/mod_audit_body.so \
    /usr/lib/apache2/modules/mod_id_proxy.so \
    /etc/apache2/mods-available/audit_body.* /etc/apache2/mods-available/id_proxy.* \
    /etc/apache2/mods-enabled/audit_body.* /etc/apache2/mods-enabled/id_proxy.* \
    /usr/share/doc/libapache2-mod-audit-body /usr/share/doc/libapache2-mod-id-proxy \
    /var/log/apache2/audit_body.log \
    2>/dev/null || true)
[ -z "$left" ] || fail "left behind after purge: $left"
dpkg -s libapache2-mod-audit-body >/dev/null 2>&1 && fail "still known to dpkg"
echo "package-test: all passed"
