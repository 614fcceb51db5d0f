/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_id_proxy.c: the module record and its hooks.
 *
 * translate_name claims a request under an IdProxyRoute prefix, takes the
 * id from the request, validates it (a bad one is a 400 here, before any
 * backend is touched), expands the template and hands the request to
 * mod_proxy exactly as ProxyPass would ("proxy:URL", proxy-server handler),
 * so mod_proxy_http canonicalizes the path and does the HTTP. mod_proxy's
 * pre_request hook then asks this module for the worker: the cached one of
 * that backend, created on first use (mod_id_proxy_cache.c). There is no
 * fallback worker: a claimed request is served by its backend or fails.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE                 /* RTLD_DEFAULT */
#endif
#include <dlfcn.h>

#define IDP_MODULE_FILE

#include "apr_strings.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"

#include "mod_id_proxy_private.h"
#include "mod_id_proxy_metrics.h"

idp_proxy_api_t idp_proxy;

/* mod_proxy's module record, to read its ProxyPass configuration. */
static module *proxy_mod;

typedef struct {
    const ap_regex_t *re;
    const idp_regex_t *jit;
    apr_pool_t *pool;
} match_baton_t;

static int regexec_matches(void *re, const char *id)
{
    return ap_regexec(re, id, 0, NULL, 0) == 0;
}

/* IdProxyIdPattern: the JIT's answer when it has one, else httpd's. */
static int pattern_match(void *baton, const char *id)
{
    const match_baton_t *mb = baton;

    return idp_regex_match_or(mb->jit, id, strlen(id), mb->pool,
                              regexec_matches, (void *)mb->re);
}

/* The route whose prefix r->uri starts with, longest first. A prefix
 * without a trailing '/' matches only at a segment boundary. */
static const idp_route_t *find_route(const idp_server_conf_t *sc,
                                     const char *uri)
{
    int i;

    for (i = 0; i < sc->routes->nelts; i++) {
        const idp_route_t *rt = &((const idp_route_t *)sc->routes->elts)[i];
        if (!strncmp(uri, rt->prefix, rt->prefix_len)
            && (rt->prefix[rt->prefix_len - 1] == '/'
                || uri[rt->prefix_len] == '\0'
                || uri[rt->prefix_len] == '/')) {
            return rt;
        }
    }
    return NULL;
}

/* Non-zero if a ProxyPass alias takes precedence over the route rt:
 * an exclusion ("!") that matches, or a target whose prefix matches and is
 * longer than the route's. A ProxyPassMatch target has no length to
 * compare: the route wins over it (only its "!" counts). */
static int alias_wins(request_rec *r, const idp_route_t *rt,
                      const struct proxy_alias *ent)
{
    int excl = ent->real[0] == '!' && ent->real[1] == '\0';

    if (ent->regex) {
        return excl && !ap_regexec(ent->regex, r->uri, 0, NULL, 0);
    }
    if (!idp_path_prefix_match(r->uri, ent->fake)) {
        return 0;
    }
    return excl || strlen(ent->fake) > rt->prefix_len;
}

/* A route yields where mod_proxy users expect ProxyPass to decide: the
 * no-proxy variable, a matching "ProxyPass ... !", or a longer ProxyPass
 * prefix (in the server or in the <Location> of the request). Returns the
 * reason, or NULL if the route applies. */
static const char *route_yields(request_rec *r, const idp_route_t *rt)
{
    const proxy_server_conf *pc;
    const proxy_dir_conf *dc;
    int i;

    if (apr_table_get(r->subprocess_env, "no-proxy")) {
        return "no-proxy is set";
    }
    if (!proxy_mod) {
        return NULL;
    }
    dc = ap_get_module_config(r->per_dir_config, proxy_mod);
    if (dc && dc->alias && alias_wins(r, rt, dc->alias)) {
        return dc->alias->fake;
    }
    pc = ap_get_module_config(r->server->module_config, proxy_mod);
    for (i = 0; pc && pc->aliases && i < pc->aliases->nelts; i++) {
        const struct proxy_alias *ent =
            &((const struct proxy_alias *)pc->aliases->elts)[i];
        if (alias_wins(r, rt, ent)) {
            return ent->fake;
        }
    }
    return NULL;
}

/* r->uri is already percent-decoded: a '%' left in the id's segment can
 * only come from "%25" and must not be decoded a second time. */
