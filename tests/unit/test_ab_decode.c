/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_decode: round trips at every split, the bomb, the
 * cap edges, corrupt streams, memory ceilings, gzip members and trailing
 * bytes. Test data is made with the real compressors (zlib, and brotli's
 * encoder when configure found it). */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#ifdef AB_HAVE_BROTLIENC
#include <brotli/encode.h>
#endif

#include "test_common.h"
#include "ab_decode.h"

static apr_pool_t *pool;

typedef struct {
    char *buf;
    apr_size_t len, size;
    int calls;
} sink_t;

static sink_t *scratch;
static apr_pool_t *runpool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    apr_pool_create(&runpool, pool);
    scratch = NULL;
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* ------------------------------------------------------------ helpers */

static void sink(void *baton, const char *data, apr_size_t n)
{
    sink_t *s = baton;

    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(s->len + n, s->size);
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->calls++;
}

static sink_t *new_sink(apr_size_t size)
{
    sink_t *s = apr_pcalloc(pool, sizeof(*s));

    s->buf = apr_palloc(pool, size ? size : 1);
    s->size = size;
    return s;
}

/* Text that compresses about 3:1, like JSON: words from a small list
 * chosen by a fixed LCG, so every run sees the same bytes. */
static char *text(apr_size_t n)
{
    static const char *const words[] = {
        "{\"id\":", "\"name\":", "\"value\"", ",", "}", "[", "]", " ",
        "alpha", "beta", "gamma", "12", "345", "6789", "true", "null"
    };
    char *t = apr_palloc(pool, n);
    apr_size_t at = 0;
    unsigned int seed = 12345;

    while (at < n) {
        const char *w;
        apr_size_t k;

        seed = seed * 1103515245u + 12345u;
        w = words[(seed >> 16) % 16];
        k = strlen(w);
        if (k > n - at) {
            k = n - at;
        }
        memcpy(t + at, w, k);
        at += k;
        if ((seed >> 8) % 7 == 0 && at < n) {
            t[at++] = (char)('a' + (seed >> 20) % 26);
        }
    }
    return t;
}

/* zlib compression with windowBits wbits (31 gzip, 15 zlib, -15 raw);
 * data of n bytes, or n zeros when data is NULL. If flush_at is non-zero,
 * the output is cut right after a full flush at that input offset and
 * *len is the cut length. */
static unsigned char *zcomp(const char *data, apr_size_t n, int wbits,
                            apr_size_t flush_at, apr_size_t *len)
{
    static const char zeros[65536];
    z_stream z;
    apr_size_t cap = n / 2 + 4096, at = 0;
    unsigned char *out = malloc(cap);
    int rc;

    memset(&z, 0, sizeof(z));
    ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, wbits, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    do {
        apr_size_t k = n - at > sizeof(zeros) ? sizeof(zeros) : n - at;
        int flush = Z_NO_FLUSH;

        if (flush_at && at < flush_at && at + k >= flush_at) {
            k = flush_at - at;
            flush = Z_FULL_FLUSH;
        }
        else if (at + k == n) {
            flush = Z_FINISH;
        }
        z.next_in = (Bytef *)(data ? data + at : zeros);
        z.avail_in = (uInt)k;
        at += k;
        do {
            if (z.total_out + 4096 > cap) {
                cap *= 2;
                out = realloc(out, cap);
            }
            z.next_out = out + z.total_out;
            z.avail_out = (uInt)(cap - z.total_out);
            rc = deflate(&z, flush);
        } while (z.avail_out == 0);
        if (flush == Z_FULL_FLUSH) {
            *len = z.total_out;
            deflateEnd(&z);
            return out;
        }
    } while (at < n);
    ck_assert_int_eq(rc, Z_STREAM_END);
    *len = z.total_out;
    deflateEnd(&z);
    return out;
}

