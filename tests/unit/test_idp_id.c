/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for idp_id: source specs, extraction from query, path,
 * header and cookie, strict decoding, validation and the pattern check. */
#include <string.h>

#include "test_common.h"
#include "idp_id.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* Extract from a query string and validate with the defaults. */
static int q(const char *args, const char **id)
{
    idp_source_t src = { IDP_SRC_QUERY, "id", 0 };
    idp_id_input_t in = { args, NULL, NULL, NULL };

    *id = NULL;
    return idp_id_get(pool, &src, &in, NULL, id, NULL);
}

START_TEST(source_parse_ok)
{
    idp_source_t s;

    ck_assert_ptr_null(idp_source_parse(pool, "query:id", &s));
    ck_assert_int_eq(s.kind, IDP_SRC_QUERY);
    ck_assert_str_eq(s.name, "id");
    ck_assert_ptr_null(idp_source_parse(pool, "Path:2", &s));
    ck_assert_int_eq(s.kind, IDP_SRC_PATH);
    ck_assert_int_eq(s.segment, 2);
    ck_assert_ptr_null(s.name);
    ck_assert_ptr_null(idp_source_parse(pool, "header:X-Tenant-Id", &s));
    ck_assert_int_eq(s.kind, IDP_SRC_HEADER);
    ck_assert_str_eq(s.name, "X-Tenant-Id");
    ck_assert_ptr_null(idp_source_parse(pool, "cookie:tenant", &s));
    ck_assert_int_eq(s.kind, IDP_SRC_COOKIE);
    ck_assert_str_eq(s.name, "tenant");
    ck_assert_ptr_null(idp_source_parse(pool, "path:32", &s));
    ck_assert_int_eq(s.segment, 32);
}
END_TEST

START_TEST(source_parse_errors)
{
    idp_source_t s;
    const char *err;

    ck_assert_ptr_nonnull(idp_source_parse(pool, "id", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, NULL, &s));
    err = idp_source_parse(pool, "form:id", &s);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "unknown kind"));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "query:", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "query:a&b", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "query:a=b", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "query:%69d", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "header:X Id", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "cookie:a;b", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "path:0", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "path:33", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "path:1x", &s));
    ck_assert_ptr_nonnull(idp_source_parse(pool, "path:", &s));
    err = idp_source_parse(pool, "path:99999999999999999999", &s);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(s.kind, 0);
}
END_TEST