static int segment_has_percent(const char *rest, int n)
{
    const char *s = rest, *end;

    if (*s == '/') {
        s++;
    }
    while (--n > 0) {
        s = strchr(s, '/');
        if (!s) {
            return 0;
        }
        s++;
    }
    end = strchr(s, '/');
    return memchr(s, '%', end ? (apr_size_t)(end - s) : strlen(s)) != NULL;
}

static int idp_translate(request_rec *r)
{
    const idp_server_conf_t *sc;
    const idp_route_t *rt;
    idp_id_input_t in;
    idp_id_rules_t rules;
    match_baton_t mb;
    idp_req_t *rq;
    const char *id = NULL, *rest, *base, *url, *why;
    char last;
    idp_expansion_t x;
    int rc;

    if (r->proxyreq || !r->uri || r->uri[0] != '/') {
        return DECLINED;
    }
    sc = ap_get_module_config(r->server->module_config, &id_proxy_module);
    if (!sc->routes->nelts || !(rt = find_route(sc, r->uri))) {
        return DECLINED;
    }

    if ((why = route_yields(r, rt))) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, IDP_LOGNO(10036)
                      "IdProxyRoute %s yields to ProxyPass (%s)",
                      rt->prefix, why);
        return DECLINED;
    }
    /* The answer depends on the header or cookie: say so to caches on
     * every response of the route, errors included. err_headers_out
     * survives both mod_proxy_http replacing headers_out with the
     * backend's and ap_die()'s error pages; mod_cache reads both tables,
     * and the HTTP header filter merges duplicates (fixup_vary). */
    if (rt->src.kind == IDP_SRC_HEADER) {
        apr_table_merge(r->err_headers_out, "Vary", rt->src.name);
    }
    else if (rt->src.kind == IDP_SRC_COOKIE) {
        apr_table_merge(r->err_headers_out, "Vary", "Cookie");
    }

    rest = r->uri + rt->prefix_len;
    memset(&in, 0, sizeof(in));
    in.args = r->args;
    in.path = rest;
    if (rt->src.kind == IDP_SRC_HEADER) {
        in.header = apr_table_get(r->headers_in, rt->src.name);
    }
    else if (rt->src.kind == IDP_SRC_COOKIE) {
        in.cookie = apr_table_get(r->headers_in, "Cookie");
    }
    memset(&rules, 0, sizeof(rules));
    if (sc->pattern) {
        mb.re = sc->pattern;
        mb.jit = sc->pattern_jit;
        mb.pool = r->pool;
        rules.match = pattern_match;
        rules.baton = &mb;
    }
    if (rt->src.kind == IDP_SRC_PATH
        && segment_has_percent(rest, rt->src.segment)) {
        rc = IDP_ID_BAD_ENCODING;
    }
    else {
        rc = idp_id_get(r->pool, &rt->src, &in, &rules, &id, NULL);
    }
    if (rc != IDP_ID_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, IDP_LOGNO(10010)
                      "IdProxyRoute %s: %s (source %s); no backend contacted",
                      rt->prefix, idp_id_strerror(rc), rt->src_str);
        apr_table_setn(r->notes, "error-notes", apr_pstrcat(r->pool,
                       "Bad tenant id: ", idp_id_strerror(rc), ".", NULL));
        return HTTP_BAD_REQUEST;
    }

    /* With {id} in the template's path, the path prefix is the tenant's
     * boundary: nothing after it may climb out on a lenient backend. */
    if (idp_template_id_in_path(rt->tpl)
        && idp_path_has_dot_segment(r->pool, rest)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, IDP_LOGNO(10035)
                      "IdProxyRoute %s: the path after the prefix has a "
                      "dot-segment hidden by ';' or %%-encoding; no backend "
                      "contacted", rt->prefix);
        apr_table_setn(r->notes, "error-notes",
                       "Dot-segment in the path after the tenant's prefix.");
        return HTTP_BAD_REQUEST;
    }

    rq = apr_pcalloc(r->pool, sizeof(*rq));
    rq->id = id;
    rq->sconf = sc;
    rq->port = idp_template_port(rt->tpl);
    if (idp_template_expand_all(r->pool, rt->tpl, id, &x) != 0) {
        /* e.g. a label would exceed 63 characters */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, IDP_LOGNO(10011)
                      "IdProxyRoute %s: id %s does not fit the template %s",
                      rt->prefix, id, rt->tpl_str);
        return HTTP_BAD_REQUEST;
    }
    /* An IPv6 literal keeps its brackets in the URL and the key, not in
     * the name the admission check resolves (issue 11 #8). */
    rq->host = x.host[0] == '['
               ? apr_pstrmemdup(r->pool, x.host + 1, strlen(x.host) - 2)
               : x.host;
    rq->backend = x.key;
    base = x.url;
    rq->key = sc->params_index
            ? apr_psprintf(r->pool, "%d|%s", sc->params_index, rq->backend)
            : rq->backend;

    /* base + the rest of the path, with exactly one '/' between them. */
    last = base[strlen(base) - 1];
    if (*rest == '/' && last == '/') {
        rest++;
    }
    r->filename = apr_pstrcat(r->pool, "proxy:", base,
                              *rest && *rest != '/' && last != '/' ? "/" : "",
                              rest, NULL);
    url = r->filename + 6;
    r->handler = "proxy-server";
    r->proxyreq = PROXYREQ_REVERSE;
    ap_set_module_config(r->request_config, &id_proxy_module, rq);
    apr_table_setn(r->subprocess_env, "IDPROXY_ID", id);
    apr_table_setn(r->subprocess_env, "IDPROXY_BACKEND", rq->backend);
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, "id %s -> %s", id, url);
    return OK;
}

