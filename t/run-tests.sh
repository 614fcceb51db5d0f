#!/bin/sh
# Runs the Apache::Test suite against the modules in the build tree.
# Apache::Test refuses to run as root, so as root the suite runs as an
# unprivileged user (AB_TEST_USER, default "httpdtest", created if missing)
# from a private copy of the tree; its logs are copied back to t/logs.last.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
APXS=${APXS:-apxs}
HTTPD=${HTTPD:-/usr/sbin/apache2}

if [ "$(id -u)" != 0 ]; then
    cd "$top/t" && exec perl TEST -apxs "$APXS" -httpd "$HTTPD" \
        -httpd_conf "$top/t/conf/base.conf" "$@"
fi

user=${AB_TEST_USER:-httpdtest}
if ! id "$user" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home \
        --shell /usr/sbin/nologin "$user" || exit 1
fi
work=$(mktemp -d /tmp/httpd-modules-check.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
chmod 755 "$work"
tar -C "$top" --exclude=./.git --exclude=./t/logs --exclude=./t/logs.last \
    -cf - . | tar -C "$work" -xf - || exit 1
chown -R "$user:" "$work"
cd "$work/t" || exit 1
runuser -u "$user" -- env HOME="$work" PATH="$PATH" perl TEST \
    -apxs "$APXS" -httpd "$HTTPD" -httpd_conf "$work/t/conf/base.conf" "$@"
rc=$?
rm -rf "$top/t/logs.last"
cp -r "$work/t/logs" "$top/t/logs.last" 2>/dev/null
exit $rc
