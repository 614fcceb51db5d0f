#!/bin/sh
# Runs the Apache::Test suite against the modules in the build tree.
# Apache::Test refuses to run as root, so as root the suite runs as an
# unprivileged user (AB_TEST_USER, default "httpdtest", created if missing)
# from a private copy of the tree; its logs are copied back to tests/t/logs.last.
# APACHE_TEST_PORT (Apache::Test's base port, default 8529) is passed on,
# so two checkouts can run their suites side by side.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
APXS=${APXS:-apxs}
HTTPD=${HTTPD:-/usr/sbin/apache2}

# A build configured with --enable-asan: httpd itself is not rebuilt, so
# every httpd the tests start (Apache::Test's and the tests' own) goes
# through a wrapper that preloads the sanitizer runtime and sends reports
# to files, and any report fails the run.
# (use_sigaltstack=0: libasan 12 reports its own sigaltstack teardown at
# thread exit as a stack-buffer-overflow, a known false positive.) A
# library a test preloads (its own resolver) is kept, after the runtime.
san_setup() {   # DIR: write DIR/httpd-san, set HTTPD and SAN_LOGS
    SAN_LOGS=$1/sanitizer-logs
    mkdir -p "$SAN_LOGS" && chmod 1777 "$SAN_LOGS"
    asan=$(${CC:-gcc} -print-file-name=libasan.so)
    {
        echo '#!/bin/sh'
        echo "export LD_PRELOAD=\"$asan\${LD_PRELOAD:+ \$LD_PRELOAD}\""
        echo "export ASAN_OPTIONS=\"detect_leaks=0:use_sigaltstack=0:abort_on_error=1:log_path=$SAN_LOGS/asan\""
        echo "export UBSAN_OPTIONS=\"print_stacktrace=1:halt_on_error=1:log_path=$SAN_LOGS/ubsan\""
        echo "exec \"$HTTPD\" \"\$@\""
    } > "$1/httpd-san"
    chmod 755 "$1/httpd-san"
    HTTPD=$1/httpd-san
    echo "run-tests: sanitized modules: httpd runs with $asan preloaded"
}
# ASan writes to log_path; UBSan (combined with ASan, gcc 12) ignores its
# log_path and writes to stderr, which httpd sends to its error log: look
# in both. (The tests that start servers of their own check those logs.)
SAN_RE='runtime error:|AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer'
san_verdict() {   # DIR of the error logs; exit status 1 if anything reported
    if [ -n "$(ls -A "$SAN_LOGS" 2>/dev/null)" ] \
       || grep -E -q "$SAN_RE" "$1"/*error*log 2>/dev/null; then
        echo "run-tests: SANITIZER REPORTS:"
        cat "$SAN_LOGS"/* 2>/dev/null
        grep -E -A20 "$SAN_RE" "$1"/*error*log 2>/dev/null | head -200
        return 1
    fi
    echo "run-tests: no sanitizer report"
    return 0
}
# AB_MPM=prefork runs the suite under the prefork MPM (make check-prefork):
# the test server then inherits mod_mpm_prefork instead of mod_mpm_event.
base_conf() {   # DIR of the tree: echo the -httpd_conf file to use
    if [ "${AB_MPM:-event}" = prefork ]; then
        sed 's/mpm_event/mpm_prefork/g' "$1/tests/t/conf/base.conf" \
            > "$1/tests/t/conf/base-prefork.conf"
        echo "$1/tests/t/conf/base-prefork.conf"
    else
        echo "$1/tests/t/conf/base.conf"
    fi
}

SAN=0
grep -q -- '-fsanitize=address' "$top/Makefile" 2>/dev/null && SAN=1

if [ "$(id -u)" != 0 ]; then
    if [ $SAN = 1 ]; then
        san_setup "$top/tests/t"
        rm -f "$SAN_LOGS"/*
        (cd "$top/tests/t" && perl TEST -apxs "$APXS" -httpd "$HTTPD" \
            -httpd_conf "$(base_conf "$top")" "$@")
        rc=$?
        san_verdict "$top/tests/t/logs" || rc=1
        exit $rc
    fi
    cd "$top/tests/t" && exec perl TEST -apxs "$APXS" -httpd "$HTTPD" \
        -httpd_conf "$(base_conf "$top")" "$@"
fi

user=${AB_TEST_USER:-httpdtest}
if ! id "$user" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home \
        --shell /usr/sbin/nologin "$user" || exit 1
fi
work=$(mktemp -d /tmp/httpd-modules-check.XXXXXX) || exit 1
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM
chmod 755 "$work"
tar -C "$top" --exclude=./.git --exclude=./tests/t/logs --exclude=./tests/t/logs.last \
    -cf - . | tar -C "$work" -xf - || exit 1
[ $SAN = 1 ] && san_setup "$work"
chown -R "$user:" "$work"
cd "$work/tests/t" || exit 1
runuser -u "$user" -- env HOME="$work" PATH="$PATH" \
    ${APACHE_TEST_PORT:+APACHE_TEST_PORT=$APACHE_TEST_PORT} perl TEST \
    -apxs "$APXS" -httpd "$HTTPD" -httpd_conf "$(base_conf "$work")" "$@"
rc=$?
if [ $SAN = 1 ]; then san_verdict "$work/tests/t/logs" || rc=1; fi
rm -rf "$top/tests/t/logs.last"
cp -r "$work/tests/t/logs" "$top/tests/t/logs.last" 2>/dev/null
exit $rc
