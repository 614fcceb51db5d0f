/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_capture: bounded copy accounting (see ab_capture.h). Pure code: the
 * only allocations are the capture's segments, from the caller's pool.
 */
#include <string.h>

#include "ab_capture.h"

#define AB_CAPTURE_MIN_ALLOC 8192

void ab_capture_init(ab_capture_t *c, apr_size_t limit, apr_off_t hint)
{
    c->nseg = 0;
    c->cur = 0;
    c->curstart = 0;
    c->len = 0;
    c->alloc = 0;
    c->limit = limit;
    c->total = 0;
    c->hint = hint;
    c->unknown = 0;
}

apr_size_t ab_capture_room(const ab_capture_t *c)
{
    return c->limit - c->len;
}

/* Allocate the next segment (alloc < limit). The first is sized from the
 * hint when the hint reaches past pos; later ones double the last, at
 * least AB_CAPTURE_MIN_ALLOC; none goes past the cap, and the last slot
 * takes all that is left. */
static void grow(ab_capture_t *c, apr_pool_t *p, apr_size_t pos)
{
    apr_size_t size, rest = c->limit - c->alloc;

    if (c->nseg == 0 && c->hint >= 0 && (apr_uint64_t)c->hint > pos) {
        size = (apr_uint64_t)c->hint < rest ? (apr_size_t)c->hint : rest;
    }
    else {
        size = c->nseg ? c->segsize[c->nseg - 1] * 2 : 0;
        if (size < AB_CAPTURE_MIN_ALLOC) {
            size = AB_CAPTURE_MIN_ALLOC;
        }
        if (size > rest || c->nseg == AB_CAPTURE_SEGS - 1) {
            size = rest;
        }
    }
    c->seg[c->nseg] = apr_palloc(p, size);
    c->segsize[c->nseg] = size;
    c->nseg++;
    c->alloc += size;
}

char *ab_capture_space(ab_capture_t *c, apr_pool_t *p, apr_size_t off,
                       apr_size_t *avail)
{
    apr_size_t pos = c->len + off, start = c->curstart;
    int k = c->cur;

    while (c->alloc <= pos) {
        grow(c, p, pos);
    }
    while (pos >= start + c->segsize[k]) {
        start += c->segsize[k];
        k++;
    }
    *avail = start + c->segsize[k] - pos;
    return c->seg[k] + (pos - start);
}

/* Count n more bytes as captured (written at len onwards). */
static void advance(ab_capture_t *c, apr_size_t n)
{
    c->len += n;
    while (c->cur < c->nseg && c->len >= c->curstart + c->segsize[c->cur]) {
        c->curstart += c->segsize[c->cur];
        c->cur++;
    }
}

void ab_capture_commit(ab_capture_t *c, apr_size_t n)
{
    advance(c, n);
    c->total += n;
}

apr_size_t ab_capture_put(ab_capture_t *c, apr_pool_t *p,
                          const char *data, apr_size_t n)
{
    apr_size_t take = ab_capture_room(c), done = 0, avail;

    if (take > n) {
        take = n;
    }
    while (done < take) {
        char *dst = ab_capture_space(c, p, done, &avail);

        if (avail > take - done) {
            avail = take - done;
        }
        memcpy(dst, data + done, avail);
        done += avail;
    }
    advance(c, take);
    return take;
}

apr_size_t ab_capture_add(ab_capture_t *c, apr_pool_t *p,
                          const char *data, apr_size_t n)
{
    apr_size_t take = ab_capture_put(c, p, data, n);

    c->total += (apr_off_t)n;
    return take;
}

void ab_capture_skip(ab_capture_t *c, apr_off_t n)
{
    c->total += n;
}

int ab_capture_truncated(const ab_capture_t *c)
{
    return c->total > (apr_off_t)c->len || c->unknown;
}

int ab_capture_segments(const ab_capture_t *c, cm_seg_t *out)
{
    apr_size_t start = 0;
    int k, n = 0;

    for (k = 0; k < c->nseg && start < c->len; k++) {
        out[n].p = c->seg[k];
        out[n].n = c->len - start < c->segsize[k] ? c->len - start
                                                   : c->segsize[k];
        start += c->segsize[k];
        n++;
    }
    return n;
}
