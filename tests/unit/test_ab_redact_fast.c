/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for the redactor's shortcuts, each against the slow path it
 * stands for: the per-thread name memo against the list itself, the
 * detector census against running the detectors, and the JSON number
 * shortcut against the number grammar. A shortcut that ever answers
 * differently would let a secret through, or reject valid JSON. */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "test_common.h"
#include "ab_redact_private.h"

static apr_pool_t *pool;
static unsigned long rnd_state;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static unsigned int rnd(void)
{
    rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned int)(rnd_state >> 33);
}

static const ab_redact_names_t *names_of(apr_pool_t *p, const char *args)
{
    apr_array_header_t *ops = NULL;
    char *s = apr_pstrdup(p, args), *last, *tok;

    for (tok = apr_strtok(s, " ", &last); tok;
         tok = apr_strtok(NULL, " ", &last)) {
        ck_assert_ptr_null(ab_redact_names_arg(p, &ops, tok));
    }
    return ab_redact_names_build(p, ops);
}

/* ------------------------------------------------------------ name memo */

/* Names that differ only where a cheap fingerprint would not look: in the
 * middle of a long name, in one byte of a short one, in case, in length
 * around the memo's limits (16 and 40 bytes). */
static const char *const memo_names[] = {
    "token", "Token", "TOKEN", "tokens", "tok", "t", "a", "ab", "abc",
    "pin", "pan", "pun", "pinx", "password", "passwort", "PassWord",
    "new_password", "csrf_token", "note", "sku", "qty", "price", "user",
    "abcdefghsecret12345678", "abcdefghsacret12345678",
    "abcdefghXXXXXXXXtoken12345678", "abcdefghXXXXXXXXtaken12345678",
    "0123456789abcdef", "0123456789abcdeg", "0123456789abcdefg",
    "x-api-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "x-apo-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "a234567890123456789012345678901234567secret",
    "a234567890123456789012345678901234567sacret",
    "aaaaaaaasessionaaaaaaaaaaaaaaaaaaaaaaaaa",
    "aaaaaaaasassionaaaaaaaaaaaaaaaaaaaaaaaaa",
};

START_TEST(memo_agrees_with_list)
{
    const ab_redact_names_t *lists[4];
    char key[64];
    int round, i, k;

    lists[0] = names_of(pool, "");
    lists[1] = names_of(pool, "-token -*token* -pin +pan");
    lists[2] = names_of(pool, "none +*secret* +abc +a");
    lists[3] = names_of(pool, "none");
    rnd_state = 77;
    /* many more distinct names than the memo holds, so entries are
     * evicted and reused under every list, interleaved */
    for (round = 0; round < unit_rounds(20000); round++) {
        const ab_redact_names_t *n = lists[rnd() % 4];
        apr_size_t len;

        if (rnd() % 2) {
            const char *s = memo_names[rnd() % (sizeof(memo_names)
                                                / sizeof(*memo_names))];
            len = strlen(s);
            memcpy(key, s, len);
        }
        else {
            static const char alpha[] = "tokenpassecrTOKEN_-x";

            len = 1 + rnd() % 45;
            for (i = 0; i < (int)len; i++) {
                key[i] = alpha[rnd() % (sizeof(alpha) - 1)];
            }
        }
        k = ab_redact_name_match(n, key, len);
        ck_assert_msg(abr_name_match_memo(n, key, len) == k,
                      "round %d: %.*s", round, (int)len, key);
        /* twice: the second answer comes from the memo */
        ck_assert_msg(abr_name_match_memo(n, key, len) == k,
                      "round %d (memoized): %.*s", round, (int)len, key);
    }
    ck_assert(abr_names_serial(lists[3]) == 0);
    ck_assert(abr_names_serial(NULL) == 0);
    ck_assert(abr_names_serial(lists[0]) != abr_names_serial(lists[1]));
}
END_TEST

/* A list freed and another built in its place (a graceful restart, or a
 * per-directory merge in a cleared request pool) is not the same list:
 * a memo keyed by its address would answer for the old one. */
