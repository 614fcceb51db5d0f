/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for idp_template: template syntax, accessors, expansion in
 * host and path, and the refusals at expansion time. */
#include <string.h>

#include <apr_strings.h>

#include "test_common.h"
#include "idp_template_ref.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static idp_template_t *parse_ok(const char *str)
{
    idp_template_t *t = NULL;
    const char *err = idp_template_parse(pool, str, &t);

    ck_assert_msg(err == NULL, "'%s': %s", str, err);
    ck_assert_ptr_nonnull(t);
    return t;
}

/* The error for str, which must be refused. */
static const char *parse_err(const char *str)
{
    idp_template_t *t = (idp_template_t *)&t;
    const char *err = idp_template_parse(pool, str, &t);

    ck_assert_msg(err != NULL, "accepted '%s'", str);
    ck_assert_ptr_null(t);
    return err;
}

START_TEST(parse_accessors)
{
    idp_template_t *t =
        parse_ok("HTTP://Id-{id}.Tenants.svc.cluster.local:8080/api/");

    ck_assert_str_eq(idp_template_scheme(t), "http");
    ck_assert_str_eq(idp_template_host(t),
                     "id-{id}.tenants.svc.cluster.local");
    ck_assert_int_eq(idp_template_port(t), 8080);
    ck_assert(idp_template_port_explicit(t));
    ck_assert_str_eq(idp_template_path(t), "/api/");
    ck_assert(idp_template_id_in_host(t));

    t = parse_ok("https://backend.internal/t/{id}");
    ck_assert_str_eq(idp_template_scheme(t), "https");
    ck_assert_int_eq(idp_template_port(t), 443);
    ck_assert(!idp_template_port_explicit(t));
    ck_assert_str_eq(idp_template_path(t), "/t/{id}");
    ck_assert(!idp_template_id_in_host(t));

    t = parse_ok("ws://{id}");
    ck_assert_int_eq(idp_template_port(t), 80);
    ck_assert_str_eq(idp_template_path(t), "");
    ck_assert_str_eq(idp_template_host(t), "{id}");

    t = parse_ok("wss://{id}.svc.cluster.local./");
    ck_assert_int_eq(idp_template_port(t), 443);
    ck_assert_str_eq(idp_template_host(t), "{id}.svc.cluster.local.");

    t = parse_ok("http://[fd00::1]:9000/x/{id}/");
    ck_assert_str_eq(idp_template_host(t), "[fd00::1]");
    ck_assert_int_eq(idp_template_port(t), 9000);
}
END_TEST

START_TEST(parse_errors)
{
    ck_assert_ptr_nonnull(strstr(parse_err("http://tenants.svc/api/"),
                                 "must contain {id}"));
    ck_assert_ptr_nonnull(strstr(parse_err("http://{id.tenants}.svc/"),
                                 "spans a dot"));
    ck_assert_ptr_nonnull(strstr(parse_err("http://a{id.b}c/"),
                                 "spans a dot"));
    ck_assert_ptr_nonnull(strstr(parse_err("http://user@{id}.svc/"),
                                 "userinfo"));
    ck_assert_ptr_nonnull(strstr(parse_err("http://u:p@{id}.svc/"),
                                 "userinfo"));
    ck_assert_ptr_nonnull(strstr(parse_err("ftp://{id}.svc/"), "scheme"));
    ck_assert_ptr_nonnull(strstr(parse_err("unix:/run/{id}.sock|http://x/"),
                                 "scheme"));
    ck_assert_ptr_nonnull(strstr(parse_err("{id}.svc/x"), "absolute URL"));
    ck_assert_ptr_nonnull(strstr(parse_err("http://{tenant}.svc/"),
                                 "unknown placeholder '{tenant}'"));
    ck_assert_ptr_nonnull(strstr(parse_err("http://{id}.svc/{ID}"),
                                 "unknown placeholder"));
    ck_assert_ptr_nonnull(strstr(parse_err("http://{id}.svc/{id"),
                                 "without '}'"));
    ck_assert_ptr_nonnull(strstr(parse_err("http://{id}.svc/x}"),
                                 "without '{'"));
    parse_err("http://");
    parse_err("http:///{id}");
    parse_err("http://:80/{id}");
    parse_err("http://{id}..svc/");
    parse_err("http://.{id}/");
    parse_err("http://{id}.svc../");
    parse_err("http://{id}_x.svc/");
    parse_err("http://{id}.svc:0/");
    parse_err("http://{id}.svc:65536/");
    parse_err("http://{id}.svc:80x/");
    parse_err("http://{id}.svc:/");
    parse_err("http://{id}.svc/?a=b");
    parse_err("http://{id}.svc/#f");
    parse_err("http://{id}.svc/a b");
    parse_err("http://{id}.svc/a%zz");
    parse_err("http://{id}.svc/a\\b");
    parse_err("http://[fd00::{id}]/");
    parse_err("http://[fd00::1/{id}");
    parse_err("http://[fd00::1]x/{id}");
    parse_err(NULL);
}
END_TEST

