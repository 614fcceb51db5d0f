/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_redact: the name list, detectors, tokens, and the JSON,
 * form, query, URL, XML, multipart and text redactors, each document cut
 * at every byte. Secrets in these documents are written only with the
 * letters of SECRET_BYTES, which nothing else uses, so "no secret byte in
 * the output" is a plain byte test. */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "test_common.h"
#include "ab_redact.h"

#define SECRET_BYTES "QZXJK"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static ab_redact_cfg_t defcfg(void)
{
    ab_redact_cfg_t c;

    memset(&c, 0, sizeof(c));
    c.names = ab_redact_names_build(pool, NULL);
    c.detectors = AB_REDACT_DET_DEFAULT;
    return c;
}

/* Run redactor kind ('j' json, 'f' form, 'q' query, 'u' url, 'x' xml,
 * 'm' multipart with boundary BB, 't' text, 'b' ab_redact_body with ct). */
static ab_redact_status_e run(apr_pool_t *p, int kind,
                              const ab_redact_cfg_t *c, const char *ct,
                              const char *in, apr_size_t len, int trunc,
                              char **out, apr_size_t *olen,
                              ab_redact_report_t *rep)
{
    apr_size_t cap = ab_redact_out_size(len);
    char *o = apr_palloc(p, cap + 1);
    ab_redact_status_e rv = AB_REDACT_UNPARSEABLE;

    ab_redact_report_init(rep);
    switch (kind) {
    case 'j': rv = ab_redact_json(p, c, in, len, trunc, o, cap, olen, rep);
              break;
    case 'f': rv = ab_redact_form(p, c, in, len, trunc, o, cap, olen, rep);
              break;
    case 'q': rv = ab_redact_query(p, c, in, len, o, cap, olen, rep); break;
    case 'u': rv = ab_redact_url(p, c, in, len, o, cap, olen, rep); break;
    case 'x': rv = ab_redact_xml(p, c, in, len, trunc, o, cap, olen, rep);
              break;
    case 'm': rv = ab_redact_multipart(p, c, "BB", 2, in, len, trunc, o, cap,
                                       olen, rep);
              break;
    case 't': rv = ab_redact_text(p, c, in, len, trunc, o, cap, olen, rep);
              break;
    case 'b': rv = ab_redact_body(p, c, ct, in, len, trunc, o, cap, olen,
                                  rep);
              break;
    }
    ck_assert_uint_le(*olen, cap);
    o[*olen] = '\0';
    *out = o;
    return rv;
}

static const char *red1(int kind, const ab_redact_cfg_t *c, const char *in,
                        ab_redact_report_t *rep, ab_redact_status_e *rv)
{
    char *out;
    apr_size_t ol;

    *rv = run(pool, kind, c, NULL, in, strlen(in), 0, &out, &ol, rep);
    return out;
}

static const char *red(int kind, const char *in, ab_redact_report_t *rep)
{
    ab_redact_cfg_t c = defcfg();
    ab_redact_status_e rv;
    const char *o = red1(kind, &c, in, rep, &rv);

    ck_assert_msg(rv == AB_REDACT_OK, "status %d (%s) for %s", rv,
                  rep->reason ? rep->reason : "", in);
    return o;
}

/* The heart of it: cut doc at every byte; every prefix redacts (status
 * OK), no secret byte survives, and the copy is itself valid up to the
 * cut (the same redactor accepts it with nothing to redact). */
static void every_cut(int kind, const char *doc)
{
    ab_redact_cfg_t c = defcfg(), plain;
    apr_size_t len = strlen(doc), cut;
    apr_pool_t *sub;

    memset(&plain, 0, sizeof(plain));
    apr_pool_create(&sub, pool);
    for (cut = 0; cut <= len; cut++) {
        char *out, *out2;
        apr_size_t ol, ol2;
        ab_redact_report_t rep;
        ab_redact_status_e rv;
        int trunc = cut < len;

        apr_pool_clear(sub);
        rv = run(sub, kind, &c, NULL, doc, cut, trunc, &out, &ol, &rep);
        ck_assert_msg(rv == AB_REDACT_OK, "%c cut %u: status %d %s", kind,
                      (unsigned)cut, rv, rep.reason ? rep.reason : "");
        ck_assert_msg(strcspn(out, SECRET_BYTES) == ol,
                      "%c cut %u: secret byte in %s", kind, (unsigned)cut,
                      out);
        if (kind == 'q' || kind == 'u' || kind == 't') {
            continue;
        }
        rv = run(sub, kind, &plain, NULL, out, ol, trunc, &out2, &ol2, &rep);
        ck_assert_msg(rv == AB_REDACT_OK, "%c cut %u: copy invalid: %s (%s)",
                      kind, (unsigned)cut, out, rep.reason ? rep.reason : "");
        /* a file summary is summarized again: not stable */
        ck_assert_msg(kind == 'm' || (ol2 == ol && !memcmp(out, out2, ol)),
                      "%c cut %u: not stable", kind, (unsigned)cut);
    }
    apr_pool_destroy(sub);
}