START_TEST(memo_list_rebuilt_in_place)
{
    apr_pool_t *sub;
    const ab_redact_names_t *a, *b;
    apr_array_header_t *ops = NULL;
    apr_uint64_t sa;
    int same = 0, round;

    /* the operations elsewhere, so both builds allocate alike */
    ck_assert_ptr_null(ab_redact_names_arg(pool, &ops, "none"));
    ck_assert_ptr_null(ab_redact_names_arg(pool, &ops, "+holder"));
    apr_pool_create(&sub, pool);
    for (round = 0; round < 50; round++) {
        a = ab_redact_names_build(sub, NULL);
        sa = abr_names_serial(a);
        ck_assert(abr_name_match_memo(a, "token", 5));
        ck_assert(abr_name_match_memo(a, "card_number", 11));
        ck_assert(!abr_name_match_memo(a, "holder", 6));
        apr_pool_clear(sub);
        b = ab_redact_names_build(sub, ops);
        same += (a == b);
        ck_assert(abr_names_serial(b) != sa);
        ck_assert(!abr_name_match_memo(b, "token", 5));
        ck_assert(!abr_name_match_memo(b, "card_number", 11));
        ck_assert(abr_name_match_memo(b, "holder", 6));
        apr_pool_clear(sub);
    }
    /* the point of the test: the allocator did reuse the address */
    ck_assert_int_gt(same, 0);
    apr_pool_destroy(sub);
}
END_TEST

/* The JSON redactor goes through the memo: a body that repeats its keys
 * across records redacts the same way every time, under either list. */
START_TEST(memo_json_alternating_lists)
{
    static const char doc[] = "{\"token\":\"x\",\"holder\":\"y\","
                              "\"abcdefghXXXXXXXXtoken12345678\":\"z\"}";
    ab_redact_cfg_t ca, cb;
    int round;

    memset(&ca, 0, sizeof(ca));
    memset(&cb, 0, sizeof(cb));
    ca.names = names_of(pool, "");
    cb.names = names_of(pool, "none +holder");
    for (round = 0; round < 4; round++) {
        const ab_redact_cfg_t *c = (round % 2) ? &cb : &ca;
        const char *want = (round % 2)
            ? "{\"token\":\"x\",\"holder\":\"***\","
              "\"abcdefghXXXXXXXXtoken12345678\":\"z\"}"
            : "{\"token\":\"***\",\"holder\":\"y\","
              "\"abcdefghXXXXXXXXtoken12345678\":\"***\"}";
        char out[256];
        apr_size_t ol = 0;
        ab_redact_report_t rep;

        ab_redact_report_init(&rep);
        ck_assert_int_eq(ab_redact_json(pool, c, doc, sizeof(doc) - 1, 0,
                                        out, sizeof(out), &ol, &rep),
                         AB_REDACT_OK);
        ck_assert_msg(ol == strlen(want) && !memcmp(out, want, ol),
                      "round %d: %.*s", round, (int)ol, out);
    }
}
END_TEST

/* ------------------------------------------------------------ census */

/* Pieces that make PANs (13, 15, 16 digits; spaced, dashed), JWTs and
 * bearer tokens, near misses of each, and filler. */
static const char *const census_pieces[] = {
    "4222222222222", "378282246310005", "4111111111111111",
    "4111 1111 1111 1111", "4111-1111-1111-1111", "5555 5555 5555 4444",
    "411111111111", "4111 1111 111", "1234", "12", "7", " ", "-", "--",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2ln", "eyJ", "eyJa.b.",
    "eyJa.b.c", "ey", "J", "j", ".", "Bearer abc.def", "bearer x",
    "BEARER", "b", "B", "earer", "gift wrap", "x", "SKU-0001", "\xc3\xa9",
};

static int changed(const char *a, apr_size_t al, const char *b,
                   apr_size_t bl)
{
    return al != bl || memcmp(a, b, al) != 0;
}

/* A string value in JSON goes through the census first; plain text runs
 * the detectors without it. Whether either redacts anything must agree,
 * for each detector alone and all together, whole and cut. */
