#!/bin/sh
# Licensed to the Apache Software Foundation (ASF) under one or more
# contributor license agreements; and licensed under the Apache License,
# Version 2.0 (the "License"); you may not use this file except in
# compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
#
# bench/redact_callgrind.sh: instructions per captured byte of redacting a
# 64 KiB JSON body (issue 12), from two callgrind runs (1 and 1+N
# iterations) so set-up costs cancel out; then the CPU time per byte of a
# native run; then the same two figures per call for the 1 KiB login body
# that bench/ab_bench.sh's post-login case sends, and its branch
# mispredictions per call (simulated), and its time per call run cold
# (caches and predictor disturbed between calls); then the same two for
# bench/redact_bitmap_probe.c, the lower bound of a bitmap tokenizer.
# Needs a built tree (make) and valgrind.
#   N=20 (callgrind iterations)  RUNS=3000 (native iterations)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=${N:-20}
runs=${RUNS:-3000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -g -std=gnu99 -I"$top/mod_audit_body" \
    $(pkg-config --cflags apr-1) "$top/bench/redact_bench.c" \
    "$top/mod_audit_body/.libs/libab.a" $(pkg-config --libs apr-1) \
    -o "$work/redact_bench"
ir_of() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$@" 2>&1 | sed -n 's/.*I *refs: *//p' | tr -d ,
}
ir() {
    ir_of "$work/redact_bench" "$@"
}
a=$(ir 1)
b=$(ir $((n + 1)))
echo "redact_callgrind: $(( (b - a) / n / 65536 )) instructions per byte" \
     "($(( (b - a) / n )) per 64 KiB body)"
# CPU time (user + system) of the process, best of 3, so other load on
# the machine (time slices, cache thrashing) counts as little as it can.
best=
for i in 1 2 3; do
    cpu=$( { /usr/bin/time -f "%U %S" "$work/redact_bench" "$runs" >/dev/null; } 2>&1 )
    best=$(echo "$cpu $best" | awk '{ t = $1 + $2; if ($3 != "" && $3 < t) t = $3; print t }')
done
echo "$best" | awk -v runs="$runs" '{ printf "redact_callgrind: native %d bodies in %.2f s CPU (best of 3): %.2f ns per byte\n", runs, $1, $1 * 1e9 / (runs * 65536) }'

# The login body, as bench/lib/post-login.lua sends it.
sed -n "s/^wrk.body = '\\(.*\\)'\$/\\1/p" "$top/bench/lib/post-login.lua" \
    | tr -d '\n' > "$work/login.json"
[ -s "$work/login.json" ] || { echo "redact_callgrind: no login body" >&2; exit 1; }
a=$(ir 1 "$work/login.json")
b=$(ir $((n * 50 + 1)) "$work/login.json")
echo "redact_callgrind: login body ($(wc -c < "$work/login.json") bytes):" \
     "$(( (b - a) / (n * 50) )) instructions per call"
# Branch mispredictions per call, from callgrind's simulated predictor: it
# keeps no history, so unlike the hot loop's real predictor (which learns
# the one body repeated) it sees every data-dependent branch as a cold one
# does, as in httpd where the rest of the request runs between two records.
mis() {
    valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file=/dev/null \
        "$work/redact_bench" "$@" 2>&1 | sed -n 's/.*Mispredicts: *\([0-9,]*\).*/\1/p' | tr -d ,
}
a=$(mis 1 "$work/login.json")
b=$(mis $((n * 10 + 1)) "$work/login.json")
echo "redact_callgrind: login body: $(( (b - a) / (n * 10) )) branch mispredictions" \
     "per call (callgrind's history-less predictor)"
best=
for i in 1 2 3; do
    cpu=$( { /usr/bin/time -f "%U %S" "$work/redact_bench" $((runs * 100)) "$work/login.json" >/dev/null; } 2>&1 )
    best=$(echo "$cpu $best" | awk '{ t = $1 + $2; if ($3 != "" && $3 < t) t = $3; print t }')
done
echo "$best" | awk -v runs="$((runs * 100))" '{ printf "redact_callgrind: login body native: %.2f us per call (best of 3, %d calls)\n", $1 * 1e6 / runs, runs }'
# Cold: each call after 4 MiB of memory touched and 64k branches on
# random bytes (bench/lib/cold.h), as in httpd, where a whole request runs
# between two records. Median of 1000 calls, the best of three runs.
cold_best() {
    best=
    for i in 1 2 3; do
        m=$(REDACT_BENCH_COLD=1 "$@" | sed -n 's/.*median \([0-9]*\) ns.*/\1/p')
        best=$(echo "$m $best" | awk '{ t = $1; if ($2 != "" && $2 < t) t = $2; print t }')
    done
    echo "$best"
}
echo "redact_callgrind: login body cold: $(cold_best "$work/redact_bench" 1000 "$work/login.json") ns per call" \
     "(median of 1000, best of 3)"

# The bitmap tokenizer's lower bound (bench/redact_bitmap_probe.c): the
# same per-token work behind a simdjson-like structural index.
${CC:-cc} -O2 -g -std=gnu99 -I"$top/mod_audit_body" -I"$top/common" \
    $(pkg-config --cflags apr-1) "$top/bench/redact_bitmap_probe.c" \
    "$top/mod_audit_body/.libs/libab.a" $(pkg-config --libs apr-1) \
    -o "$work/probe"
a=$(ir_of "$work/probe" 1 "$work/login.json")
b=$(ir_of "$work/probe" $((n * 50 + 1)) "$work/login.json")
echo "redact_callgrind: bitmap probe, login body: $(( (b - a) / (n * 50) )) instructions per call;" \
     "cold: $(cold_best "$work/probe" 1000 "$work/login.json") ns per call"
