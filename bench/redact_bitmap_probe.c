/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * redact_bitmap_probe: how much a bitmap tokenizer could save the JSON
 * redactor on a small body (issue 12), measured before building one. Not
 * a redactor and not used by the module: it finds a document's structure
 * the simdjson way (stage 1: for each 64 bytes, SSE2 masks of quotes,
 * backslashes, structural characters and whitespace, escaped quotes
 * removed, the inside of strings by a prefix XOR, then the positions of
 * structural characters, quotes and scalar starts as an index array), then
 * walks the index (stage 2) doing the per-token work the redactor does:
 * the name memo for every key, the detector census for string values of
 * 8 bytes or more, a number's digits, and one copy per redacted value.
 * It leaves out what a redactor also needs (control characters and
 * escapes in strings, the depth limit, paths, a cut body, errors), so its
 * cost is a lower bound for such a tokenizer.
 *
 * usage: redact_bitmap_probe N FILE [print]: N calls on FILE (valid JSON,
 * at most 64 KiB), prints the median time of one call; run cold with
 * REDACT_BENCH_COLD=1 (bench/lib/cold.h). bench/redact_callgrind.sh runs
 * it on the login body next to bench/redact_bench.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emmintrin.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "ab_redact_private.h"
#include "lib/cold.h"

#define MAX_DOC 65536
#define MAX_DEPTH 64

static volatile unsigned probe_sink;

static APR_INLINE apr_uint64_t eq16(__m128i x, char c)
{
    return (apr_uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x,
                                                          _mm_set1_epi8(c)));
}

static APR_INLINE apr_uint64_t prefix_xor(apr_uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* Quotes preceded by an odd run of backslashes (simdjson's method). */
static APR_INLINE apr_uint64_t escaped_quotes(apr_uint64_t bs,
                                              apr_uint64_t *carry)
{
    const apr_uint64_t even = APR_UINT64_C(0x5555555555555555), odd = ~even;
    apr_uint64_t starts = bs & ~(bs << 1) & ~*carry;
    apr_uint64_t ends_even, ends_odd, esc;
    int over = __builtin_add_overflow(bs, starts & odd, &ends_odd);

    ends_even = (bs + (starts & even)) & ~bs;
    ends_odd &= ~bs;
    esc = (ends_even & odd) | (ends_odd & even) | *carry;
    *carry = (apr_uint64_t)over;
    return esc;
}

/* Stage 1: the index of structurals, quotes and scalar starts. */
static apr_size_t stage1(const char *in, apr_size_t len, apr_uint32_t *idx)
{
    apr_size_t n = 0, b;
    apr_uint64_t in_str = 0, bs_carry = 0, sep_carry = 1;
    char tail[64];

    for (b = 0; b < len; b += 64) {
        const char *p = in + b;
        apr_uint64_t q = 0, bs = 0, st = 0, ws = 0, str, sep, all;
        int k;

        if (len - b < 64) {
            memset(tail, ' ', sizeof(tail));
            memcpy(tail, p, len - b);
            p = tail;
        }
        for (k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));

            q |= eq16(x, '"') << (16 * k);
            bs |= eq16(x, '\\') << (16 * k);
            st |= (eq16(x, '{') | eq16(x, '}') | eq16(x, '[') | eq16(x, ']')
                   | eq16(x, ':') | eq16(x, ',')) << (16 * k);
            ws |= (eq16(x, ' ') | eq16(x, '\n') | eq16(x, '\r')
                   | eq16(x, '\t')) << (16 * k);
        }
        if (bs | bs_carry) {
            q &= ~escaped_quotes(bs, &bs_carry);
        }
        /* inside a string, its opening quote included */
        str = prefix_xor(q) ^ in_str;
        in_str = (apr_uint64_t)((apr_int64_t)str >> 63);
        st &= ~str;
        ws &= ~str;
        sep = st | ws;
        all = st | q | (~(sep | str | q) & ((sep << 1) | sep_carry));
        sep_carry = sep >> 63;
        while (all) {
            idx[n++] = (apr_uint32_t)(b + (apr_size_t)__builtin_ctzll(all));
            all &= all - 1;
        }
    }
    return n;
}

