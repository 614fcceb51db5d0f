/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_batch: every record arrives once and whole, each
 * callback call holds only whole records, a full queue or an oversized
 * record is written directly (and counted), and closing or destroying the
 * pool writes what is queued. The sink is a memory buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_atomic.h>
#include <apr_portable.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "test_common.h"
#include "ab_batch.h"

static apr_pool_t *pool;

/* The memory sink the callback appends to. */
typedef struct {
    apr_thread_mutex_t *lock;
    char *buf;
    apr_size_t len, cap;
    apr_uint32_t calls;
    apr_uint32_t records;
    int torn;                       /* a call held a partial record */
    apr_interval_time_t delay;      /* sleep in each call (slow disk) */
    apr_os_thread_t forbidden;      /* must never call (drop mode) */
    int forbidden_set;
    int forbidden_called;
} sink_t;

static sink_t sink;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    memset(&sink, 0, sizeof(sink));
    apr_thread_mutex_create(&sink.lock, APR_THREAD_MUTEX_DEFAULT, pool);
    sink.cap = 16 * 1024 * 1024;
    sink.buf = malloc(sink.cap);
    ck_assert_ptr_nonnull(sink.buf);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    free(sink.buf);
}

/* Records are lines "<thread> <seq> <padding>\n". */
static apr_status_t sink_write(void *baton, const char *buf, apr_size_t len,
                               apr_uint32_t nrec)
{
    sink_t *s = baton;
    apr_uint32_t lines = 0;
    apr_size_t i;

    if (s->forbidden_set
        && apr_os_thread_equal(s->forbidden, apr_os_thread_current())) {
        s->forbidden_called = 1;
    }
    if (s->delay) {
        apr_sleep(s->delay);
    }
    for (i = 0; i < len; i++) {
        lines += buf[i] == '\n';
    }
    apr_thread_mutex_lock(s->lock);
    if (len == 0 || buf[len - 1] != '\n' || lines != nrec) {
        s->torn = 1;
    }
    ck_assert_uint_le(s->len + len, s->cap);
    memcpy(s->buf + s->len, buf, len);
    s->len += len;
    s->calls++;
    s->records += nrec;
    apr_thread_mutex_unlock(s->lock);
    return APR_SUCCESS;
}

static apr_size_t make_record(char *dst, int thread, int seq,
                              apr_size_t pad)
{
    int n = sprintf(dst, "%d %d ", thread, seq);

    memset(dst + n, 'a' + (seq % 26), pad);
    dst[n + pad] = '\n';
    return (apr_size_t)n + pad + 1;
}

/* Every (thread, seq) of threads x per appears exactly once. */
static void check_all(int threads, int per)
{
    char *seen = calloc((size_t)threads * (size_t)per, 1);
    apr_size_t at = 0;
    char *end;
    int t, q, n = 0;

    ck_assert_ptr_nonnull(seen);
    ck_assert_int_eq(sink.torn, 0);
    while (at < sink.len) {
        char *nl = memchr(sink.buf + at, '\n', sink.len - at);

        ck_assert_ptr_nonnull(nl);
        /* strtol, not sscanf: sscanf would strlen the whole sink */
        t = (int)strtol(sink.buf + at, &end, 10);
        ck_assert_int_eq(*end, ' ');
        q = (int)strtol(end + 1, &end, 10);
        ck_assert_int_eq(*end, ' ');
        ck_assert(t >= 0 && t < threads && q >= 0 && q < per);
        ck_assert_int_eq(seen[t * per + q], 0);
        seen[t * per + q] = 1;
        n++;
        at = (apr_size_t)(nl - sink.buf) + 1;
    }
    ck_assert_int_eq(n, threads * per);
    free(seen);
}

typedef struct {
    ab_batch_t *b;
    int id;
    int per;
    apr_size_t maxpad;
} producer_t;

static void *APR_THREAD_FUNC produce(apr_thread_t *t, void *data)
{
    producer_t *p = data;
    char rec[9000];
    apr_uint32_t x = (apr_uint32_t)p->id * 7919u + 1;
    int i;

    for (i = 0; i < p->per; i++) {
        apr_size_t len;

        x = x * 1664525u + 1013904223u;
        len = make_record(rec, p->id, i, (x >> 8) % (p->maxpad + 1));
        ck_assert_int_eq(ab_batch_put(p->b, rec, len), APR_SUCCESS);
    }
    return NULL;
}

static void run_producers(ab_batch_t *b, int threads, int per,
                          apr_size_t maxpad)
{
    apr_thread_t *t[16];
    producer_t p[16];
    apr_status_t rv;
    int i;

    ck_assert_int_le(threads, 16);
    for (i = 0; i < threads; i++) {
        p[i].b = b;
        p[i].id = i;
        p[i].per = per;
        p[i].maxpad = maxpad;
        ck_assert_int_eq(apr_thread_create(&t[i], NULL, produce, &p[i],
                                           pool), APR_SUCCESS);
    }
    for (i = 0; i < threads; i++) {
        apr_thread_join(&rv, t[i]);
    }
}