START_TEST(census_never_hides_a_match)
{
    static const unsigned dets[] = {
        AB_REDACT_DET_PAN, AB_REDACT_DET_JWT, AB_REDACT_DET_BEARER,
        AB_REDACT_DET_PAN | AB_REDACT_DET_JWT | AB_REDACT_DET_BEARER
    };
    char s[256], js[260], out[1024], jout[1024];
    int round, hits = 0;

    rnd_state = 4711;
    for (round = 0; round < unit_rounds(30000); round++) {
        ab_redact_cfg_t c;
        ab_redact_report_t rep;
        apr_size_t n = 0, ol = 0, jl = 0;
        int pieces = 1 + rnd() % 5, trunc = rnd() % 2, tch, jch;

        while (pieces--) {
            const char *p = census_pieces[rnd() % (sizeof(census_pieces)
                                                   / sizeof(*census_pieces))];
            apr_size_t pl = strlen(p);

            if (n + pl < 200) {
                memcpy(s + n, p, pl);
                n += pl;
            }
        }
        if (n < 8) {
            continue;           /* the JSON side ignores shorter values */
        }
        memset(&c, 0, sizeof(c));
        c.detectors = dets[rnd() % 4];
        ab_redact_report_init(&rep);
        ck_assert_int_eq(ab_redact_text(pool, &c, s, n, trunc, out,
                                        sizeof(out), &ol, &rep),
                         AB_REDACT_OK);
        tch = changed(s, n, out, ol);
        /* the same bytes as a JSON string, closed, or cut at the end */
        js[0] = '"';
        memcpy(js + 1, s, n);
        js[n + 1] = '"';
        ab_redact_report_init(&rep);
        ck_assert_int_eq(ab_redact_json(pool, &c, js, n + 2 - trunc, trunc,
                                        jout, sizeof(jout), &jl, &rep),
                         AB_REDACT_OK);
        jch = changed(js, n + 2 - trunc, jout, jl);
        ck_assert_msg(tch == jch, "round %d det %u cut %d: text %s, json "
                      "%s: %.*s", round, c.detectors, trunc,
                      tch ? "redacted" : "kept", jch ? "redacted" : "kept",
                      (int)n, s);
        hits += tch;
    }
    /* the pieces do make matches: the agreement is not all "kept" */
    ck_assert_int_gt(hits, unit_rounds(30000) / 20);
}
END_TEST

/* The census itself: it may keep a detector that cannot match, never
 * drop one whose least need is there. */
START_TEST(census_counts)
{
    static const char alpha[] = "0123456789 -JjbBey.x";
    char s[80];
    int round;

    rnd_state = 99;
    for (round = 0; round < unit_rounds(50000); round++) {
        apr_size_t n = rnd() % 70, i, digits = 0;
        int at_cut = rnd() % 2, hasj = 0, hasb = 0;
        unsigned all = AB_REDACT_DET_PAN | AB_REDACT_DET_JWT
                       | AB_REDACT_DET_BEARER, got;

        for (i = 0; i < n; i++) {
            s[i] = alpha[rnd() % (sizeof(alpha) - 1)];
            digits += (s[i] >= '0' && s[i] <= '9');
            hasj |= s[i] == 'J';
            hasb |= s[i] == 'b' || s[i] == 'B';
        }
        got = abr_detect_census(s, n, at_cut, all);
        if (digits >= (at_cut ? 8u : 13u)) {
            ck_assert_msg(got & AB_REDACT_DET_PAN, "round %d: %lu digits "
                          "dropped", round, (unsigned long)digits);
        }
        else {
            /* exact below 8 bytes (one padded step), else it may keep */
            ck_assert(n >= 8 || !(got & AB_REDACT_DET_PAN));
        }
        ck_assert(!hasj == !(got & AB_REDACT_DET_JWT));
        ck_assert(!hasb == !(got & AB_REDACT_DET_BEARER));
        /* a detector not asked for is never added */
        ck_assert_uint_eq(abr_detect_census(s, n, at_cut,
                                            AB_REDACT_DET_JWT)
                          & ~(unsigned)AB_REDACT_DET_JWT, 0);
    }
}
END_TEST

/* ------------------------------------------------------------ numbers */

/* The JSON number grammar, written out independently: -? (0 | [1-9]
 * [0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int is_number(const char *s, apr_size_t n)
{
    apr_size_t i = 0;

    if (i < n && s[i] == '-') {
        i++;
    }
    if (i >= n || s[i] < '0' || s[i] > '9') {
        return 0;
    }
    if (s[i++] != '0') {
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    if (i < n && s[i] == '.') {
        if (++i >= n || s[i] < '0' || s[i] > '9') {
            return 0;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if (i >= n || s[i] < '0' || s[i] > '9') {
            return 0;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    return i == n;
}

/* Every token over the number alphabet, in each place a number can end
 * (before ',', ']', '}', whitespace, and at the end of the input): inside
 * an array or object valid exactly when the grammar says so; a valid
 * number is copied unchanged anywhere. (At the top level values need no
 * separator, NDJSON-like: "01" is the values 0 and 1.) */
