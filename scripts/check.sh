#!/bin/sh
# The whole test suite, as CI runs it: installs what is missing, then
#  1. builds with warnings as errors and runs "make check" (C unit tests,
#     then Apache::Test), then "make check-unbatched" (the sink and fault
#     tests again with every record written directly, unqueued), then
#     "make check-prefork" (the mod_audit_body and fault tests again under
#     the prefork MPM);
#  2. runs the unit tests under valgrind (no error, no definite leak);
#  3. rebuilds with AddressSanitizer and UBSan (--enable-asan) and runs
#     "make check" again: every httpd of the Apache::Test suite then runs
#     the sanitized modules, and any sanitizer report fails the run;
#  4. rebuilds without sanitizers, so the tree is left as step 1 built it;
#  5. runs every libFuzzer target (fuzz/run.sh) for FUZZ_SECONDS (default
#     60) each.
#  6. as root, builds, lints, installs, smoke-tests and purges the Debian
#     packages (scripts/package-test.sh);
#  7. as root, ships records through rsyslog into PostgreSQL and finds
#     every one there (tests/ship/pgsql.sh, docs/shipping.md).
# SKIP_ASAN=1 skips steps 3 and 4, SKIP_VALGRIND=1 step 2, SKIP_FUZZ=1
# step 5, SKIP_PACKAGE=1 step 6, SKIP_SHIP=1 step 7.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
./autogen.sh >/dev/null 2>&1

build() {   # configure flags...
    [ -f Makefile ] && make distclean >/dev/null 2>&1 || true
    ./configure --enable-werror ${CONFIGURE_FLAGS:-} "$@" >/dev/null
    make -j2
}
check() {
    make check || { cat tests/unit/main.log 2>/dev/null; exit 1; }
}

echo "== check.sh: build, make check"
build
check
echo "== check.sh: sink and fault tests with AuditBodyLogBuffer 0"
make check-unbatched
echo "== check.sh: mod_audit_body and fault tests under the prefork MPM"
make check-prefork
if [ "${SKIP_VALGRIND:-0}" != 1 ]; then
    echo "== check.sh: unit tests under valgrind"
    make check-valgrind
fi
if [ "${SKIP_ASAN:-0}" != 1 ]; then
    echo "== check.sh: AddressSanitizer + UBSan build, make check"
    build --enable-asan
    check
    echo "== check.sh: rebuild without sanitizers"
    build >/dev/null
fi
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    echo "== check.sh: fuzzing, ${FUZZ_SECONDS:-60} s per target"
    sh tests/fuzz/run.sh
fi
if [ "${SKIP_PACKAGE:-0}" != 1 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "== check.sh: Debian packages (scripts/package-test.sh)"
        sh scripts/package-test.sh
    else
        echo "== check.sh: Debian packages skipped: scripts/package-test.sh needs root"
    fi
fi
if [ "${SKIP_SHIP:-0}" != 1 ]; then
    echo "== check.sh: rsyslog into PostgreSQL (tests/ship/pgsql.sh)"
    bash tests/ship/pgsql.sh
fi
echo "== check.sh: all passed"
