/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* idp_topn: the bounded tracker of busy backends, its rows in shared
 * memory and the merge of rows into the n busiest. */
#include <stdio.h>
#include <string.h>

#include "idp_topn.h"
#include "test_common.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static const idp_topn_item_t *item(const apr_array_header_t *a, int i)
{
    return &((const idp_topn_item_t *)a->elts)[i];
}

/* Rows of a tracker, read back and merged: exact sums, busiest first. */
START_TEST(counts_publish_merge)
{
    idp_topn_t *a = idp_topn_create(pool, 4), *b = idp_topn_create(pool, 4);
    apr_size_t cells = idp_topn_cells(4);
    apr_uint64_t *ra = apr_pcalloc(pool, cells * 8);
    apr_uint64_t *rb = apr_pcalloc(pool, cells * 8);
    apr_array_header_t *all = apr_array_make(pool, 8, sizeof(idp_topn_item_t));
    apr_array_header_t *top;

    ck_assert_ptr_null(idp_topn_create(pool, 0));
    ck_assert_ptr_null(idp_topn_create(pool, IDP_TOPN_CAPACITY_MAX + 1));
    idp_topn_add(a, "http://x:1", 30, 0);
    idp_topn_add(a, "http://y:1", 20, 2);
    idp_topn_add(a, "http://z:1", 10, 1);
    idp_topn_add(b, "http://y:1", 15, 0);
    idp_topn_add(b, "http://x:1", 1, 1);
    idp_topn_add(b, "http://z:1", 4, 0);
    idp_topn_publish(a, ra);
    idp_topn_publish(b, rb);
    ck_assert_uint_eq(ra[0] % 2, 0);
    ck_assert_int_eq(idp_topn_read(ra, 4, pool, all), 1);
    ck_assert_int_eq(idp_topn_read(rb, 4, pool, all), 1);
    ck_assert_int_eq(all->nelts, 6);
    top = idp_topn_merge(pool, all, 2);
    ck_assert_int_eq(top->nelts, 2);
    ck_assert_str_eq(item(top, 0)->key, "http://y:1");
    ck_assert_uint_eq(item(top, 0)->requests, 35);
    ck_assert_uint_eq(item(top, 0)->errors, 2);
    ck_assert_str_eq(item(top, 1)->key, "http://x:1");
    ck_assert_uint_eq(item(top, 1)->requests, 31);
    ck_assert_uint_eq(item(top, 1)->errors, 1);
    ck_assert_int_eq(idp_topn_merge(pool, all, 10)->nelts, 3);
    ck_assert_int_eq(idp_topn_merge(pool, all, 0)->nelts, 0);
    /* a row being written is not read */
    ra[0] |= 1;
    ck_assert_int_eq(idp_topn_read(ra, 4, pool, all), 0);
    ck_assert_int_eq(all->nelts, 6);
    /* an empty row reads as nothing */
    memset(ra, 0, cells * 8);
    ck_assert_int_eq(idp_topn_read(ra, 4, pool, all), 1);
    ck_assert_int_eq(all->nelts, 6);
}
END_TEST

/* Full: a new backend takes the least busy slot from 0 (a count is never
 * more than the true one); the busy ones keep their exact counts. */
START_TEST(bounded_replaces_least_busy)
{
    idp_topn_t *t = idp_topn_create(pool, 2);
    apr_uint64_t *row = apr_pcalloc(pool, idp_topn_cells(2) * 8);
    apr_array_header_t *all = apr_array_make(pool, 4, sizeof(idp_topn_item_t));
    apr_array_header_t *top;
    char key[IDP_TOPN_KEY_MAX + 2];
    int i;

    idp_topn_add(t, "a", 10, 0);
    idp_topn_add(t, "b", 3, 0);
    for (i = 0; i < 1000; i++) {
        char k[16];
        sprintf(k, "tail-%d", i);
        idp_topn_add(t, k, 1, 0);
    }
    ck_assert_int_eq(idp_topn_count(t), 2);
    idp_topn_add(t, "c", 1, 0);
    idp_topn_publish(t, row);
    idp_topn_read(row, 2, pool, all);
    top = idp_topn_merge(pool, all, 2);
    ck_assert_str_eq(item(top, 0)->key, "a");
    ck_assert_uint_eq(item(top, 0)->requests, 10);
    ck_assert_str_eq(item(top, 1)->key, "c");
    ck_assert_uint_eq(item(top, 1)->requests, 1);
    /* too long: not counted; the longest accepted round-trips */
    memset(key, 'k', sizeof(key));
    key[IDP_TOPN_KEY_MAX + 1] = '\0';
    idp_topn_add(t, key, 100, 0);
    key[IDP_TOPN_KEY_MAX] = '\0';
    idp_topn_add(t, key, 50, 0);
    idp_topn_publish(t, row);
    all->nelts = 0;
    idp_topn_read(row, 2, pool, all);
    top = idp_topn_merge(pool, all, 1);
    ck_assert_uint_eq(strlen(item(top, 0)->key), IDP_TOPN_KEY_MAX);
    ck_assert_uint_eq(item(top, 0)->requests, 50);
}
END_TEST

/* A child taking over a row goes on from its counts. */
START_TEST(load_continues_a_row)
{
    idp_topn_t *old = idp_topn_create(pool, 3), *t = idp_topn_create(pool, 3);
    apr_uint64_t *row = apr_pcalloc(pool, idp_topn_cells(3) * 8);
    apr_array_header_t *all = apr_array_make(pool, 4, sizeof(idp_topn_item_t));
    apr_array_header_t *top;

    idp_topn_add(old, "a", 7, 1);
    idp_topn_add(old, "b", 2, 0);
    idp_topn_publish(old, row);
    idp_topn_load(t, row);
    idp_topn_add(t, "a", 1, 0);
    idp_topn_publish(t, row);
    idp_topn_read(row, 3, pool, all);
    top = idp_topn_merge(pool, all, 3);
    ck_assert_int_eq(top->nelts, 2);
    ck_assert_str_eq(item(top, 0)->key, "a");
    ck_assert_uint_eq(item(top, 0)->requests, 8);
    ck_assert_uint_eq(item(top, 0)->errors, 1);
    ck_assert_uint_eq(item(top, 1)->requests, 2);
}
END_TEST

Suite *idp_topn_suite(void)
{
    Suite *s = suite_create("idp_topn");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, counts_publish_merge);
    tcase_add_test(tc, bounded_replaces_least_busy);
    tcase_add_test(tc, load_continues_a_row);
    suite_add_tcase(s, tc);
    return s;
}
