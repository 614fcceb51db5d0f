/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_decode: bomb-safe streaming decoding of gzip, deflate and br (pure).
 *
 * Decisions (see ab_decode.h for the limits):
 * - "deflate" is zlib-wrapped (RFC 9110) or raw (what some servers send):
 *   the first two bytes decide. They are a zlib header when CM is 8, CINFO
 *   at most 7, FDICT clear and FCHECK right, as browsers check; otherwise
 *   the stream is read as raw deflate.
 * - gzip: concatenated members (RFC 1952 2.2) are decoded in turn, as
 *   gunzip does; the stream is complete when the body ends at the end of
 *   a member (a cut second member leaves it incomplete).
 * - Bytes after the end of the stream (after a gzip member, when they do
 *   not start another one) are trailing garbage: counted, not decoded, and
 *   not an error, since the body itself was decoded whole.
 * - Memory: zlib and brotli allocate through a counting allocator that
 *   refuses anything past the ceiling; a refusal stops the decoder with
 *   "memory", told apart from "error" so an operator sees which limit hit.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_lib.h>

#include <zlib.h>
#include <brotli/decode.h>

#include "ab_decode.h"

typedef enum {
    ST_HEAD,    /* deflate: collecting the two bytes that tell zlib/raw */
    ST_RUN,     /* decoding */
    ST_GAP,     /* gzip: a member ended, looking at the next two bytes */
    ST_END,     /* the stream ended; what follows is trailing */
    ST_DONE     /* stopped or finished: only counting */
} ab_state_e;

/* A header in front of each block the libraries get, so free knows the
 * size; a union keeps the block aligned as malloc's own. */
typedef union {
    size_t n;
    long double ld;
    long long ll;
    void *vp;
} ab_mhdr_t;

struct ab_decode_t {
    int coding;
    ab_state_e state;
    ab_decode_reason_e reason;
    int complete;
    unsigned char hold[2];      /* bytes seen in ST_HEAD or ST_GAP */
    int nhold;
    z_stream z;
    int z_live;
    BrotliDecoderState *br;
    char *out;                  /* the output chunk */
    apr_size_t cap;
    unsigned int ratio;
    apr_size_t mem, mem_peak, mem_ceiling;
    int mem_refused;
    apr_uint64_t encoded, consumed, decoded, trailing;
    ab_decode_sink_fn sink;
    void *baton;
};

/* ------------------------------------------------------------ coding */

static int coding_of(const char *s, apr_size_t n)
{
    static const struct { const char *name; int coding; } names[] = {
        { "gzip", AB_CODING_GZIP }, { "x-gzip", AB_CODING_GZIP },
        { "deflate", AB_CODING_DEFLATE }, { "br", AB_CODING_BR },
        { "identity", AB_CODING_IDENTITY },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) == n && !strncasecmp(s, names[i].name, n)) {
            return names[i].coding;
        }
    }
    return AB_CODING_UNSUPPORTED;
}

int ab_decode_coding(const char *ce)
{
    int found = AB_CODING_IDENTITY, codings = 0;
    const char *s = ce;

    while (s && *s) {
        const char *b, *e;
        int c;

        while (*s == ' ' || *s == '\t') {
            s++;
        }
        b = s;
        while (*s && *s != ',') {
            s++;
        }
        e = s;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t')) {
            e--;
        }
        if (*s == ',') {
            s++;
        }
        if (e == b) {
            continue;           /* empty list element */
        }
        c = coding_of(b, (apr_size_t)(e - b));
        if (c == AB_CODING_IDENTITY) {
            continue;
        }
        if (c == AB_CODING_UNSUPPORTED || ++codings > 1) {
            return AB_CODING_UNSUPPORTED;
        }
        found = c;
    }
    return found;
}

const char *ab_decode_coding_name(int coding)
{
    switch (coding) {
    case AB_CODING_GZIP:
        return "gzip";
    case AB_CODING_DEFLATE:
        return "deflate";
    case AB_CODING_BR:
        return "br";
    default:
        return NULL;
    }
}

