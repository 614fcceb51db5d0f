/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_capture: bounded copy accounting (see ab_capture.h). Pure code: the
 * only allocations are the capture buffer's, from the caller's pool.
 */
#include <string.h>

#include "ab_capture.h"

#define AB_CAPTURE_MIN_ALLOC 8192

void ab_capture_init(ab_capture_t *c, apr_size_t limit, apr_off_t hint)
{
    memset(c, 0, sizeof(*c));
    c->limit = limit;
    c->hint = hint;
}

apr_size_t ab_capture_room(const ab_capture_t *c)
{
    return c->limit - c->len;
}

/* Make sure buf holds at least need bytes (need <= limit). The first
 * allocation is sized from the hint, so a body of known length is copied
 * into one buffer; otherwise the buffer doubles, which bounds the pool
 * garbage to the cap. */
static int ensure(ab_capture_t *c, apr_pool_t *p, apr_size_t need)
{
    apr_size_t size;
    char *nbuf;

    /* With nothing allocated yet, even need == 0 allocates (possibly 0
     * bytes), so that ab_capture_reserve() never does NULL + 0 for an
     * empty FILE bucket. */
    if (need <= c->alloc && c->buf) {
        return 1;
    }
    if (c->alloc == 0 && c->hint >= 0 && (apr_uint64_t)c->hint >= need) {
        size = (apr_uint64_t)c->hint < c->limit ? (apr_size_t)c->hint
                                                : c->limit;
    }
    else {
        size = c->alloc ? c->alloc : AB_CAPTURE_MIN_ALLOC;
        while (size < need) {
            size *= 2;
        }
        if (size > c->limit) {
            size = c->limit;
        }
    }
    nbuf = apr_palloc(p, size);
    if (c->len) {
        memcpy(nbuf, c->buf, c->len);
    }
    c->buf = nbuf;
    c->alloc = size;
    return 1;
}

char *ab_capture_reserve(ab_capture_t *c, apr_pool_t *p, apr_size_t n)
{
    if (n > ab_capture_room(c)) {
        n = ab_capture_room(c);
    }
    ensure(c, p, c->len + n);
    return c->buf + c->len;
}

void ab_capture_commit(ab_capture_t *c, apr_size_t n)
{
    c->len += n;
    c->total += n;
}

apr_size_t ab_capture_add(ab_capture_t *c, apr_pool_t *p,
                          const char *data, apr_size_t n)
{
    apr_size_t take = ab_capture_room(c);

    if (take > n) {
        take = n;
    }
    if (take) {
        memcpy(ab_capture_reserve(c, p, take), data, take);
        c->len += take;
    }
    c->total += n;
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
