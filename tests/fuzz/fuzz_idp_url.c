/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_idp_url: id extraction, validation and template expansion, the
 * way mod_id_proxy runs them for each request. The input holds the raw
 * request strings "args\0path\0header\0cookie"; every id source is tried
 * against a few fixed templates, with the default rules and with a
 * pattern that accepts anything (so only the hard filter stands between
 * the client and the URL). Property: the backend URL's scheme, host
 * (apart from the id's own label), port and path are exactly the
 * template's, with only [A-Za-z0-9_~-] where {id} was, or the id is
 * rejected. The URL is parsed here independently of idp_template.c.
 * For a numeric template (127.0.0.{id}), every accepted id is canonical
 * decimal and the host is exactly the dotted-decimal address it spells,
 * as inet_pton() and inet_aton() both read it (issue 11 #3: "010" must
 * never reach 127.0.0.8).
 */
#include <arpa/inet.h>

#include "fuzz_util.h"
#include "fuzz_url.h"

#include "idp_id.h"
#include "idp_template_ref.h"

static const url_case_t cases[] = {
    { "http://id-{id}.tenants.svc.cluster.local:8080/api/", "http",
      "id-{id}.tenants.svc.cluster.local", 8080, "/api/" },
    { "https://{id}.example:8443/t/{id}/x", "https",
      "{id}.example", 8443, "/t/{id}/x" },
    { "http://127.0.0.{id}:8080/", "http", "127.0.0.{id}", 8080, "/" },
    { "ws://backend.internal/{id}", "ws", "backend.internal", 80, "/{id}" },
    { "http://[::1]:9000/t/{id}/", "http", "[::1]", 9000, "/t/{id}/" },
    { "HTTPS://A{id}z.Example.COM./p%41th/", "https",
      "a{id}z.example.com.", 443, "/p%41th/" },
    { "wss://{id}{id}.x", "wss", "{id}{id}.x", 443, "" },
    /* the id is the whole host: it must never become an address */
    { "http://{id}:8080/", "http", "{id}", 8080, "/" },
    /* numeric: only canonical decimal ids, each address spelt once */
    { "http://10.{id}.0.1{id}/", "http", "10.{id}.0.1{id}", 80, "/" },
};

static const char *const sources[] = {
    "query:id", "query:tenant.id", "path:1", "path:2", "path:32",
    "header:X-Tenant-Id", "cookie:tenant", "cookie:id"
};

static int accept_all(void *baton, const char *id)
{
    (void)baton;
    (void)id;
    return 1;
}

static void check_id(const char *id, const idp_id_rules_t *rules)
{
    const char *s;
    size_t max = rules && rules->max_len ? rules->max_len
                                         : IDP_ID_MAX_LEN_DEFAULT;

    FUZZ_CHECK(id && *id, "empty id accepted");
    FUZZ_CHECK(strlen(id) <= max, "id of %zu bytes accepted", strlen(id));
    for (s = id; *s; s++) {
        FUZZ_CHECK(id_char((unsigned char)*s), "id '%s' has byte 0x%02x",
                   id, (unsigned char)*s);
    }
    FUZZ_CHECK(!strpbrk(id, "./:@% \t\r\n\v\f?#[]\\+"), "id '%s'", id);
}

static void run(apr_pool_t *p, const idp_source_t *src,
                const idp_id_input_t *in, const idp_id_rules_t *rules,
                const idp_template_t *const *tpls)
{
    const char *id = NULL, *rest = NULL;
    size_t i;
    int rc = idp_id_get(p, src, in, rules, &id, &rest);

    if (src->kind == IDP_SRC_PATH && rest) {
        /* rest points into the path, at a '/' or at its end */
        FUZZ_CHECK(rest >= in->path && rest <= in->path + strlen(in->path)
                   && (*rest == '/' || *rest == '\0'), "bad rest");
    }
    if (rc != IDP_ID_OK) {
        return;
    }
    check_id(id, rules);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        idp_expansion_t x;
        const char *url, *key, *host;

        if (idp_template_expand_all(p, tpls[i], id, &x) != 0) {
            FUZZ_CHECK(!fits(&cases[i], id), "expansion of '%s' refused",
                       id);
            FUZZ_CHECK(!idp_ref_expand(p, tpls[i], id)
                       && !idp_ref_backend_key(p, tpls[i], id)
                       && !idp_ref_expand_host(p, tpls[i], id),
                       "expansions disagree for '%s'", id);
            continue;
        }
        FUZZ_CHECK(fits(&cases[i], id), "'%s' should have been refused "
                   "(label or host too long, an address literal, or not a "
                   "canonical octet in a numeric host): %s", id, x.url);
        check_url(&cases[i], id, x.url);
        url = idp_ref_expand(p, tpls[i], id);
        key = idp_ref_backend_key(p, tpls[i], id);
        host = idp_ref_expand_host(p, tpls[i], id);
        FUZZ_CHECK(url && !strcmp(url, x.url), "expand() differs");
        FUZZ_CHECK(key && !strcmp(key, x.key), "backend_key() differs");
        FUZZ_CHECK(host && !strcmp(host, x.host), "expand_host() differs");
        FUZZ_CHECK(x.key_len == strlen(x.key)
                   && !strncmp(x.url, x.key, x.key_len), "key/url");
        if (ref_tpl_numeric(cases[i].host)) {
            struct in_addr a4, b4;
            const unsigned char *o = (const unsigned char *)&a4.s_addr;

            FUZZ_CHECK(!strcmp(id, apr_psprintf(p, "%lu",
                                                strtoul(id, NULL, 10))),
                       "numeric template took the non-canonical id '%s'",
                       id);
            FUZZ_CHECK(inet_pton(AF_INET, x.host, &a4) == 1
                       && inet_aton(x.host, &b4) && a4.s_addr == b4.s_addr
                       && !strcmp(x.host, apr_psprintf(p, "%u.%u.%u.%u",
                                  o[0], o[1], o[2], o[3])),
                       "id '%s' yields '%s', not the address it spells",
                       id, x.host);
        }
        FUZZ_CHECK(!strcmp(x.key, apr_psprintf(p, "%s://%s:%u",
                                               cases[i].scheme, x.host,
                                               cases[i].port)),
                   "key '%s'", x.key);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static idp_template_t *tpls[sizeof(cases) / sizeof(cases[0])];
    static idp_source_t srcs[sizeof(sources) / sizeof(sources[0])];
    apr_pool_t *p = fuzz_pool();
    const char *f[4];
    idp_id_input_t in;
    idp_id_rules_t open_rules = { 255, accept_all, NULL };
    size_t i;

    if (!tpls[0]) {
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            const char *err = idp_template_parse(fuzz_root, cases[i].tpl,
                                                 &tpls[i]);

            FUZZ_CHECK(!err, "template %s: %s", cases[i].tpl, err);
        }
        for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
            const char *err = idp_source_parse(fuzz_root, sources[i],
                                               &srcs[i]);

            FUZZ_CHECK(!err, "source %s: %s", sources[i], err);
        }
    }
    fuzz_split(p, data, size, f, 4);
    in.args = f[0];
    in.path = f[1];
    in.header = f[2];
    in.cookie = f[3];
    for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
        run(p, &srcs[i], &in, NULL, (const idp_template_t *const *)tpls);
        run(p, &srcs[i], &in, &open_rules,
            (const idp_template_t *const *)tpls);
    }
    return 0;
}
