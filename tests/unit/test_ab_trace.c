/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_trace: traceparent validity (the W3C spec's examples
 * and the edges around them), the sampling hash pinned to fixed values,
 * its rate over a fixed key set, and AuditBodySample's arguments. */
#include <stdio.h>
#include <string.h>

#include "test_common.h"
#include "ab_trace.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

#define TID "4bf92f3577b34da6a3ce929d0e0e4736"
#define PID "00f067aa0ba902b7"

static const struct {
    const char *value;
    int valid, sampled;
} cases[] = {
    /* the spec's examples */
    { "00-" TID "-" PID "-01", 1, 1 },
    { "00-" TID "-" PID "-00", 1, 0 },
    { "00-00000000000000000000000000000000-" PID "-01", 0, 0 },
    { "00-" TID "-0000000000000000-01", 0, 0 },
    /* flags: any two lowercase hex digits, sampled is bit 0 */
    { "00-" TID "-" PID "-ff", 1, 1 },
    { "00-" TID "-" PID "-02", 1, 0 },
    { "00-" TID "-" PID "-03", 1, 1 },
    { "00-" TID "-" PID "-0A", 0, 0 },
    { "00-" TID "-" PID "-0g", 0, 0 },
    /* versions: ff invalid, a later one keeps the 00 layout then end or
     * '-', version 00 is exactly 55 characters */
    { "ff-" TID "-" PID "-01", 0, 0 },
    { "cc-" TID "-" PID "-01", 1, 1 },
    { "cc-" TID "-" PID "-01-what-the-future-will-be-like", 1, 1 },
    { "cc-" TID "-" PID "-01.what-the-future-will-be-like", 0, 0 },
    { "cc-" TID "-" PID "-01what", 0, 0 },
    { "00-" TID "-" PID "-01-", 0, 0 },
    { "00-" TID "-" PID "-01-what", 0, 0 },
    { "0A-" TID "-" PID "-01", 0, 0 },
    { "0g-" TID "-" PID "-01", 0, 0 },
    { "fe-" TID "-" PID "-01", 1, 1 },
    /* uppercase, whitespace, lengths, separators */
    { "00-4BF92F3577B34DA6A3CE929D0E0E4736-" PID "-01", 0, 0 },
    { "00-" TID "-00F067AA0BA902B7-01", 0, 0 },
    { " 00-" TID "-" PID "-01", 0, 0 },
    { "00-" TID "-" PID "-01 ", 0, 0 },
    { "00-" TID "-" PID "-01\t", 0, 0 },
    { "00-" TID "-" PID "-1", 0, 0 },
    { "00-" TID "-" PID "-", 0, 0 },
    { "00-" TID "-" PID, 0, 0 },
    { "00-" TID "0-" PID "-01", 0, 0 },
    { "00-" TID "-" PID "0-01", 0, 0 },
    { "00_" TID "-" PID "-01", 0, 0 },
    { "00-" TID "_" PID "-01", 0, 0 },
    { "00-" TID "-" PID "_01", 0, 0 },
    { "0-" TID "-" PID "-01", 0, 0 },
    { "00-4bf92f3577b34da6a3ce929d0e0e473-" PID "-01", 0, 0 },
    { "", 0, 0 },
};

START_TEST(traceparent_table)
{
    int i;

    for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
        ab_traceparent_t tp;
        int ok = ab_traceparent_parse(pool, cases[i].value, &tp);

        ck_assert_msg(ok == cases[i].valid, "'%s': %d", cases[i].value, ok);
        if (ok) {
            ck_assert_str_eq(tp.trace_id, TID);
            ck_assert_str_eq(tp.parent_id, PID);
        }
        else {
            ck_assert_ptr_null(tp.trace_id);
            ck_assert_ptr_null(tp.parent_id);
        }
        ck_assert_int_eq(tp.sampled, cases[i].sampled);
    }
    {
        ab_traceparent_t tp;

        ck_assert(!ab_traceparent_parse(pool, NULL, &tp));
        ck_assert_ptr_null(tp.trace_id);
    }
}
END_TEST

/* Pinned values: the function must give these on every machine, or two
 * hops of one trace would decide differently. (Computed independently
 * from the documented definition.) */
START_TEST(hash_pinned)
{
    ck_assert(ab_sample_hash("", 0) == APR_UINT64_C(0xefd01f60ba992926));
    ck_assert(ab_sample_hash("a", 1) == APR_UINT64_C(0x82a2a958a9bece5b));
    ck_assert(ab_sample_hash(TID, 32) == APR_UINT64_C(0xe668f55d97f2d8a8));
}
END_TEST

/* Square root by Newton's method (no -lm for one test). */
static double sqrt_approx(double x)
{
    double r = x > 1 ? x : 1;
    int i;

    for (i = 0; i < 60; i++) {
        r = (r + x / r) / 2;
    }
    return r;
}

/* Over a fixed set of 100000 sequential ids the rate is within 5 sigma
 * of the fraction; 0 keeps none, 1 keeps all; a key kept at one
 * fraction is kept at every larger one. */