/* Stage 2: the redactor's per-token work over the index. */
static apr_size_t stage2(const char *in, apr_size_t len,
                         const apr_uint32_t *idx, apr_size_t n,
                         const ab_redact_cfg_t *cfg, char *out,
                         unsigned *redacted)
{
    abr_nmemo_t *memo = abr_nmemo();
    apr_uint64_t serial = abr_names_serial(cfg->names);
    apr_size_t t = 0, olen = 0, cp = 0;
    char kind[MAX_DEPTH + 1];
    int d = 0, want_key = 0;

    kind[0] = 0;
    while (t < n) {
        apr_uint32_t i = idx[t], e;
        char c = in[i];

        switch (c) {
        case '{':
        case '[':
            if (d == MAX_DEPTH) {
                return 0;
            }
            kind[++d] = c;
            want_key = c == '{';
            t++;
            break;
        case '}':
        case ']':
            d--;
            t++;
            break;
        case ',':
            want_key = kind[d] == '{';
            t++;
            break;
        case ':':
            t++;
            break;
        case '"':
            e = idx[t + 1];
            if (want_key) {
                want_key = 0;
                t += 3;                 /* the closing quote, ':' */
                if (abr_name_match_fast(memo, cfg->names, serial, in + i + 1,
                                        e - i - 1) && t < n) {
                    apr_uint32_t v = idx[t];

                    memcpy(out + olen, in + cp, v - cp);
                    olen += v - cp;
                    memcpy(out + olen, "\"***\"", 5);
                    olen += 5;
                    (*redacted)++;
                    if (in[v] == '"') {
                        t += 2;
                    }
                    else if (in[v] == '{' || in[v] == '[') {
                        int depth = 0;

                        do {
                            char k = in[idx[t]];

                            depth += (k == '{' || k == '[')
                                     - (k == '}' || k == ']');
                            t++;
                        } while (depth > 0 && t < n);
                    }
                    else {
                        t++;
                    }
                    cp = t < n ? idx[t] : len;
                }
            }
            else {
                if (e - i - 1 >= 8 && cfg->detectors) {
                    probe_sink += abr_detect_census(in + i + 1, e - i - 1, 0,
                                                    cfg->detectors);
                }
                t += 2;
            }
            break;
        default: {
            /* a number (or a literal) up to the next index */
            apr_uint32_t k = i;

            e = t + 1 < n ? idx[t + 1] : (apr_uint32_t)len;
            k += c == '-';
            while (k < e && (unsigned)(in[k] - '0') < 10) {
                k++;
            }
            if (k < e && in[k] == '.') {
                for (k++; k < e && (unsigned)(in[k] - '0') < 10; k++) {
                }
            }
            probe_sink += k;
            t++;
        }
        }
    }
    memcpy(out + olen, in + cp, len - cp);
    return olen + (len - cp);
}

int main(int argc, char **argv)
{
    const char *cold_env = getenv("REDACT_BENCH_COLD");
    int cold = cold_env && *cold_env == '1';
    int i, n = argc > 1 ? atoi(argv[1]) : 0;
    apr_pool_t *p;
    ab_redact_cfg_t cfg;
    apr_uint32_t *idx;
    char *doc, *out;
    apr_size_t len, olen = 0;
    unsigned redacted = 0;
    double *t;
    cold_t cl;
    FILE *f;

    if (n <= 0 || argc < 3 || !(f = fopen(argv[2], "rb"))) {
        fprintf(stderr, "usage: redact_bitmap_probe N FILE [print]\n");
        return 1;
    }
    apr_initialize();
    apr_pool_create(&p, NULL);
    doc = apr_palloc(p, MAX_DOC + 64);
    out = apr_palloc(p, 2 * MAX_DOC + 64);
    idx = apr_palloc(p, sizeof(*idx) * (MAX_DOC + 1));
    t = apr_palloc(p, sizeof(*t) * (apr_size_t)n);
    len = fread(doc, 1, MAX_DOC, f);
    fclose(f);
    memset(&cfg, 0, sizeof(cfg));
    cfg.names = ab_redact_names_build(p, NULL);
    cfg.detectors = AB_REDACT_DET_DEFAULT;
    if (cold && cold_init(&cl) != 0) {
        return 1;
    }
    for (i = 0; i < n; i++) {
        double t0;

        if (cold) {
            cold_pollute(&cl);
        }
        t0 = cold_now_ns();
        redacted = 0;
        olen = stage2(doc, len, idx, stage1(doc, len, idx), &cfg, out,
                      &redacted);
        t[i] = cold_now_ns() - t0;
    }
    printf("redact_bitmap_probe: median %.0f ns per call, %lu out, "
           "%u redacted\n", cold_median(t, n), (unsigned long)olen,
           redacted);
    if (argc > 3) {
        fwrite(out, 1, olen, stdout);
        putchar('\n');
    }
    apr_terminate();
    return 0;
}