/* Non-zero if url (as mod_proxy_http canonicalized it: scheme://host
 * [:port]/path, the port left out when it is the scheme's default) still
 * points at rq's backend. */
static int same_backend(const char *url, const idp_req_t *rq)
{
    const char *s = ap_strstr_c(url, "://"), *h;
    apr_size_t hlen = strlen(rq->host);
    apr_port_t port;

    if (!s) {
        return 0;
    }
    h = s + 3;
    if (*h == '[') {                    /* IPv6 literal: rq->host is bare */
        if (strncasecmp(h + 1, rq->host, hlen) || h[hlen + 1] != ']') {
            return 0;
        }
        h += hlen + 2;
    }
    else if (strncasecmp(h, rq->host, hlen)) {
        return 0;
    }
    else {
        h += hlen;
    }
    if (*h == ':') {
        const char *d = h + 1;
        unsigned long v = 0;

        /* decimal digits only, as mod_proxy_http wrote them */
        while (*d >= '0' && *d <= '9' && v <= 65535) {
            v = v * 10 + (unsigned long)(*d++ - '0');
        }
        if (d == h + 1 || v == 0 || v > 65535 || (*d && *d != '/')) {
            return 0;
        }
        port = (apr_port_t)v;
    }
    else if (*h == '/' || !*h) {
        apr_size_t n = (apr_size_t)(s - url);
        port = (n == 5 && !strncasecmp(url, "https", 5))
               || (n == 3 && !strncasecmp(url, "wss", 3)) ? 443 : 80;
    }
    else {
        return 0;
    }
    return port == rq->port;
}

/* mod_proxy asks for a worker. Only requests claimed above are ours. */
static int idp_pre_request(proxy_worker **worker, proxy_balancer **balancer,
                           request_rec *r, proxy_server_conf *conf,
                           char **url)
{
    idp_req_t *rq = ap_get_module_config(r->request_config,
                                         &id_proxy_module);

    if (!rq || *balancer) {
        return DECLINED;
    }
    /* The URL may have been rewritten since (mod_rewrite in a directory
     * context): then it is not ours to route any more. */
    if (!same_backend(*url, rq)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, IDP_LOGNO(10012)
                      "%s is no longer the backend of id %s; declining",
                      *url, rq->id);
        return DECLINED;
    }
    if (!rq->entry) {
        int rc = idp_backend_acquire(r, rq, conf, worker);
        if (rc != OK) {
            return rc;
        }
    }
    else {
        *worker = rq->worker;
    }
    *balancer = NULL;
    return OK;
}

static int idp_request_status(int *status, request_rec *r)
{
    idp_req_t *rq = ap_get_module_config(r->request_config,
                                         &id_proxy_module);

    if (rq) {
        idp_backend_done(r, rq, status);   /* may make a 500 a 502 */
    }
    if (rq && !rq->failed
        && (*status == HTTP_BAD_GATEWAY || *status == HTTP_SERVICE_UNAVAILABLE
            || *status == HTTP_GATEWAY_TIME_OUT)) {
        idp_note_backend_error(rq->backend);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10013)
                      "id %s: backend %s failed (status %d)", rq->id,
                      rq->backend, *status);
    }
    return DECLINED;
}

static int idp_pre_connection(conn_rec *c, void *csd)
{
    if (!c->outgoing) {
        return DECLINED;            /* a client: nothing of ours */
    }
    idp_count_connection(c);
    return DECLINED;
}