START_TEST(concurrent_whole_records)
{
    ab_batch_t *b;
    ab_batch_stats_t st;

    ck_assert_int_eq(ab_batch_create(&b, pool, 16384,
                                     apr_time_from_msec(20),
                                     apr_time_from_msec(50), sink_write,
                                     &sink), APR_SUCCESS);
    run_producers(b, 8, 3000, 600);
    ck_assert_int_eq(ab_batch_close(b), APR_SUCCESS);
    check_all(8, 3000);
    ab_batch_stats(b, &st);
    ck_assert_uint_eq(st.queued + st.direct, 8 * 3000);
    ck_assert_uint_eq(sink.records, 8 * 3000);
    /* batching happened: far fewer writes than records */
    ck_assert_uint_lt(st.batches, 8 * 3000 / 4);
    ck_assert_uint_eq(sink.calls, st.batches + st.direct);
}
END_TEST

/* Large records in small buffers: the writer takes buffers while other
 * threads are still copying into them, and must wait for those copies. */
START_TEST(swaps_during_copies)
{
    ab_batch_t *b;
    ab_batch_stats_t st;

    ck_assert_int_eq(ab_batch_create(&b, pool, 16384, apr_time_from_msec(1),
                                     apr_time_from_msec(50), sink_write,
                                     &sink), APR_SUCCESS);
    run_producers(b, 10, 400, 6000);
    ck_assert_int_eq(ab_batch_close(b), APR_SUCCESS);
    check_all(10, 400);
    ab_batch_stats(b, &st);
    ck_assert_uint_eq(st.queued + st.direct, 10 * 400);
    ck_assert_uint_gt(st.batches, 100);
}
END_TEST

START_TEST(oversized_written_directly)
{
    ab_batch_t *b;
    ab_batch_stats_t st;
    char rec[5000];
    apr_size_t len;

    ck_assert_int_eq(ab_batch_create(&b, pool, 4096, apr_time_from_sec(10),
                                     apr_time_from_msec(10), sink_write,
                                     &sink), APR_SUCCESS);
    len = make_record(rec, 0, 0, 4100);
    ck_assert_uint_gt(len, 4096);
    ck_assert_int_eq(ab_batch_put(b, rec, len), APR_SUCCESS);
    /* written at once, in this thread */
    ck_assert_uint_eq(sink.records, 1);
    ck_assert_uint_eq(sink.len, len);
    len = make_record(rec, 0, 1, 4096 - 5);     /* exactly the size */
    ck_assert_uint_eq(len, 4096);
    ck_assert_int_eq(ab_batch_put(b, rec, len), APR_SUCCESS);
    ab_batch_stats(b, &st);
    ck_assert_uint_eq(st.direct, 1);
    ck_assert_int_eq(ab_batch_close(b), APR_SUCCESS);
    check_all(1, 2);
    ab_batch_stats(b, &st);
    ck_assert_uint_eq(st.queued, 1);
}
END_TEST

START_TEST(full_queue_waits_then_writes_directly)
{
    ab_batch_t *b;
    ab_batch_stats_t st;

    /* A slow sink (20 ms a call) and tiny buffers: producers fill both
     * buffers, wait at most 1 ms, then write themselves. */
    sink.delay = apr_time_from_msec(20);
    ck_assert_int_eq(ab_batch_create(&b, pool, 2048, apr_time_from_msec(5),
                                     apr_time_from_msec(1), sink_write,
                                     &sink), APR_SUCCESS);
    run_producers(b, 4, 40, 200);
    ab_batch_stats(b, &st);
    ck_assert_uint_gt(st.waits, 0);
    ck_assert_uint_gt(st.direct, 0);
    ck_assert_int_eq(ab_batch_close(b), APR_SUCCESS);
    check_all(4, 40);
    ab_batch_stats(b, &st);
    ck_assert_uint_eq(st.queued + st.direct, 160);
}
END_TEST

/* Drop mode (AuditBodyLogOnFull drop): with a stalled sink (300 ms a
 * call) a put never writes and never waits longer than max_wait; what
 * finds no room is refused and counted, what was taken is written whole,
 * a record larger than a buffer is handed back. */