#ifdef AB_HAVE_BROTLIENC
static unsigned char *bcomp(const char *data, apr_size_t n, int lgwin,
                            apr_size_t *len)
{
    size_t on = BrotliEncoderMaxCompressedSize(n);
    unsigned char *out = malloc(on);

    ck_assert(BrotliEncoderCompress(5, lgwin, BROTLI_MODE_TEXT, n,
                                    (const uint8_t *)data, &on, out));
    *len = on;
    return out;
}
#endif

/* Every split size normally; a sample of them under valgrind. */
static apr_size_t quick_step(void)
{
    return getenv("UNIT_QUICK") ? 37 : 1;
}

typedef struct {
    sink_t *s;
    ab_decode_t *d;
} run_t;

/* Decode enc in chunks of split bytes and finish. */
static run_t decode(int coding, const unsigned char *enc, apr_size_t n,
                    apr_size_t split, apr_size_t cap, unsigned ratio,
                    apr_size_t ceiling)
{
    run_t r;
    apr_size_t at = 0;

    /* One sink buffer for all the runs of a test: each run's result is
     * checked before the next, and thousands of runs would otherwise
     * grow the pool by megabytes. */
    if (!scratch || scratch->size < cap) {
        scratch = new_sink(cap);
    }
    r.s = scratch;
    r.s->len = 0;
    r.s->calls = 0;
    apr_pool_clear(runpool);     /* the previous run's decoder */
    r.d = ab_decode_create(runpool, coding, cap, ratio, ceiling, sink, r.s);
    while (at < n) {
        apr_size_t k = n - at < split ? n - at : split;

        ab_decode_feed(r.d, (const char *)enc + at, k);
        at += k;
    }
    ab_decode_finish(r.d);
    ck_assert_uint_eq(ab_decode_encoded(r.d), n);
    ck_assert_uint_eq(ab_decode_decoded(r.d), r.s->len);
    ck_assert(ab_decode_done(r.d));
    return r;
}

static void check_whole(run_t r, const char *d, apr_size_t n)
{
    ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_OK);
    ck_assert(ab_decode_complete(r.d));
    ck_assert_uint_eq(r.s->len, n);
    ck_assert(!memcmp(r.s->buf, d, n));
    ck_assert_uint_eq(ab_decode_trailing(r.d), 0);
}

/* ------------------------------------------------------------ tests */

START_TEST(coding_names)
{
    ck_assert_int_eq(ab_decode_coding(NULL), AB_CODING_IDENTITY);
    ck_assert_int_eq(ab_decode_coding(""), AB_CODING_IDENTITY);
    ck_assert_int_eq(ab_decode_coding(" identity "), AB_CODING_IDENTITY);
    ck_assert_int_eq(ab_decode_coding("gzip"), AB_CODING_GZIP);
    ck_assert_int_eq(ab_decode_coding("X-GZip"), AB_CODING_GZIP);
    ck_assert_int_eq(ab_decode_coding(" deflate\t"), AB_CODING_DEFLATE);
    ck_assert_int_eq(ab_decode_coding("br"), AB_CODING_BR);
    ck_assert_int_eq(ab_decode_coding(", br ,"), AB_CODING_BR);
    ck_assert_int_eq(ab_decode_coding("identity, gzip"), AB_CODING_GZIP);
    ck_assert_int_eq(ab_decode_coding("gzip, br"), AB_CODING_UNSUPPORTED);
    ck_assert_int_eq(ab_decode_coding("gzip,gzip"), AB_CODING_UNSUPPORTED);
    ck_assert_int_eq(ab_decode_coding("zstd"), AB_CODING_UNSUPPORTED);
    ck_assert_int_eq(ab_decode_coding("gzipx"), AB_CODING_UNSUPPORTED);
    ck_assert_int_eq(ab_decode_coding("compress"), AB_CODING_UNSUPPORTED);
    ck_assert_str_eq(ab_decode_coding_name(AB_CODING_BR), "br");
    ck_assert_ptr_null(ab_decode_coding_name(AB_CODING_UNSUPPORTED));
    ck_assert_str_eq(ab_decode_reason_name(AB_DECODE_RATIO), "ratio");
    ck_assert_str_eq(ab_decode_reason_name(AB_DECODE_MEMORY), "memory");
    ck_assert_ptr_null(ab_decode_reason_name(AB_DECODE_OK));
}
END_TEST