START_TEST(json_numbers_follow_the_grammar)
{
    static const char alpha[] = "-0123456789.eE+";
    /* before the token, after it; "%" after: the token again (two
     * top-level values) */
    static const char *const fmt[][2] = {
        { "[", "]" }, { "[", ",1]" }, { "{\"a\":", "}" },
        { "{\"a\":", ",\"b\":2}" }, { "", "" }, { "", "\n" },
        { "[", " ]" }, { "", "%" }
    };
    char tok[16], doc[64], out[256];
    int round, valid_seen = 0;
    ab_redact_cfg_t c;

    memset(&c, 0, sizeof(c));
    c.detectors = AB_REDACT_DET_DEFAULT;
    rnd_state = 1234;
    for (round = 0; round < unit_rounds(60000); round++) {
        apr_size_t n = 1 + rnd() % 9, i, dl, ol = 0;
        int f = (int)(rnd() % (sizeof(fmt) / sizeof(*fmt))), valid;
        ab_redact_report_t rep;
        ab_redact_status_e st;

        for (i = 0; i < n; i++) {
            /* digits half the time, so valid numbers are common */
            tok[i] = rnd() % 2 ? alpha[1 + rnd() % 10]
                               : alpha[rnd() % (sizeof(alpha) - 1)];
        }
        tok[n] = '\0';
        valid = is_number(tok, n);
        valid_seen += valid;
        if (fmt[f][1][0] == '%') {
            dl = (apr_size_t)snprintf(doc, sizeof(doc), "%s %s", tok, tok);
        }
        else {
            dl = (apr_size_t)snprintf(doc, sizeof(doc), "%s%s%s", fmt[f][0],
                                      tok, fmt[f][1]);
        }
        ab_redact_report_init(&rep);
        st = ab_redact_json(pool, &c, doc, dl, 0, out, sizeof(out), &ol,
                            &rep);
        ck_assert_msg((st == AB_REDACT_OK) == valid
                      || (!valid && fmt[f][0][0] == '\0'),
                      "%s: status %d (%s)", doc, st,
                      rep.reason ? rep.reason : "");
        if (valid) {
            ck_assert_msg(ol == dl && !memcmp(out, doc, dl), "%s changed",
                          doc);
        }
    }
    ck_assert_int_gt(valid_seen, unit_rounds(60000) / 10);
}
END_TEST

/* A number a detector matches is replaced whether the shortcut or the
 * byte-wise grammar reads it (followed by more input, or at the end). */
START_TEST(json_number_pan)
{
    static const char *const in[] = {
        "[4111111111111111]", "{\"n\":4111111111111111,\"m\":1}",
        "4111111111111111", "[4111111111111111 ]", "[-4111111111111111]"
    };
    static const char *const want[] = {
        "[\"***\"]", "{\"n\":\"***\",\"m\":1}", "\"***\"", "[\"***\" ]",
        "[\"***\"]"                     /* the digits are a PAN */
    };
    ab_redact_cfg_t c;
    size_t k;

    memset(&c, 0, sizeof(c));
    c.detectors = AB_REDACT_DET_DEFAULT;
    for (k = 0; k < sizeof(in) / sizeof(*in); k++) {
        char out[128];
        apr_size_t ol = 0;
        ab_redact_report_t rep;

        ab_redact_report_init(&rep);
        ck_assert_int_eq(ab_redact_json(pool, &c, in[k], strlen(in[k]), 0,
                                        out, sizeof(out), &ol, &rep),
                         AB_REDACT_OK);
        ck_assert_msg(ol == strlen(want[k]) && !memcmp(out, want[k], ol),
                      "%s -> %.*s", in[k], (int)ol, out);
    }
}
END_TEST

Suite *ab_redact_fast_suite(void)
{
    Suite *s = suite_create("ab_redact_fast");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, memo_agrees_with_list);
    tcase_add_test(tc, memo_list_rebuilt_in_place);
    tcase_add_test(tc, memo_json_alternating_lists);
    tcase_add_test(tc, census_never_hides_a_match);
    tcase_add_test(tc, census_counts);
    tcase_add_test(tc, json_numbers_follow_the_grammar);
    tcase_add_test(tc, json_number_pan);
    suite_add_tcase(s, tc);
    return s;
}