START_TEST(parse_label_limits)
{
    char buf[400];

    /* a literal label of 63 is fine, 64 is not */
    memset(buf, 0, sizeof(buf));
    strcpy(buf, "http://");
    memset(buf + 7, 'a', 63);
    strcat(buf, "/{id}");
    parse_ok(buf);
    memset(buf + 7, 'a', 64);
    strcpy(buf + 7 + 64, "/{id}");
    ck_assert_ptr_nonnull(strstr(parse_err(buf), "longer than 63"));
    /* with {id} in the label, 62 literal characters leave room for one */
    strcpy(buf, "http://{id}");
    memset(buf + 11, 'b', 62);
    strcpy(buf + 11 + 62, ".svc/");
    parse_ok(buf);
    strcpy(buf, "http://{id}");
    memset(buf + 11, 'b', 63);
    strcpy(buf + 11 + 63, ".svc/");
    parse_err(buf);
}
END_TEST

START_TEST(expand_host)
{
    idp_template_t *t =
        parse_ok("http://id-{id}.tenants.svc.cluster.local:8080/api/");

    ck_assert_str_eq(idp_ref_expand(pool, t, "abc"),
                     "http://id-abc.tenants.svc.cluster.local:8080/api/");
    ck_assert_str_eq(idp_ref_backend_key(pool, t, "abc"),
                     "http://id-abc.tenants.svc.cluster.local:8080");
    ck_assert_str_eq(idp_ref_expand_host(pool, t, "abc"),
                     "id-abc.tenants.svc.cluster.local");
    /* the host is canonical: an upper-case id gives the same backend */
    ck_assert_str_eq(idp_ref_backend_key(pool, t, "ABC"),
                     "http://id-abc.tenants.svc.cluster.local:8080");

    t = parse_ok("https://{id}.svc/{id}/x/{id}");
    ck_assert_str_eq(idp_ref_expand(pool, t, "Q7"),
                     "https://q7.svc:443/Q7/x/Q7");
    ck_assert_str_eq(idp_ref_backend_key(pool, t, "q7"),
                     "https://q7.svc:443");
}
END_TEST

START_TEST(expand_path_only)
{
    idp_template_t *t = parse_ok("http://backend:8000/tenants/{id}/");
    char *a = idp_ref_backend_key(pool, t, "one");
    char *b = idp_ref_backend_key(pool, t, "two");

    ck_assert_str_eq(idp_ref_expand(pool, t, "one"),
                     "http://backend:8000/tenants/one/");
    ck_assert_str_eq(a, "http://backend:8000");
    ck_assert_str_eq(a, b);
    t = parse_ok("http://[fd00::1]/{id}");
    ck_assert_str_eq(idp_ref_expand(pool, t, "z"),
                     "http://[fd00::1]:80/z");
}
END_TEST

START_TEST(expand_refuses_bad_ids)
{
    idp_template_t *t = parse_ok("http://id-{id}.svc/p/{id}");
    static const char *const bad[] = {
        "a.b", "a/b", "a:1", "a@b", "a%2e", "a b", "a?", "a#", "", NULL
    };
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_msg(idp_ref_expand(pool, t, bad[i]) == NULL,
                      "expanded '%s'", bad[i]);
        ck_assert_ptr_null(idp_ref_backend_key(pool, t, bad[i]));
        ck_assert_ptr_null(idp_ref_expand_host(pool, t, bad[i]));
    }
    ck_assert_ptr_null(idp_ref_expand(pool, t, NULL));
    /* path-only templates check the id too */
    t = parse_ok("http://backend/{id}");
    ck_assert_ptr_null(idp_ref_expand(pool, t, "../admin"));
    ck_assert_ptr_null(idp_ref_backend_key(pool, t, "a/b"));
}
END_TEST

