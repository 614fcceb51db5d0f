/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_decode: ab_decode, the bomb-safe body decoder. Input:
 *   byte 0   mode: bits 0-1 coding (gzip, zlib deflate, raw deflate, br),
 *            bit 2 "raw": the payload itself is the encoded stream,
 *            bit 3 ratio limit 100 on (else off), bits 4-7 level
 *            (zlib 0-9; brotli quality 0-9, window from the same byte)
 *   byte 1   cap: byte * 61 bytes (255: 1 MiB, more than any payload)
 *   byte 2   repeat: the payload is repeated 1 + byte % 64 times
 *   bytes 3-10  chunk sizes (1 + byte), used in turn
 *   the rest    the payload D
 * Properties:
 * - compressed mode (D compressed by the real zlib, or brotli's encoder
 *   when libbrotlienc is there): the stop is never "error", "memory" or
 *   "unsupported"; the output equals the first min(cap, len D) bytes of D
 *   unless the ratio stop fired, and is then a prefix of D; a stop at
 *   "cap" means len D > cap; no stop means complete;
 * - raw mode (arbitrary bytes): the output never passes the cap; with
 *   the ratio limit on, decoded <= 100 * encoded + slack; the output,
 *   reason, completeness and trailing count do not depend on the chunk
 *   sizes (compared with one whole feed, ratio off), except that on a
 *   brotli error either output may be the shorter prefix of the other;
 * - always: the sink got exactly decoded bytes; the decoder's memory
 *   stays under its ceiling (256 KiB here, so brotli streams that ask
 *   more are refused and checked too) and is all freed (ASan leaks).
 */
#include "fuzz_util.h"

#include <zlib.h>
#ifdef FUZZ_HAVE_BROTLIENC
#include <brotli/encode.h>
#endif

#include "ab_decode.h"

#define CEILING (256 * 1024)

typedef struct {
    unsigned char *buf;
    size_t len, size;
} out_t;

static void sink(void *baton, const char *data, apr_size_t n)
{
    out_t *o = baton;

    FUZZ_CHECK(n > 0, "empty sink call");
    FUZZ_CHECK(o->len + n <= o->size, "sink past the cap (or the data): "
               "%zu + %zu > %zu",
               o->len, (size_t)n, o->size);
    memcpy(o->buf + o->len, data, n);
    o->len += n;
}