const char *ab_decode_reason_name(ab_decode_reason_e reason)
{
    static const char *const names[] = {
        NULL, "cap", "ratio", "error", "unsupported", "memory"
    };

    return (unsigned)reason < sizeof(names) / sizeof(names[0])
           ? names[reason] : NULL;
}

/* ------------------------------------------------------------ memory */

static void *acct_alloc(ab_decode_t *d, size_t n)
{
    ab_mhdr_t *h;

    if (n > d->mem_ceiling - d->mem
        || n > (size_t)-1 - sizeof(ab_mhdr_t)
        || !(h = malloc(sizeof(ab_mhdr_t) + n))) {
        d->mem_refused = 1;
        return NULL;
    }
    h->n = n;
    d->mem += n;
    if (d->mem > d->mem_peak) {
        d->mem_peak = d->mem;
    }
    return h + 1;
}

static void acct_free(ab_decode_t *d, void *ptr)
{
    ab_mhdr_t *h;

    if (!ptr) {
        return;
    }
    h = (ab_mhdr_t *)ptr - 1;
    d->mem -= h->n;
    free(h);
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    if (size && items > (size_t)-1 / size) {
        ((ab_decode_t *)opaque)->mem_refused = 1;
        return Z_NULL;
    }
    return acct_alloc(opaque, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf ptr)
{
    acct_free(opaque, ptr);
}

static void *br_alloc(void *opaque, size_t size)
{
    return acct_alloc(opaque, size);
}

static void br_free(void *opaque, void *ptr)
{
    acct_free(opaque, ptr);
}

/* ------------------------------------------------------------ state */

static void release(ab_decode_t *d)
{
    if (d->z_live) {
        inflateEnd(&d->z);
        d->z_live = 0;
    }
    if (d->br) {
        BrotliDecoderDestroyInstance(d->br);
        d->br = NULL;
    }
}

static apr_status_t decode_cleanup(void *data)
{
    release(data);
    return APR_SUCCESS;
}

static void stop(ab_decode_t *d, ab_decode_reason_e reason)
{
    d->reason = reason;
    d->state = ST_DONE;
    release(d);
}

/* Start zlib with windowBits wbits; a refusal stops the decoder. */
static int z_start(ab_decode_t *d, int wbits)
{
    int rc;

    memset(&d->z, 0, sizeof(d->z));
    d->z.zalloc = z_alloc;
    d->z.zfree = z_free;
    d->z.opaque = d;
    rc = inflateInit2(&d->z, wbits);
    if (rc != Z_OK) {
        stop(d, rc == Z_MEM_ERROR || d->mem_refused ? AB_DECODE_MEMORY
                                                    : AB_DECODE_ERROR);
        return 0;
    }
    d->z_live = 1;
    d->state = ST_RUN;
    return 1;
}

ab_decode_t *ab_decode_create(apr_pool_t *p, int coding, apr_size_t cap,
                              unsigned int ratio, apr_size_t mem_ceiling,
                              ab_decode_sink_fn sink, void *baton)
{
    ab_decode_t *d = apr_pcalloc(p, sizeof(*d));

    d->coding = coding;
    d->cap = cap;
    d->ratio = ratio;
    d->mem_ceiling = mem_ceiling;
    d->sink = sink;
    d->baton = baton;
    apr_pool_cleanup_register(p, d, decode_cleanup, apr_pool_cleanup_null);
    switch (coding) {
    case AB_CODING_GZIP:
        d->out = apr_palloc(p, AB_DECODE_CHUNK);
        z_start(d, 15 + 16);
        break;
    case AB_CODING_DEFLATE:
        d->out = apr_palloc(p, AB_DECODE_CHUNK);
        d->state = ST_HEAD;
        break;
    case AB_CODING_BR:
        d->out = apr_palloc(p, AB_DECODE_CHUNK);
        d->br = BrotliDecoderCreateInstance(br_alloc, br_free, d);
        if (d->br) {
            d->state = ST_RUN;
        }
        else {
            stop(d, AB_DECODE_MEMORY);
        }
        break;
    default:
        stop(d, AB_DECODE_UNSUPPORTED);
        break;
    }
    return d;
}

/* ------------------------------------------------------------ decoding */

/* Hand over what the last step wrote to d->out, within the cap and the
 * ratio limit; returns 0 when that stopped the decoder. */
static int emit(ab_decode_t *d, apr_size_t have)
{
    apr_uint64_t allow = have, room = d->cap - d->decoded;
    ab_decode_reason_e why = AB_DECODE_OK;

    if (allow > room) {
        allow = room;
        why = AB_DECODE_CAP;
    }
    if (d->ratio) {
        apr_uint64_t lim = d->consumed * d->ratio + AB_DECODE_RATIO_SLACK;
        apr_uint64_t rroom = lim > d->decoded ? lim - d->decoded : 0;

        if (allow > rroom) {
            allow = rroom;
            why = AB_DECODE_RATIO;
        }
    }
    if (allow) {
        d->sink(d->baton, d->out, (apr_size_t)allow);
        d->decoded += allow;
    }
    if (why != AB_DECODE_OK) {
        stop(d, why);
        return 0;
    }
    return 1;
}

/* The end of the stream (or of a gzip member) was seen. */
static void stream_end(ab_decode_t *d)
{
    d->complete = 1;
    if (d->coding == AB_CODING_GZIP) {
        d->state = ST_GAP;
        d->nhold = 0;
    }
    else {
        d->state = ST_END;
        release(d);
    }
}

/* Inflate n bytes until they are used up, the output is exhausted, or
 * the state changes; returns the bytes taken. */
static apr_size_t run_zlib(ab_decode_t *d, const unsigned char *in,
                           apr_size_t n)
{
    apr_size_t left = n;

    while (d->state == ST_RUN) {
        uInt piece = left > 1u << 30 ? 1u << 30 : (uInt)left;
        int rc;

        d->z.next_in = (Bytef *)in;
        d->z.avail_in = piece;
        d->z.next_out = (Bytef *)d->out;
        d->z.avail_out = AB_DECODE_CHUNK;
        rc = inflate(&d->z, Z_NO_FLUSH);
        in += piece - d->z.avail_in;
        left -= piece - d->z.avail_in;
        d->consumed += piece - d->z.avail_in;
        if (d->z.avail_out < AB_DECODE_CHUNK
            && !emit(d, AB_DECODE_CHUNK - d->z.avail_out)) {
            break;
        }
        if (rc == Z_STREAM_END) {
            stream_end(d);
        }
        else if (rc == Z_BUF_ERROR || (rc == Z_OK && left == 0
                                       && d->z.avail_out > 0)) {
            break;                      /* wants more input */
        }
        else if (rc != Z_OK) {
            stop(d, rc == Z_MEM_ERROR || d->mem_refused ? AB_DECODE_MEMORY
                                                        : AB_DECODE_ERROR);
        }
    }
    return n - left;
}

static apr_size_t run_brotli(ab_decode_t *d, const unsigned char *in,
                             apr_size_t n)
{
    size_t avail_in = n;
    const uint8_t *next_in = in;

    while (d->state == ST_RUN) {
        size_t avail_out = AB_DECODE_CHUNK, before = avail_in;
        uint8_t *next_out = (uint8_t *)d->out;
        BrotliDecoderResult r;

        r = BrotliDecoderDecompressStream(d->br, &avail_in, &next_in,
                                          &avail_out, &next_out, NULL);
        d->consumed += before - avail_in;
        if (avail_out < AB_DECODE_CHUNK
            && !emit(d, AB_DECODE_CHUNK - avail_out)) {
            break;
        }
        if (r == BROTLI_DECODER_RESULT_SUCCESS) {
            stream_end(d);
        }
        else if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
            break;
        }
        else if (r == BROTLI_DECODER_RESULT_ERROR) {
            BrotliDecoderErrorCode e = BrotliDecoderGetErrorCode(d->br);

            /* BROTLI_DECODER_ERROR_ALLOC_* are -21 to -30 */
            stop(d, d->mem_refused || (e <= -21 && e >= -30)
                    ? AB_DECODE_MEMORY : AB_DECODE_ERROR);
        }
    }
    return n - avail_in;
}