/* ------------------------------------------------------------ names */

START_TEST(names_defaults_and_wildcards)
{
    ab_redact_names_t *n = ab_redact_names_build(pool, NULL);

    ck_assert(ab_redact_name_match(n, "password", 8));
    ck_assert(ab_redact_name_match(n, "PassWord", 8));
    ck_assert(ab_redact_name_match(n, "access_token", 12));
    ck_assert(ab_redact_name_match(n, "TOKEN", 5));
    ck_assert(ab_redact_name_match(n, "client_secret", 13));
    ck_assert(ab_redact_name_match(n, "x-api-key", 9));
    ck_assert(ab_redact_name_match(n, "set-cookie", 10));
    ck_assert(ab_redact_name_match(n, "CVV", 3));
    ck_assert(!ab_redact_name_match(n, "user", 4));
    ck_assert(ab_redact_name_match(n, "new_password", 12));
    ck_assert(ab_redact_name_match(n, "passwords", 9));
    ck_assert(!ab_redact_name_match(n, "passport", 8));
    ck_assert(!ab_redact_name_match(n, "pins", 4));
    ck_assert(!ab_redact_name_match(n, "", 0));
    ck_assert(!ab_redact_name_match(n, "api-keys", 8) == 0
              || !ab_redact_name_match(n, "api-keys", 8));
    ck_assert(ab_redact_name_match(n, "my-api-key-2", 12));
    {
        char longname[AB_REDACT_NAME_MAX + 10];
        memset(longname, 'a', sizeof(longname));
        ck_assert(ab_redact_name_match(n, longname, sizeof(longname)));
    }
}
END_TEST

START_TEST(names_add_remove_none_merge)
{
    apr_array_header_t *outer = NULL, *inner = NULL, *m;
    ab_redact_names_t *n;

    ck_assert_ptr_null(ab_redact_names_arg(pool, &outer, "+X-Foo-*"));
    ck_assert_ptr_null(ab_redact_names_arg(pool, &outer, "-password"));
    n = ab_redact_names_build(pool, outer);
    ck_assert(ab_redact_name_match(n, "password", 8));    /* *password* */
    ck_assert_ptr_null(ab_redact_names_arg(pool, &outer, "-*PASSWORD*"));
    n = ab_redact_names_build(pool, outer);
    ck_assert(ab_redact_name_match(n, "x-foo-bar", 9));
    ck_assert(!ab_redact_name_match(n, "password", 8));
    ck_assert(ab_redact_name_match(n, "passwd", 6));
    /* inner: none clears defaults and outer, then adds one */
    ck_assert_ptr_null(ab_redact_names_arg(pool, &inner, "None"));
    ck_assert_ptr_null(ab_redact_names_arg(pool, &inner, "otp"));
    m = ab_redact_names_merge(pool, outer, inner);
    n = ab_redact_names_build(pool, m);
    ck_assert_int_eq(ab_redact_names_count(n), 1);
    ck_assert_str_eq(ab_redact_names_str(pool, n), "otp");
    /* inner re-adds what outer removed */
    inner = NULL;
    ck_assert_ptr_null(ab_redact_names_arg(pool, &inner, "password"));
    n = ab_redact_names_build(pool, ab_redact_names_merge(pool, outer,
                                                           inner));
    ck_assert(ab_redact_name_match(n, "Password", 8));
    ck_assert_ptr_null(ab_redact_names_merge(pool, NULL, NULL));
    /* none alone: nothing matches */
    inner = NULL;
    ab_redact_names_arg(pool, &inner, "none");
    n = ab_redact_names_build(pool, inner);
    ck_assert(!ab_redact_name_match(n, "password", 8));
    /* errors */
    ck_assert_ptr_nonnull(ab_redact_names_arg(pool, &inner, "-"));
    ck_assert_ptr_nonnull(ab_redact_names_arg(pool, &inner, "a b"));
    ck_assert_ptr_nonnull(ab_redact_names_arg(pool, &inner, "-none"));
    ck_assert_ptr_nonnull(strstr(ab_redact_names_arg(pool, &inner, ""),
                                 "AuditBodyRedact"));
}
END_TEST

/* ------------------------------------------------------------ detectors */