START_TEST(expand_label_limit)
{
    idp_template_t *t = parse_ok("http://id-{id}.svc/");
    char id[80];

    memset(id, 'a', 60);
    id[60] = '\0';
    /* "id-" + 60 = 63: fits */
    ck_assert_ptr_nonnull(idp_ref_expand(pool, t, id));
    ck_assert_int_eq(strlen(idp_ref_expand_host(pool, t, id)), 67);
    id[60] = 'a';
    id[61] = '\0';
    /* 64: refused */
    ck_assert_ptr_null(idp_ref_expand(pool, t, id));
    ck_assert_ptr_null(idp_ref_backend_key(pool, t, id));
    /* the same id is fine in a path */
    t = parse_ok("http://svc/{id}");
    ck_assert_ptr_nonnull(idp_ref_expand(pool, t, id));
    /* two placeholders in one label count twice */
    t = parse_ok("http://{id}{id}.svc/");
    id[31] = '\0';
    ck_assert_ptr_nonnull(idp_ref_expand(pool, t, id));
    id[31] = 'a';
    id[32] = '\0';
    ck_assert_ptr_null(idp_ref_expand(pool, t, id));
}
END_TEST

/* expand_all gives exactly the strings of the three single expansions. */
START_TEST(expand_all_matches)
{
    static const char *const tpls[] = {
        "http://id-{id}.tenants.svc.cluster.local:8080/api/",
        "https://{id}.example/t/{id}/x",
        "http://backend.local/t/{id}/",
        "ws://127.0.0.{id}",
        "HTTP://ID-{id}.Svc:80",
        "http://{id}-{id}.x.{id}.svc./{id}{id}",
        "http://10.{id}.0.1{id}:81/",
        "http://[::1]:8080/{id}/",
        "https://a{id}.b",
        NULL
    };
    static const char *const ids[] = {
        "7", "tenant-42", "A_b~c", "0", "01", "25", "255", "256", "0x8",
        "2130706433", "AbC",
        /* 62 and 63 characters: one label over 63 with the fixed 'a' */
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij12",
        "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123",
        NULL
    };
    int i, j;

    for (i = 0; tpls[i]; i++) {
        idp_template_t *t;
        ck_assert_ptr_null(idp_template_parse(pool, tpls[i], &t));
        for (j = 0; ids[j]; j++) {
            idp_expansion_t x;
            const char *key = idp_ref_backend_key(pool, t, ids[j]);

            if (!key) {
                /* refused by the single expansions: refused here */
                ck_assert_ptr_null(idp_ref_expand_host(pool, t, ids[j]));
                ck_assert_msg(idp_template_expand_all(pool, t, ids[j], &x)
                              == -1, "%s with %s", tpls[i], ids[j]);
                continue;
            }
            ck_assert_int_eq(idp_template_expand_all(pool, t, ids[j], &x), 0);
            ck_assert_str_eq(x.host, idp_ref_expand_host(pool, t, ids[j]));
            ck_assert_str_eq(x.key, key);
            ck_assert_str_eq(x.url, idp_ref_expand(pool, t, ids[j]));
            ck_assert_uint_eq(x.key_len, strlen(key));
        }
        {
            idp_expansion_t x;
            ck_assert_int_eq(idp_template_expand_all(pool, t, "a.b", &x), -1);
        }
    }
    /* both outcomes are exercised: one refusal and one expansion each */
    {
        idp_template_t *t = parse_ok("http://10.{id}.0.1{id}:81/");
        idp_expansion_t x;
        ck_assert_int_eq(idp_template_expand_all(pool, t, "25", &x), 0);
        ck_assert_str_eq(x.url, "http://10.25.0.125:81/");
        ck_assert_int_eq(idp_template_expand_all(pool, t, "255", &x), -1);
        t = parse_ok("https://a{id}.b");
        ck_assert_int_eq(idp_template_expand_all(pool, t, ids[11], &x), 0);
        ck_assert_int_eq(idp_template_expand_all(pool, t, ids[12], &x), -1);
        t = parse_ok("http://{id}-{id}.x.{id}.svc./{id}{id}");
        ck_assert_int_eq(idp_template_expand_all(pool, t, "AbC", &x), 0);
        ck_assert_str_eq(x.url, "http://abc-abc.x.abc.svc.:80/AbCAbC");
        ck_assert_str_eq(x.key, "http://abc-abc.x.abc.svc.:80");
        ck_assert_str_eq(x.host, "abc-abc.x.abc.svc.");
    }
}
END_TEST

