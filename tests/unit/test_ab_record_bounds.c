/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for what bounds a record: the number of header entries it
 * holds (and counts as left out), header grouping past the scan size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "test_common.h"
#include "cm_json.h"
#include "ab_record.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

#define HAS(line, frag) \
    ck_assert_msg(strstr((line), (frag)) != NULL, "missing %s in %.300s", \
                  (frag), (line))
#define LACKS(line, frag) \
    ck_assert_msg(strstr((line), (frag)) == NULL, "unexpected %s in %.300s", \
                  (frag), (line))

static void empty_record(ab_record_t *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->request.total = 0;
    rec->request.state = "none";
    rec->response.total = 0;
    rec->response.state = "none";
}

/* Occurrences of frag in s. */
static int count_of(const char *s, const char *frag)
{
    int n = 0;

    while ((s = strstr(s, frag)) != NULL) {
        n++;
        s += strlen(frag);
    }
    return n;
}

/* 20,000 response headers (10,000 names, one of them repeated 10,000
 * times): the record holds the first AB_RECORD_MAX_HEADERS entries and
 * says how many it left out; the request's few headers are all there. */
START_TEST(headers_bounded)
{
    apr_table_t *in = apr_table_make(pool, 2), *out;
    ab_record_t rec;
    apr_size_t len;
    const char *line, *resp;
    int i;

    out = apr_table_make(pool, 20000);
    for (i = 0; i < 10000; i++) {
        apr_table_addn(out, apr_psprintf(pool, "X-Many-%d", i), "v");
        apr_table_addn(out, "X-Rep", apr_psprintf(pool, "r%d", i));
    }
    apr_table_add(in, "Host", "example.com");
    empty_record(&rec);
    rec.request.headers = in;
    rec.response.headers = out;
    line = ab_record_format(pool, &rec, &len);
    ck_assert_uint_eq(strlen(line), len);
    HAS(line, "\"request\":{\"headers\":{\"Host\":\"example.com\"},"
              "\"headers_omitted\":0,");
    resp = strstr(line, "\"response\":");
    ck_assert_ptr_nonnull(resp);
    HAS(resp, "\"headers_omitted\":19744,");
    /* 128 names X-Many-0..127 and 128 values of X-Rep in one array */
    ck_assert_int_eq(count_of(resp, "\"X-Many-"), 128);
    HAS(resp, "\"X-Many-127\":\"v\"");
    LACKS(resp, "\"X-Many-128\"");
    ck_assert_int_eq(count_of(resp, "\"X-Rep\""), 1);
    HAS(resp, "\"X-Rep\":[\"r0\",\"r1\",");
    HAS(resp, ",\"r127\"]");
    LACKS(resp, "\"r128\"");
    ck_assert_uint_lt(len, 8192);
}
END_TEST

/* Exactly the cap: nothing omitted; one more: one omitted. */
START_TEST(headers_at_cap)
{
    ab_record_t rec;
    apr_size_t len;
    apr_table_t *out;
    const char *line;
    int i, extra;

    for (extra = 0; extra <= 1; extra++) {
        out = apr_table_make(pool, 300);
        for (i = 0; i < AB_RECORD_MAX_HEADERS + extra; i++) {
            apr_table_addn(out, apr_psprintf(pool, "H%d", i), "v");
        }
        empty_record(&rec);
        rec.response.headers = out;
        line = ab_record_format(pool, &rec, &len);
        HAS(line, extra ? "\"headers_omitted\":1," : "\"headers_omitted\":0,");
        ck_assert_int_eq(count_of(line, "\":\"v\""), AB_RECORD_MAX_HEADERS);
    }
}
END_TEST

/* More names than the scan handles: grouping goes through the hash table
 * and must group exactly as the scan does (case-insensitively, first
 * spelling wins, masked if any spelling is masked, in table order). */
START_TEST(headers_grouped_by_hash)
{
    apr_array_header_t *mask = apr_array_make(pool, 1, sizeof(char *));
    apr_table_t *out = apr_table_make(pool, 64);
    ab_record_t rec;
    apr_size_t len;
    const char *line;
    int i;

    *(const char **)apr_array_push(mask) = "x-secret";
    for (i = 0; i < 30; i++) {
        apr_table_addn(out, apr_psprintf(pool, "Name-%d", i),
                       apr_psprintf(pool, "a%d", i));
    }
    for (i = 0; i < 30; i++) {
        apr_table_addn(out, apr_psprintf(pool, "NAME-%d", i),
                       apr_psprintf(pool, "b%d", i));
    }
    apr_table_addn(out, "X-Secret", "s1");
    apr_table_addn(out, "x-SECRET", "s2");
    apr_table_addn(out, "Name-7", "c7");
    empty_record(&rec);
    rec.response.headers = out;
    rec.mask = mask;
    line = ab_record_format(pool, &rec, &len);
    for (i = 0; i < 30; i++) {
        HAS(line, apr_psprintf(pool, "\"Name-%d\":[\"a%d\",\"b%d\"%s]", i, i,
                               i, i == 7 ? ",\"c7\"" : ""));
    }
    LACKS(line, "\"NAME-");
    HAS(line, "\"X-Secret\":[\"***\",\"***\"]");
    LACKS(line, "s1");
    LACKS(line, "s2");
    LACKS(line, "x-SECRET");
    HAS(line, "\"headers_omitted\":0,");
}
END_TEST

Suite *ab_record_bounds_suite(void)
{
    Suite *s = suite_create("ab_record_bounds");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, headers_bounded);
    tcase_add_test(tc, headers_at_cap);
    tcase_add_test(tc, headers_grouped_by_hash);
    suite_add_tcase(s, tc);
    return s;
}
