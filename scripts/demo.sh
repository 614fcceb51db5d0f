#!/bin/sh
# Builds the modules and starts a demo httpd on 127.0.0.1:8080 with
# mod_audit_body on in front of local static content and of a real proxied
# backend (a second virtual host on 127.0.0.1:8081), and mod_id_proxy
# routing /tenant/?id=N to tenant backends on 127.0.0.N:8082 (N = 2, 3, 4,
# one virtual host each). Stop it with
#   scripts/demo.sh stop
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
demo=${DEMO_DIR:-/tmp/httpd-modules-demo}
httpd=$(command -v apache2 || echo /usr/sbin/apache2)

if [ "${1:-}" = stop ]; then
    [ -f "$demo/conf/httpd.conf" ] && "$httpd" -d "$demo" -f conf/httpd.conf -k stop
    exit 0
fi

sh scripts/deps.sh
# (Re)build unless the modules are built, and built without sanitizers.
if [ ! -f mod_audit_body/.libs/mod_audit_body.so ] || [ ! -f mod_id_proxy/.libs/mod_id_proxy.so ] \
   || grep -q -- '-fsanitize=' Makefile 2>/dev/null; then
    [ -f Makefile ] && make distclean >/dev/null 2>&1 || true
    ./autogen.sh >/dev/null 2>&1
    ./configure >/dev/null
    make -j2 >/dev/null
fi

[ -f "$demo/conf/httpd.conf" ] && "$httpd" -d "$demo" -f conf/httpd.conf -k stop 2>/dev/null && sleep 1
rm -rf "$demo"
mkdir -p "$demo/conf" "$demo/logs" "$demo/htdocs/api" "$demo/modules"
chmod 755 "$demo" "$demo/htdocs" "$demo/htdocs/api"
cp mod_audit_body/.libs/mod_audit_body.so mod_id_proxy/.libs/mod_id_proxy.so "$demo/modules/"
for n in 2 3 4; do
    mkdir -p "$demo/tenants/$n"
    printf '{"tenant":"%s","backend":"127.0.0.%s:8082"}\n' "$n" "$n" > "$demo/tenants/$n/whoami.json"
done
chmod -R a+rX "$demo/tenants"
printf '{"service":"demo","items":[1,2,3]}\n' > "$demo/htdocs/hello.json"
printf 'plain text served by the front end\n' > "$demo/htdocs/hello.txt"
printf '{"backend":"127.0.0.1:8081","ok":true}\n' > "$demo/htdocs/api/status.json"
head -c 1048576 /dev/urandom > "$demo/htdocs/download.bin"

user_lines=""
if [ "$(id -u)" = 0 ]; then
    user_lines="User www-data
Group www-data"
fi
mods=/usr/lib/apache2/modules
cat > "$demo/conf/httpd.conf" <<CONF
ServerRoot "$demo"
ServerName 127.0.0.1
Listen 127.0.0.1:8080
Listen 127.0.0.1:8081
Listen 127.0.0.2:8082
Listen 127.0.0.3:8082
Listen 127.0.0.4:8082
PidFile logs/httpd.pid
$user_lines
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule dir_module $mods/mod_dir.so
LoadModule reflector_module $mods/mod_reflector.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
LoadModule unique_id_module $mods/mod_unique_id.so
LoadModule audit_body_module modules/mod_audit_body.so
LoadModule id_proxy_module modules/mod_id_proxy.so
TypesConfig /etc/mime.types
ErrorLog logs/error.log
LogLevel warn
LogFormat "%h %{UNIQUE_ID}e \"%r\" %>s %b id=%{IDPROXY_ID}e backend=%{IDPROXY_BACKEND}e" demo
CustomLog logs/access.log demo
DocumentRoot "$demo/htdocs"
<Directory "$demo/htdocs">
    Require all granted
</Directory>

# The audit records, one JSON object per line.
AuditBodyLog logs/audit_body.log

