/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_id_proxy_config.c: the directive table and server configuration.
 * Every value is checked here so that "apachectl configtest" names the
 * directive and the problem; parsing itself lives in the pure idp_*.c.
 */
#include "apr_strings.h"
#include "apr_lib.h"
#include "http_core.h"

#include "mod_id_proxy_private.h"

void *idp_create_server_conf(apr_pool_t *p, server_rec *s)
{
    idp_server_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->routes = apr_array_make(p, 2, sizeof(idp_route_t));
    c->max_backends = -1;
    c->idle_timeout = -1;
    c->negative_ttl = -1;
    c->metrics_backends = -1;
    return c;
}

/* Keep routes ordered longest prefix first; among equal lengths, the
 * earlier one stays first. */
static void sort_routes(apr_array_header_t *a)
{
    idp_route_t *r = (idp_route_t *)a->elts, tmp;
    int i, j;

    for (i = 1; i < a->nelts; i++) {
        tmp = r[i];
        for (j = i; j > 0 && r[j - 1].prefix_len < tmp.prefix_len; j--) {
            r[j] = r[j - 1];
        }
        r[j] = tmp;
    }
}

void *idp_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    static int next_params_index = 0;
    idp_server_conf_t *base = basev, *add = addv;
    idp_server_conf_t *c = apr_pcalloc(p, sizeof(*c));

    /* A virtual host's routes come first, so they win a tie. */
    c->routes = apr_array_append(p, add->routes, base->routes);
    sort_routes(c->routes);
    c->pattern_src = add->pattern_src ? add->pattern_src : base->pattern_src;
    c->pattern = add->pattern_src ? add->pattern : base->pattern;
    c->pattern_jit = add->pattern_src ? add->pattern_jit : base->pattern_jit;
    c->params = base->params;
    idp_params_merge(&c->params, &add->params);
    /* Workers are shared by backend; a virtual host with parameters of
     * its own gets its own workers (the index is part of the cache key). */
    c->params_index = add->params.set ? ++next_params_index
                                      : base->params_index;
    c->max_backends = base->max_backends;
    c->idle_timeout = base->idle_timeout;
    c->negative_ttl = base->negative_ttl;
    c->metrics_backends = base->metrics_backends;
    return c;
}

static idp_server_conf_t *sconf_of(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config,
                                &id_proxy_module);
}

