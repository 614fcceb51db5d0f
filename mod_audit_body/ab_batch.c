/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_batch.c: the double-buffered record queue (see ab_batch.h). Pure:
 * APR threads only.
 *
 * One buffer is open to request threads, the other belongs to the writer
 * while it writes. The writer is the only one that swaps them, so a
 * buffer handed to the callback is never touched by a request thread.
 * The lock is held for a memcpy of one record, never across a write.
 */
#include <string.h>

#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "ab_batch.h"

struct ab_batch {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *work;        /* the writer waits here */
    apr_thread_cond_t *room;        /* full puts wait here */
    apr_thread_t *thread;
    char *open;                     /* the buffer puts copy into */
    apr_size_t open_len;
    apr_uint32_t open_n;            /* records in open */
    apr_time_t open_since;          /* when its first record came */
    char *spare;                    /* NULL while the writer writes it */
    apr_size_t size;
    apr_size_t threshold;           /* write once open holds this much */
    apr_interval_time_t interval;
    apr_interval_time_t max_wait;
    ab_batch_write_fn *write;
    void *baton;
    int flush;                      /* write open now */
    int closing;                    /* close asked: write all, then stop */
    int closed;                     /* the writer has stopped */
    ab_batch_stats_t st;
};

static void *APR_THREAD_FUNC writer_main(apr_thread_t *t, void *data)
{
    ab_batch_t *b = data;
    char *buf;
    apr_size_t len;
    apr_uint32_t n;
    apr_time_t now;

    apr_thread_mutex_lock(b->lock);
    for (;;) {
        if (b->open_len == 0) {
            if (b->closing) {
                break;
            }
            b->flush = 0;
            apr_thread_cond_wait(b->work, b->lock);
            continue;
        }
        if (b->open_len < b->threshold && !b->flush && !b->closing) {
            now = apr_time_now();
            if (now < b->open_since + b->interval) {
                apr_thread_cond_timedwait(b->work, b->lock,
                                          b->open_since + b->interval - now);
                continue;
            }
        }
        /* Take the open buffer (whole records only) and open the spare. */
        buf = b->open;
        len = b->open_len;
        n = b->open_n;
        b->open = b->spare;
        b->spare = NULL;
        b->open_len = 0;
        b->open_n = 0;
        b->flush = 0;
        apr_thread_cond_broadcast(b->room);
        apr_thread_mutex_unlock(b->lock);

        b->write(b->baton, buf, len, n);

        apr_thread_mutex_lock(b->lock);
        b->spare = buf;
        b->st.batches++;
        b->st.queued += n;
    }
    /* Puts from now on write directly; wake any that wait for room. */
    b->closed = 1;
    apr_thread_cond_broadcast(b->room);
    apr_thread_mutex_unlock(b->lock);
    return NULL;
}

static apr_status_t batch_cleanup(void *data)
{
    return ab_batch_close(data);
}

apr_status_t ab_batch_create(ab_batch_t **pb, apr_pool_t *p, apr_size_t size,
                             apr_interval_time_t interval,
                             apr_interval_time_t max_wait,
                             ab_batch_write_fn *write, void *baton)
{
    ab_batch_t *b = apr_pcalloc(p, sizeof(*b));
    apr_status_t rv;

    b->size = size;
    b->threshold = size / 2 ? size / 2 : 1;
    b->interval = interval;
    b->max_wait = max_wait;
    b->write = write;
    b->baton = baton;
    b->open = apr_palloc(p, size);
    b->spare = apr_palloc(p, size);
    if ((rv = apr_thread_mutex_create(&b->lock, APR_THREAD_MUTEX_DEFAULT, p))
            != APR_SUCCESS
        || (rv = apr_thread_cond_create(&b->work, p)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&b->room, p)) != APR_SUCCESS
        || (rv = apr_thread_create(&b->thread, NULL, writer_main, b, p))
            != APR_SUCCESS) {
        return rv;
    }
    /* A pre-cleanup runs before the pool's subpools (the thread's among
     * them) and its other cleanups go: the writer still runs, and what
     * the callback writes to is still open. */
    apr_pool_pre_cleanup_register(p, b, batch_cleanup);
    *pb = b;
    return APR_SUCCESS;
}

static apr_status_t put_direct(ab_batch_t *b, const char *rec,
                               apr_size_t len)
{
    apr_thread_mutex_lock(b->lock);
    b->st.direct++;
    apr_thread_mutex_unlock(b->lock);
    return b->write(b->baton, rec, len, 1);
}

apr_status_t ab_batch_put(ab_batch_t *b, const char *rec, apr_size_t len)
{
    apr_time_t deadline = 0, now;

    if (len > b->size) {
        return put_direct(b, rec, len);
    }
    apr_thread_mutex_lock(b->lock);
    if (!b->closed && b->open_len + len > b->size) {
        /* Full: have the writer take this buffer, wait a little. */
        b->flush = 1;
        apr_thread_cond_signal(b->work);
        b->st.waits++;
        while (!b->closed && b->open_len + len > b->size) {
            now = apr_time_now();
            if (!deadline) {
                deadline = now + b->max_wait;
            }
            if (now >= deadline) {
                break;
            }
            apr_thread_cond_timedwait(b->room, b->lock, deadline - now);
        }
    }
    if (b->closed || b->open_len + len > b->size) {
        apr_thread_mutex_unlock(b->lock);
        return put_direct(b, rec, len);
    }
    memcpy(b->open + b->open_len, rec, len);
    if (b->open_len == 0) {
        /* The writer sleeps until the first record of a batch comes. */
        b->open_since = apr_time_now();
        apr_thread_cond_signal(b->work);
    }
    else if (b->open_len < b->threshold
             && b->open_len + len >= b->threshold) {
        apr_thread_cond_signal(b->work);
    }
    b->open_len += len;
    b->open_n++;
    apr_thread_mutex_unlock(b->lock);
    return APR_SUCCESS;
}

void ab_batch_flush(ab_batch_t *b)
{
    apr_thread_mutex_lock(b->lock);
    b->flush = 1;
    apr_thread_cond_signal(b->work);
    apr_thread_mutex_unlock(b->lock);
}

apr_status_t ab_batch_close(ab_batch_t *b)
{
    apr_status_t rv = APR_SUCCESS;
    apr_thread_t *t;

    apr_thread_mutex_lock(b->lock);
    t = b->closing ? NULL : b->thread;
    b->closing = 1;
    apr_thread_cond_signal(b->work);
    apr_thread_mutex_unlock(b->lock);
    if (t) {
        apr_thread_join(&rv, t);
    }
    return rv;
}

void ab_batch_stats(ab_batch_t *b, ab_batch_stats_t *st)
{
    apr_thread_mutex_lock(b->lock);
    *st = b->st;
    apr_thread_mutex_unlock(b->lock);
}
