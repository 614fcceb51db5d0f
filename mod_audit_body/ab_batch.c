/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_batch.c: the double-buffered record queue (see ab_batch.h). Pure:
 * APR threads only.
 *
 * One buffer is open to request threads, the other belongs to whoever
 * writes it. A put reserves its bytes under the lock and copies them
 * after releasing it (many request threads copy at once; the lock is held
 * for a few instructions, never for a copy and never across a write). The
 * buffer counts copies in flight, and a writer waits for them to finish
 * before it hands the buffer to the callback, so the callback only ever
 * sees whole records. Under load the request thread whose record fills
 * half the buffer writes the batch itself: it is running anyway, while
 * the writer thread would first have to be woken and scheduled (on a
 * busy machine that took long enough for the other half to fill up).
 * The writer thread writes what waited the delay, flushes and closes.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "ab_batch.h"

/* One of the two buffers. */
typedef struct {
    char *data;
    apr_uint32_t pending;           /* reserved, copy not finished (atomic) */
    apr_uint32_t sealed;            /* taken by the writer (atomic) */
} buf_t;

struct ab_batch {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *work;        /* the writer waits here */
    apr_thread_cond_t *room;        /* full puts wait here */
    apr_thread_cond_t *drained;     /* writers wait for copies here */
    apr_thread_t *thread;
    buf_t bufs[2];
    buf_t *open;                    /* the buffer puts copy into */
    apr_size_t open_len;
    apr_uint32_t open_n;            /* records in open */
    apr_time_t open_since;          /* when its first record came */
    buf_t *spare;                   /* NULL while someone writes it */
    apr_size_t size;
    apr_size_t threshold;           /* write once open holds this much */
    apr_interval_time_t interval;
    apr_interval_time_t max_wait;
    ab_batch_write_fn *write;
    void *baton;
    int flush;                      /* write open now */
    int idle;                       /* the writer thread waits for work */
    int closing;                    /* close asked: write all, then stop */
    int closed;                     /* the writer has stopped */
    int drop;                       /* never write from a put */
    ab_batch_stats_t st;
};

/* Called with the lock held, b->spare free and records in b->open: take
 * the open buffer, open the spare, wait for the copies still running into
 * the taken one, write it with the lock released, and give it back. Run
 * by whichever thread finds a batch due: the writer thread (delay, flush,
 * close) or a request thread (half full, or full). */
static void write_open(ab_batch_t *b)
{
    buf_t *buf = b->open;
    apr_size_t len = b->open_len;
    apr_uint32_t n = b->open_n;

    b->open = b->spare;
    b->spare = NULL;
    b->open_len = 0;
    b->open_n = 0;
    b->flush = 0;
    apr_thread_cond_broadcast(b->room);
    /* A put decrements pending, then reads sealed (both sequentially
     * consistent), and signals under the lock: one side sees the other. */
    apr_atomic_set32(&buf->sealed, 1);
    while (apr_atomic_read32(&buf->pending)) {
        apr_thread_cond_wait(b->drained, b->lock);
    }
    apr_thread_mutex_unlock(b->lock);

    b->write(b->baton, buf->data, len, n);

    apr_thread_mutex_lock(b->lock);
    apr_atomic_set32(&buf->sealed, 0);
    b->spare = buf;
    b->st.batches++;
    b->st.queued += n;
    apr_thread_cond_broadcast(b->room);
}

static void *APR_THREAD_FUNC writer_main(apr_thread_t *t, void *data)
{
    ab_batch_t *b = data;
    apr_time_t now;

    apr_thread_mutex_lock(b->lock);
    for (;;) {
        if (!b->spare) {
            /* a request thread writes the other buffer: wait for it */
            apr_thread_cond_wait(b->room, b->lock);
            continue;
        }
        if (b->open_len == 0) {
            if (b->closing) {
                break;
            }
            b->flush = 0;
            b->idle = 1;
            apr_thread_cond_wait(b->work, b->lock);
            b->idle = 0;
            continue;
        }
        if (!b->flush && !b->closing) {
            now = apr_time_now();
            if (now < b->open_since + b->interval) {
                apr_thread_cond_timedwait(b->work, b->lock,
                                          b->open_since + b->interval - now);
                continue;
            }
        }
        write_open(b);
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
    b->bufs[0].data = apr_palloc(p, size);
    b->bufs[1].data = apr_palloc(p, size);
    b->open = &b->bufs[0];
    b->spare = &b->bufs[1];
    if ((rv = apr_thread_mutex_create(&b->lock, APR_THREAD_MUTEX_DEFAULT, p))
            != APR_SUCCESS
        || (rv = apr_thread_cond_create(&b->work, p)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&b->room, p)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&b->drained, p)) != APR_SUCCESS
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

void ab_batch_set_drop(ab_batch_t *b, int drop)
{
    b->drop = drop;
}

/* Drop mode, lock held: have the writer thread take the open buffer now
 * (it may block in the write; a request thread must not). */
static void wake_writer(ab_batch_t *b)
{
    b->flush = 1;
    apr_thread_cond_signal(b->work);
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
    buf_t *buf;
    char *at;
    int half;

    if (len > b->size) {
        if (b->drop && !b->closed) {
            return APR_ENOSPC;
        }
        return put_direct(b, rec, len);
    }
    apr_thread_mutex_lock(b->lock);
    while (!b->closed && b->open_len + len > b->size) {
        if (b->drop) {
            if (b->spare && !b->flush) {
                wake_writer(b);
            }
        }
        else if (b->spare) {
            /* Full, and nobody writes the other buffer: write this one
             * now rather than wait for the writer thread to be run. */
            write_open(b);
            continue;
        }
        /* Both buffers are busy (a slow disk or pipe): wait a little. */
        now = apr_time_now();
        if (!deadline) {
            b->st.waits++;
            deadline = now + b->max_wait;
        }
        if (now >= deadline) {
            break;
        }
        apr_thread_cond_timedwait(b->room, b->lock, deadline - now);
    }
    if (b->closed || b->open_len + len > b->size) {
        if (b->drop && !b->closed) {
            b->st.dropped++;
            apr_thread_mutex_unlock(b->lock);
            return APR_EAGAIN;
        }
        apr_thread_mutex_unlock(b->lock);
        return put_direct(b, rec, len);
    }
    buf = b->open;
    at = buf->data + b->open_len;
    apr_atomic_inc32(&buf->pending);
    if (b->open_len == 0) {
        b->open_since = apr_time_now();
        if (b->idle) {
            /* the writer thread sleeps until a batch has a record */
            apr_thread_cond_signal(b->work);
        }
    }
    half = b->open_len < b->threshold && b->open_len + len >= b->threshold;
    b->open_len += len;
    b->open_n++;
    apr_thread_mutex_unlock(b->lock);

    memcpy(at, rec, len);
    if (apr_atomic_dec32(&buf->pending) == 0
        && apr_atomic_read32(&buf->sealed)) {
        /* a writer took this buffer and waits for the last copy */
        apr_thread_mutex_lock(b->lock);
        apr_thread_cond_broadcast(b->drained);
        apr_thread_mutex_unlock(b->lock);
    }
    if (half) {
        /* This record filled half the buffer: write the batch from this
         * thread (one write for many records, no wake-up of the writer
         * thread), unless it is gone or the other buffer is busy. */
        apr_thread_mutex_lock(b->lock);
        if (b->open == buf && b->open_len && b->spare && !b->closed) {
            if (b->drop) {
                wake_writer(b);
            }
            else {
                write_open(b);
            }
        }
        apr_thread_mutex_unlock(b->lock);
    }
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
