/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_conf: defaults, merging with unset sentinels, value
 * parsing and the mask list. */
#include <string.h>

#include "test_common.h"
#include "ab_conf.h"
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

START_TEST(defaults)
{
    ab_dir_conf_t *c = ab_dir_conf_create(pool);
    apr_array_header_t *dflt = apr_array_make(pool, 1, sizeof(char *));

    ck_assert_int_eq(ab_conf_enabled(c), 0);
    ck_assert_uint_eq(ab_conf_req_limit(c), 65536);
    ck_assert_uint_eq(ab_conf_resp_limit(c), 65536);
    ck_assert_ptr_eq(ab_conf_types(c, dflt), dflt);
    ck_assert(ab_header_masked(ab_conf_mask(c), "authorization"));
    ck_assert(ab_header_masked(ab_conf_mask(c), "Proxy-Authorization"));
    ck_assert(ab_header_masked(ab_conf_mask(c), "COOKIE"));
    ck_assert(ab_header_masked(ab_conf_mask(c), "Set-Cookie"));
    ck_assert(!ab_header_masked(ab_conf_mask(c), "Host"));
}
END_TEST

START_TEST(merge_unset_and_back_to_default)
{
    ab_dir_conf_t *base = ab_dir_conf_create(pool);
    ab_dir_conf_t *add = ab_dir_conf_create(pool);
    ab_dir_conf_t *m, *m2, *off;

    base->enabled = 1;
    base->req_limit = 100;
    m = ab_dir_conf_merge(pool, base, add);
    ck_assert_int_eq(ab_conf_enabled(m), 1);
    ck_assert_uint_eq(ab_conf_req_limit(m), 100);
    ck_assert_uint_eq(ab_conf_resp_limit(m), 65536);

    /* A nested context turns capture off again and resets the limit to
     * the default value explicitly. */
    off = ab_dir_conf_create(pool);
    off->enabled = 0;
    off->req_limit = 65536;
    m2 = ab_dir_conf_merge(pool, m, off);
    ck_assert_int_eq(ab_conf_enabled(m2), 0);
    ck_assert_uint_eq(ab_conf_req_limit(m2), 65536);

    /* Types: the inner list replaces the outer one. */
    add->types = apr_array_make(pool, 1, sizeof(char *));
    APR_ARRAY_PUSH(add->types, const char *) = "application/xml";
    m = ab_dir_conf_merge(pool, base, add);
    ck_assert_ptr_eq(ab_conf_types(m, NULL), add->types);
}
END_TEST

START_TEST(mask_add_remove_inherit)
{
    ab_dir_conf_t *outer = ab_dir_conf_create(pool);
    ab_dir_conf_t *inner = ab_dir_conf_create(pool);
    ab_dir_conf_t *m;

    ck_assert_ptr_null(ab_conf_mask_arg(pool, outer, "X-Api-Key"));
    ck_assert(ab_header_masked(ab_conf_mask(outer), "x-api-key"));
    ck_assert(ab_header_masked(ab_conf_mask(outer), "Cookie"));

    ck_assert_ptr_null(ab_conf_mask_arg(pool, inner, "-Cookie"));
    ck_assert_ptr_null(ab_conf_mask_arg(pool, inner, "X-Other"));
    m = ab_dir_conf_merge(pool, outer, inner);
    ck_assert(ab_header_masked(ab_conf_mask(m), "X-Api-Key"));
    ck_assert(ab_header_masked(ab_conf_mask(m), "X-Other"));
    ck_assert(!ab_header_masked(ab_conf_mask(m), "Cookie"));
    ck_assert(ab_header_masked(ab_conf_mask(m), "Authorization"));

    /* An inner "-X-Api-Key" cancels the outer addition. */
    inner = ab_dir_conf_create(pool);
    ab_conf_mask_arg(pool, inner, "-X-Api-Key");
    m = ab_dir_conf_merge(pool, outer, inner);
    ck_assert(!ab_header_masked(ab_conf_mask(m), "X-Api-Key"));

    ck_assert_ptr_nonnull(ab_conf_mask_arg(pool, inner, "Bad Name"));
    ck_assert_ptr_nonnull(ab_conf_mask_arg(pool, inner, "-"));
    ck_assert_ptr_nonnull(ab_conf_mask_arg(pool, inner, ""));
}
END_TEST