/* An id never turns a name into an address; numeric templates stay so. */
START_TEST(expand_refuses_address_literals)
{
    idp_template_t *bare = parse_ok("http://{id}:8080/");
    idp_template_t *dom = parse_ok("http://{id}.svc/");
    idp_template_t *ip = parse_ok("http://127.0.0.{id}:8080/");
    idp_template_t *mixed = parse_ok("http://{id}.10.0.0x1/");

    ck_assert_ptr_null(idp_ref_expand_host(pool, bare, "2130706433"));
    ck_assert_ptr_null(idp_ref_expand_host(pool, bare, "0x7f000001"));
    ck_assert_ptr_null(idp_ref_expand_host(pool, bare, "0X7F000001"));
    ck_assert_ptr_null(idp_ref_expand_host(pool, bare, "017700000001"));
    ck_assert_ptr_null(idp_ref_expand_host(pool, bare, "0x"));
    ck_assert_ptr_null(idp_ref_backend_key(pool, bare, "5"));
    ck_assert_str_eq(idp_ref_expand_host(pool, bare, "tenant5"), "tenant5");
    ck_assert_str_eq(idp_ref_expand_host(pool, bare, "5x"), "5x");
    ck_assert_str_eq(idp_ref_expand_host(pool, bare, "0x7g"), "0x7g");
    ck_assert_str_eq(idp_ref_expand_host(pool, dom, "5"), "5.svc");
    ck_assert_str_eq(idp_ref_expand_host(pool, ip, "7"), "127.0.0.7");
    /* "0x1" is not all digits: not a numeric template, so no literal */
    ck_assert_ptr_null(idp_ref_expand_host(pool, mixed, "1"));
    ck_assert_str_eq(idp_ref_expand_host(pool, mixed, "a"), "a.10.0.0x1");
}
END_TEST

START_TEST(expand_host_limit)
{
    char label[64], id[64];
    const char *tpl;
    idp_template_t *t;

    memset(label, 'c', 63);
    label[63] = '\0';
    /* the host is the id plus 194 characters */
    tpl = apr_pstrcat(pool, "http://{id}.", label, ".", label, ".", label,
                      ".x/", NULL);
    t = parse_ok(tpl);
    memset(id, 'a', 57);
    id[57] = '\0';
    ck_assert_int_eq(strlen(idp_ref_expand_host(pool, t, id)), 251);
    memset(id, 'a', 59);
    id[59] = '\0';
    ck_assert_int_eq(strlen(idp_ref_expand_host(pool, t, id)), 253);
    id[59] = 'a';
    id[60] = '\0';
    ck_assert_ptr_null(idp_ref_expand_host(pool, t, id));
    ck_assert_ptr_null(idp_ref_expand(pool, t, id));
}
END_TEST

/* issue 11 #3: a numeric template is a dotted quad, and an id in it is
 * canonical decimal within the octet's range; "010" (octal 8), "0x8" and
 * "0010" never reach 127.0.0.8, and one address has one key. */
