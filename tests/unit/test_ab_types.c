/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_types: pattern syntax, matching and skip reasons. */
#include <string.h>

#include "test_common.h"
#include "ab_types.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

START_TEST(default_list)
{
    apr_array_header_t *d = ab_types_default(pool);

    ck_assert(ab_type_match(d, "application/json"));
    ck_assert(ab_type_match(d, "Application/JSON; charset=utf-8"));
    ck_assert(ab_type_match(d, "application/problem+json"));
    ck_assert(ab_type_match(d, "application/vnd.api+json;v=1"));
    ck_assert(ab_type_match(d, "application/xml"));
    ck_assert(ab_type_match(d, "image/svg+xml"));
    ck_assert(ab_type_match(d, "text/plain"));
    ck_assert(ab_type_match(d, "text/html; charset=iso-8859-1"));
    ck_assert(ab_type_match(d, " text/csv"));
    ck_assert(ab_type_match(d, "application/x-www-form-urlencoded"));
    ck_assert(!ab_type_match(d, "application/octet-stream"));
    ck_assert(!ab_type_match(d, "image/png"));
    ck_assert(!ab_type_match(d, "multipart/form-data; boundary=x"));
    ck_assert(!ab_type_match(d, "application/jsonx"));
    ck_assert(!ab_type_match(d, "application/json-seq"));
    ck_assert(!ab_type_match(d, "textual/plain"));
    ck_assert(!ab_type_match(d, "text"));
    ck_assert(!ab_type_match(d, "+json"));
    ck_assert(!ab_type_match(d, ""));
    ck_assert(!ab_type_match(d, NULL));
}
END_TEST

START_TEST(pattern_syntax)
{
    const char *out = NULL;

    ck_assert_ptr_null(ab_type_pattern(pool, "Text/*", &out));
    ck_assert_str_eq(out, "text/*");
    ck_assert_ptr_null(ab_type_pattern(pool, "+JSON", &out));
    ck_assert_str_eq(out, "+json");
    ck_assert_ptr_null(ab_type_pattern(pool, "*/*+yaml", &out));
    ck_assert_str_eq(out, "+yaml");
    ck_assert_ptr_null(ab_type_pattern(pool, "*/*", &out));
    ck_assert_ptr_null(ab_type_pattern(pool, "application/vnd.a+json",
                                       &out));
    ck_assert_ptr_nonnull(ab_type_pattern(pool, "json", &out));
    ck_assert_ptr_nonnull(ab_type_pattern(pool, "/json", &out));
    ck_assert_ptr_nonnull(ab_type_pattern(pool, "text/", &out));
    ck_assert_ptr_nonnull(ab_type_pattern(pool, "*/json", &out));
    ck_assert_ptr_nonnull(ab_type_pattern(pool, "text/pl ain", &out));
    ck_assert_ptr_nonnull(ab_type_pattern(pool, "+", &out));
    ck_assert_ptr_nonnull(ab_type_pattern(pool, "+a+b", &out));
}
END_TEST

START_TEST(custom_list)
{
    apr_array_header_t *l = apr_array_make(pool, 2, sizeof(char *));
    const char *p;

    ab_type_pattern(pool, "application/xml", &p);
    APR_ARRAY_PUSH(l, const char *) = p;
    ck_assert(ab_type_match(l, "application/xml"));
    ck_assert(!ab_type_match(l, "application/json"));
    ck_assert(!ab_type_match(l, "text/plain"));
    ab_type_pattern(pool, "*/*", &p);
    APR_ARRAY_PUSH(l, const char *) = p;
    ck_assert(ab_type_match(l, "image/png"));
}
END_TEST

static ab_resp_facts_t resp(int status, const char *ct)
{
    ab_resp_facts_t f;

    memset(&f, 0, sizeof(f));
    f.status = status;
    f.content_type = ct;
    f.limit = 65536;
    return f;
}

START_TEST(response_skips)
{
    apr_array_header_t *d = ab_types_default(pool);
    ab_resp_facts_t f;

    f = resp(200, "application/json");
    ck_assert_ptr_null(ab_skip_response(d, &f));
    f = resp(101, NULL);
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_UPGRADE);
    f = resp(200, "text/event-stream; charset=utf-8");
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_EVENT_STREAM);
    f = resp(200, "Text/Event-Stream, application/json");
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_EVENT_STREAM);
    /* The media type ends at ',': no list reads as one type. */
    f = resp(200, "application/json,text/event-stream");
    ck_assert_ptr_null(ab_skip_response(d, &f));
    f = resp(200, "text/plain");
    f.content_disposition = "attachment,inline";
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_ATTACHMENT);
    f = resp(200, "text/csv");
    f.content_disposition = "Attachment; filename=\"a.csv\"";
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_ATTACHMENT);
    f = resp(200, "text/csv");
    f.content_disposition = "inline";
    ck_assert_ptr_null(ab_skip_response(d, &f));
    f = resp(200, "application/octet-stream");
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_OCTET_STREAM);
    f = resp(200, "image/png");
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_TYPE);
    f = resp(200, NULL);
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_NO_TYPE);
    f = resp(204, NULL);
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_NO_BODY);
    f = resp(304, "application/json");
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_NO_BODY);
    f = resp(200, "application/json");
    f.header_only = 1;
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_NO_BODY);
    f = resp(200, "application/json");
    f.limit = 0;
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_LIMIT_ZERO);
    /* Only a 101 is an upgrade: what the client asked for (Upgrade,
     * Accept) is not in the facts at all. */
    f = resp(101, "application/json");
    ck_assert_str_eq(ab_skip_response(d, &f), AB_SKIP_UPGRADE);
}
END_TEST

START_TEST(request_skips)
{
    apr_array_header_t *d = ab_types_default(pool);
    ab_req_facts_t f;

    memset(&f, 0, sizeof(f));
    f.limit = 100;
    f.content_type = "application/json";
    ck_assert_ptr_null(ab_skip_request(d, &f));
    f.content_type = "application/octet-stream";
    ck_assert_str_eq(ab_skip_request(d, &f), AB_SKIP_OCTET_STREAM);
    f.content_type = "multipart/form-data; boundary=xyz";
    ck_assert_str_eq(ab_skip_request(d, &f), AB_SKIP_TYPE);
    f.content_type = NULL;
    ck_assert_str_eq(ab_skip_request(d, &f), AB_SKIP_NO_TYPE);
    f.content_type = "text/plain";
    f.limit = 0;
    ck_assert_str_eq(ab_skip_request(d, &f), AB_SKIP_LIMIT_ZERO);
}
END_TEST

Suite *ab_types_suite(void)
{
    Suite *s = suite_create("ab_types");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, default_list);
    tcase_add_test(tc, pattern_syntax);
    tcase_add_test(tc, custom_list);
    tcase_add_test(tc, response_skips);
    tcase_add_test(tc, request_skips);
    suite_add_tcase(s, tc);
    return s;
}