/* Every coding decodes to the original at every chunk size from 1 to
 * the whole stream, with the default ratio limit (no false positive on
 * 1-byte chunks). 20 KB of text gives several output chunks. */
static void roundtrip(int coding, const unsigned char *enc, apr_size_t n,
                      const char *d, apr_size_t dn)
{
    apr_size_t split, step = quick_step();

    for (split = 1; split <= n; split += step) {
        run_t r = decode(coding, enc, n, split, dn, AB_DECODE_RATIO_DEFAULT,
                         AB_DECODE_MEM_DEFAULT);
        check_whole(r, d, dn);
        ck_assert_uint_le(ab_decode_mem_peak(r.d), AB_DECODE_MEM_DEFAULT);
    }
}

START_TEST(roundtrip_gzip)
{
    apr_size_t dn = 20000, n;
    char *d = text(dn);
    unsigned char *enc = zcomp(d, dn, 31, 0, &n);

    ck_assert_uint_lt(n, dn / 2);
    roundtrip(AB_CODING_GZIP, enc, n, d, dn);
    free(enc);
}
END_TEST

START_TEST(roundtrip_deflate_zlib)
{
    apr_size_t dn = 20000, n;
    char *d = text(dn);
    unsigned char *enc = zcomp(d, dn, 15, 0, &n);

    roundtrip(AB_CODING_DEFLATE, enc, n, d, dn);
    free(enc);
}
END_TEST

START_TEST(roundtrip_deflate_raw)
{
    apr_size_t dn = 20000, n;
    char *d = text(dn);
    unsigned char *enc = zcomp(d, dn, -15, 0, &n);

    roundtrip(AB_CODING_DEFLATE, enc, n, d, dn);
    free(enc);
}
END_TEST

#ifdef AB_HAVE_BROTLIENC
START_TEST(roundtrip_br)
{
    apr_size_t dn = 20000, n;
    char *d = text(dn);
    unsigned char *enc = bcomp(d, dn, 22, &n);

    roundtrip(AB_CODING_BR, enc, n, d, dn);
    free(enc);
}
END_TEST
#endif

/* A raw deflate stream can be two bytes (an empty final fixed block),
 * and an empty body is no stream at all. */
START_TEST(tiny_streams)
{
    static const unsigned char empty_raw[] = { 0x03, 0x00 };
    run_t r = decode(AB_CODING_DEFLATE, empty_raw, 2, 1, 16, 100,
                     AB_DECODE_MEM_DEFAULT);

    check_whole(r, "", 0);
    r = decode(AB_CODING_GZIP, empty_raw, 0, 1, 16, 100,
               AB_DECODE_MEM_DEFAULT);
    ck_assert(!ab_decode_complete(r.d));
    r = decode(AB_CODING_DEFLATE, empty_raw, 1, 1, 16, 100,
               AB_DECODE_MEM_DEFAULT);
    ck_assert(!ab_decode_complete(r.d));
    ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_OK);
}
END_TEST

/* 10 MiB of zeros in about 10 KiB: the ratio stop fires early, the
 * decoder's memory stays at zlib's fixed state, and bytes fed after the
 * stop are counted, never decoded. */