/* Take up to two bytes into d->hold; returns the bytes taken. */
static apr_size_t take_hold(ab_decode_t *d, const unsigned char *in,
                            apr_size_t n)
{
    apr_size_t k = 0;

    while (d->nhold < 2 && k < n) {
        d->hold[d->nhold++] = in[k++];
    }
    return k;
}

static apr_size_t run(ab_decode_t *d, const unsigned char *in, apr_size_t n);

/* Decode the held bytes; whatever the stream does not take (it ended
 * within them) is trailing. */
static void run_hold(ab_decode_t *d)
{
    int k = d->nhold;
    apr_size_t used;

    d->nhold = 0;
    used = run(d, d->hold, (apr_size_t)k);
    if (used < (apr_size_t)k) {
        if (d->state == ST_GAP) {
            /* Cannot happen: a member takes more than two bytes. */
            d->state = ST_END;
        }
        if (d->state == ST_END) {
            d->trailing += (apr_size_t)k - used;
        }
    }
}

/* ST_HEAD: once two bytes are in, tell zlib from raw deflate. */
static void decide_deflate(ab_decode_t *d)
{
    unsigned cmf = d->hold[0], flg = d->hold[1];
    int zlib = (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && !(flg & 0x20)
               && (cmf * 256 + flg) % 31 == 0;

    if (z_start(d, zlib ? 15 : -15)) {
        run_hold(d);
    }
}

/* ST_GAP: two bytes after a gzip member; another member or trailing. */
static void decide_member(ab_decode_t *d)
{
    if (d->hold[0] == 0x1f && d->hold[1] == 0x8b
        && inflateReset(&d->z) == Z_OK) {
        d->state = ST_RUN;
        d->complete = 0;        /* until this member ends too */
        run_hold(d);
    }
    else {
        d->trailing += (apr_size_t)d->nhold;
        d->nhold = 0;
        d->state = ST_END;
        release(d);
    }
}

static apr_size_t run(ab_decode_t *d, const unsigned char *in, apr_size_t n)
{
    apr_size_t k = 0;

    while (k < n) {
        switch (d->state) {
        case ST_HEAD:
            k += take_hold(d, in + k, n - k);
            if (d->nhold == 2) {
                decide_deflate(d);
            }
            break;
        case ST_GAP:
            k += take_hold(d, in + k, n - k);
            if (d->nhold == 2 || d->hold[0] != 0x1f) {
                decide_member(d);
            }
            break;
        case ST_RUN:
            k += d->coding == AB_CODING_BR ? run_brotli(d, in + k, n - k)
                                          : run_zlib(d, in + k, n - k);
            if (d->state == ST_RUN) {
                return k;   /* took all it could: wants more input */
            }
            break;
        default:
            return k;
        }
    }
    return k;
}

int ab_decode_feed(ab_decode_t *d, const char *data, apr_size_t n)
{
    apr_size_t used;

    d->encoded += n;
    if (d->state == ST_DONE || d->state == ST_END) {
        if (d->state == ST_END) {
            d->trailing += n;
        }
        return 0;
    }
    used = run(d, (const unsigned char *)data, n);
    if (d->state == ST_END) {
        d->trailing += n - used;
    }
    return d->state != ST_DONE && d->state != ST_END;
}

void ab_decode_finish(ab_decode_t *d)
{
    if (d->state == ST_GAP) {
        d->trailing += (apr_size_t)d->nhold;
    }
    if (d->state != ST_DONE) {
        d->state = ST_DONE;
        release(d);
    }
}

/* ------------------------------------------------------------ accessors */

apr_uint64_t ab_decode_encoded(const ab_decode_t *d)
{
    return d->encoded;
}

apr_uint64_t ab_decode_decoded(const ab_decode_t *d)
{
    return d->decoded;
}

apr_uint64_t ab_decode_trailing(const ab_decode_t *d)
{
    return d->trailing;
}

int ab_decode_done(const ab_decode_t *d)
{
    return d->state == ST_DONE || d->state == ST_END;
}

ab_decode_reason_e ab_decode_reason(const ab_decode_t *d)
{
    return d->reason;
}

int ab_decode_complete(const ab_decode_t *d)
{
    return d->complete;
}

apr_size_t ab_decode_mem_peak(const ab_decode_t *d)
{
    return d->mem_peak;
}
