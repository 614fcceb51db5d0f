#!/bin/sh
# Installs the Debian 12 packages the build, the tests and the demo need.
# Needs root; does nothing when every package is already installed.
set -eu
PKGS="build-essential autoconf automake libtool pkg-config autoconf-archive
      apache2 apache2-dev apache2-utils libapache2-mod-perl2 libwww-perl
      libjson-pp-perl libjson-xs-perl check curl python3 python3-websockets
      python3-jsonschema nghttp2-client wrk valgrind clang libclang-rt-14-dev
      libpcre2-dev zlib1g-dev libbrotli-dev dpkg-dev debhelper lintian postgresql rsyslog rsyslog-pgsql
      prometheus"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing (run as root to install)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
