/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_capture: bounded copy accounting for one direction of a body (pure).
 *
 * Owns the capture buffer (allocated lazily, never larger than the cap),
 * the count of every byte seen and the truncation flag. It never keeps more
 * than the cap and never allocates per chunk: the buffer grows at most a few
 * times (doubling up to the cap), so memory stays below twice the cap.
 */
#ifndef AB_CAPTURE_H
#define AB_CAPTURE_H

#include <apr_pools.h>

typedef struct {
    char *buf;            /**< captured bytes; NULL until the first copy */
    apr_size_t len;       /**< bytes captured */
    apr_size_t alloc;     /**< size of buf */
    apr_size_t limit;     /**< the cap */
    apr_off_t total;      /**< every byte seen, captured or not */
    apr_off_t hint;       /**< expected total (Content-Length), -1 unknown */
    int unknown;          /**< some bytes were passed without being counted */
} ab_capture_t;

/** Reset c for a direction capped at limit bytes; hint is the expected
 *  body size (-1 if unknown), used to size the buffer on first copy. */
void ab_capture_init(ab_capture_t *c, apr_size_t limit, apr_off_t hint);

/** Bytes that may still be copied before the cap is reached. */
apr_size_t ab_capture_room(const ab_capture_t *c);

/**
 * Account for a chunk of n bytes and copy its first ab_capture_room() bytes
 * into the buffer (allocated from p on first use, at least min(limit, hint)
 * or 8 KiB, doubling up to limit). Returns the number of bytes copied.
 */
apr_size_t ab_capture_add(ab_capture_t *c, apr_pool_t *p,
                          const char *data, apr_size_t n);

/**
 * Reserve room for n more bytes at the end of the buffer and return where
 * to write them (for copies that do not go through memory, such as pread);
 * n must not exceed ab_capture_room(). Commit with ab_capture_commit().
 */
char *ab_capture_reserve(ab_capture_t *c, apr_pool_t *p, apr_size_t n);

/** Commit n bytes written at the pointer ab_capture_reserve() returned. */
void ab_capture_commit(ab_capture_t *c, apr_size_t n);

/** Count n bytes that are passed on without being copied. */
void ab_capture_skip(ab_capture_t *c, apr_off_t n);

/** Non-zero once more bytes were seen than captured. */
int ab_capture_truncated(const ab_capture_t *c);

#endif /* AB_CAPTURE_H */