START_TEST(gzip_bomb_ratio)
{
    apr_size_t n, at = 0, dn = 10 * 1024 * 1024;
    unsigned char *enc = zcomp(NULL, dn, 31, 0, &n);
    sink_t *s = new_sink(dn);
    ab_decode_t *d = ab_decode_create(pool, AB_CODING_GZIP, dn, 100,
                                      AB_DECODE_MEM_DEFAULT, sink, s);
    int calls, more = 1;

    ck_assert_uint_lt(n, 20 * 1024);
    while (at < n && more) {
        apr_size_t k = n - at < 1000 ? n - at : 1000;

        more = ab_decode_feed(d, (const char *)enc + at, k);
        at += k;
    }
    ck_assert_uint_lt(at, n);
    ck_assert_int_eq(ab_decode_reason(d), AB_DECODE_RATIO);
    ck_assert(ab_decode_done(d));
    ck_assert(!ab_decode_complete(d));
    ck_assert_uint_eq(ab_decode_decoded(d), s->len);
    ck_assert_uint_lt(s->len, 256 * 1024);
    ck_assert_uint_le(s->len, ab_decode_encoded(d) * 100
                              + AB_DECODE_RATIO_SLACK);
    ck_assert_uint_lt(ab_decode_mem_peak(d), 48 * 1024);
    calls = s->calls;
    ck_assert(!ab_decode_feed(d, (const char *)enc + at, n - at));
    ck_assert_int_eq(s->calls, calls);
    ck_assert_uint_eq(ab_decode_encoded(d), n);
    /* Without the ratio limit the same stream decodes whole. */
    {
        run_t r = decode(AB_CODING_GZIP, enc, n, 4096, dn, 0,
                         AB_DECODE_MEM_DEFAULT);
        char *zeros = calloc(1, dn);

        check_whole(r, zeros, dn);
        ck_assert_uint_lt(ab_decode_mem_peak(r.d), 48 * 1024);
        free(zeros);
    }
    free(enc);
}
END_TEST

/* The cap: one below, exactly, one above, zero; a stop at the cap keeps
 * exactly the cap, a prefix of the body. */
START_TEST(cap_edges)
{
    apr_size_t dn = 100000, n, split;
    char *d = text(dn);
    unsigned char *enc = zcomp(d, dn, 31, 0, &n);

    for (split = 1; split <= n; split += split < 16 ? 1 : 997) {
        run_t r = decode(AB_CODING_GZIP, enc, n, split, 50000, 100,
                         AB_DECODE_MEM_DEFAULT);

        ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_CAP);
        ck_assert_uint_eq(r.s->len, 50000);
        ck_assert(!memcmp(r.s->buf, d, 50000));
        ck_assert(!ab_decode_complete(r.d));

        r = decode(AB_CODING_GZIP, enc, n, split, dn, 100,
                   AB_DECODE_MEM_DEFAULT);
        check_whole(r, d, dn);

        r = decode(AB_CODING_GZIP, enc, n, split, dn - 1, 100,
                   AB_DECODE_MEM_DEFAULT);
        ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_CAP);
        ck_assert_uint_eq(r.s->len, dn - 1);
        ck_assert(!memcmp(r.s->buf, d, dn - 1));
    }
    {
        run_t r = decode(AB_CODING_GZIP, enc, n, n, 0, 100,
                         AB_DECODE_MEM_DEFAULT);

        ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_CAP);
        ck_assert_uint_eq(r.s->len, 0);
        ck_assert_int_eq(r.s->calls, 0);
    }
    free(enc);
}
END_TEST

/* A corrupt block after 10000 good bytes: "error", and the 10000 bytes
 * decoded before it are kept (a full flush ends them on a byte). A bad
 * gzip CRC: "error" after the whole body was handed over. */
START_TEST(corrupt_keeps_prefix)
{
    apr_size_t dn = 30000, n, split;
    char *d = text(dn);
    static const int wbits[] = { 31, 15, -15 };
    int i;

    for (i = 0; i < 3; i++) {
        unsigned char *enc = zcomp(d, dn, wbits[i], 10000, &n);

        enc = realloc(enc, n + 4);
        memcpy(enc + n, "\xff\xff\xff\xff", 4);   /* BTYPE 11: invalid */
        for (split = 1; split <= n + 4; split += split < 8 ? 1 : 101) {
            run_t r = decode(wbits[i] == 31 ? AB_CODING_GZIP
                                            : AB_CODING_DEFLATE,
                             enc, n + 4, split, dn, 100,
                             AB_DECODE_MEM_DEFAULT);

            ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_ERROR);
            ck_assert_uint_eq(r.s->len, 10000);
            ck_assert(!memcmp(r.s->buf, d, 10000));
            ck_assert(!ab_decode_complete(r.d));
        }
        free(enc);
    }
    {
        unsigned char *enc = zcomp(d, dn, 31, 0, &n);
        run_t r;

        enc[n - 8] ^= 1;                            /* the CRC32 */
        r = decode(AB_CODING_GZIP, enc, n, 512, dn, 100,
                   AB_DECODE_MEM_DEFAULT);
        ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_ERROR);
        ck_assert_uint_eq(r.s->len, dn);
        ck_assert(!ab_decode_complete(r.d));
        free(enc);
    }
    {
        static const unsigned char junk[] = "\xff\xff\xff\xff\xff\xff\xff";
        run_t r = decode(AB_CODING_GZIP, junk, 7, 1, 100, 100,
                         AB_DECODE_MEM_DEFAULT);

        ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_ERROR);
        r = decode(AB_CODING_BR, junk, 7, 1, 100, 100,
                   AB_DECODE_MEM_DEFAULT);
        ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_ERROR);
        ck_assert_uint_eq(r.s->len, 0);
    }
}
END_TEST