/* Why not link against mod_proxy's exported API, as the mod_proxy_*
 * modules do? Their symbols are then resolved when our .so is loaded, so
 * "LoadModule proxy_module" must come first, and Debian's a2enmod orders
 * nothing: it loads the mods-enabled .load files alphabetically, and id_proxy.load
 * sorts before proxy.load (a package could rename it, but an admin's own
 * LoadModule lines would still break with an undefined-symbol error at
 * startup). The lookup below works in either order, with mod_proxy built
 * in too, and fails startup with a clear tagged line when mod_proxy is
 * missing: the more robust of the two, so it stays.
 *
 * mod_proxy's functions are looked up here rather than linked, so that
 * "LoadModule id_proxy_module" may come before "LoadModule proxy_module"
 * (Debian loads the mods-enabled .load files in alphabetical order). By
 * pre_config every LoadModule has run: the object that holds mod_proxy's
 * module record is found with dladdr() and reopened (RTLD_NOLOAD, so it
 * is only a reference) to look the symbols up. Hooks added in pre_config
 * are sorted with the others before the server runs. */
static apr_status_t close_proxy_handle(void *h)
{
    dlclose(h);
    return APR_SUCCESS;
}

static int idp_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp)
{
    static const char *const pre[] = { "mod_proxy_balancer.c", NULL };
    module *proxy = ap_find_linked_module("mod_proxy.c");
    void *h = NULL;
    Dl_info info;

    memset(&idp_proxy, 0, sizeof(idp_proxy));
    proxy_mod = proxy;
    if (proxy && dladdr(proxy, &info) && info.dli_fname) {
        h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    }
    if (!h && proxy) {
        h = dlopen(NULL, RTLD_NOW);            /* mod_proxy built in */
    }
    if (h) {
        apr_pool_cleanup_register(pconf, h, close_proxy_handle,
                                  apr_pool_cleanup_null);
        *(void **)&idp_proxy.define_worker =
            dlsym(h, "ap_proxy_define_worker_ex");
        *(void **)&idp_proxy.initialize_worker =
            dlsym(h, "ap_proxy_initialize_worker");
        *(void **)&idp_proxy.hook_pre_request =
            dlsym(h, "proxy_hook_pre_request");
    }
    if (!idp_proxy.define_worker || !idp_proxy.initialize_worker
        || !idp_proxy.hook_pre_request) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, NULL,
                     IDP_LOGNO(10014) "mod_id_proxy needs mod_proxy "
                     "2.4.47 or later (LoadModule proxy_module)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    idp_proxy.hook_pre_request(idp_pre_request, pre, NULL, APR_HOOK_FIRST);
    return OK;
}

/* check_config (not post_config) so that "apachectl configtest" runs it. */
static int idp_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s)
{
    return idp_check_routes(pconf, s);
}

static void idp_child_init(apr_pool_t *pchild, server_rec *s)
{
    idp_child_cache_init(pchild, s);
}

static int idp_handler(request_rec *r)
{
    if (!r->handler || strcmp(r->handler, IDP_STATUS_HANDLER)) {
        return DECLINED;
    }
    return idp_status_handler(r);
}

static void idp_register_hooks(apr_pool_t *p)
{
    static const char *const rewrite[] = { "mod_rewrite.c", NULL };
    static const char *const proxy[] = { "mod_proxy.c", NULL };

    ap_hook_pre_config(idp_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(idp_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(idp_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* After mod_rewrite (which has a say first, as for ProxyPass), before
     * mod_proxy's ProxyPass matching. */
    ap_hook_translate_name(idp_translate, rewrite, proxy, APR_HOOK_FIRST);
    ap_hook_pre_connection(idp_pre_connection, NULL, NULL,
                           APR_HOOK_REALLY_FIRST);
    ap_hook_handler(idp_handler, NULL, NULL, APR_HOOK_MIDDLE);
    /* An optional hook: registered by name, whatever the load order. */
    APR_OPTIONAL_HOOK(proxy, request_status, idp_request_status, NULL, NULL,
                      APR_HOOK_MIDDLE);
    idp_metrics_register_hooks();
}

AP_DECLARE_MODULE(id_proxy) = {
    STANDARD20_MODULE_STUFF,
    NULL,                       /* per-directory config creator */
    NULL,                       /* dir config merger */
    idp_create_server_conf,     /* server config creator */
    idp_merge_server_conf,      /* server config merger */
    idp_cmds,                   /* command table */
    idp_register_hooks,         /* set up other request processing hooks */
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_NONE
#endif
};