START_TEST(query_exact_name)
{
    const char *id;

    ck_assert_int_eq(q("id=abc", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "abc");
    ck_assert_int_eq(q("userid=1&id=2", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "2");
    ck_assert_int_eq(q("a=b&id=t-1&c", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "t-1");
    ck_assert_int_eq(q("xid=1", &id), IDP_ID_MISSING);
    ck_assert_int_eq(q("idx=1&ID=2&i=3", &id), IDP_ID_MISSING);
    ck_assert_int_eq(q("", &id), IDP_ID_MISSING);
    ck_assert_int_eq(q(NULL, &id), IDP_ID_MISSING);
    ck_assert_ptr_null(id);
    ck_assert_int_eq(q("&&id=x&&", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "x");
}
END_TEST

START_TEST(query_repeated)
{
    const char *id;

    ck_assert_int_eq(q("id=1&id=2", &id), IDP_ID_REPEATED);
    ck_assert_int_eq(q("id=1&id=1", &id), IDP_ID_REPEATED);
    ck_assert_int_eq(q("id=1&%69d=2", &id), IDP_ID_REPEATED);
    ck_assert_int_eq(q("id&id=2", &id), IDP_ID_REPEATED);
    ck_assert_ptr_null(id);
}
END_TEST

START_TEST(query_encoded_name)
{
    const char *id;

    ck_assert_int_eq(q("%69d=abc", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "abc");
    ck_assert_int_eq(q("%69%64=q", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "q");
    ck_assert_int_eq(q("%69=abc", &id), IDP_ID_MISSING);
    ck_assert_int_eq(q("%69dd=abc", &id), IDP_ID_MISSING);
    /* a badly encoded name or a NUL in a name is never skipped */
    ck_assert_int_eq(q("i%zz=1&id=2", &id), IDP_ID_BAD_ENCODING);
    ck_assert_int_eq(q("id%00=1&id=2", &id), IDP_ID_BAD_ENCODING);
    ck_assert_int_eq(q("id=2&x%=1", &id), IDP_ID_BAD_ENCODING);
}
END_TEST

START_TEST(query_decoding)
{
    const char *id;

    ck_assert_int_eq(q("id=ab%2Dc", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "ab-c");
    ck_assert_int_eq(q("id=%61%62", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "ab");
    ck_assert_int_eq(q("id=a%2ec", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a%2Ec", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a%20c", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a%2Fc", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=%252e", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a%0Ac", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a%C3%A9", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a+b", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=abc%", &id), IDP_ID_BAD_ENCODING);
    ck_assert_int_eq(q("id=abc%4", &id), IDP_ID_BAD_ENCODING);
    ck_assert_int_eq(q("id=abc%4g", &id), IDP_ID_BAD_ENCODING);
    ck_assert_int_eq(q("id=abc%00.evil", &id), IDP_ID_BAD_ENCODING);
    ck_assert_ptr_null(id);
}
END_TEST

START_TEST(query_raw_value)
{
    const char *id = NULL;

    /* the extraction alone: '+' stays '+', decoding is done once */
    ck_assert_int_eq(idp_id_from_query(pool, "id=a+b", "id", &id),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "a+b");
    ck_assert_int_eq(idp_id_from_query(pool, "id=%252e", "id", &id),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "%2e");
    ck_assert_int_eq(idp_id_from_query(pool, "id", "id", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "");
    ck_assert_int_eq(idp_id_from_query(pool, "id=a=b", "id", &id),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "a=b");
    ck_assert_int_eq(idp_id_from_query(pool, "tenant=x", "tenant", &id),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "x");
}
END_TEST

START_TEST(query_bad_chars)
{
    const char *id;

    ck_assert_int_eq(q("id=a.b", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a/b", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a@b", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a:80", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a b", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a;id=b", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=ABC", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=-abc", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=abc-", &id), IDP_ID_INVALID);
    ck_assert_int_eq(q("id=a_b", &id), IDP_ID_INVALID);
    ck_assert_ptr_null(id);
}
END_TEST

START_TEST(length_limit)
{
    char buf[80], args[90];
    const char *id;
    idp_id_rules_t rules = { 10, NULL, NULL };

    memset(buf, 'a', 63);
    buf[63] = '\0';
    strcpy(args, "id=");
    strcat(args, buf);
    ck_assert_int_eq(q(args, &id), IDP_ID_OK);
    ck_assert_int_eq(strlen(id), 63);
    strcat(args, "a");
    ck_assert_int_eq(q(args, &id), IDP_ID_TOO_LONG);
    ck_assert_int_eq(idp_id_validate(&rules, "abcdefghij"), IDP_ID_OK);
    ck_assert_int_eq(idp_id_validate(&rules, "abcdefghijk"),
                     IDP_ID_TOO_LONG);
}
END_TEST

START_TEST(path_segments)
{
    const char *id = NULL, *rest = NULL;

    ck_assert_int_eq(idp_id_from_path(pool, "/abc/x/y", 1, &id, &rest),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "abc");
    ck_assert_str_eq(rest, "/x/y");
    ck_assert_int_eq(idp_id_from_path(pool, "v1/t-2/users", 2, &id, &rest),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "t-2");
    ck_assert_str_eq(rest, "/users");
    ck_assert_int_eq(idp_id_from_path(pool, "/abc", 1, &id, &rest),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "abc");
    ck_assert_str_eq(rest, "");
    ck_assert_int_eq(idp_id_from_path(pool, "/abc", 2, &id, &rest),
                     IDP_ID_MISSING);
    ck_assert_int_eq(idp_id_from_path(pool, "/", 1, &id, &rest),
                     IDP_ID_MISSING);
    ck_assert_int_eq(idp_id_from_path(pool, "", 1, &id, &rest),
                     IDP_ID_MISSING);
    ck_assert_int_eq(idp_id_from_path(pool, NULL, 1, &id, &rest),
                     IDP_ID_MISSING);
    ck_assert_int_eq(idp_id_from_path(pool, "/abc/", 2, &id, &rest),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "");
    ck_assert_int_eq(idp_id_from_path(pool, "/a%62c/d", 1, &id, NULL),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "abc");
    ck_assert_int_eq(idp_id_from_path(pool, "/a%2Fb/d", 1, &id, &rest),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "a/b");
    ck_assert_str_eq(rest, "/d");
    ck_assert_int_eq(idp_id_from_path(pool, "/a%/d", 1, &id, &rest),
                     IDP_ID_BAD_ENCODING);
}
END_TEST

START_TEST(path_validated)
{
    idp_source_t src = { IDP_SRC_PATH, NULL, 1 };
    idp_id_input_t in = { "id=zzz", "/a%2Fb/d", NULL, NULL };
    const char *id = NULL, *rest = NULL;

    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_INVALID);
    ck_assert_ptr_null(id);
    in.path = "/a%2eb/d";
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_INVALID);
    in.path = "//d";
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_INVALID);
    in.path = "/tenant-7/d/e";
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "tenant-7");
    ck_assert_str_eq(rest, "/d/e");
    src.segment = 2;
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "d");
    ck_assert_str_eq(rest, "/e");
    src.segment = 4;
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_MISSING);
}
END_TEST

START_TEST(header_source)
{
    idp_source_t src = { IDP_SRC_HEADER, "X-Tenant", 0 };
    idp_id_input_t in = { "id=zzz", NULL, "abc", NULL };
    const char *id = NULL, *rest = "x";

    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "abc");
    ck_assert_ptr_null(rest);
    in.header = "abc, def";
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_REPEATED);
    in.header = "a%2eb";
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_INVALID);
    in.header = "a.b";
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_INVALID);
    in.header = " abc";
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_INVALID);
    in.header = "";
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_INVALID);
    in.header = NULL;
    ck_assert_int_eq(idp_id_get(pool, &src, &in, NULL, &id, &rest),
                     IDP_ID_MISSING);
}
END_TEST