/* IdProxyRoute <prefix> <template> [source=...] */
static const char *set_route(cmd_parms *cmd, void *dummy, int argc,
                             char *const argv[])
{
    idp_server_conf_t *sc = sconf_of(cmd);
    idp_route_t rt;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    int i, bare_ok = 0;

    if (err) {
        return err;
    }
    if (argc < 2 || argc > 4) {
        return "IdProxyRoute takes a path prefix, a backend URL template "
               "and optionally source=query:NAME|path:N|header:NAME|"
               "cookie:NAME and allowbarehost=on";
    }
    memset(&rt, 0, sizeof(rt));
    rt.prefix = argv[0];
    rt.prefix_len = strlen(rt.prefix);
    if (rt.prefix[0] != '/') {
        return apr_psprintf(cmd->pool, "IdProxyRoute: the prefix '%s' must "
                            "be a URL path starting with '/'", rt.prefix);
    }
    rt.tpl_str = argv[1];
    err = idp_template_parse(cmd->pool, rt.tpl_str, &rt.tpl);
    if (err) {
        return apr_psprintf(cmd->pool, "IdProxyRoute: bad template '%s': %s",
                            rt.tpl_str, err);
    }
    rt.src_str = "query:id";
    for (i = 2; i < argc; i++) {
        if (!strncasecmp(argv[i], "source=", 7)) {
            rt.src_str = argv[i] + 7;
        }
        else if (!strcasecmp(argv[i], "allowbarehost=on")) {
            bare_ok = 1;
        }
        else if (!strcasecmp(argv[i], "allowbarehost=off")) {
            bare_ok = 0;
        }
        else {
            return apr_psprintf(cmd->pool, "IdProxyRoute: unknown option "
                                "'%s' (known: source=..., "
                                "allowbarehost=on|off)", argv[i]);
        }
    }
    if (idp_template_bare_host(rt.tpl) && !bare_ok) {
        return apr_psprintf(cmd->pool, "IdProxyRoute: the template '%s' "
                            "has a host made of {id} alone ('%s'): an id "
                            "could then name any host the resolver "
                            "completes (localhost, kubernetes, metadata, "
                            "...). Give the host at least one fixed label "
                            "after a dot, e.g. id-{id}.tenants.svc or "
                            "{id}.svc, or add allowbarehost=on to accept "
                            "this", rt.tpl_str, idp_template_host(rt.tpl));
    }
    err = idp_source_parse(cmd->pool, rt.src_str, &rt.src);
    if (err) {
        return apr_psprintf(cmd->pool, "IdProxyRoute: bad source '%s': %s",
                            rt.src_str, err);
    }
    for (i = 0; i < sc->routes->nelts; i++) {
        if (!strcmp(((idp_route_t *)sc->routes->elts)[i].prefix, rt.prefix)) {
            return apr_psprintf(cmd->pool, "IdProxyRoute: the prefix '%s' "
                                "has a route already", rt.prefix);
        }
    }
    *(idp_route_t *)apr_array_push(sc->routes) = rt;
    sort_routes(sc->routes);
    return NULL;
}

#if IDP_REGEX_ICASE != AP_REG_ICASE || IDP_REGEX_NEWLINE != AP_REG_NEWLINE \
    || IDP_REGEX_DOTALL != AP_REG_DOTALL \
    || IDP_REGEX_DOLLAR_ENDONLY != AP_REG_DOLLAR_ENDONLY
#error "idp_regex.h's options must be ap_regex.h's"
#endif

static const char *set_pattern(cmd_parms *cmd, void *dummy, const char *arg)
{
    idp_server_conf_t *sc = sconf_of(cmd);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);

    if (err) {
        return err;
    }
    err = idp_pattern_check(arg);
    if (err) {
        return apr_psprintf(cmd->pool, "IdProxyIdPattern '%s' refused: %s",
                            arg, err);
    }
    sc->pattern = ap_pregcomp(cmd->pool, arg, 0);
    if (!sc->pattern) {
        return apr_psprintf(cmd->pool, "IdProxyIdPattern '%s' is not a "
                            "valid regular expression", arg);
    }
    /* ap_pregcomp(..., 0) added the defaults (RegexDefaultOptions) */
    sc->pattern_jit = idp_regex_compile(cmd->pool, arg,
                                        ap_regcomp_get_default_cflags());
    sc->pattern_src = arg;
    return NULL;
}

/* A whole number in [lo, hi] for a global directive. */
static const char *global_number(cmd_parms *cmd, const char *arg,
                                 long lo, long hi, long *out)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end;
    long v;

    if (err) {
        return err;
    }
    v = strtol(arg, &end, 10);
    if (!*arg || *end || !apr_isdigit(*arg) || v < lo || v > hi) {
        return apr_psprintf(cmd->pool, "%s must be a whole number from %ld "
                            "to %ld, not '%s'", cmd->cmd->name, lo, hi, arg);
    }
    *out = v;
    return NULL;
}

static const char *set_max_backends(cmd_parms *cmd, void *d, const char *a)
{
    long v;
    const char *err = global_number(cmd, a, 1, IDP_CACHE_CAPACITY_MAX, &v);

    if (!err) {
        sconf_of(cmd)->max_backends = (int)v;
    }
    return err;
}