<VirtualHost 127.0.0.1:8080>
    AuditBody On
    ProxyPass "/api/" "http://127.0.0.1:8081/api/"
    # mod_id_proxy: /tenant/<path>?id=N -> http://127.0.0.N:8082/<path>
    IdProxyRoute /tenant/ http://127.0.0.{id}:8082/ source=query:id
    IdProxyIdPattern ^[0-9]{1,3}\$
    <Location "/id-proxy-status">
        SetHandler id-proxy-status
    </Location>
    <Location "/echo">
        SetHandler reflector
    </Location>
</VirtualHost>

# The backend: a second virtual host (not audited).
<VirtualHost 127.0.0.1:8081>
    <Location "/api/echo">
        SetHandler reflector
    </Location>
</VirtualHost>

# The tenants: one virtual host per loopback address.
<VirtualHost 127.0.0.2:8082>
    ServerName tenant2.localhost
    DocumentRoot "$demo/tenants/2"
</VirtualHost>
<VirtualHost 127.0.0.3:8082>
    ServerName tenant3.localhost
    DocumentRoot "$demo/tenants/3"
</VirtualHost>
<VirtualHost 127.0.0.4:8082>
    ServerName tenant4.localhost
    DocumentRoot "$demo/tenants/4"
</VirtualHost>
<Directory "$demo/tenants">
    Require all granted
</Directory>
CONF

"$httpd" -d "$demo" -f conf/httpd.conf -t
"$httpd" -d "$demo" -f conf/httpd.conf -k start
sleep 1
curl -s -o /dev/null http://127.0.0.1:8080/hello.json
curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"hello":"world"}' http://127.0.0.1:8080/api/echo
curl -s -o /dev/null http://127.0.0.1:8080/api/status.json
# A login through the proxied backend: the client gets its bytes back, the
# record holds the password and the token as *** (redaction is on by
# default).
login='{"user":"bob","password":"hunter2","remember":true}'
echoed=$(curl -s -H 'Content-Type: application/json' -d "$login" \
    'http://127.0.0.1:8080/api/echo?access_token=SECRET-TOKEN&lang=en')
printf '  POST /api/echo?access_token=SECRET-TOKEN with %s\n    client got back: %s\n' "$login" "$echoed"
sleep 0.3
printf '    the record (uri, request body, what was redacted):\n'
grep -F '"uri":"/api/echo?access_token=' "$demo/logs/audit_body.log" | tail -n 1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
q = r["request"]
print("      uri:", r["uri"])
print("      body:", q["body"])
print("      redacted:", q["redacted"], q["redacted_fields"])'
for n in 2 3 4; do
    printf '  /tenant/whoami.json?id=%s -> %s\n' "$n" "$(curl -s "http://127.0.0.1:8080/tenant/whoami.json?id=$n")"
done
printf '  /tenant/whoami.json?id=evil.example -> HTTP %s\n' \
    "$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:8080/tenant/whoami.json?id=evil.example')"
sleep 0.3
cat <<MSG

Demo httpd running (ServerRoot $demo):
  front end   http://127.0.0.1:8080/   (AuditBody On)
              /hello.json /hello.txt /download.bin (skipped: octet-stream)
              POST /echo (echoes the body)
  proxied     http://127.0.0.1:8080/api/status.json, POST /api/echo
              -> backend http://127.0.0.1:8081/
  tenants     http://127.0.0.1:8080/tenant/whoami.json?id=2   (3, 4 too; mod_id_proxy)
              -> http://127.0.0.N:8082/whoami.json, one cached worker each
              status: http://127.0.0.1:8080/id-proxy-status (?json)
  records     $demo/logs/audit_body.log
  try         curl -d '{"a":1}' -H 'Content-Type: application/json' http://127.0.0.1:8080/echo
              tail -n1 $demo/logs/audit_body.log
  stop        scripts/demo.sh stop

Last record:
MSG
tail -n 1 "$demo/logs/audit_body.log"