START_TEST(cookie_source)
{
    const char *id = NULL;

    ck_assert_int_eq(idp_id_from_cookie(pool, "a=1; id=t-9; b=2", "id", &id),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "t-9");
    ck_assert_int_eq(idp_id_from_cookie(pool, "xid=1; idx=2; ID=3", "id",
                                        &id), IDP_ID_MISSING);
    ck_assert_int_eq(idp_id_from_cookie(pool, "userid=1;id=2", "id", &id),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "2");
    ck_assert_int_eq(idp_id_from_cookie(pool, "id=1; id=2", "id", &id),
                     IDP_ID_REPEATED);
    ck_assert_int_eq(idp_id_from_cookie(pool, "a=1, id=2; id=3", "id", &id),
                     IDP_ID_REPEATED);
    ck_assert_int_eq(idp_id_from_cookie(pool, "  id = \"q1\" ;x", "id",
                                        &id), IDP_ID_OK);
    ck_assert_str_eq(id, "q1");
    ck_assert_int_eq(idp_id_from_cookie(pool, "id; a=b", "id", &id),
                     IDP_ID_MISSING);
    ck_assert_int_eq(idp_id_from_cookie(pool, "a=id=3", "id", &id),
                     IDP_ID_MISSING);
    ck_assert_int_eq(idp_id_from_cookie(pool, "id=", "id", &id), IDP_ID_OK);
    ck_assert_str_eq(id, "");
    ck_assert_int_eq(idp_id_from_cookie(pool, NULL, "id", &id),
                     IDP_ID_MISSING);
    /* not percent-decoded: the '%' then fails validation */
    ck_assert_int_eq(idp_id_from_cookie(pool, "id=a%2eb", "id", &id),
                     IDP_ID_OK);
    ck_assert_str_eq(id, "a%2eb");
    ck_assert_int_eq(idp_id_validate(NULL, id), IDP_ID_INVALID);
}
END_TEST