START_TEST(detectors_pan_jwt_bearer)
{
    ab_redact_cfg_t c = defcfg();
    apr_size_t a, b;
    const char *s;

    ck_assert(ab_redact_luhn("4111111111111111", 16));
    ck_assert(!ab_redact_luhn("4111111111111112", 16));
    s = "card 4111 1111 1111 1111 exp";
    ck_assert(ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    ck_assert_uint_eq(a, 5);
    ck_assert_uint_eq(b, 24);
    s = "4111-1111-1111-1111 12/25";        /* trailing group ignored */
    ck_assert(ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "4111 1111 1111 1111 12";           /* 18 digits fail, 16 pass */
    ck_assert(ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    ck_assert_uint_eq(b, 19);
    s = "id 4111111111111112";              /* Luhn off: no match */
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "41111111111111110000";             /* 20 digits, one group */
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "3782 822463 10005";                /* Amex 4-6-5 */
    ck_assert(ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "5555 5555 5555 4444 and 6011-1111-1111-1117";
    ck_assert(ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    ck_assert_uint_eq(a, 0);
    /* Luhn-valid digits not written as a card number: a pid and a time,
     * mixed separators, a first group not of 4, an issuer digit 1 or 9 */
    ck_assert(ab_redact_luhn("2219717965984414", 16));
    s = "m-22197-1796598441-4";
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "4111 1111-1111 1111";
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "41111 111 1111 1111";
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    ck_assert(ab_redact_luhn("1796598445122", 13));
    s = "ts 1796598445122";
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "order 4111 1111";                  /* cut: 8 digits at the cap */
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    ck_assert(ab_redact_detect(&c, s, strlen(s), 1, &a, &b));
    s = "x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_ y";
    ck_assert(ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    ck_assert_uint_eq(a, 2);
    ck_assert_uint_eq(b, strlen(s) - 2);
    s = "eyJhbGciOiJIUzI1NiJ9 only";
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "heyJude.a.b";
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    s = "Authorization: Bearer abc.def-ghi";
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    c.detectors |= AB_REDACT_DET_BEARER;
    ck_assert(ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    ck_assert_uint_eq(a, 22);
    c.detectors = 0;
    s = "4111111111111111";
    ck_assert(!ab_redact_detect(&c, s, strlen(s), 0, &a, &b));
    {
        unsigned m = 0;
        ck_assert_ptr_null(ab_redact_detector_arg("PAN", &m));
        ck_assert_ptr_null(ab_redact_detector_arg("bearer", &m));
        ck_assert_uint_eq(m, AB_REDACT_DET_PAN | AB_REDACT_DET_BEARER);
        ck_assert_ptr_null(ab_redact_detector_arg("none", &m));
        ck_assert_uint_eq(m, 0);
        ck_assert_ptr_nonnull(ab_redact_detector_arg("(a+)+", &m));
    }
}
END_TEST

/* What the glue's regex callback looks like: here "ddd-dd-dddd". */
static int ssn_like(void *baton, const char *s, apr_size_t len, int at_cut,
                    apr_size_t *start, apr_size_t *end)
{
    static const char shape[] = "ddd-dd-dddd";
    apr_size_t i, k;

    (*(int *)baton)++;
    for (i = 0; i + 11 <= len; i++) {
        for (k = 0; k < 11; k++) {
            char c = s[i + k];
            if (shape[k] == 'd' ? !(c >= '0' && c <= '9') : c != '-') {
                break;
            }
        }
        if (k == 11) {
            *start = i;
            *end = i + 11;
            return 1;
        }
    }
    return 0;
}

START_TEST(extra_detector_callback)
{
    ab_redact_cfg_t c = defcfg();
    ab_redact_report_t rep;
    ab_redact_status_e rv;
    int calls = 0;

    c.extra = ssn_like;
    c.extra_baton = &calls;
    ck_assert_str_eq(red1('t', &c, "id 078-05-1120 and 078-05-1121.", &rep,
                          &rv), "id *** and ***.");
    ck_assert_uint_eq(rep.count, 2);
    ck_assert_str_eq(red1('j', &c, "{\"n\":\"x 078-05-1120\",\"m\":\"y\"}",
                          &rep, &rv), "{\"n\":\"***\",\"m\":\"y\"}");
    ck_assert_str_eq(red1('f', &c, "a=078-05-1120&b=1", &rep, &rv),
                     "a=***&b=1");
    ck_assert_str_eq(red1('x', &c, "<a b=\"078-05-1120\">078-05-1120</a>",
                          &rep, &rv), "<a b=\"***\">***</a>");
    ck_assert_int_gt(calls, 4);
    calls = 0;
    red1('j', &c, "[\"y\"]", &rep, &rv);     /* short strings too */
    ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(hmac_tokens)
{
    ab_redact_cfg_t c = defcfg();
    char t1[AB_REDACT_TOKEN_MAX], t2[AB_REDACT_TOKEN_MAX];
    ab_redact_report_t rep;
    const char *o1, *o2;
    ab_redact_status_e rv;

    c.with = AB_REDACT_HMAC;
    c.key = (const unsigned char *)"k1";
    c.key_len = 2;
    ck_assert_uint_eq(ab_redact_token(&c, "hunter2", 7, t1), 28);
    ab_redact_token(&c, "hunter2", 7, t2);
    ck_assert_str_eq(t1, t2);
    ck_assert(!strncmp(t1, "hmac-sha256:", 12));
    ab_redact_token(&c, "hunter3", 7, t2);
    ck_assert_str_ne(t1, t2);
    c.key = (const unsigned char *)"k2";
    ab_redact_token(&c, "hunter2", 7, t2);
    ck_assert_str_ne(t1, t2);
    c.key = (const unsigned char *)"k1";
    /* the same value in JSON (escaped) and in a form (encoded): one token */
    o1 = red1('j', &c, "{\"password\":\"hunt\\u0065r2\"}", &rep, &rv);
    ck_assert_int_eq(rv, AB_REDACT_OK);
    ck_assert_str_eq(o1, apr_psprintf(pool, "{\"password\":\"%s\"}", t1));
    o2 = red1('f', &c, "password=hunt%65r2", &rep, &rv);
    ck_assert_str_eq(o2, apr_psprintf(pool, "password=%s", t1));
    c.with = AB_REDACT_MASK;
    ck_assert_uint_eq(ab_redact_token(&c, "x", 1, t1), 3);
    ck_assert_str_eq(t1, "***");
}
END_TEST

/* ------------------------------------------------------------ JSON */

START_TEST(json_basic_paths)
{
    ab_redact_report_t rep;

    ck_assert_str_eq(red('j', "{\"user\":\"bob\",\"password\":\"hunter2\"}",
                         &rep),
                     "{\"user\":\"bob\",\"password\":\"***\"}");
    ck_assert_uint_eq(rep.count, 1);
    ck_assert_str_eq(rep.paths[0], "password");
    ck_assert_str_eq(red('j', "{\"user\":{\"name\":\"b\",\"pin\":1234},"
                              "\"items\":[{\"id\":1},{\"id\":2},"
                              "{\"token\":[1,{\"a\":2}]}]}", &rep),
                     "{\"user\":{\"name\":\"b\",\"pin\":\"***\"},"
                     "\"items\":[{\"id\":1},{\"id\":2},{\"token\":\"***\"}]}");
    ck_assert_uint_eq(rep.count, 2);
    ck_assert_str_eq(rep.paths[0], "user.pin");
    ck_assert_str_eq(rep.paths[1], "items[2].token");
    /* every type under a redacted key becomes "***" */
    ck_assert_str_eq(red('j', " {\"cvv\" : -1.5e3 , \"ssn\":[] ,\"secret\":{},"
                              "\"pin\":true,\"auth\":null}\n", &rep),
                     " {\"cvv\" : \"***\" , \"ssn\":\"***\" ,"
                     "\"secret\":\"***\",\"pin\":\"***\",\"auth\":\"***\"}\n");
    ck_assert_uint_eq(rep.count, 5);
    /* escaped spellings of the key, duplicate keys */
    ck_assert_str_eq(red('j', "{\"pass\\u0077ord\":\"a\",\"PassWord\":\"b\","
                              "\"pin\":\"c\",\"pin\":\"d\",\"pass\\u0077\":1}",
                         &rep),
                     "{\"pass\\u0077ord\":\"***\",\"PassWord\":\"***\","
                     "\"pin\":\"***\",\"pin\":\"***\",\"pass\\u0077\":1}");
    ck_assert_uint_eq(rep.count, 4);
    ck_assert_str_eq(rep.paths[0], "password");
    /* detectors on string values, whatever the key; numbers too */
    ck_assert_str_eq(red('j', "[\"4111 1111 1111 1111\",4111111111111111,"
                              "4111111111111112,{\"note\":\"eyJhbGciOi.x.y\"}]",
                         &rep),
                     "[\"***\",\"***\",4111111111111112,{\"note\":\"***\"}]");
    ck_assert_uint_eq(rep.count, 3);
    ck_assert_str_eq(rep.paths[0], "[0]");
    ck_assert_str_eq(rep.paths[2], "[3].note");
    /* "taken" and "token" share a slot of the key memo */
    ck_assert_str_eq(red('j', "[{\"taken\":\"a\",\"token\":\"b\"},"
                              "{\"taken\":\"c\",\"token\":\"d\",\"taken\":\"e\"}]",
                         &rep),
                     "[{\"taken\":\"a\",\"token\":\"***\"},"
                     "{\"taken\":\"c\",\"token\":\"***\",\"taken\":\"e\"}]");
    /* NDJSON: a sequence of values */
    ck_assert_str_eq(red('j', "{\"token\":\"a\"}\n{\"token\":\"b\"}\n", &rep),
                     "{\"token\":\"***\"}\n{\"token\":\"***\"}\n");
    /* names redacted nowhere else: keys of a redacted value's children are
     * not reported separately */
    ck_assert_str_eq(red('j', "{\"session\":{\"token\":\"x\",\"a\":[1]}}",
                         &rep), "{\"session\":\"***\"}");
    ck_assert_uint_eq(rep.count, 1);
}
END_TEST

START_TEST(json_truncation_and_fail_closed)
{
    ab_redact_cfg_t c = defcfg();
    ab_redact_report_t rep;
    ab_redact_status_e rv;
    char *out;
    apr_size_t ol;
    const char *d;
    int i;

    /* a value cut by the cap is redacted like a whole one */
    d = "{\"a\":1,\"password\":\"hunt";
    rv = run(pool, 'j', &c, NULL, d, strlen(d), 1, &out, &ol, &rep);
    ck_assert_int_eq(rv, AB_REDACT_OK);
    ck_assert_str_eq(out, "{\"a\":1,\"password\":\"***\"");
    d = "{\"password\":{\"a\":[1,2";
    rv = run(pool, 'j', &c, NULL, d, strlen(d), 1, &out, &ol, &rep);
    ck_assert_str_eq(out, "{\"password\":\"***\"");
    /* a key cut by the cap hides nothing */
    d = "{\"a\":1,\"passw";
    rv = run(pool, 'j', &c, NULL, d, strlen(d), 1, &out, &ol, &rep);
    ck_assert_str_eq(out, d);
    ck_assert_uint_eq(rep.count, 0);
    /* the same prefix, complete: invalid */
    rv = run(pool, 'j', &c, NULL, d, strlen(d), 0, &out, &ol, &rep);
    ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
    ck_assert_uint_eq(ol, 0);
    /* invalid before the cut */
    {
    static const char *bad[] = {
        "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "{\"a\":01}", "{\"a\":tru}",
        "{\"a\":\"x\ty\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12g4\"}", "]",
        "{\"a\":1]", "[1,]", "{1:2}", "-", "1.", "1e", "{\"password\":x}",
        "{\"password\":\"s\" \"t\"}"
    };
    for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
        rv = run(pool, 'j', &c, NULL, bad[i], strlen(bad[i]), 0, &out, &ol,
                 &rep);
        ck_assert_msg(rv == AB_REDACT_UNPARSEABLE, "accepted %s", bad[i]);
        ck_assert_ptr_nonnull(rep.reason);
    }
    }
    /* fail closed past the depth limit, accepted at it */
    {
        char deep[200];
        memset(deep, '[', 65);
        memset(deep + 65, ']', 65);
        deep[130] = '\0';
        rv = run(pool, 'j', &c, NULL, deep, 130, 0, &out, &ol, &rep);
        ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
        ck_assert_ptr_nonnull(strstr(rep.reason, "deeper"));
        rv = run(pool, 'j', &c, NULL, deep + 1, 128, 0, &out, &ol, &rep);
        ck_assert_int_eq(rv, AB_REDACT_OK);
        c.max_depth = 2;
        d = "{\"a\":{\"b\":{}}}";
        rv = run(pool, 'j', &c, NULL, d, strlen(d), 0, &out, &ol, &rep);
        ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
    }
}
END_TEST

static const char *json_docs[] = {
    "{\"user\":\"bob\",\"password\":\"QZXJ\",\"n\":1}",
    "{\"a\":{\"b\":[1,{\"token\":\"QZXKY\"},{\"x\":\"y\"}]},\"items\":[{\"id\":1},"
    "{\"id\":2},{\"id\":3,\"access_token\":{\"k\":[1,\"QQ\",{\"z\":\"KY\"}]}}]}",
    "{\"pass\\u0077ord\":\"QZ\\\"XJ\",\"PassWord\":\"XJ\\u0051\",\"e\":\"\\n\"}",
    "{\"pin\":\"QZ\",\"pin\":\"XJ\",\"pin\":[\"YY\"],\"ok\":true}",
    "[{\"api_key\":\"QZXJ\"},\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.QZXJ\","
    "-0.5e-3,null,false,\"\\ud83d\\ude00\"]",
    "  {\"cvv\":123, \"ssn\":[1,2],\"secret\":{\"a\":\"QZ\"},\"auth\":null,"
    "\"x-api-key\":\"QZY\"}  \n{\"session\":\"KJ\"}",
};

START_TEST(json_every_cut)
{
    unsigned i;

    for (i = 0; i < sizeof(json_docs) / sizeof(json_docs[0]); i++) {
        every_cut('j', json_docs[i]);
    }
}
END_TEST

/* ------------------------------------------------------------ forms */

START_TEST(form_query_url)
{
    ab_redact_report_t rep;

    ck_assert_str_eq(red('f', "user=bob&password=hunter2&pass%77ord=x&"
                              "Pass+Word=y&PassWord=z&x=1&flag&token=",
                         &rep),
                     "user=bob&password=***&pass%77ord=***&Pass+Word=y&"
                     "PassWord=***&x=1&flag&token=");
    ck_assert_uint_eq(rep.count, 3);
    ck_assert_str_eq(rep.paths[0], "form:password");
    ck_assert_str_eq(rep.paths[1], "form:password");
    /* Rails/PHP nested names: any [segment] or .segment decides */
    ck_assert_str_eq(red('f', "user%5Bname%5D=bob&user%5Bpassword%5D=x&"
                              "user[password_confirmation]=y&a.token=z&"
                              "users[]=1", &rep),
                     "user%5Bname%5D=bob&user%5Bpassword%5D=***&"
                     "user[password_confirmation]=***&a.token=***&users[]=1");
    ck_assert_str_eq(rep.paths[0], "form:user[password]");
    /* a JSON body sent as a form (curl -d) is redacted as JSON */
    ck_assert_str_eq(red('f', "{\"password\":\"x\"}", &rep),
                     "{\"password\":\"***\"}");
    /* detectors on decoded values */
    ck_assert_str_eq(red('f', "card=4111+1111+1111+1111&n=2", &rep),
                     "card=***&n=2");
    ck_assert_str_eq(red('q', "a=1&access_token=abc&b=2", &rep),
                     "a=1&access_token=***&b=2");
    ck_assert_str_eq(rep.paths[0], "query:access_token");
    ck_assert_str_eq(red('u', "https://bob:hunter2@example.com/p/x?"
                              "code=1&client_secret=s#access_token=t&y=2",
                         &rep),
                     "https://bob:***@example.com/p/x?code=1&"
                     "client_secret=***#access_token=***&y=2");
    ck_assert_uint_eq(rep.count, 3);
    ck_assert_str_eq(rep.paths[0], "url:userinfo");
    ck_assert_str_eq(rep.paths[2], "fragment:access_token");
    ck_assert_str_eq(red('u', "/login?next=/home", &rep),
                     "/login?next=/home");
    ck_assert_str_eq(red('u', "/reset/eyJhbGciOi.eyJ.x", &rep),
                     "/reset/***");
    {
        ab_redact_cfg_t c = defcfg();
        ab_redact_status_e rv;
        red1('f', &c, "a=1&b=\001", &rep, &rv);
        ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
    }
}
END_TEST

START_TEST(form_every_cut)
{
    every_cut('f', "user=bob&password=QZXJ&pass%77ord=QZ&PassWord=XJ&x=1&"
                   "Client_Secret=K%59&card=4111+1111+1111+1111&e=");
    every_cut('q', "a=1&access_token=QZXJKY&b=2&api_key=Q");
    /* URLs come from headers and r->unparsed_uri, never cut */
}
END_TEST

/* ------------------------------------------------------------ XML */

static const char *soap =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE e [<!ENTITY a \"b\">]>"
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""
    " xmlns:wsse=\"urn:w\"><soap:Header><wsse:Security><wsse:Username>bob"
    "</wsse:Username><wsse:Password Type='t'>QZXJ</wsse:Password>"
    "</wsse:Security></soap:Header><soap:Body><login token=\"QZX\" a=\"b\">"
    "<!-- c --><![CDATA[x]]><pin><a>QZ</a><![CDATA[KY]]></pin><e/></login>"
    "</soap:Body></soap:Envelope>\n";

START_TEST(xml_soap)
{
    ab_redact_report_t rep;
    const char *o = red('x', soap, &rep);

    ck_assert_ptr_nonnull(strstr(o, "<wsse:Password Type='t'>***"
                                    "</wsse:Password>"));
    ck_assert_ptr_nonnull(strstr(o, "<login token=\"***\" a=\"b\">"));
    ck_assert_ptr_nonnull(strstr(o, "<pin>***</pin><e/>"));
    ck_assert_ptr_nonnull(strstr(o, "<wsse:Username>bob</wsse:Username>"));
    ck_assert_uint_eq(rep.count, 3);
    ck_assert_str_eq(rep.paths[0],
                     "/Envelope/Header/Security/Password");
    ck_assert_str_eq(rep.paths[1], "/Envelope/Body/login/@token");
    every_cut('x', soap);
    every_cut('x', "<a><b>4111 1111 1111 1111</b><secret k=\"v\">QZ</secret>"
                   "<c api_key='QZ'/></a>");
    {
        ab_redact_cfg_t c = defcfg();
        ab_redact_status_e rv;
        red1('x', &c, "<a><b></a></b>", &rep, &rv);
        ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
        red1('x', &c, "<a x=1></a>", &rep, &rv);
        ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
        red1('x', &c, "<a>", &rep, &rv);
        ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
    }
}
END_TEST

/* ------------------------------------------------------------ multipart */

static const char *mp =
    "--BB\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nbob\r\n"
    "--BB\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n"
    "QZXJ\r\n"
    "--BB\r\nContent-Disposition: form-data; name=\"avatar\"; "
    "filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNGQZXJ\r\n"
    "--BB\r\nContent-Disposition: form-data; name=\"meta\"\r\n"
    "Content-Type: application/json\r\n\r\n{\"token\":\"QZ\",\"a\":1}\r\n"
    "--BB\r\nContent-Disposition: form-data; name*=utf-8''pass%77ord\r\n"
    "\r\nKY\r\n--BB\r\nContent-Disposition: form-data; name=\"u[pin]\"\r\n"
    "\r\nJJ\r\n--BB--\r\n";

START_TEST(multipart_parts)
{
    ab_redact_report_t rep;
    const char *o = red('m', mp, &rep);

    ck_assert_ptr_nonnull(strstr(o, "name=\"user\"\r\n\r\nbob\r\n"));
    ck_assert_ptr_nonnull(strstr(o, "name=\"password\"\r\n\r\n***\r\n"));
    ck_assert_ptr_nonnull(strstr(o, "[file field=\"avatar\" filename=\"a.png\""
                                    " type=\"image/png\" size=8]\r\n"));
    ck_assert_ptr_nonnull(strstr(o, "{\"token\":\"***\",\"a\":1}"));
    ck_assert_uint_eq(rep.count, 4);
    ck_assert_str_eq(rep.paths[0], "form:password");
    ck_assert_str_eq(rep.paths[1], "meta.token");
    ck_assert_str_eq(rep.paths[3], "form:u[pin]");
    every_cut('m', mp);
    {
        const char *b;
        apr_size_t bl;
        ck_assert(ab_redact_multipart_boundary(
                      "multipart/form-data; boundary=\"a b\"", &b, &bl));
        ck_assert_uint_eq(bl, 3);
        ck_assert(ab_redact_multipart_boundary(
                      "multipart/form-data;charset=x; BOUNDARY=zz", &b, &bl));
        ck_assert(!strncmp(b, "zz", 2) && bl == 2);
        ck_assert(!ab_redact_multipart_boundary("multipart/form-data", &b,
                                                &bl));
    }
}
END_TEST

/* ------------------------------------------------------------ text, sniff */

START_TEST(text_and_sniffing)
{
    ab_redact_report_t rep;
    ab_redact_cfg_t c = defcfg();
    ab_redact_status_e rv;
    char *out;
    apr_size_t ol;
    const char *d;

    ck_assert_str_eq(red('t', "pay 4111 1111 1111 1111, jwt "
                              "eyJhbGciOi.eyJz.c end", &rep),
                     "pay ***, jwt *** end");
    ck_assert_uint_eq(rep.count, 2);
    ck_assert_str_eq(rep.paths[0], "text");
    /* a PAN cut by the cap */
    d = "pay 4111 1111 11";
    rv = run(pool, 't', &c, NULL, d, strlen(d), 1, &out, &ol, &rep);
    ck_assert_str_eq(out, "pay ***");
    ck_assert_int_eq(ab_redact_sniff(" \n{\"a\":1}", 8), AB_REDACT_KIND_JSON);
    ck_assert_int_eq(ab_redact_sniff("\xef\xbb\xbf[1]", 6),
                     AB_REDACT_KIND_JSON);
    ck_assert_int_eq(ab_redact_sniff("password=x", 10), AB_REDACT_KIND_FORM);
    ck_assert_int_eq(ab_redact_sniff("a%20b=x", 7), AB_REDACT_KIND_FORM);
    ck_assert_int_eq(ab_redact_sniff("hello world=x", 13),
                     AB_REDACT_KIND_TEXT);
    ck_assert_int_eq(ab_redact_sniff("=x", 2), AB_REDACT_KIND_TEXT);
    ck_assert_int_eq(ab_redact_sniff("<a>", 3), AB_REDACT_KIND_TEXT);
    ck_assert_int_eq(ab_redact_kind_of("Application/JSON; charset=utf-8"),
                     AB_REDACT_KIND_JSON);
    ck_assert_int_eq(ab_redact_kind_of("application/problem+json"),
                     AB_REDACT_KIND_JSON);
    ck_assert_int_eq(ab_redact_kind_of("text/xml"), AB_REDACT_KIND_XML);
    ck_assert_int_eq(ab_redact_kind_of("image/svg+xml"), AB_REDACT_KIND_XML);
    ck_assert_int_eq(ab_redact_kind_of("multipart/form-data; boundary=x"),
                     AB_REDACT_KIND_MULTIPART);
    ck_assert_int_eq(ab_redact_kind_of("text/plain"), AB_REDACT_KIND_TEXT);
    /* a content type cannot dodge: JSON under text/plain, a form under
     * text/html, invalid JSON under text/plain fails closed */
    d = "{\"password\":\"x\"}";
    rv = run(pool, 'b', &c, "text/plain", d, strlen(d), 0, &out, &ol, &rep);
    ck_assert_str_eq(out, "{\"password\":\"***\"}");
    d = "token=abc&x=1";
    rv = run(pool, 'b', &c, "text/html", d, strlen(d), 0, &out, &ol, &rep);
    ck_assert_str_eq(out, "token=***&x=1");
    d = "{\"password\":\"x\" oops";
    rv = run(pool, 'b', &c, "text/plain", d, strlen(d), 0, &out, &ol, &rep);
    ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
    d = "--q\r\n\r\nx\r\n--q--";
    rv = run(pool, 'b', &c, "multipart/form-data", d, strlen(d), 0, &out,
             &ol, &rep);
    ck_assert_int_eq(rv, AB_REDACT_UNPARSEABLE);
    rv = run(pool, 'b', &c, "multipart/form-data; boundary=q", d, strlen(d),
             0, &out, &ol, &rep);
    ck_assert_int_eq(rv, AB_REDACT_OK);
}
END_TEST

/* Pairs with a redacted name in free text: a link in an HTML page (the
 * very URL a Location header redacts), JSON inside a script, encoded
 * names; base64 padding and unnamed values are left alone. */
START_TEST(text_pairs)
{
    ab_redact_report_t rep;

    ck_assert_str_eq(red('t', "<a href=\"http://c.example/cb?code=1&amp;"
                              "access_token=S3CRET-1#x\">go</a>", &rep),
                     "<a href=\"http://c.example/cb?code=1&amp;"
                     "access_token=***#x\">go</a>");
    ck_assert_uint_eq(rep.count, 1);
    ck_assert_str_eq(red('t', "var cfg = {\"user\": \"bob\", \"password\": "
                              "\"a\\\"b\", 'pin': 1234};", &rep),
                     "var cfg = {\"user\": \"bob\", \"password\": \"***\", "
                     "'pin': ***};");
    ck_assert_uint_eq(rep.count, 2);
    ck_assert_str_eq(red('t', "retry pass%77ord=x1 user[password]=x2 "
                              "Token=x3,ok", &rep),
                     "retry pass%77ord=*** user[password]=*** Token=***,ok");
    ck_assert_str_eq(red('t', "blob YWJjZA== and token= and =x and "
                              "user=bob", &rep),
                     "blob YWJjZA== and token= and =x and user=bob");
    ck_assert_uint_eq(rep.count, 0);
}
END_TEST

/* Many matches of one detector while another finds none: every
 * detector scans the text about once (no rescans from each match). */
START_TEST(text_many_matches)
{
    ab_redact_cfg_t c = defcfg();
    ab_redact_report_t rep;
    ab_redact_status_e rv;
    int i, n = 2000;
    char *doc = apr_palloc(pool, (apr_size_t)n * 24 + 1), *p = doc, *out;
    apr_size_t ol;

    c.detectors |= AB_REDACT_DET_BEARER;
    for (i = 0; i < n; i++) {
        p += sprintf(p, "4111111111111111 y%04d ", i);
    }
    rv = run(pool, 't', &c, NULL, doc, strlen(doc), 0, &out, &ol, &rep);
    ck_assert_int_eq(rv, AB_REDACT_OK);
    ck_assert_uint_eq(rep.count, (apr_size_t)n);
    ck_assert_uint_eq(ol, (apr_size_t)n * 10);
    ck_assert(!strncmp(out, "*** y0000 *** y0001 ", 20));
}
END_TEST

START_TEST(report_bounded_and_overflow)
{
    ab_redact_cfg_t c = defcfg();
    ab_redact_report_t rep;
    ab_redact_status_e rv;
    char *doc = apr_palloc(pool, 40 * 12 + 3), *p = doc, out[64];
    apr_size_t ol;
    int i;

    *p++ = '[';
    for (i = 0; i < 40; i++) {
        p += sprintf(p, "%s{\"pin\":1}", i ? "," : "");
    }
    *p++ = ']';
    *p = '\0';
    rv = run(pool, 'j', &c, NULL, doc, strlen(doc), 0, &p, &ol, &rep);
    ck_assert_int_eq(rv, AB_REDACT_OK);
    ck_assert_uint_eq(rep.count, 40);
    ck_assert_int_eq(rep.npaths, AB_REDACT_MAX_PATHS);
    ck_assert_uint_eq(rep.left_out, 40 - AB_REDACT_MAX_PATHS);
    ck_assert_str_eq(rep.paths[31], "[31].pin");
    /* an output buffer too small is refused, never overrun */
    ab_redact_report_init(&rep);
    rv = ab_redact_json(pool, &c, doc, strlen(doc), 0, out, sizeof(out), &ol,
                        &rep);
    ck_assert_int_eq(rv, AB_REDACT_OVERFLOW);
    ck_assert_uint_eq(ol, 0);
    /* hmac tokens on tiny values outgrow ab_redact_out_size(); the retry
     * with ab_redact_out_max() fits */
    {
        apr_size_t len = strlen(doc), cap = ab_redact_out_size(len);
        char *big;

        c.with = AB_REDACT_HMAC;
        c.key = (const unsigned char *)"k";
        c.key_len = 1;
        big = apr_palloc(pool, ab_redact_out_max(len));
        ab_redact_report_init(&rep);
        rv = ab_redact_json(pool, &c, doc, len, 0, big, cap, &ol, &rep);
        ck_assert_int_eq(rv, AB_REDACT_OVERFLOW);
        ab_redact_report_init(&rep);
        rv = ab_redact_json(pool, &c, doc, len, 0, big,
                            ab_redact_out_max(len), &ol, &rep);
        ck_assert_int_eq(rv, AB_REDACT_OK);
        ck_assert_uint_gt(ol, cap);
        ck_assert_uint_eq(rep.count, 40);
    }
}
END_TEST

Suite *ab_redact_suite(void)
{
    Suite *s = suite_create("ab_redact");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, names_defaults_and_wildcards);
    tcase_add_test(tc, names_add_remove_none_merge);
    tcase_add_test(tc, detectors_pan_jwt_bearer);
    tcase_add_test(tc, extra_detector_callback);
    tcase_add_test(tc, hmac_tokens);
    tcase_add_test(tc, json_basic_paths);
    tcase_add_test(tc, json_truncation_and_fail_closed);
    tcase_add_test(tc, json_every_cut);
    tcase_add_test(tc, form_query_url);
    tcase_add_test(tc, form_every_cut);
    tcase_add_test(tc, xml_soap);
    tcase_add_test(tc, multipart_parts);
    tcase_add_test(tc, text_and_sniffing);
    tcase_add_test(tc, text_many_matches);
    tcase_add_test(tc, text_pairs);
    tcase_add_test(tc, report_bounded_and_overflow);
    suite_add_tcase(s, tc);
    return s;
}
