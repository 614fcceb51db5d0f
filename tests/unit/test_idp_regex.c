/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* idp_regex: IdProxyIdPattern under PCRE2's JIT answers as ap_regexec()
 * does: the options mapped as ap_regcomp() maps them, and every answer
 * the same as PCRE2's interpreter (what ap_regexec() runs) over
 * generated ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp_regex.h"
#include "test_common.h"

#ifdef IDP_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static int jit(const char *pattern, int cflags, const char *s)
{
    idp_regex_t *re = idp_regex_compile(pool, pattern, cflags);

    ck_assert_msg(re != NULL, "%s did not compile", pattern);
    return idp_regex_match(re, s, strlen(s), pool);
}

/* Each option changes an answer the way PCRE2's documentation (and so
 * ap_regcomp()) says, and only when it is given. */
START_TEST(options_as_ap_regcomp)
{
    if (!idp_regex_available()) {
        ck_assert_ptr_null(idp_regex_compile(pool, "^x$", 0));
        return;
    }
    ck_assert_int_eq(jit("^x$", 0, "x\n"), 1);
    ck_assert_int_eq(jit("^x$", IDP_REGEX_DOLLAR_ENDONLY, "x\n"), 0);
    ck_assert_int_eq(jit("^abc$", 0, "ABC"), 0);
    ck_assert_int_eq(jit("^abc$", IDP_REGEX_ICASE, "ABC"), 1);
    ck_assert_int_eq(jit("^b$", 0, "a\nb"), 0);
    ck_assert_int_eq(jit("^b$", IDP_REGEX_NEWLINE, "a\nb"), 1);
    ck_assert_int_eq(jit("^a.b$", 0, "a\nb"), 0);
    ck_assert_int_eq(jit("^a.b$", IDP_REGEX_DOTALL, "a\nb"), 1);
    /* ap_regcomp() always allows duplicate names */
    ck_assert_int_eq(jit("^(?<n>a)$|^(?<n>b)$", 0, "b"), 1);
    /* httpd's defaults (AP_REG_DEFAULT) */
    ck_assert_int_eq(jit("^[0-9]{1,3}$",
                         IDP_REGEX_DOTALL | IDP_REGEX_DOLLAR_ENDONLY, "42"), 1);
    ck_assert_int_eq(jit("^[0-9]{1,3}$",
                         IDP_REGEX_DOTALL | IDP_REGEX_DOLLAR_ENDONLY, "1000"), 0);
}
END_TEST

START_TEST(invalid_pattern)
{
    ck_assert_ptr_null(idp_regex_compile(pool, "^[0-9", 0));
    ck_assert_ptr_null(idp_regex_compile(pool, "(", 0));
}
END_TEST

#ifdef IDP_HAVE_PCRE2
/* PCRE2's interpreter, as ap_regexec() runs it: 1 match, 0 not, -1 an
 * error (such as the match limit). */
static int interpreted(const pcre2_code *code, const char *s)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    int rc = pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, PCRE2_NO_JIT,
                         md, NULL);

    pcre2_match_data_free(md);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}
#endif

/* The JIT against the interpreter, same pattern and options, over ids
 * drawn from an alphabet that makes every pattern below both match and
 * fail; and both answers occur for every pattern (the test can fail). */