START_TEST(numeric_canonical)
{
    idp_template_t *ip = parse_ok("http://127.0.0.{id}:8080/");
    idp_template_t *mid = parse_ok("http://10.{id}.0.1/");
    idp_template_t *pre = parse_ok("http://10.0.0.1{id}/");
    idp_template_t *two = parse_ok("http://10.0.{id}.{id}/");
    static const char *const bad[] = {
        "010", "0010", "0x8", "0X8", "08", "00", "256", "1000", "-1", "+8",
        "8a", "a", "0x", "99999999999", NULL
    };
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_msg(idp_ref_expand_host(pool, ip, bad[i]) == NULL,
                      "accepted %s", bad[i]);
        ck_assert_ptr_null(idp_ref_backend_key(pool, ip, bad[i]));
    }
    ck_assert_str_eq(idp_ref_expand_host(pool, ip, "8"), "127.0.0.8");
    ck_assert_str_eq(idp_ref_expand_host(pool, ip, "0"), "127.0.0.0");
    ck_assert_str_eq(idp_ref_expand_host(pool, ip, "10"), "127.0.0.10");
    ck_assert_str_eq(idp_ref_expand_host(pool, ip, "255"),
                     "127.0.0.255");
    ck_assert_str_eq(idp_ref_backend_key(pool, ip, "8"),
                     "http://127.0.0.8:8080");
    ck_assert_str_eq(idp_ref_expand_host(pool, mid, "7"), "10.7.0.1");
    ck_assert_ptr_null(idp_ref_expand_host(pool, mid, "07"));
    /* "1{id}": the id and the label must both be canonical */
    ck_assert_str_eq(idp_ref_expand_host(pool, pre, "0"), "10.0.0.10");
    ck_assert_str_eq(idp_ref_expand_host(pool, pre, "25"),
                     "10.0.0.125");
    ck_assert_ptr_null(idp_ref_expand_host(pool, pre, "00"));
    ck_assert_str_eq(idp_ref_expand_host(pool, pre, "99"), "10.0.0.199");
    ck_assert_ptr_null(idp_ref_expand_host(pool, pre, "256"));
    ck_assert_str_eq(idp_ref_expand_host(pool, two, "3"), "10.0.3.3");
    ck_assert_ptr_null(idp_ref_expand_host(pool, two, "256"));
    /* every id from 0 to 999 in four spellings (decimal, a leading zero,
     * hex, zero-padded to 4): only the decimal one of 0-255 is accepted,
     * and it yields exactly the address it spells */
    for (i = 0; i < 1000; i++) {
        const char *sp[4];
        int j, n = 0;

        sp[0] = apr_psprintf(pool, "%d", i);
        sp[1] = apr_psprintf(pool, "0%d", i);
        sp[2] = apr_psprintf(pool, "0x%x", i);
        sp[3] = apr_psprintf(pool, "%04d", i);
        for (j = 0; j < 4; j++) {
            const char *h = idp_ref_expand_host(pool, ip, sp[j]);
            if (h) {
                ck_assert_str_eq(h, apr_psprintf(pool, "127.0.0.%d",
                                 (int)strtol(sp[j], NULL, 10)));
                n++;
            }
        }
        ck_assert_int_eq(n, i <= 255 ? 1 : 0);
    }
}
END_TEST

START_TEST(numeric_parse_rules)
{
    const char *e;

    e = parse_err("http://127.{id}/");
    ck_assert_ptr_nonnull(strstr(e, "four dot-separated decimal labels"));
    parse_err("http://127.0.{id}/");
    parse_err("http://127.0.0.0.{id}/");
    parse_err("http://127.0.0.{id}./");
    parse_err("http://127.0.00.{id}/");
    parse_err("http://127.0.256.{id}/");
    parse_err("http://127.0.0.a{id}/");
    parse_err("http://127.0.0.{id}a/");
    parse_err("http://{id}.1/");
    parse_ok("http://127.0.0.{id}/");
    parse_ok("http://{id}.0.0.1/");
    parse_ok("http://{id}.{id}.0.1/");
    /* not numeric: a fixed label with a letter makes it a name */
    parse_ok("http://{id}.10.0.0x1/");
    parse_ok("http://id-{id}.10.svc/");
}
END_TEST

/* issue 11 #6: segments a lenient backend resolves as dot-segments. The
 * input is r->uri's rest, already decoded once by httpd. */