/* A cut stream is not complete, and is not an error either. */
START_TEST(truncated_is_incomplete)
{
    apr_size_t dn = 20000, n;
    char *d = text(dn);
    unsigned char *enc = zcomp(d, dn, 31, 0, &n);
    run_t r = decode(AB_CODING_GZIP, enc, n - 3, 100, dn, 100,
                     AB_DECODE_MEM_DEFAULT);

    ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_OK);
    ck_assert(!ab_decode_complete(r.d));
    ck_assert_uint_eq(r.s->len, dn);            /* the CRC was cut */
    free(enc);
}
END_TEST

START_TEST(unsupported_counts_only)
{
    static const char body[] = "whatever bytes";
    sink_t *s = new_sink(100);
    ab_decode_t *d = ab_decode_create(pool, ab_decode_coding("gzip, br"),
                                      100, 100, AB_DECODE_MEM_DEFAULT,
                                      sink, s);

    ck_assert(ab_decode_done(d));
    ck_assert(!ab_decode_feed(d, body, sizeof(body)));
    ck_assert_int_eq(ab_decode_reason(d), AB_DECODE_UNSUPPORTED);
    ck_assert_uint_eq(ab_decode_encoded(d), sizeof(body));
    ck_assert_uint_eq(ab_decode_decoded(d), 0);
    ck_assert_int_eq(s->calls, 0);
    ck_assert_uint_eq(ab_decode_mem_peak(d), 0);
}
END_TEST

/* Ceilings: zlib's fixed ~39 KiB state under a 16 KiB ceiling; brotli
 * whose ring buffer for a 1 MB body with a 4 MiB window needs more than
 * a 256 KiB ceiling; a ceiling too small for brotli's state. Every stop
 * is "memory", keeps what was decoded and never holds more than the
 * ceiling. */
START_TEST(memory_ceiling)
{
    apr_size_t dn = 1000000, n;
    char *d = text(dn);
    unsigned char *enc = zcomp(d, dn, 31, 0, &n);
    run_t r = decode(AB_CODING_GZIP, enc, n, 4096, dn, 100, 16 * 1024);

    ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_MEMORY);
    ck_assert_uint_le(ab_decode_mem_peak(r.d), 16 * 1024);
    free(enc);
#ifdef AB_HAVE_BROTLIENC
    enc = bcomp(d, dn, 22, &n);
    r = decode(AB_CODING_BR, enc, n, 4096, dn, 100, 256 * 1024);
    ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_MEMORY);
    ck_assert_uint_le(ab_decode_mem_peak(r.d), 256 * 1024);
    ck_assert(!memcmp(r.s->buf, d, r.s->len));
    /* the default ceiling takes it (measured peak about 1.03 MB) */
    r = decode(AB_CODING_BR, enc, n, 4096, dn, 100, AB_DECODE_MEM_DEFAULT);
    check_whole(r, d, dn);
    free(enc);
#endif
    r = decode(AB_CODING_BR, (const unsigned char *)"x", 1, 1, dn, 100, 64);
    ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_MEMORY);
    ck_assert_uint_le(ab_decode_mem_peak(r.d), 64);
}
END_TEST

