/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_batch: a bounded queue of whole records drained by one writer thread
 * (pure: APR only, no httpd).
 *
 * Request threads copy a finished record into the open buffer and go on;
 * a full batch is handed, holding only whole records, to one call of the
 * write callback. Memory is fixed when the queue is made: two buffers of
 * `size` bytes. By default nothing is ever dropped: a record larger than
 * a buffer, or one that still finds no room after a short wait, is
 * written by the calling thread through the same callback, and counted.
 * In drop mode (ab_batch_set_drop()) callers never write: such records
 * are handed back. Closing (or destroying the pool) writes what is
 * queued.
 */
#ifndef AB_BATCH_H
#define AB_BATCH_H

#include <apr_pools.h>
#include <apr_time.h>

typedef struct ab_batch ab_batch_t;

/**
 * Writes buf (len bytes, nrec whole records) to the sink. Called for a
 * batch by the writer thread or by the request thread whose put made it
 * due, and by ab_batch_put() for a record written directly; calls may run
 * concurrently (at most two batches, plus direct writes). The return
 * value is passed on by ab_batch_put() for direct writes and otherwise
 * ignored: the callback itself accounts for failures.
 */
typedef apr_status_t ab_batch_write_fn(void *baton, const char *buf,
                                       apr_size_t len, apr_uint32_t nrec);

/** Counters of one queue (a snapshot, see ab_batch_stats()). */
typedef struct {
    apr_uint32_t batches;   /**< callback calls for a batch */
    apr_uint32_t queued;    /**< records that went through the buffers */
    apr_uint32_t direct;    /**< records written by the calling thread:
                                 larger than a buffer, queue full after
                                 the wait, or queue closed */
    apr_uint32_t waits;     /**< puts that found both buffers busy */
    apr_uint32_t dropped;   /**< records refused in drop mode */
} ab_batch_stats_t;

/**
 * Make a queue of two buffers of size bytes each (allocated from p) and
 * start its writer thread. A buffer is written once it holds half of size
 * (by the thread whose put got it there, or by the next put that finds it
 * full), once its oldest record has waited interval (by the writer
 * thread), and when the queue closes. A put that finds both buffers busy
 * waits at most max_wait before writing directly. The queue closes
 * itself (see ab_batch_close()) in a pre-cleanup of p.
 */
apr_status_t ab_batch_create(ab_batch_t **pb, apr_pool_t *p, apr_size_t size,
                             apr_interval_time_t interval,
                             apr_interval_time_t max_wait,
                             ab_batch_write_fn *write, void *baton);

/**
 * Drop mode (AuditBodyLogOnFull drop): request threads never call the
 * callback. A record that finds no room after max_wait is refused
 * (APR_EAGAIN) instead of written directly, a record larger than a
 * buffer is refused with APR_ENOSPC (the caller decides), and batches are
 * written by the writer thread only. Set before the first put.
 */
void ab_batch_set_drop(ab_batch_t *b, int drop);

/**
 * Queue a copy of rec (len bytes, one whole record). Returns APR_SUCCESS
 * when the record was queued, or the callback's status when it had to be
 * written directly; in drop mode APR_EAGAIN or APR_ENOSPC when it was not
 * taken (see ab_batch_set_drop()).
 */
apr_status_t ab_batch_put(ab_batch_t *b, const char *rec, apr_size_t len);

/** Ask the writer to write the open buffer now (does not wait). */
void ab_batch_flush(ab_batch_t *b);

/**
 * Write everything queued, stop the writer thread and join it. Later
 * puts write directly. Safe to call more than once.
 */
apr_status_t ab_batch_close(ab_batch_t *b);

/** A snapshot of the counters. */
void ab_batch_stats(ab_batch_t *b, ab_batch_stats_t *st);

#endif /* AB_BATCH_H */