START_TEST(parse_limit)
{
    apr_off_t v = -5;

    ck_assert_ptr_null(ab_conf_parse_limit(pool, "0", &v));
    ck_assert_int_eq(v, 0);
    ck_assert_ptr_null(ab_conf_parse_limit(pool, "65536", &v));
    ck_assert_int_eq(v, 65536);
    ck_assert_ptr_null(ab_conf_parse_limit(pool, "64K", &v));
    ck_assert_int_eq(v, 65536);
    ck_assert_ptr_null(ab_conf_parse_limit(pool, "16M", &v));
    ck_assert_int_eq(v, 16 * 1024 * 1024);
    ck_assert_ptr_null(ab_conf_parse_limit(pool, "16777216", &v));
    v = 7;
    ck_assert_ptr_nonnull(ab_conf_parse_limit(pool, "16777217", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_limit(pool, "17M", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_limit(pool, "99999999999999999999",
                                              &v));
    ck_assert_ptr_nonnull(ab_conf_parse_limit(pool, "-1", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_limit(pool, "10x", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_limit(pool, "10KB", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_limit(pool, "", &v));
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_log_buffer)
{
    apr_off_t v = -5;

    ck_assert_ptr_null(ab_conf_parse_log_buffer(pool, "0", &v));
    ck_assert_int_eq(v, 0);
    ck_assert_ptr_null(ab_conf_parse_log_buffer(pool, "4096", &v));
    ck_assert_int_eq(v, 4096);
    ck_assert_ptr_null(ab_conf_parse_log_buffer(pool, "256K", &v));
    ck_assert_int_eq(v, 256 * 1024);
    ck_assert_ptr_null(ab_conf_parse_log_buffer(pool, "16M", &v));
    ck_assert_int_eq(v, 16 * 1024 * 1024);
    v = 7;
    ck_assert_ptr_nonnull(ab_conf_parse_log_buffer(pool, "4095", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_log_buffer(pool, "1", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_log_buffer(pool, "17M", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_log_buffer(pool, "big", &v));
    ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(parse_log_delay)
{
    apr_interval_time_t d = 7;

    ck_assert_ptr_null(ab_conf_parse_log_delay(pool, "1", &d));
    ck_assert_int_eq(d, 1000);
    ck_assert_ptr_null(ab_conf_parse_log_delay(pool, "50", &d));
    ck_assert_int_eq(d, 50000);
    ck_assert_ptr_null(ab_conf_parse_log_delay(pool, "60000", &d));
    ck_assert_int_eq(d, APR_INT64_C(60000000));
    d = 7;
    ck_assert_ptr_nonnull(ab_conf_parse_log_delay(pool, "0", &d));
    ck_assert_ptr_nonnull(ab_conf_parse_log_delay(pool, "60001", &d));
    ck_assert_ptr_nonnull(ab_conf_parse_log_delay(pool,
                                                  "99999999999999999999", &d));
    ck_assert_ptr_nonnull(ab_conf_parse_log_delay(pool, "5s", &d));
    ck_assert_ptr_nonnull(ab_conf_parse_log_delay(pool, "-1", &d));
    ck_assert_ptr_nonnull(ab_conf_parse_log_delay(pool, "", &d));
    ck_assert_int_eq(d, 7);
}
END_TEST

/* AuditBodyDecode and AuditBodyDecodeRatio: defaults, unset inherits,
 * a nested context sets a value back (none, 0, or the default). */
START_TEST(decode_merge)
{
    ab_dir_conf_t *base = ab_dir_conf_create(pool);
    ab_dir_conf_t *add = ab_dir_conf_create(pool);
    ab_dir_conf_t *m, *m2;

    ck_assert_int_eq(ab_conf_decode(base), AB_CODING_GZIP
                     | AB_CODING_DEFLATE | AB_CODING_BR);
    ck_assert_uint_eq(ab_conf_decode_ratio(base), 100);
    base->decode = 0;
    base->decode_ratio = 0;
    m = ab_dir_conf_merge(pool, base, add);
    ck_assert_int_eq(ab_conf_decode(m), 0);
    ck_assert_uint_eq(ab_conf_decode_ratio(m), 0);
    add->decode = AB_DEFAULT_DECODE;
    add->decode_ratio = 100;
    m2 = ab_dir_conf_merge(pool, m, add);
    ck_assert_int_eq(ab_conf_decode(m2), AB_DEFAULT_DECODE);
    ck_assert_uint_eq(ab_conf_decode_ratio(m2), 100);
    add->decode = AB_CODING_BR;
    add->decode_ratio = AB_UNSET;
    m2 = ab_dir_conf_merge(pool, m, add);
    ck_assert_int_eq(ab_conf_decode(m2), AB_CODING_BR);
    ck_assert_uint_eq(ab_conf_decode_ratio(m2), 0);
}
END_TEST

START_TEST(parse_decode)
{
    char *all[] = { "gzip", "DEFLATE", "br" };
    char *xg[] = { "x-gzip" };
    char *none[] = { "None" };
    char *mixed[] = { "gzip", "none" };
    char *bad[] = { "gzip", "compress" };
    char *chain[] = { "gzip, br" };
    char *empty[] = { "" };
    int v = 77;

    ck_assert_ptr_null(ab_conf_parse_decode(pool, 3, all, &v));
    ck_assert_int_eq(v, AB_CODING_GZIP | AB_CODING_DEFLATE | AB_CODING_BR);
    ck_assert_ptr_null(ab_conf_parse_decode(pool, 1, xg, &v));
    ck_assert_int_eq(v, AB_CODING_GZIP);
    ck_assert_ptr_null(ab_conf_parse_decode(pool, 1, none, &v));
    ck_assert_int_eq(v, 0);
    v = 77;
    ck_assert_ptr_nonnull(ab_conf_parse_decode(pool, 2, mixed, &v));
    ck_assert_ptr_nonnull(ab_conf_parse_decode(pool, 2, bad, &v));
    ck_assert_ptr_nonnull(strstr(ab_conf_parse_decode(pool, 2, bad, &v),
                                 "'compress'"));
    ck_assert_ptr_nonnull(ab_conf_parse_decode(pool, 1, chain, &v));
    ck_assert_ptr_nonnull(ab_conf_parse_decode(pool, 1, empty, &v));
    ck_assert_ptr_nonnull(ab_conf_parse_decode(pool, 0, all, &v));
    ck_assert_int_eq(v, 77);
}
END_TEST

START_TEST(parse_decode_ratio)
{
    int v = 7;

    ck_assert_ptr_null(ab_conf_parse_decode_ratio(pool, "0", &v));
    ck_assert_int_eq(v, 0);
    ck_assert_ptr_null(ab_conf_parse_decode_ratio(pool, "1", &v));
    ck_assert_int_eq(v, 1);
    ck_assert_ptr_null(ab_conf_parse_decode_ratio(pool, "100000", &v));
    ck_assert_int_eq(v, 100000);
    v = 7;
    ck_assert_ptr_nonnull(ab_conf_parse_decode_ratio(pool, "100001", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_decode_ratio(pool,
                                                     "99999999999999999999",
                                                     &v));
    ck_assert_ptr_nonnull(ab_conf_parse_decode_ratio(pool, "-1", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_decode_ratio(pool, "1.5", &v));
    ck_assert_ptr_nonnull(ab_conf_parse_decode_ratio(pool, "", &v));
    ck_assert_int_eq(v, 7);
}
END_TEST

/* AuditBodyRedact accumulates outer then inner; Patterns and With are
 * replaced by the inner context; unset inherits. */
START_TEST(redact_merge)
{
    ab_dir_conf_t *srv = ab_dir_conf_create(pool);
    ab_dir_conf_t *loc = ab_dir_conf_create(pool);
    ab_dir_conf_t *m, *m2;
    const ab_redact_names_t *dflt = ab_redact_names_build(pool, NULL);
    const ab_redact_names_t *n;

    /* unset everywhere: the defaults */
    m = ab_dir_conf_merge(pool, srv, loc);
    ck_assert_ptr_eq(ab_conf_redact_names(m, dflt), dflt);
    ck_assert_uint_eq(ab_conf_redact_detectors(m), AB_REDACT_DET_DEFAULT);
    ck_assert_ptr_null(ab_conf_redact_regexes(m));
    ck_assert_int_eq(ab_conf_redact_with(m), AB_REDACT_MASK);

    /* the server adds one name, the location removes a default */
    ck_assert_ptr_null(ab_conf_redact_arg(pool, srv, "x-tenant-key"));
    ck_assert_ptr_null(ab_conf_redact_arg(pool, loc, "-pin"));
    m = ab_dir_conf_merge(pool, srv, loc);
    n = ab_conf_redact_names(m, dflt);
    ck_assert(ab_redact_name_match(n, "X-Tenant-Key", 12));
    ck_assert(!ab_redact_name_match(n, "pin", 3));
    ck_assert(ab_redact_name_match(n, "password", 8));

    /* a location that says nothing inherits the server's list as is */
    m2 = ab_dir_conf_merge(pool, srv, ab_dir_conf_create(pool));
    ck_assert_ptr_eq(ab_conf_redact_names(m2, dflt),
                     ab_conf_redact_names(srv, dflt));
    ck_assert(ab_redact_name_match(ab_conf_redact_names(m2, dflt), "pin",
                                   3));

    /* none in the location clears everything, the server's name too */
    loc = ab_dir_conf_create(pool);
    ck_assert_ptr_null(ab_conf_redact_arg(pool, loc, "none"));
    m = ab_dir_conf_merge(pool, srv, loc);
    ck_assert_int_eq(ab_redact_names_count(ab_conf_redact_names(m, dflt)),
                     0);
    /* ... and a name after none is the only one */
    ck_assert_ptr_null(ab_conf_redact_arg(pool, loc, "otp"));
    m = ab_dir_conf_merge(pool, srv, loc);
    ck_assert_int_eq(ab_redact_names_count(ab_conf_redact_names(m, dflt)),
                     1);
    ck_assert_ptr_nonnull(ab_conf_redact_arg(pool, loc, "a b"));

    /* detectors and the replacement: inner replaces, unset inherits */
    srv->redact_detectors = AB_REDACT_DET_BEARER;
    srv->redact_with = AB_REDACT_HMAC;
    m = ab_dir_conf_merge(pool, srv, ab_dir_conf_create(pool));
    ck_assert_uint_eq(ab_conf_redact_detectors(m), AB_REDACT_DET_BEARER);
    ck_assert_int_eq(ab_conf_redact_with(m), AB_REDACT_HMAC);
    loc = ab_dir_conf_create(pool);
    loc->redact_detectors = 0;
    loc->redact_with = AB_REDACT_MASK;
    m = ab_dir_conf_merge(pool, srv, loc);
    ck_assert_uint_eq(ab_conf_redact_detectors(m), 0);
    ck_assert_int_eq(ab_conf_redact_with(m), AB_REDACT_MASK);
}
END_TEST

/* Sample, correlation, condition: inner replaces, unset inherits. */
START_TEST(keep_merge)
{
    ab_dir_conf_t *srv = ab_dir_conf_create(pool);
    ab_dir_conf_t *loc = ab_dir_conf_create(pool);
    apr_array_header_t *dflt = apr_array_make(pool, 1, sizeof(char *));
    ab_dir_conf_t *m;
    int cond;

    m = ab_dir_conf_merge(pool, srv, loc);
    ck_assert_int_eq(m->sample_mode, AB_UNSET);
    ck_assert_ptr_eq(ab_conf_correlation(m, dflt), dflt);
    ck_assert_ptr_null(m->condition);
    srv->sample_mode = 1;
    srv->sample_fraction = 0.25;
    srv->condition = &cond;
    ck_assert_ptr_null(ab_conf_correlation_arg(pool, srv, "X-Tenant"));
    m = ab_dir_conf_merge(pool, srv, loc);
    ck_assert_int_eq(m->sample_mode, 1);
    ck_assert(m->sample_fraction == 0.25);
    ck_assert_ptr_eq(m->condition, &cond);
    ck_assert_int_eq(ab_conf_correlation(m, dflt)->nelts, 1);
    loc->sample_mode = 2;
    loc->sample_fraction = 0.5;
    ck_assert_ptr_null(ab_conf_correlation_arg(pool, loc, "none"));
    m = ab_dir_conf_merge(pool, srv, loc);
    ck_assert_int_eq(m->sample_mode, 2);
    ck_assert(m->sample_fraction == 0.5);
    ck_assert_int_eq(ab_conf_correlation(m, dflt)->nelts, 0);
    ck_assert_ptr_nonnull(ab_conf_correlation_arg(pool, loc, "Bad Name"));
}
END_TEST

Suite *ab_conf_suite(void)
{
    Suite *s = suite_create("ab_conf");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, merge_unset_and_back_to_default);
    tcase_add_test(tc, mask_add_remove_inherit);
    tcase_add_test(tc, parse_limit);
    tcase_add_test(tc, parse_log_buffer);
    tcase_add_test(tc, parse_log_delay);
    tcase_add_test(tc, redact_merge);
    tcase_add_test(tc, keep_merge);
    tcase_add_test(tc, decode_merge);
    tcase_add_test(tc, parse_decode);
    tcase_add_test(tc, parse_decode_ratio);
    suite_add_tcase(s, tc);
    return s;
}