START_TEST(jit_equals_interpreter)
{
#ifdef IDP_HAVE_PCRE2
    static const char *const patterns[] = {
        "^[0-9]{1,3}$", "^[a-z][a-z0-9-]{0,6}[a-z0-9]$", "^(?i)acme-[0-9]+$",
        "^t[0-9]*$|^[a-f]{2}$", "^(a|ab)(c|bcd)(d*)$", "^[^.]+$", "a",
        "^(?:[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$",
        NULL
    };
    static const char alphabet[] = "0123456789abcdeACMEt-._\n";
    unsigned seed = 12345;
    int i, n;

    for (i = 0; patterns[i]; i++) {
        int errcode, seen[2] = { 0, 0 };
        PCRE2_SIZE off;
        pcre2_code *code = pcre2_compile((PCRE2_SPTR)patterns[i],
                                         PCRE2_ZERO_TERMINATED,
                                         PCRE2_DUPNAMES | PCRE2_DOTALL
                                         | PCRE2_DOLLAR_ENDONLY,
                                         &errcode, &off, NULL);
        idp_regex_t *re = idp_regex_compile(pool, patterns[i],
                                            IDP_REGEX_DOTALL
                                            | IDP_REGEX_DOLLAR_ENDONLY);

        ck_assert_ptr_nonnull(code);
        ck_assert_ptr_nonnull(re);
        for (n = 0; n < 20000; n++) {
            /* zeroed past the id: the JIT may read ahead of the
             * subject's end (harmless, but valgrind would say so) */
            char id[64] = { 0 };
            int len, k, a, b;

            seed = seed * 1103515245u + 12345u;
            len = (int)((seed >> 16) % 11);
            for (k = 0; k < len; k++) {
                seed = seed * 1103515245u + 12345u;
                id[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
            }
            id[len] = '\0';
            /* a few well-formed ones, so that every pattern matches */
            if (n % 7 == 0) {
                static const char *const good[] = {
                    "7", "42", "255", "acme-12", "ACME-9", "t", "t12", "ab",
                    "abcd", "abbcd", "x-1", "a.b", "256", "a"
                };
                strcpy(id, good[(n / 7) % (sizeof(good) / sizeof(*good))]);
                len = (int)strlen(id);
            }
            a = idp_regex_match(re, id, (apr_size_t)len, pool);
            b = interpreted(code, id);
            ck_assert_msg(a == b, "%s on \"%s\": JIT %d, interpreter %d",
                          patterns[i], id, a, b);
            if (a >= 0) {
                seen[a] = 1;
            }
        }
        ck_assert_msg(seen[0] && seen[1], "%s: only one answer", patterns[i]);
        pcre2_code_free(code);
    }
#else
    ck_assert_int_eq(idp_regex_available(), 0);
#endif
}
END_TEST

/* The caller's answer (ap_regexec() in the module), counted. */
typedef struct {
    int calls;
    int answer;
} fallback_t;

static int fallback(void *baton, const char *s)
{
    fallback_t *f = baton;

    (void)s;
    f->calls++;
    return f->answer;
}

/* idp_regex_match_or() asks the caller only when the JIT has no answer:
 * no JIT at all, or a match it gave up on. PCRE2's JIT stack (32 KiB
 * unless one is assigned) runs out on ^(?:a|b)*$ over 200,000 bytes,
 * which the interpreter (ap_regexec()) matches: the fallback's answer
 * must be the one returned. */
START_TEST(fallback_when_jit_gives_up)
{
    fallback_t f = { 0, 1 };
    apr_size_t n = 200000;
    char *s = apr_pcalloc(pool, n + 64);    /* zeroed past the end */
    idp_regex_t *re;

    memset(s, 'a', n);
    /* no JIT: the fallback decides, both ways */
    ck_assert_int_eq(idp_regex_match_or(NULL, "x", 1, pool, fallback, &f), 1);
    f.answer = 0;
    ck_assert_int_eq(idp_regex_match_or(NULL, "x", 1, pool, fallback, &f), 0);
    ck_assert_int_eq(f.calls, 2);
    if (!idp_regex_available()) {
        return;
    }
    re = idp_regex_compile(pool, "^(?:a|b)*$", 0);
    ck_assert_ptr_nonnull(re);
    /* the JIT answers a short subject itself, even against the caller */
    f.calls = 0;
    ck_assert_int_eq(idp_regex_match_or(re, "abab", 4, pool, fallback, &f),
                     1);
    ck_assert_int_eq(idp_regex_match_or(re, "abc", 3, pool, fallback, &f),
                     0);
    ck_assert_int_eq(f.calls, 0);
    /* and gives up on the long one: the caller's answer is returned */
    ck_assert_int_eq(idp_regex_match(re, s, n, pool), -1);
    f.answer = 1;
    ck_assert_int_eq(idp_regex_match_or(re, s, n, pool, fallback, &f), 1);
    ck_assert_int_eq(f.calls, 1);
}
END_TEST

Suite *idp_regex_suite(void)
{
    Suite *s = suite_create("idp_regex");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, options_as_ap_regcomp);
    tcase_add_test(tc, invalid_pattern);
    tcase_add_test(tc, jit_equals_interpreter);
    tcase_add_test(tc, fallback_when_jit_gives_up);
    suite_add_tcase(s, tc);
    return s;
}
