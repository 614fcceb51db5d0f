/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_capture: the cap edges and chunks straddling it. */
#include <stdlib.h>
#include <string.h>

#include "test_common.h"
#include "ab_capture.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* Feed total bytes of a known pattern in chunks of size chunk. */
static void feed(ab_capture_t *c, apr_size_t total, apr_size_t chunk)
{
    char buf[4096];
    apr_size_t done = 0, i;

    while (done < total) {
        apr_size_t n = total - done < chunk ? total - done : chunk;
        for (i = 0; i < n; i++) {
            buf[i] = (char)('a' + (done + i) % 26);
        }
        ab_capture_add(c, pool, buf, n);
        done += n;
    }
}

/* The captured bytes in one buffer (from the segments, in order). */
static char *flat(const ab_capture_t *c)
{
    cm_seg_t segs[AB_CAPTURE_SEGS];
    char *out = apr_palloc(pool, c->len + 1);
    apr_size_t at = 0;
    int i, n = ab_capture_segments(c, segs);

    for (i = 0; i < n; i++) {
        ck_assert_uint_gt(segs[i].n, 0);
        memcpy(out + at, segs[i].p, segs[i].n);
        at += segs[i].n;
    }
    ck_assert_uint_eq(at, c->len);
    return out;
}

static void check_pattern(const ab_capture_t *c)
{
    const char *buf = flat(c);
    char *want = apr_palloc(pool, c->len + 1);
    apr_size_t i;

    for (i = 0; i < c->len; i++) {
        want[i] = (char)('a' + (int)(i % 26));
    }
    ck_assert_msg(!memcmp(buf, want, c->len), "captured bytes differ");
}

static void edge(apr_size_t cap, apr_size_t total, apr_size_t chunk)
{
    ab_capture_t c;
    apr_size_t want = total < cap ? total : cap;

    ab_capture_init(&c, cap, -1);
    feed(&c, total, chunk);
    ck_assert_uint_eq(c.len, want);
    ck_assert_int_eq(c.total, (apr_off_t)total);
    ck_assert_int_eq(ab_capture_truncated(&c), total > cap);
    ck_assert_uint_le(c.alloc, cap);
    check_pattern(&c);
}

START_TEST(cap_minus_one)
{
    edge(1000, 999, 999);
    edge(1000, 999, 1);
    edge(1000, 999, 100);
}
END_TEST

START_TEST(cap_exact)
{
    edge(1000, 1000, 1000);
    edge(1000, 1000, 7);
}
END_TEST

START_TEST(cap_plus_one)
{
    edge(1000, 1001, 1001);
    edge(1000, 1001, 1);
    edge(1000, 1001, 500);
}
END_TEST

START_TEST(straddling_chunk)
{
    ab_capture_t c;
    apr_size_t copied;

    ab_capture_init(&c, 10, -1);
    copied = ab_capture_add(&c, pool, "abcdefgh", 8);
    ck_assert_uint_eq(copied, 8);
    ck_assert_uint_eq(ab_capture_room(&c), 2);
    copied = ab_capture_add(&c, pool, "ijklmn", 6);
    ck_assert_uint_eq(copied, 2);
    ck_assert_uint_eq(c.len, 10);
    ck_assert_int_eq(c.total, 14);
    ck_assert(memcmp(flat(&c), "abcdefghij", 10) == 0);
    ck_assert_uint_eq(ab_capture_add(&c, pool, "xyz", 3), 0);
    ck_assert_int_eq(c.total, 17);
    ck_assert(ab_capture_truncated(&c));
}
END_TEST

START_TEST(large_body_small_cap)
{
    /* 10 MiB through a 64 KiB cap: the buffer never exceeds the cap. */
    edge(65536, 10 * 1024 * 1024, 4096);
}
END_TEST

START_TEST(limit_zero)
{
    ab_capture_t c;

    ab_capture_init(&c, 0, 100);
    ck_assert_uint_eq(ab_capture_add(&c, pool, "abc", 3), 0);
    ck_assert_int_eq(c.nseg, 0);
    ck_assert_int_eq(c.total, 3);
    ck_assert(ab_capture_truncated(&c));
}
END_TEST

START_TEST(hint_sizes_buffer_once)
{
    ab_capture_t c;

    ab_capture_init(&c, 65536, 300);
    feed(&c, 300, 100);
    ck_assert_uint_eq(c.alloc, 300);
    ck_assert_uint_eq(c.len, 300);
    ck_assert(!ab_capture_truncated(&c));

    /* A hint larger than the cap allocates the cap, no more. */
    ab_capture_init(&c, 1000, 5000);
    feed(&c, 5000, 333);
    ck_assert_uint_eq(c.alloc, 1000);
    check_pattern(&c);
}
END_TEST

START_TEST(wrong_hint_still_bounded)
{
    ab_capture_t c;

    /* Content-Length said 10, the body is longer: grow up to the cap. */
    ab_capture_init(&c, 20000, 10);
    feed(&c, 30000, 1000);
    ck_assert_uint_eq(c.len, 20000);
    ck_assert_uint_le(c.alloc, 20000);
    check_pattern(&c);
}
END_TEST