START_TEST(dot_segments)
{
    static const char *const bad[] = {
        "..;/beta/secret", "/..;/beta", "/x/..;jsessionid=1/y", ".;",
        "/.;x/", "..", "/../", ".", "/a/./b",
        "%2e%2e/beta", "/%2E%2e/b", "/.%2e/b", "/%2e./b", "/%2e/b",
        "/%2e%3b/b", "/.%3b/b", "/..%3bx/b", "/%2e%2e%2fx", "/a%2f..%2fb",
        "/a%5c..%5cb", "/a\\..\\b", "/a\\..", "..%2f", NULL
    };
    static const char *const good[] = {
        "", "/", "/beta/secret", "/a..b/c", "/..a/", "/a../", "/...",
        "/.../x", "/.x", "/x;y/z", "/;/x", "/a;..", "/%2e%2e%2e/x",
        "/%252e%252e/x", "/%zz/x", "/%", "/a%2/b", "/%00./x", "/..%00/",
        "/sp ace/%C3%A9", NULL
    };
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_msg(idp_path_has_dot_segment(pool, bad[i]),
                      "missed '%s'", bad[i]);
    }
    for (i = 0; good[i]; i++) {
        ck_assert_msg(!idp_path_has_dot_segment(pool, good[i]),
                      "refused '%s'", good[i]);
    }
    ck_assert(idp_template_id_in_path(parse_ok("http://b.svc/t/{id}/")));
    ck_assert(!idp_template_id_in_path(parse_ok("http://{id}.b.svc/t/")));
}
END_TEST

/* issue 11 #10: routes yield to ProxyPass prefixes matched the way
 * mod_proxy's alias_match() does. */
START_TEST(prefix_match)
{
    ck_assert_uint_eq(idp_path_prefix_match("/n/private", "/n/private"), 10);
    ck_assert_uint_eq(idp_path_prefix_match("/n/private/x", "/n/private"),
                      10);
    ck_assert_uint_eq(idp_path_prefix_match("/n/privatex", "/n/private"), 0);
    ck_assert_uint_eq(idp_path_prefix_match("/n/priv", "/n/private"), 0);
    ck_assert_uint_eq(idp_path_prefix_match("/n//private/x", "/n/private"),
                      11);
    ck_assert_uint_eq(idp_path_prefix_match("/n/x", "/n/"), 3);
    ck_assert_uint_eq(idp_path_prefix_match("/n/x", "/"), 1);
    ck_assert_uint_eq(idp_path_prefix_match("/nx", "/n/"), 0);
    ck_assert_uint_eq(idp_path_prefix_match("/n", "/n/"), 0);
    ck_assert_uint_eq(idp_path_prefix_match("/n/x", ""), 0);
    ck_assert_uint_eq(idp_path_prefix_match("/a/health", "/a/health/"), 0);
}
END_TEST

/* issue 11 #7: a host without a fixed label is bare. */
START_TEST(bare_host)
{
    ck_assert(idp_template_bare_host(parse_ok("http://{id}:8080/")));
    ck_assert(idp_template_bare_host(parse_ok("http://id-{id}/")));
    ck_assert(idp_template_bare_host(parse_ok("http://{id}./")));
    ck_assert(idp_template_bare_host(parse_ok("http://a{id}{id}z/")));
    ck_assert(!idp_template_bare_host(parse_ok("http://{id}.svc/")));
    ck_assert(!idp_template_bare_host(parse_ok("http://id-{id}.tenants.svc/")));
    ck_assert(!idp_template_bare_host(parse_ok("http://127.0.0.{id}/")));
    ck_assert(!idp_template_bare_host(parse_ok("http://svc/{id}/")));
    ck_assert(!idp_template_bare_host(parse_ok("http://[::1]/{id}/")));
}
END_TEST

Suite *idp_template_suite(void)
{
    Suite *s = suite_create("idp_template");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, parse_accessors);
    tcase_add_test(tc, parse_errors);
    tcase_add_test(tc, parse_label_limits);
    tcase_add_test(tc, expand_host);
    tcase_add_test(tc, expand_path_only);
    tcase_add_test(tc, expand_refuses_bad_ids);
    tcase_add_test(tc, expand_label_limit);
    tcase_add_test(tc, expand_host_limit);
    tcase_add_test(tc, expand_all_matches);
    tcase_add_test(tc, expand_refuses_address_literals);
    tcase_add_test(tc, numeric_canonical);
    tcase_add_test(tc, numeric_parse_rules);
    tcase_add_test(tc, dot_segments);
    tcase_add_test(tc, prefix_match);
    tcase_add_test(tc, bare_host);
    suite_add_tcase(s, tc);
    return s;
}