START_TEST(hard_filter)
{
    static const char *const bad[] = {
        "a.b", "a/b", "a:b", "a@b", "a%b", "a?b", "a#b", "a[b", "a]b",
        "a\\b", "a b", "a\tb", "a\nb", "a\rb", "a\x7f" "b", "a\x01", "\xc3\xa9",
        "a+b", "a|b", "a,b", "a;b", "a=b", "a{b", "a}b", "", NULL
    };
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!idp_id_chars_ok(bad[i]), "accepted '%s'", bad[i]);
    }
    ck_assert(!idp_id_chars_ok(NULL));
    ck_assert(idp_id_chars_ok("Ab_9~-"));
    ck_assert(idp_id_chars_ok("0"));
}
END_TEST

static int allow_all(void *baton, const char *id)
{
    (*(int *)baton)++;
    (void)id;
    return 1;
}

START_TEST(custom_pattern_cannot_widen)
{
    int calls = 0;
    idp_id_rules_t rules = { 0, allow_all, &calls };

    ck_assert_int_eq(idp_id_validate(&rules, "ABC_1"), IDP_ID_OK);
    ck_assert_int_eq(calls, 1);
    ck_assert_int_eq(idp_id_validate(&rules, "a.b"), IDP_ID_INVALID);
    ck_assert_int_eq(idp_id_validate(&rules, "a\n"), IDP_ID_INVALID);
    ck_assert_int_eq(idp_id_validate(&rules, ""), IDP_ID_INVALID);
    ck_assert_int_eq(idp_id_validate(&rules, NULL), IDP_ID_INVALID);
    ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(default_match)
{
    char buf[70];

    ck_assert(idp_id_default_match(NULL, "a"));
    ck_assert(idp_id_default_match(NULL, "0"));
    ck_assert(idp_id_default_match(NULL, "a-b-9"));
    ck_assert(idp_id_default_match(NULL, "a--b"));
    ck_assert(!idp_id_default_match(NULL, "-"));
    ck_assert(!idp_id_default_match(NULL, "-a"));
    ck_assert(!idp_id_default_match(NULL, "a-"));
    ck_assert(!idp_id_default_match(NULL, "Ab"));
    ck_assert(!idp_id_default_match(NULL, "a_b"));
    ck_assert(!idp_id_default_match(NULL, ""));
    memset(buf, 'z', 63);
    buf[63] = '\0';
    ck_assert(idp_id_default_match(NULL, buf));
    buf[63] = 'z';
    buf[64] = '\0';
    ck_assert(!idp_id_default_match(NULL, buf));
}
END_TEST

START_TEST(strerror_codes)
{
    ck_assert_str_eq(idp_id_strerror(IDP_ID_OK), "ok");
    ck_assert_str_eq(idp_id_strerror(IDP_ID_REPEATED), "repeated id");
    ck_assert_str_eq(idp_id_strerror(IDP_ID_TOO_LONG), "id too long");
    ck_assert_str_eq(idp_id_strerror(IDP_ID_BAD_ENCODING),
                     "badly percent-encoded id");
    ck_assert_str_eq(idp_id_strerror(99), "unknown id error");
}
END_TEST

START_TEST(pattern_check_accepts)
{
    ck_assert_ptr_null(idp_pattern_check(IDP_ID_DEFAULT_PATTERN));
    ck_assert_ptr_null(idp_pattern_check("^[0-9]{1,18}$"));
    ck_assert_ptr_null(idp_pattern_check("^\\d+$"));
    ck_assert_ptr_null(idp_pattern_check("^t-[a-f0-9]{8}$"));
    ck_assert_ptr_null(idp_pattern_check("^(?:a|b)[[:digit:]_~-]*$"));
    /* an escape or a POSIX class may not start a range: "\\--9" is
     * '-' to '9', with '.' and '/' (found by fuzz_config_parsers) */
    ck_assert_ptr_nonnull(idp_pattern_check("^[21\\-\\-\\--9\\-e]$"));
    ck_assert_ptr_nonnull(idp_pattern_check("^[\\--9]+$"));
    ck_assert_ptr_nonnull(idp_pattern_check("^[\\d-z]+$"));
    ck_assert_ptr_nonnull(idp_pattern_check("^[[:alpha:]-z]+$"));
    ck_assert_ptr_null(idp_pattern_check("^[a-z0-9\\-]+$"));
    ck_assert_ptr_null(idp_pattern_check("^[\\d-]+$"));
    ck_assert_ptr_null(idp_pattern_check("^[\\w\\-]{2,}$"));
    ck_assert_ptr_null(idp_pattern_check("^[A-Z][a-z]?$"));
}
END_TEST

START_TEST(pattern_check_refuses)
{
    static const char *const bad[] = {
        "[a-z]+$", "^[a-z]+", "^[a-z]+\\$", "^a.b$", "^.*$", "^[^/]+$",
        "^[a-z.]+$", "^[a-z/]+$", "^[0-z]+$", "^[a-Z]+$", "^\\S+$",
        "^\\W+$", "^\\D+$", "^\\s$", "^\\x2e$", "^\\.$", "^a:b$", "^a@b$",
        "^a%b$", "^a b$", "^a|b$", "^a$|^b$", "^(a$", "^a)$", "^(?i)a$",
        "^(?<=a)b$", "^(*UTF)a$", "^[a-z$", "^[]a]$", "^[[:punct:]]$",
        "^a{x}$", "^a{1,2$", "^\\Qa.b\\E$", "^(a)\\1$", "^$", "$", "",
        NULL
    };
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_msg(idp_pattern_check(bad[i]) != NULL, "accepted '%s'",
                      bad[i]);
    }
    ck_assert_ptr_nonnull(idp_pattern_check(NULL));
    ck_assert_ptr_nonnull(strstr(idp_pattern_check("^a.b$"), "'.'"));
    ck_assert_ptr_nonnull(strstr(idp_pattern_check("^[^a]$"), "negated"));
}
END_TEST

Suite *idp_id_suite(void)
{
    Suite *s = suite_create("idp_id");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, source_parse_ok);
    tcase_add_test(tc, source_parse_errors);
    tcase_add_test(tc, query_exact_name);
    tcase_add_test(tc, query_repeated);
    tcase_add_test(tc, query_encoded_name);
    tcase_add_test(tc, query_decoding);
    tcase_add_test(tc, query_raw_value);
    tcase_add_test(tc, query_bad_chars);
    tcase_add_test(tc, length_limit);
    tcase_add_test(tc, path_segments);
    tcase_add_test(tc, path_validated);
    tcase_add_test(tc, header_source);
    tcase_add_test(tc, cookie_source);
    tcase_add_test(tc, hard_filter);
    tcase_add_test(tc, custom_pattern_cannot_widen);
    tcase_add_test(tc, default_match);
    tcase_add_test(tc, strerror_codes);
    tcase_add_test(tc, pattern_check_accepts);
    tcase_add_test(tc, pattern_check_refuses);
    suite_add_tcase(s, tc);
    return s;
}