START_TEST(reserve_commit_and_skip)
{
    ab_capture_t c;
    apr_size_t avail;
    char *dst;

    ab_capture_init(&c, 8, -1);
    dst = ab_capture_space(&c, pool, 0, &avail);
    ck_assert_uint_ge(avail, 5);
    memcpy(dst, "hello", 5);
    ab_capture_commit(&c, 5);
    ab_capture_skip(&c, 100);
    ck_assert_uint_eq(c.len, 5);
    ck_assert_int_eq(c.total, 105);
    ck_assert_uint_eq(ab_capture_room(&c), 3);
    ck_assert(memcmp(flat(&c), "hello", 5) == 0);

    /* Unknown-length data passed uncounted marks the copy truncated. */
    ab_capture_init(&c, 8, -1);
    ab_capture_add(&c, pool, "ab", 2);
    ck_assert(!ab_capture_truncated(&c));
    c.unknown = 1;
    ck_assert(ab_capture_truncated(&c));
}
END_TEST

/* put copies up to the cap across segments without counting: total
 * stays what skip counted (the encoded bytes of a decoded body). */
START_TEST(put_copies_without_counting)
{
    ab_capture_t c;
    char big[20000];
    apr_size_t i;

    for (i = 0; i < sizeof(big); i++) {
        big[i] = (char)('a' + i % 26);
    }
    ab_capture_init(&c, 10000, -1);
    ab_capture_skip(&c, 7);
    ck_assert_uint_eq(ab_capture_put(&c, pool, big, 9000), 9000);
    ck_assert_uint_eq(ab_capture_put(&c, pool, big + 9000, 11000), 1000);
    ck_assert_uint_eq(ab_capture_put(&c, pool, big, 5), 0);
    ck_assert_uint_eq(c.len, 10000);
    ck_assert_int_eq(c.total, 7);
    ck_assert_uint_le(c.alloc, 10000);
    ck_assert(memcmp(flat(&c), big, 10000) == 0);
}
END_TEST

/* Nothing is allocated before the first byte, whatever the cap and the
 * hint (a zero Content-Length included). */
START_TEST(reserve_zero_before_data)
{
    ab_capture_t c;

    ab_capture_init(&c, 8, -1);
    ab_capture_commit(&c, 0);
    ck_assert_uint_eq(c.len, 0);
    ck_assert_int_eq(c.total, 0);
    ck_assert_uint_eq(c.alloc, 0);
    ck_assert_int_eq(ab_capture_segments(&c, NULL), 0);
    ab_capture_init(&c, 0, -1);
    ck_assert_uint_eq(ab_capture_add(&c, pool, "x", 1), 0);
    ck_assert_uint_eq(c.alloc, 0);
    ab_capture_init(&c, 8, 0);
    ck_assert_uint_eq(c.alloc, 0);
}
END_TEST

/* A body of unknown length grows in segments that are kept, never copied:
 * all of them together stay within the cap, each byte lands once, and a
 * pread-style copy across segment ends works piece by piece. */
START_TEST(segments_within_cap)
{
    static const apr_size_t caps[] = { 1, 8191, 8192, 8193, 100000,
                                       16 * 1024 * 1024 };
    ab_capture_t c;
    apr_size_t i, avail, got;
    char *dst;

    for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        if (getenv("UNIT_QUICK") && caps[i] > 1024 * 1024) {
            continue;           /* valgrind: the small caps suffice */
        }
        ab_capture_init(&c, caps[i], -1);
        feed(&c, caps[i] + 5000, 4000);
        ck_assert_uint_eq(c.len, caps[i]);
        ck_assert_uint_le(c.alloc, caps[i]);
        ck_assert_int_le(c.nseg, AB_CAPTURE_SEGS);
        check_pattern(&c);
    }
    /* a wrong tiny hint: first segment 3 bytes, then 8 KiB, ... */
    ab_capture_init(&c, 20000, 3);
    got = 0;
    while (got < 10000) {
        dst = ab_capture_space(&c, pool, got, &avail);
        if (avail > 10000 - got) {
            avail = 10000 - got;
        }
        for (i = 0; i < avail; i++) {
            dst[i] = (char)('a' + (got + i) % 26);
        }
        got += avail;
    }
    ck_assert_uint_eq(c.len, 0);
    ab_capture_commit(&c, got);
    ck_assert_uint_eq(c.segsize[0], 3);
    ck_assert_uint_eq(c.len, 10000);
    ck_assert_uint_le(c.alloc, 20000);
    check_pattern(&c);
}
END_TEST

Suite *ab_capture_suite(void)
{
    Suite *s = suite_create("ab_capture");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, cap_minus_one);
    tcase_add_test(tc, cap_exact);
    tcase_add_test(tc, segments_within_cap);
    tcase_add_test(tc, cap_plus_one);
    tcase_add_test(tc, straddling_chunk);
    tcase_add_test(tc, large_body_small_cap);
    tcase_add_test(tc, limit_zero);
    tcase_add_test(tc, hint_sizes_buffer_once);
    tcase_add_test(tc, wrong_hint_still_bounded);
    tcase_add_test(tc, reserve_commit_and_skip);
    tcase_add_test(tc, reserve_zero_before_data);
    tcase_add_test(tc, put_copies_without_counting);
    suite_add_tcase(s, tc);
    return s;
}
