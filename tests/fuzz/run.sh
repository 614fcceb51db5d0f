#!/bin/sh
# Licensed to the Apache Software Foundation (ASF) under one or more
# contributor license agreements; and licensed under the Apache License,
# Version 2.0 (the "License"); you may not use this file except in
# compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
#
# tests/fuzz/run.sh: build every libFuzzer target in tests/fuzz/ with clang (ASan,
# UBSan, libFuzzer), then run each one for FUZZ_SECONDS (default 60) on a
# copy of its seed corpus, so the committed corpus never changes. Prints
# one summary line per target and exits non-zero if any target crashed,
# leaked, timed out or failed one of its checks.
#
#   FUZZ_SECONDS=60   run time per target (0: build only)
#   FUZZ_TARGETS=...  the targets to run (default: all)
#   FUZZ_BUILD=dir    build and work directory (default: tests/fuzz/build)
#   FUZZ_CC=clang     the compiler
#   FUZZ_ARGS=...     extra libFuzzer arguments, e.g. -jobs=2
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-$here/build}
cc=${FUZZ_CC:-clang}
targets=${FUZZ_TARGETS:-$(cd "$here" && ls fuzz_*.c | sed 's/\.c$//')}

command -v "$cc" >/dev/null 2>&1 || {
    echo "run.sh: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
}
if pkg-config --exists apr-1 2>/dev/null; then
    apr_cflags=$(pkg-config --cflags apr-1)
    apr_libs=$(pkg-config --libs apr-1)
elif command -v apr-1-config >/dev/null 2>&1; then
    apr_cflags="$(apr-1-config --cflags) $(apr-1-config --cppflags)"
    apr_cflags="$apr_cflags $(apr-1-config --includes)"
    apr_libs=$(apr-1-config --link-ld --libs)
else
    echo "run.sh: APR not found (apt-get install libapr1-dev)" >&2
    exit 2
fi
# PCRE2 (what httpd compiles IdProxyPattern with) lets fuzz_config_parsers
# check accepted id patterns against a real regex engine; optional.
pcre_cflags= pcre_libs=
if pkg-config --exists libpcre2-8 2>/dev/null; then
    pcre_cflags="-DFUZZ_HAVE_PCRE2 $(pkg-config --cflags libpcre2-8)"
    pcre_libs=$(pkg-config --libs libpcre2-8)
fi

# zlib and libbrotlidec: ab_decode links them; libbrotlienc (optional)
# lets fuzz_decode make brotli streams to check round trips.
codec_cflags=$(pkg-config --cflags zlib libbrotlidec)
codec_libs=$(pkg-config --libs zlib libbrotlidec)
if pkg-config --exists libbrotlienc 2>/dev/null; then
    codec_cflags="$codec_cflags -DFUZZ_HAVE_BROTLIENC $(pkg-config --cflags libbrotlienc)"
    codec_libs="$codec_libs $(pkg-config --libs libbrotlienc)"
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -std=gnu99 -Wall -Wextra -Werror -fno-omit-frame-pointer $san
        -I$top/common -I$top/mod_audit_body -I$top/mod_id_proxy
        -I$top/tests/unit
        $apr_cflags $codec_cflags"
# The pure sources (APR only, no httpd headers) and the template's
# reference expansion, which fuzz_idp_url checks the module's against.
pure="common/cm_json.c mod_audit_body/ab_capture.c mod_audit_body/ab_conf.c
      mod_audit_body/ab_record.c mod_audit_body/ab_types.c
      mod_audit_body/ab_hmac.c mod_audit_body/ab_redact.c
      mod_audit_body/ab_redact_json.c mod_audit_body/ab_redact_form.c
      mod_audit_body/ab_redact_xml.c mod_audit_body/ab_redact_multipart.c
      mod_audit_body/ab_redact_names.c mod_audit_body/ab_redact_detect.c
      mod_audit_body/ab_decode.c mod_audit_body/ab_trace.c
      mod_id_proxy/idp_cache.c mod_id_proxy/idp_id.c
      mod_id_proxy/idp_params.c mod_id_proxy/idp_template.c
      tests/unit/idp_template_ref.c"

mkdir -p "$build/obj"
objs=
for src in $pure; do
    obj=$build/obj/$(basename "$src" .c).o
    # shellcheck disable=SC2086
    $cc $cflags -fsanitize=fuzzer-no-link -c "$top/$src" -o "$obj"
    objs="$objs $obj"
done
for t in $targets; do
    # shellcheck disable=SC2086
    $cc $cflags -fsanitize=fuzzer $pcre_cflags "$here/$t.c" $objs \
        -o "$build/$t" $apr_libs $pcre_libs $codec_libs
done
echo "run.sh: built $(echo $targets | wc -w) targets in $build"
[ "$seconds" -gt 0 ] || exit 0

status=0
for t in $targets; do
    work=$build/work/$t
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    if [ -d "$here/corpus/$t" ]; then
        cp -R "$here/corpus/$t/." "$work/corpus/"
    fi
    dict=
    [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
    rc=0
    # shellcheck disable=SC2086
    "$build/$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" $dict ${FUZZ_ARGS:-} \
        "$work/corpus" >"$work/log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" \
            | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1 | sed 's/cov: //')
    ft=$(grep -o 'ft: [0-9]*' "$work/log" | tail -n 1 | sed 's/ft: //')
    units=$(ls "$work/corpus" | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "$t: ok, ${execs:-?} execs in ${seconds}s, cov ${cov:-?}," \
             "ft ${ft:-?}, corpus $units"
    else
        status=1
        echo "$t: FAILED (exit $rc) after ${execs:-?} execs, cov ${cov:-?};" \
             "log $work/log, input in $work/artifacts/"
        grep -m 5 -E 'ERROR|check failed|runtime error' "$work/log" \
            | sed 's/^/    /' || true
    fi
done
exit $status
