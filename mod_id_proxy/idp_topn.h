/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_topn: the busiest backends, bounded (pure), for the per-backend
 * series of IdProxyMetricsBackends.
 *
 * A child counts requests and errors per backend in a tracker of fixed
 * capacity: a backend not tracked takes a free slot, or, when all are
 * taken, the slot of the backend with the fewest requests, and starts
 * from 0 there (so a count is never more than the true one, and is exact
 * for a backend tracked since the child's row began). The tracker is
 * copied now and then into the child's row of shared memory (a fixed
 * array of 64-bit cells guarded by a sequence number, so a reader in
 * another process never takes a half-written row); a reader merges every
 * row by backend and keeps the n busiest. Nothing grows with the number
 * of backends: memory is capacity slots, fixed at creation.
 *
 * Locking: a tracker is assumed to be mutex protected by its caller.
 * Publishing and reading a row take no lock.
 */
#ifndef IDP_TOPN_H
#define IDP_TOPN_H

#include <apr_pools.h>
#include <apr_tables.h>

/** Longest backend ("scheme://host:port") tracked, in bytes. */
#define IDP_TOPN_KEY_MAX 279

/** Largest capacity. */
#define IDP_TOPN_CAPACITY_MAX 1024

typedef struct {
    const char *key;
    apr_uint64_t requests;
    apr_uint64_t errors;
} idp_topn_item_t;

typedef struct idp_topn_t idp_topn_t;

/** A tracker of capacity slots (1 to IDP_TOPN_CAPACITY_MAX), all memory
 *  from p; NULL if capacity is out of range. */
idp_topn_t *idp_topn_create(apr_pool_t *p, int capacity);

/** Count requests and errors for key. A key longer than
 *  IDP_TOPN_KEY_MAX is not counted. */
void idp_topn_add(idp_topn_t *t, const char *key, apr_uint64_t requests,
                  apr_uint64_t errors);

/** Backends tracked now. */
int idp_topn_count(const idp_topn_t *t);

/** 64-bit cells a row of capacity slots takes. */
apr_size_t idp_topn_cells(int capacity);

/** Copy the tracker into a row of idp_topn_cells(capacity) cells (its
 *  only writer); a reader sees the old or the new row, never a mix. */
void idp_topn_publish(const idp_topn_t *t, apr_uint64_t *cells);

/** Start a tracker from what a row holds (a child taking over the row of
 *  one that exited, so that its counts go on growing). */
void idp_topn_load(idp_topn_t *t, const apr_uint64_t *cells);

/** Append the items of a row of capacity slots to out (idp_topn_item_t,
 *  keys copied into p). Returns 0 if the row kept changing while read
 *  (nothing appended), 1 otherwise. */
int idp_topn_read(const apr_uint64_t *cells, int capacity, apr_pool_t *p,
                  apr_array_header_t *out);

/** Sum items by key and return the n with the most requests (ties: by
 *  key), busiest first, as a new array in p. */
apr_array_header_t *idp_topn_merge(apr_pool_t *p,
                                   const apr_array_header_t *items, int n);

#endif /* IDP_TOPN_H */
