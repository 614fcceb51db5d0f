/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_capture: bounded copy accounting for one direction of a body (pure).
 *
 * Owns the capture buffer, the count of every byte seen and the truncation
 * flag. The buffer is a short list of segments, allocated lazily and never
 * moved or copied: the first is sized from the expected length
 * (Content-Length) when there is one, so a body of known length is one
 * segment; otherwise each segment doubles the last (8 KiB first), and none
 * goes past the cap. So the segments together never exceed the cap, and
 * no memory is left behind by growing.
 */
#ifndef AB_CAPTURE_H
#define AB_CAPTURE_H

#include <apr_pools.h>

#include "cm_json.h"

/** Segments of one capture at most; the last one takes whatever room is
 *  left under the cap (doubling from 8 KiB reaches a 16 MiB cap in 12). */
#define AB_CAPTURE_SEGS 16

typedef struct {
    char *seg[AB_CAPTURE_SEGS];   /**< segments, filled in order */
    apr_size_t segsize[AB_CAPTURE_SEGS]; /**< allocated size of each */
    int nseg;             /**< segments allocated */
    int cur;              /**< segment that holds byte len (nseg: none) */
    apr_size_t curstart;  /**< offset of seg[cur] in the body */
    apr_size_t len;       /**< bytes captured */
    apr_size_t alloc;     /**< bytes allocated (all segments) */
    apr_size_t limit;     /**< the cap */
    apr_off_t total;      /**< every byte seen, captured or not */
    apr_off_t hint;       /**< expected total (Content-Length), -1 unknown */
    int unknown;          /**< some bytes were passed without being counted */
} ab_capture_t;

/** Reset c for a direction capped at limit bytes; hint is the expected
 *  body size (-1 if unknown), used to size the first segment. */
void ab_capture_init(ab_capture_t *c, apr_size_t limit, apr_off_t hint);

/** Bytes that may still be copied before the cap is reached. */
apr_size_t ab_capture_room(const ab_capture_t *c);

/**
 * Account for a chunk of n bytes and copy its first ab_capture_room() bytes
 * (segments allocated from p as needed). Returns the number of bytes
 * copied.
 */
apr_size_t ab_capture_add(ab_capture_t *c, apr_pool_t *p,
                          const char *data, apr_size_t n);

/**
 * Copy the first ab_capture_room() bytes of data as ab_capture_add()
 * does, without counting anything in total: for bytes that are not the
 * ones passing by (a decoder's output, while total counts the encoded
 * bytes with ab_capture_skip()). Returns the number of bytes copied.
 */
apr_size_t ab_capture_put(ab_capture_t *c, apr_pool_t *p,
                          const char *data, apr_size_t n);

/**
 * Where the byte off bytes past the captured ones goes, for copies that
 * do not go through memory (such as pread): *avail receives how many
 * bytes may be written there in one piece (at least 1). off must be below
 * ab_capture_room(). Nothing counts until ab_capture_commit().
 */
char *ab_capture_space(ab_capture_t *c, apr_pool_t *p, apr_size_t off,
                       apr_size_t *avail);

/** Commit n bytes written through ab_capture_space() (offsets 0..n-1). */
void ab_capture_commit(ab_capture_t *c, apr_size_t n);

/** Count n bytes that are passed on without being copied. */
void ab_capture_skip(ab_capture_t *c, apr_off_t n);

/** Non-zero once more bytes were seen than captured. */
int ab_capture_truncated(const ab_capture_t *c);

/**
 * The captured bytes as segments in order (at most AB_CAPTURE_SEGS are
 * written to out). Returns how many; 0 when nothing was captured.
 */
int ab_capture_segments(const ab_capture_t *c, cm_seg_t *out);

#endif /* AB_CAPTURE_H */