START_TEST(sample_rate)
{
    static const double fr[] = { 0.01, 0.1, 0.5, 0.9 };
    int i, f, kept[4] = { 0, 0, 0, 0 };

    for (i = 0; i < 100000; i++) {
        char key[32];
        int n = snprintf(key, sizeof(key), "req-%06d", i), prev = 0;

        ck_assert(!ab_sample_keep(key, (apr_size_t)n, 0.0));
        ck_assert(ab_sample_keep(key, (apr_size_t)n, 1.0));
        for (f = 0; f < 4; f++) {
            int k = ab_sample_keep(key, (apr_size_t)n, fr[f]);

            ck_assert(k || !prev);
            prev = k;
            kept[f] += k;
        }
    }
    ck_assert_int_eq(kept[0], 953);     /* pinned, see hash_pinned */
    for (f = 0; f < 4; f++) {
        double want = fr[f] * 100000;
        double sigma = sqrt_approx(want * (1 - fr[f]));

        ck_assert_msg(kept[f] > want - 5 * sigma && kept[f] < want + 5 * sigma,
                      "fraction %g kept %d", fr[f], kept[f]);
    }
}
END_TEST

/* by=trace: every hop of a trace (other parent, other request id)
 * decides alike; traceparent mode follows the sampled flag. */
START_TEST(sample_decide)
{
    ab_sample_t s;
    ab_traceparent_t a, b, none;
    int i, same = 0, yes = 0;

    ck_assert(ab_traceparent_parse(pool, "00-" TID "-" PID "-01", &a));
    ck_assert(ab_traceparent_parse(pool, "00-" TID "-1111111111111111-00",
                                   &b));
    ck_assert(!ab_traceparent_parse(pool, "junk", &none));
    ck_assert_ptr_null(ab_sample_parse(pool, "0.5", "by=trace", &s));
    for (i = 0; i < 200; i++) {
        char r1[16], r2[16];

        snprintf(r1, sizeof(r1), "r%d", i);
        snprintf(r2, sizeof(r2), "x%d", i);
        same += ab_sample_decide(&s, &a, r1) == ab_sample_decide(&s, &b, r2);
        yes += ab_sample_decide(&s, &none, r1);
    }
    ck_assert_int_eq(same, 200);
    ck_assert(yes > 60 && yes < 140);   /* no trace: by request id */
    ck_assert_int_eq(ab_sample_decide(&s, &a, "r"),
                     ab_sample_keep(TID, 32, 0.5));

    ck_assert_ptr_null(ab_sample_parse(pool, "traceparent", NULL, &s));
    ck_assert(ab_sample_decide(&s, &a, "r"));
    ck_assert(!ab_sample_decide(&s, &b, "r"));
    ck_assert(!ab_sample_decide(&s, &none, "r"));
    ck_assert(!ab_sample_decide(&s, NULL, "r"));
    ck_assert(!ab_sample_decide(NULL, &a, "r"));

    ck_assert_ptr_null(ab_sample_parse(pool, "1", NULL, &s));
    ck_assert(ab_sample_decide(&s, NULL, "r"));
    ck_assert(!ab_sample_decide(&s, NULL, NULL));
}
END_TEST

START_TEST(sample_args)
{
    static const char *const bad[][2] = {
        { "", NULL }, { NULL, NULL }, { "1.5", NULL }, { "-0.1", NULL },
        { "abc", NULL }, { "0.5x", NULL }, { ".5", NULL }, { "1.", NULL },
        { "inf", NULL }, { "nan", NULL }, { "1e-2", NULL }, { " 0.5", NULL },
        { "0x1p-1", NULL }, { "1.0000001", NULL }, { "2", NULL },
        { "0.5", "by=foo" }, { "0.5", "by=" }, { "0.5", "trace" },
        { "traceparent", "by=trace" }, { "traceparent", "0.5" },
    };
    static const struct {
        const char *a1, *a2;
        ab_sample_mode_e mode;
        double f;
    } good[] = {
        { "0", NULL, AB_SAMPLE_BY_REQUEST, 0.0 },
        { "1", NULL, AB_SAMPLE_BY_REQUEST, 1.0 },
        { "1.000", NULL, AB_SAMPLE_BY_REQUEST, 1.0 },
        { "0.01", NULL, AB_SAMPLE_BY_REQUEST, 0.01 },
        { "0.5", "by=request", AB_SAMPLE_BY_REQUEST, 0.5 },
        { "0.5", "BY=Trace", AB_SAMPLE_BY_TRACE, 0.5 },
        { "traceparent", NULL, AB_SAMPLE_TRACEPARENT, 0.0 },
        { "TraceParent", NULL, AB_SAMPLE_TRACEPARENT, 0.0 },
    };
    int i;

    for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
        ab_sample_t s = { AB_SAMPLE_OFF, 0.25 };
        const char *err = ab_sample_parse(pool, bad[i][0], bad[i][1], &s);

        ck_assert_msg(err != NULL, "'%s' '%s' accepted",
                      bad[i][0] ? bad[i][0] : "(null)",
                      bad[i][1] ? bad[i][1] : "(null)");
        ck_assert_msg(strstr(err, "AuditBodySample") != NULL, "%s", err);
        ck_assert_int_eq(s.mode, AB_SAMPLE_OFF);
        ck_assert(s.fraction == 0.25);
    }
    for (i = 0; i < (int)(sizeof(good) / sizeof(good[0])); i++) {
        ab_sample_t s;
        const char *err = ab_sample_parse(pool, good[i].a1, good[i].a2, &s);

        ck_assert_msg(err == NULL, "'%s': %s", good[i].a1, err);
        ck_assert_int_eq(s.mode, good[i].mode);
        ck_assert(s.fraction == good[i].f);
    }
}
END_TEST

Suite *ab_trace_suite(void)
{
    Suite *s = suite_create("ab_trace");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, traceparent_table);
    tcase_add_test(tc, hash_pinned);
    tcase_add_test(tc, sample_rate);
    tcase_add_test(tc, sample_decide);
    tcase_add_test(tc, sample_args);
    suite_add_tcase(s, tc);
    return s;
}