static const char *set_idle_timeout(cmd_parms *cmd, void *d, const char *a)
{
    long v;
    const char *err = global_number(cmd, a, 0, 86400 * 365, &v);

    if (!err) {
        sconf_of(cmd)->idle_timeout = apr_time_from_sec(v);
    }
    return err;
}

static const char *set_negative_ttl(cmd_parms *cmd, void *d, const char *a)
{
    long v;
    const char *err = global_number(cmd, a, 0, 86400, &v);

    if (!err) {
        sconf_of(cmd)->negative_ttl = apr_time_from_sec(v);
    }
    return err;
}

static const char *set_metrics_backends(cmd_parms *cmd, void *d,
                                        const char *a)
{
    long v;
    const char *err = global_number(cmd, a, 0, IDP_METRICS_BACKENDS_MAX, &v);

    if (!err) {
        sconf_of(cmd)->metrics_backends = (int)v;
    }
    return err;
}

static const char *set_worker_params(cmd_parms *cmd, void *d, const char *a)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);

    if (err) {
        return err;
    }
    err = idp_params_set(cmd->pool, &sconf_of(cmd)->params, a);
    if (err) {
        return apr_pstrcat(cmd->pool, "IdProxyWorkerParams: ", err, NULL);
    }
    return NULL;
}

const command_rec idp_cmds[] = {
    AP_INIT_TAKE_ARGV("IdProxyRoute", set_route, NULL, RSRC_CONF,
        "a path prefix, a backend URL template with {id}, and optionally "
        "source=query:NAME|path:N|header:NAME|cookie:NAME (default "
        "query:id) and allowbarehost=on (a host of {id} alone; default "
        "off)"),
    AP_INIT_TAKE1("IdProxyIdPattern", set_pattern, NULL, RSRC_CONF,
        "an anchored regular expression every id must match (default "
        IDP_ID_DEFAULT_PATTERN ")"),
    AP_INIT_TAKE1("IdProxyMaxBackends", set_max_backends, NULL, RSRC_CONF,
        "cached backend workers per child process (default 1024)"),
    AP_INIT_TAKE1("IdProxyIdleTimeout", set_idle_timeout, NULL, RSRC_CONF,
        "seconds after which an unused backend worker is evicted "
        "(default 300; 0: never)"),
    AP_INIT_TAKE1("IdProxyNegativeTTL", set_negative_ttl, NULL, RSRC_CONF,
        "seconds a failed DNS lookup is remembered (default 5; 0: not)"),
    AP_INIT_TAKE1("IdProxyMetricsBackends", set_metrics_backends, NULL,
        RSRC_CONF, "per-backend series for the N busiest backends on "
        "id-proxy-metrics (0 to 256; default 0: none)"),
    AP_INIT_ITERATE("IdProxyWorkerParams", set_worker_params, NULL,
        RSRC_CONF, "key=value connection parameters of every backend "
        "worker, as for ProxyPass (timeout, ttl, smax, max, acquire, ...)"),
    {NULL}
};

/* Checked once the whole configuration is read: the proxy modules the
 * routes need are loaded. */
int idp_check_routes(apr_pool_t *pconf, server_rec *main_s)
{
    server_rec *s;
    int i;

    for (s = main_s; s; s = s->next) {
        idp_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                     &id_proxy_module);
        for (i = 0; i < sc->routes->nelts; i++) {
            idp_route_t *rt = &((idp_route_t *)sc->routes->elts)[i];
            const char *scheme = idp_template_scheme(rt->tpl);
            int ws = !strcmp(scheme, "ws") || !strcmp(scheme, "wss");

            if (!ap_find_linked_module("mod_proxy_http.c")
                && !(ws && ap_find_linked_module("mod_proxy_wstunnel.c"))) {
                ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0,
                             main_s, IDP_LOGNO(10001) "IdProxyRoute %s %s "
                             "needs mod_proxy_http (LoadModule "
                             "proxy_http_module)", rt->prefix, rt->tpl_str);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
        }
    }
    return OK;
}