/* zlib with windowBits wbits, level 0-9; NULL if it fails (it won't). */
static unsigned char *zcomp(const unsigned char *d, size_t n, int wbits,
                            int level, size_t *len)
{
    z_stream z;
    size_t cap;
    unsigned char *out;

    memset(&z, 0, sizeof(z));
    FUZZ_CHECK(deflateInit2(&z, level, Z_DEFLATED, wbits, 8,
                            Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
    cap = deflateBound(&z, (uLong)n);
    out = malloc(cap);
    z.next_in = (Bytef *)d;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
    *len = z.total_out;
    deflateEnd(&z);
    return out;
}

static ab_decode_t *run(apr_pool_t *p, int coding, const unsigned char *e,
                        size_t n, const uint8_t *splits, size_t cap,
                        unsigned ratio, out_t *o)
{
    ab_decode_t *d = ab_decode_create(p, coding, cap, ratio, CEILING,
                                      sink, o);
    size_t at = 0;
    int i = 0;

    o->len = 0;
    while (at < n) {
        size_t k = splits ? 1 + (size_t)splits[i++ % 8] : n;

        if (k > n - at) {
            k = n - at;
        }
        ab_decode_feed(d, (const char *)e + at, k);
        at += k;
    }
    ab_decode_finish(d);
    FUZZ_CHECK(ab_decode_done(d), "not done after finish");
    FUZZ_CHECK(ab_decode_encoded(d) == n, "encoded %llu != %zu",
               (unsigned long long)ab_decode_encoded(d), n);
    FUZZ_CHECK(ab_decode_decoded(d) == o->len, "decoded %llu, sink %zu",
               (unsigned long long)ab_decode_decoded(d), o->len);
    FUZZ_CHECK(ab_decode_mem_peak(d) <= CEILING, "memory %zu",
               (size_t)ab_decode_mem_peak(d));
    FUZZ_CHECK(ab_decode_trailing(d) <= n, "trailing");
    if (ratio) {
        FUZZ_CHECK(ab_decode_decoded(d)
                   <= ab_decode_encoded(d) * ratio + AB_DECODE_RATIO_SLACK,
                   "ratio passed");
    }
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int codings[] = { AB_CODING_GZIP, AB_CODING_DEFLATE,
                                   AB_CODING_DEFLATE, AB_CODING_BR };
    static const int wbits[] = { 31, 15, -15 };
    apr_pool_t *p = fuzz_pool();
    const uint8_t *splits = data + 3;
    const unsigned char *payload = data + 11;
    unsigned char *full, *enc = NULL;
    size_t n, fn, en, cap, i;
    int mode, coding, reps;
    unsigned ratio;
    out_t o, o2;
    ab_decode_t *d;

    if (size < 11) {
        return 0;
    }
    mode = data[0];
    coding = codings[mode & 3];
    ratio = mode & 8 ? 100 : 0;
    cap = data[1] == 255 ? 1024 * 1024 : (size_t)data[1] * 61;
    reps = 1 + data[2] % 64;
    n = size - 11;

    if (mode & 4) {                     /* arbitrary bytes */
        o.size = cap;
        o.buf = malloc(cap ? cap : 1);
        d = run(p, coding, payload, n, splits, cap, ratio, &o);
        FUZZ_CHECK(o.len <= cap, "past the cap");
        if (!ratio && ab_decode_reason(d) != AB_DECODE_MEMORY) {
            ab_decode_t *d2;

            o2.size = cap;
            o2.buf = malloc(cap ? cap : 1);
            d2 = run(p, coding, payload, n, NULL, cap, 0, &o2);
            /* On an error brotli drops what it decoded but had not yet
             * written out, which depends on the chunks (found by this
             * target: corpus crash-br-error-split); what each run kept
             * is still a prefix of the same stream. */
            int r1 = ab_decode_reason(d), r2 = ab_decode_reason(d2);
            int br_error = coding == AB_CODING_BR
                           && (r1 == AB_DECODE_ERROR
                               || r2 == AB_DECODE_ERROR);
            size_t common = o.len < o2.len ? o.len : o2.len;

            /* What brotli allocates depends on how much input it sees at
             * once (whole input: the ring buffer for the window at once),
             * so the ceiling may refuse the one-piece run where the split
             * one stopped at the cap first (corpus
             * crash-br-memory-split): then only the prefixes must agree. */
            if (r2 == AB_DECODE_MEMORY) {
                FUZZ_CHECK(o2.len <= cap && !memcmp(o2.buf, o.buf, common),
                           "split changed the bytes before the ceiling");
                free(o2.buf);
                free(o.buf);
                return 0;
            }

            /* ... and with a small cap, the byte one run wrote out may
             * stop it at "cap" where the other saw the error first */
            FUZZ_CHECK((r1 == r2
                        || (br_error && (r1 == AB_DECODE_CAP
                                         || r2 == AB_DECODE_CAP)))
                       && ab_decode_complete(d2) == ab_decode_complete(d)
                       && ab_decode_trailing(d2) == ab_decode_trailing(d)
                       && (o2.len == o.len || br_error)
                       && !memcmp(o2.buf, o.buf, common),
                       "split changed the result: reason %d/%d, len %zu/%zu",
                       ab_decode_reason(d), ab_decode_reason(d2), o.len,
                       o2.len);
            free(o2.buf);
        }
        free(o.buf);
        return 0;
    }

    fn = n * (size_t)reps;
    full = malloc(fn ? fn : 1);
    for (i = 0; i < (size_t)reps; i++) {
        memcpy(full + i * n, payload, n);
    }
    if (coding == AB_CODING_BR) {
#ifdef FUZZ_HAVE_BROTLIENC
        size_t on = BrotliEncoderMaxCompressedSize(fn);

        enc = malloc(on ? on : 1);
        FUZZ_CHECK(BrotliEncoderCompress((mode >> 4) % 10, 10 + mode % 15,
                                         BROTLI_MODE_GENERIC, fn, full, &on,
                                         enc), "brotli encode");
        en = on;
#else
        coding = AB_CODING_GZIP;
#endif
    }
    if (!enc) {
        enc = zcomp(full, fn, wbits[coding == AB_CODING_GZIP ? 0
                                    : (mode & 3) == 1 ? 1 : 2],
                    (mode >> 4) % 10, &en);
    }
    o.size = cap < fn ? cap : fn;       /* the sink checks it */
    o.buf = malloc(o.size ? o.size : 1);
    d = run(p, coding, enc, en, splits, cap, ratio, &o);
    switch (ab_decode_reason(d)) {
    case AB_DECODE_OK:
        FUZZ_CHECK(ab_decode_complete(d), "no stop, yet incomplete");
        FUZZ_CHECK(o.len == fn && fn <= cap, "complete with %zu of %zu",
                   o.len, fn);
        break;
    case AB_DECODE_CAP:
        FUZZ_CHECK(fn > cap && o.len == cap, "cap stop: %zu of %zu, cap %zu",
                   o.len, fn, cap);
        break;
    case AB_DECODE_RATIO:
        FUZZ_CHECK(ratio && o.len < fn, "ratio stop without the limit");
        break;
    case AB_DECODE_MEMORY:
        /* brotli may legitimately want more than 256 KiB: a 16 MiB window
         * on 256 KiB of payload; zlib never does */
        FUZZ_CHECK(coding == AB_CODING_BR, "zlib refused memory");
        break;
    default:
        FUZZ_CHECK(0, "stop '%s' on a valid stream",
                   ab_decode_reason_name(ab_decode_reason(d)));
    }
    FUZZ_CHECK(o.len <= fn && !memcmp(o.buf, full, o.len),
               "output is not a prefix of the data");
    FUZZ_CHECK(ab_decode_trailing(d) == 0, "trailing in a clean stream");
    free(o.buf);
    free(enc);
    free(full);
    return 0;
}
