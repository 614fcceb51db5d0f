/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * decode_bench: what ab_decode costs on bombs and how much memory brotli
 * asks for per window (run by bench/decode_bomb.sh; it reports, it never
 * asserts).
 *   decode_bench make-gzip FILE MIB     MIB MiB of zeros, gzip level 9
 *   decode_bench make-br FILE MIB LGWIN the same in brotli (q5)
 *   decode_bench decode CODING FILE CAP RATIO
 *       feed FILE in 64 KiB reads (all of it, as the glue counts every
 *       byte) to a decoder; CODING identity only reads. Prints decoded
 *       bytes, reason, seconds, the decoder's peak and the process's
 *       peak RSS.
 *   decode_bench windows                brotli's peak per window and size
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <apr_general.h>
#include <zlib.h>
#include <brotli/encode.h>

#include "ab_decode.h"

static double now(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return tv.tv_sec + tv.tv_usec / 1e6;
}

static void sink(void *b, const char *d, apr_size_t n)
{
    (void)b;
    (void)d;
    (void)n;
}

static int make_gzip(const char *path, long mib)
{
    static unsigned char in[1 << 20], out[1 << 16];
    FILE *f = fopen(path, "wb");
    z_stream z;
    long i;

    memset(&z, 0, sizeof(z));
    if (!f || deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY)) {
        return 1;
    }
    for (i = 0; i <= mib; i++) {
        int flush = i == mib ? Z_FINISH : Z_NO_FLUSH;

        z.next_in = in;
        z.avail_in = i == mib ? 0 : sizeof(in);
        do {
            z.next_out = out;
            z.avail_out = sizeof(out);
            deflate(&z, flush);
            fwrite(out, 1, sizeof(out) - z.avail_out, f);
        } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    return fclose(f) != 0;
}

static int make_br(const char *path, long mib, int lgwin)
{
    static unsigned char in[1 << 20], out[1 << 16];
    FILE *f = fopen(path, "wb");
    BrotliEncoderState *s = BrotliEncoderCreateInstance(NULL, NULL, NULL);
    long i;

    if (!f || !s) {
        return 1;
    }
    BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, 5);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_LGWIN, (uint32_t)lgwin);
    for (i = 0; i <= mib; i++) {
        size_t avail_in = i == mib ? 0 : sizeof(in);
        const uint8_t *next_in = in;
        BrotliEncoderOperation op = i == mib ? BROTLI_OPERATION_FINISH
                                             : BROTLI_OPERATION_PROCESS;

        do {
            size_t avail_out = sizeof(out);
            uint8_t *next_out = out;

            BrotliEncoderCompressStream(s, op, &avail_in, &next_in,
                                        &avail_out, &next_out, NULL);
            fwrite(out, 1, sizeof(out) - avail_out, f);
        } while (avail_in || BrotliEncoderHasMoreOutput(s)
                 || (op == BROTLI_OPERATION_FINISH
                     && !BrotliEncoderIsFinished(s)));
    }
    BrotliEncoderDestroyInstance(s);
    return fclose(f) != 0;
}

static int decode(apr_pool_t *p, const char *coding, const char *path,
                  apr_size_t cap, unsigned ratio)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "rb");
    int c = ab_decode_coding(coding);
    ab_decode_t *d = NULL;
    unsigned long long encoded = 0;
    double t0 = now();
    struct rusage ru;
    size_t n;

    if (!f) {
        return 1;
    }
    if (c != AB_CODING_IDENTITY) {
        d = ab_decode_create(p, c, cap, ratio, AB_DECODE_MEM_DEFAULT,
                             sink, NULL);
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        encoded += n;
        if (d) {
            ab_decode_feed(d, buf, n);
        }
    }
    fclose(f);
    if (d) {
        ab_decode_finish(d);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("%-8s cap %-10zu ratio %-3u encoded %-9llu decoded %-11llu "
           "stop %-6s %.3f s  decoder peak %zu B  maxrss %ld KiB\n",
           coding, cap, ratio, encoded,
           d ? (unsigned long long)ab_decode_decoded(d) : 0ULL,
           d ? (ab_decode_reason_name(ab_decode_reason(d))
                ? ab_decode_reason_name(ab_decode_reason(d))
                : ab_decode_complete(d) ? "-" : "cut") : "-",
           now() - t0, d ? (size_t)ab_decode_mem_peak(d) : 0,
           ru.ru_maxrss);
    return 0;
}

/* Text that brotli compresses about 60%: every window matters. */
static int windows(apr_pool_t *p)
{
    static const size_t sizes[] = { 64 << 10, 512 << 10, 1 << 20, 4 << 20 };
    static const int wins[] = { 16, 19, 20, 22, 24 };
    unsigned si, wi;

    for (si = 0; si < 4; si++) {
        size_t n = sizes[si], i;
        unsigned char *in = malloc(n);
        unsigned s = 1;

        for (i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u;
            in[i] = (unsigned char)"abcdefghij {}\":,0123456789"[(s >> 16) % 26];
        }
        for (wi = 0; wi < 5; wi++) {
            size_t on = BrotliEncoderMaxCompressedSize(n);
            unsigned char *o = malloc(on);
            ab_decode_t *d;

            BrotliEncoderCompress(5, wins[wi], BROTLI_MODE_GENERIC, n, in,
                                  &on, o);
            d = ab_decode_create(p, AB_CODING_BR, (apr_size_t)-1, 0,
                                 (apr_size_t)-1, sink, NULL);
            ab_decode_feed(d, (char *)o, on);
            ab_decode_finish(d);
            printf("br body %5zu KiB lgwin %2d: decoder peak %8zu B (%s the "
                   "default ceiling of %d B)\n", n >> 10, wins[wi],
                   (size_t)ab_decode_mem_peak(d),
                   ab_decode_mem_peak(d) <= AB_DECODE_MEM_DEFAULT
                   ? "within" : "over", AB_DECODE_MEM_DEFAULT);
            free(o);
        }
        free(in);
    }
    return 0;
}

int main(int argc, char **argv)
{
    apr_pool_t *p;

    apr_initialize();
    apr_pool_create(&p, NULL);
    if (argc == 4 && !strcmp(argv[1], "make-gzip")) {
        return make_gzip(argv[2], atol(argv[3]));
    }
    if (argc == 5 && !strcmp(argv[1], "make-br")) {
        return make_br(argv[2], atol(argv[3]), atoi(argv[4]));
    }
    if (argc == 6 && !strcmp(argv[1], "decode")) {
        return decode(p, argv[2], argv[3], (apr_size_t)atoll(argv[4]),
                      (unsigned)atoi(argv[5]));
    }
    if (argc == 2 && !strcmp(argv[1], "windows")) {
        return windows(p);
    }
    fprintf(stderr, "usage: see the comment at the top of %s\n", __FILE__);
    return 2;
}
