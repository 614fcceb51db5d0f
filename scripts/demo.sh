#!/bin/sh
# Builds the modules and starts a demo httpd on 127.0.0.1:8080 with
# mod_audit_body on in front of local static content and of a real proxied
# backend (a second virtual host on 127.0.0.1:8081). Stop it with
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
if [ ! -f mod_audit_body/.libs/mod_audit_body.so ]; then
    ./autogen.sh >/dev/null 2>&1
    ./configure >/dev/null
    make -j2 >/dev/null
fi

[ -f "$demo/conf/httpd.conf" ] && "$httpd" -d "$demo" -f conf/httpd.conf -k stop 2>/dev/null && sleep 1
rm -rf "$demo"
mkdir -p "$demo/conf" "$demo/logs" "$demo/htdocs/api" "$demo/modules"
chmod 755 "$demo" "$demo/htdocs" "$demo/htdocs/api"
cp mod_audit_body/.libs/mod_audit_body.so "$demo/modules/"
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
TypesConfig /etc/mime.types
ErrorLog logs/error.log
LogLevel warn
LogFormat "%h %{UNIQUE_ID}e \"%r\" %>s %b" demo
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
CONF

"$httpd" -d "$demo" -f conf/httpd.conf -t
"$httpd" -d "$demo" -f conf/httpd.conf -k start
sleep 1
curl -s -o /dev/null http://127.0.0.1:8080/hello.json
curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"hello":"world"}' http://127.0.0.1:8080/api/echo
curl -s -o /dev/null http://127.0.0.1:8080/api/status.json
sleep 0.3
cat <<MSG

Demo httpd running (ServerRoot $demo):
  front end   http://127.0.0.1:8080/   (AuditBody On)
              /hello.json /hello.txt /download.bin (skipped: octet-stream)
              POST /echo (echoes the body)
  proxied     http://127.0.0.1:8080/api/status.json, POST /api/echo
              -> backend http://127.0.0.1:8081/
  records     $demo/logs/audit_body.log
  try         curl -d '{"a":1}' -H 'Content-Type: application/json' http://127.0.0.1:8080/echo
              tail -n1 $demo/logs/audit_body.log
  stop        scripts/demo.sh stop

Last record:
MSG
tail -n 1 "$demo/logs/audit_body.log"