/* Concatenated gzip members decode in turn, at every split around the
 * boundary; a cut second member leaves the stream incomplete. */
START_TEST(gzip_members)
{
    apr_size_t an = 5000, bn = 7000, na, nb, split;
    char *a = text(an + bn), *b = a + an;
    unsigned char *ea = zcomp(a, an, 31, 0, &na);
    unsigned char *eb = zcomp(b, bn, 31, 0, &nb);
    unsigned char *both = apr_palloc(pool, na + nb);
    run_t r;

    memcpy(both, ea, na);
    memcpy(both + na, eb, nb);
    for (split = 1; split <= na + nb; split += quick_step()) {
        r = decode(AB_CODING_GZIP, both, na + nb, split, an + bn, 100,
                   AB_DECODE_MEM_DEFAULT);
        check_whole(r, a, an + bn);
    }
    r = decode(AB_CODING_GZIP, both, na + 10, 7, an + bn, 100,
               AB_DECODE_MEM_DEFAULT);
    ck_assert(!ab_decode_complete(r.d));
    ck_assert_uint_eq(r.s->len, an);
    free(ea);
    free(eb);
}
END_TEST

/* Bytes after the end of the stream are trailing: counted, not decoded,
 * no error. For gzip that includes a lone 0x1f and "\x1f\x00". */
START_TEST(trailing_garbage)
{
    static const char *const tails[] = { "garbage\n", "\x1f", "\x1f\x01x",
                                         "\0\0\0\0" };
    static const apr_size_t tlen[] = { 8, 1, 3, 4 };
    apr_size_t dn = 3000, n, split;
    char *d = text(dn);
    int w, t;

    for (w = 0; w < 4; w++) {
        unsigned char *enc;
        int coding = w == 0 ? AB_CODING_GZIP : AB_CODING_DEFLATE;

        if (w == 3) {
#ifdef AB_HAVE_BROTLIENC
            enc = bcomp(d, dn, 22, &n);
            coding = AB_CODING_BR;
#else
            continue;
#endif
        }
        else {
            enc = zcomp(d, dn, w == 0 ? 31 : w == 1 ? 15 : -15, 0, &n);
        }
        enc = realloc(enc, n + 8);
        for (t = 0; t < 4; t++) {
            memcpy(enc + n, tails[t], tlen[t]);
            for (split = 1; split <= n + tlen[t]; split += quick_step()) {
                run_t r = decode(coding, enc, n + tlen[t], split, dn, 100,
                                 AB_DECODE_MEM_DEFAULT);

                ck_assert_int_eq(ab_decode_reason(r.d), AB_DECODE_OK);
                ck_assert(ab_decode_complete(r.d));
                ck_assert_uint_eq(r.s->len, dn);
                ck_assert(!memcmp(r.s->buf, d, dn));
                ck_assert_uint_eq(ab_decode_trailing(r.d), tlen[t]);
            }
        }
        free(enc);
    }
}
END_TEST

Suite *ab_decode_suite(void)
{
    Suite *s = suite_create("ab_decode");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, coding_names);
    tcase_add_test(tc, roundtrip_gzip);
    tcase_add_test(tc, roundtrip_deflate_zlib);
    tcase_add_test(tc, roundtrip_deflate_raw);
#ifdef AB_HAVE_BROTLIENC
    tcase_add_test(tc, roundtrip_br);
#endif
    tcase_add_test(tc, tiny_streams);
    tcase_add_test(tc, gzip_bomb_ratio);
    tcase_add_test(tc, cap_edges);
    tcase_add_test(tc, corrupt_keeps_prefix);
    tcase_add_test(tc, truncated_is_incomplete);
    tcase_add_test(tc, unsupported_counts_only);
    tcase_add_test(tc, memory_ceiling);
    tcase_add_test(tc, gzip_members);
    tcase_add_test(tc, trailing_garbage);
    suite_add_tcase(s, tc);
    return s;
}
