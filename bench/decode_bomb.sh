#!/bin/sh
# Licensed to the Apache Software Foundation (ASF) under one or more
# contributor license agreements; and licensed under the Apache License,
# Version 2.0 (the "License"); you may not use this file except in
# compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
#
# bench/decode_bomb.sh: ab_decode on bombs, reported, never asserted.
# Makes a gzip stream and two brotli streams (lgwin 24, the largest RFC
# 7932 allows, and lgwin 19, ngx_brotli's default 512k window) of
# BOMB_MIB (default 1024) MiB of zeros, then decodes each in a fresh process: with the default 64 KiB
# cap and ratio 100, with the cap alone, and with neither (the whole
# stream, to show that memory stays flat while a GiB goes through). A
# plain read of the same file gives the RSS baseline. Last, brotli's peak
# memory per window and body size against the default ceiling.
#
#   BOMB_MIB=1024  CC=cc  WORK=/tmp/decode_bomb.$$
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
mib=${BOMB_MIB:-1024}
cc=${CC:-cc}
work=${WORK:-${TMPDIR:-/tmp}/decode_bomb.$$}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC2046
$cc -O2 -std=gnu99 -I"$top/mod_audit_body" $(pkg-config --cflags apr-1 zlib \
    libbrotlidec libbrotlienc) "$top/bench/decode_bench.c" \
    "$top/mod_audit_body/ab_decode.c" -o "$work/decode_bench" \
    $(pkg-config --libs apr-1 zlib libbrotlidec libbrotlienc)
b=$work/decode_bench

echo "== making $mib MiB of zeros as gzip and br"
t0=$(date +%s)
"$b" make-gzip "$work/bomb.gzip" "$mib"
"$b" make-br "$work/bomb.br24" "$mib" 24
"$b" make-br "$work/bomb.br19" "$mib" 19
echo "   gzip $(wc -c <"$work/bomb.gzip") B, br lgwin 24" \
     "$(wc -c <"$work/bomb.br24") B, br lgwin 19 $(wc -c <"$work/bomb.br19") B" \
     "($(($(date +%s) - t0)) s)"
all=$((mib * 1024 * 1024 + 1))
for v in gzip br24 br19; do
    f=$work/bomb.$v
    c=${v%%[0-9]*}
    echo "== $v"
    "$b" decode identity "$f" 0 0
    "$b" decode $c "$f" 65536 100
    "$b" decode $c "$f" 65536 0
    "$b" decode $c "$f" "$all" 0
done
echo "== brotli decoder memory by window and body size"
"$b" windows