START_TEST(drop_mode_never_writes_from_put)
{
    ab_batch_t *b;
    ab_batch_stats_t st;
    char rec[5000];
    apr_size_t len;
    apr_time_t t0, worst = 0;
    int i, taken = 0, refused = 0;

    sink.delay = apr_time_from_msec(300);
    sink.forbidden = apr_os_thread_current();
    sink.forbidden_set = 1;
    ck_assert_int_eq(ab_batch_create(&b, pool, 4096, apr_time_from_msec(1),
                                     apr_time_from_msec(5), sink_write,
                                     &sink), APR_SUCCESS);
    ab_batch_set_drop(b, 1);
    for (i = 0; i < 200; i++) {
        apr_status_t rv;

        len = make_record(rec, 0, i, 400);
        t0 = apr_time_now();
        rv = ab_batch_put(b, rec, len);
        if (apr_time_now() - t0 > worst) {
            worst = apr_time_now() - t0;
        }
        if (rv == APR_SUCCESS) {
            taken++;
        }
        else {
            ck_assert_int_eq(rv, APR_EAGAIN);
            refused++;
        }
    }
    ck_assert_int_gt(refused, 0);
    ck_assert_int_gt(taken, 0);
    /* below one 300 ms write: no put waited for the sink */
    ck_assert_int_lt(worst, apr_time_from_msec(250));
    len = make_record(rec, 0, 999, 4200);
    ck_assert_int_eq(ab_batch_put(b, rec, len), APR_ENOSPC);
    ck_assert_int_eq(ab_batch_close(b), APR_SUCCESS);
    ck_assert_int_eq(sink.forbidden_called, 0);
    ck_assert_int_eq(sink.torn, 0);
    ab_batch_stats(b, &st);
    ck_assert_uint_eq(st.dropped, (apr_uint32_t)refused);
    ck_assert_uint_eq(st.direct, 0);
    ck_assert_uint_eq(sink.records, (apr_uint32_t)taken);
}
END_TEST

START_TEST(close_writes_what_is_queued)
{
    ab_batch_t *b;
    ab_batch_stats_t st;
    char rec[64];
    int i;

    /* the interval would hold these records for a minute */
    ck_assert_int_eq(ab_batch_create(&b, pool, 65536, apr_time_from_sec(60),
                                     apr_time_from_msec(10), sink_write,
                                     &sink), APR_SUCCESS);
    for (i = 0; i < 3; i++) {
        ab_batch_put(b, rec, make_record(rec, 0, i, 10));
    }
    apr_sleep(apr_time_from_msec(50));
    ck_assert_uint_eq(sink.records, 0);
    ck_assert_int_eq(ab_batch_close(b), APR_SUCCESS);
    ck_assert_uint_eq(sink.records, 3);
    ck_assert_uint_eq(sink.calls, 1);
    /* after close: written directly, never lost */
    ab_batch_put(b, rec, make_record(rec, 0, 3, 10));
    ck_assert_uint_eq(sink.records, 4);
    ck_assert_int_eq(ab_batch_close(b), APR_SUCCESS);
    check_all(1, 4);
    ab_batch_stats(b, &st);
    ck_assert_uint_eq(st.queued, 3);
    ck_assert_uint_eq(st.direct, 1);
}
END_TEST

START_TEST(pool_destroy_writes_what_is_queued)
{
    apr_pool_t *child;
    ab_batch_t *b;
    char rec[64];
    int i;

    apr_pool_create(&child, pool);
    ck_assert_int_eq(ab_batch_create(&b, child, 65536,
                                     apr_time_from_sec(60),
                                     apr_time_from_msec(10), sink_write,
                                     &sink), APR_SUCCESS);
    for (i = 0; i < 5; i++) {
        ab_batch_put(b, rec, make_record(rec, 0, i, 10));
    }
    apr_pool_destroy(child);
    check_all(1, 5);
}
END_TEST

START_TEST(interval_and_flush)
{
    ab_batch_t *b;
    char rec[64];
    int i;

    ck_assert_int_eq(ab_batch_create(&b, pool, 65536,
                                     apr_time_from_msec(20),
                                     apr_time_from_msec(10), sink_write,
                                     &sink), APR_SUCCESS);
    ab_batch_put(b, rec, make_record(rec, 0, 0, 10));
    for (i = 0; i < 100 && apr_atomic_read32(&sink.records) < 1; i++) {
        apr_sleep(apr_time_from_msec(10));
    }
    ck_assert_uint_eq(apr_atomic_read32(&sink.records), 1);
    ab_batch_close(b);

    ck_assert_int_eq(ab_batch_create(&b, pool, 65536, apr_time_from_sec(60),
                                     apr_time_from_msec(10), sink_write,
                                     &sink), APR_SUCCESS);
    ab_batch_put(b, rec, make_record(rec, 0, 1, 10));
    ab_batch_flush(b);
    for (i = 0; i < 100 && apr_atomic_read32(&sink.records) < 2; i++) {
        apr_sleep(apr_time_from_msec(10));
    }
    ck_assert_uint_eq(apr_atomic_read32(&sink.records), 2);
    ab_batch_close(b);
    check_all(1, 2);
}
END_TEST

Suite *ab_batch_suite(void)
{
    Suite *s = suite_create("ab_batch");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, concurrent_whole_records);
    tcase_add_test(tc, swaps_during_copies);
    tcase_add_test(tc, oversized_written_directly);
    tcase_add_test(tc, full_queue_waits_then_writes_directly);
    tcase_add_test(tc, drop_mode_never_writes_from_put);
    tcase_add_test(tc, close_writes_what_is_queued);
    tcase_add_test(tc, pool_destroy_writes_what_is_queued);
    tcase_add_test(tc, interval_and_flush);
    suite_add_tcase(s, tc);
    return s;
}
