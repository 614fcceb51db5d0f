/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_id_proxy_metrics.c: mod_id_proxy's counters summed over every child
 * process, for the Prometheus handler "id-proxy-metrics", the
 * id-proxy-status page and server-status.
 *
 * The parent creates one shared memory table (cm_metrics_httpd_attach)
 * in post_config, kept across graceful restarts; each child claims a row
 * in child_init. mod_id_proxy_cache.c adds to that row where it counts
 * (atomic adds, under no lock of their own) and sets the entries gauge
 * whenever its cache changes size. Readers sum the rows.
 */
#include "apr_strings.h"
#include "http_protocol.h"
#include "mod_status.h"

#include "mod_id_proxy_private.h"
#include "mod_id_proxy_metrics.h"
#include "cm_metrics_httpd.h"
#include "idp_topn.h"

#define IDP_METRICS_HANDLER "id-proxy-metrics"
#define IDP_METRICS_KEY "id_proxy_metrics_shm"
#define IDP_BACKENDS_KEY "id_proxy_metrics_backends_shm"

static const cm_metric_def_t defs[IDP_M_COUNT] = {
    { NULL, NULL, CM_METRIC_GAUGE, NULL },
    { "id_proxy_cache_hits_total", NULL, CM_METRIC_COUNTER,
      "Requests whose backend was in the worker cache." },
    { "id_proxy_cache_misses_total", NULL, CM_METRIC_COUNTER,
      "Requests whose backend was not in the worker cache." },
    { "id_proxy_cache_inserts_total", NULL, CM_METRIC_COUNTER,
      "Backends admitted into the worker cache." },
    { "id_proxy_cache_evictions_total", NULL, CM_METRIC_COUNTER,
      "Idle backends evicted to make room." },
    { "id_proxy_cache_expirations_total", NULL, CM_METRIC_COUNTER,
      "Idle backends removed after IdProxyIdleTimeout." },
    { "id_proxy_cache_overflows_total", NULL, CM_METRIC_COUNTER,
      "Requests refused with 503 because every cache entry was in use." },
    { "id_proxy_negative_hits_total", NULL, CM_METRIC_COUNTER,
      "Requests answered from the negative cache." },
    { "id_proxy_dns_failures_total", NULL, CM_METRIC_COUNTER,
      "Backend host names that did not resolve." },
    { "id_proxy_worker_failures_total", NULL, CM_METRIC_COUNTER,
      "Workers that could not be set up." },
    { "id_proxy_backend_errors_total", NULL, CM_METRIC_COUNTER,
      "Responses 502, 503 or 504 from mod_proxy for a routed request." },
    { "id_proxy_connections_created_total", NULL, CM_METRIC_COUNTER,
      "TCP connections made to backends." },
    { "id_proxy_cache_entries", NULL, CM_METRIC_GAUGE,
      "Backends in the worker caches of all children." },
};

/* Set up in the parent before the children are forked (post_config);
 * its row is claimed in each child (child_init). */
static cm_metrics_table_t table;

/* IdProxyMetricsBackends: the n busiest backends. Each child tracks
 * 2 n backends (idp_topn) and copies them into its row of a second table
 * (cell 0 the owner, then idp_topn_cells(2 n)) after each sweep, before
 * it serves a scrape and when it exits; a scrape merges the rows. */
static int backends_n;                  /* 0: off */
static cm_metrics_table_t btable;
static idp_topn_t *tracker;             /* this child's, under the cache
                                         * lock; NULL: not tracking */

static int backends_capacity(void)
{
    return 2 * backends_n;
}

int idp_metrics_backends_on(void)
{
    return tracker != NULL;
}

void idp_metrics_backend_count(const char *backend, apr_uint64_t requests,
                               apr_uint64_t errors)
{
    if (tracker) {
        idp_topn_add(tracker, backend, requests, errors);
    }
}

void idp_metrics_backends_publish(void)
{
    if (tracker) {
        idp_topn_publish(tracker,
                         cm_metrics_table_row(&btable, btable.row) + 1);
    }
}

/* The per-backend series: every claimable row merged by backend, the
 * backends_n busiest. */
static void render_backends(request_rec *r)
{
    apr_array_header_t *items = apr_array_make(r->pool, 16,
                                               sizeof(idp_topn_item_t));
    apr_array_header_t *top;
    const idp_topn_item_t *it;
    apr_size_t i;
    int k, torn = 0;

    idp_cache_publish_backends();
    for (i = 0; i + 1 < btable.n_rows; i++) {
        torn += !idp_topn_read(cm_metrics_table_row(&btable, i) + 1,
                               backends_capacity(), r->pool, items);
    }
    if (torn) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, IDP_LOGNO(10057)
                      "id_proxy: %d per-backend rows changed while read "
                      "and were left out of this scrape", torn);
    }
    top = idp_topn_merge(r->pool, items, backends_n);
    it = (const idp_topn_item_t *)top->elts;
    ap_rputs(cm_prom_header(r->pool, "id_proxy_top_backend_requests_total",
                            CM_METRIC_COUNTER,
                            "Requests routed to each of the busiest backends "
                            "(IdProxyMetricsBackends)."), r);
    for (k = 0; k < top->nelts; k++) {
        ap_rprintf(r, "id_proxy_top_backend_requests_total{backend=\"%s\"} %"
                   APR_UINT64_T_FMT "\n",
                   cm_prom_label_escape(r->pool, it[k].key), it[k].requests);
    }
    ap_rputs(cm_prom_header(r->pool, "id_proxy_top_backend_errors_total",
                            CM_METRIC_COUNTER,
                            "Responses 502, 503 or 504 from mod_proxy for "
                            "each of the busiest backends."), r);
    for (k = 0; k < top->nelts; k++) {
        ap_rprintf(r, "id_proxy_top_backend_errors_total{backend=\"%s\"} %"
                   APR_UINT64_T_FMT "\n",
                   cm_prom_label_escape(r->pool, it[k].key), it[k].errors);
    }
}

void idp_metric_add(idp_metric_e m, apr_uint64_t n)
{
    cm_metrics_table_add(&table, (apr_size_t)m, n);
}

void idp_metric_set(idp_metric_e m, apr_uint64_t v)
{
    cm_metrics_table_set(&table, (apr_size_t)m, v);
}

apr_uint64_t idp_metric_total(idp_metric_e m)
{
    return cm_metrics_table_total(&table, (apr_size_t)m);
}

static int metrics_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    apr_status_t rv = cm_metrics_httpd_attach(&table, s, IDP_METRICS_KEY,
                                              IDP_M_COUNT,
                                              APR_UINT64_C(1) << IDP_M_ENTRIES);

    idp_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                 &id_proxy_module);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, IDP_LOGNO(10055)
                     "id_proxy: no shared memory for the server-wide "
                     "counters; status and metrics will show zeros");
    }
    backends_n = sc->metrics_backends > 0 ? sc->metrics_backends : 0;
    if (backends_n && table.mem) {
        rv = cm_metrics_httpd_attach(&btable, s, IDP_BACKENDS_KEY,
                                     1 + idp_topn_cells(backends_capacity()),
                                     0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, IDP_LOGNO(10058)
                         "id_proxy: no shared memory for the per-backend "
                         "series of IdProxyMetricsBackends %d (%"
                         APR_SIZE_T_FMT " bytes); they are left out",
                         backends_n,
                         cm_metrics_size(cm_metrics_httpd_rows(),
                                         1 + idp_topn_cells(
                                                 backends_capacity())));
        }
    }
    else {
        memset(&btable, 0, sizeof(btable));
    }
    return OK;
}

static void metrics_child_init(apr_pool_t *pchild, server_rec *s)
{
    cm_metrics_claim_self(&table, pchild);
    tracker = NULL;
    cm_metrics_claim_self(&btable, pchild);
    /* A child on the shared last row does not track: its copies would
     * overwrite each other's. */
    if (btable.have_row && btable.row + 1 < btable.n_rows) {
        tracker = idp_topn_create(pchild, backends_capacity());
        if (tracker) {
            idp_topn_load(tracker,
                          cm_metrics_table_row(&btable, btable.row) + 1);
        }
    }
}

static int metrics_handler(request_rec *r)
{
    int rc = cm_metrics_handler_begin(r, IDP_METRICS_HANDLER, &table);

    if (rc == HTTP_SERVICE_UNAVAILABLE) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10056)
                      "id_proxy: metrics requested, but the server-wide "
                      "counters have no shared memory (see IDP10055)");
    }
    if (rc == OK && !r->header_only) {
        ap_rputs(cm_metrics_render(r->pool, &table, defs), r);
        if (btable.mem) {
            render_backends(r);
        }
    }
    return rc;
}

/* mod_status: server-wide totals, full and ?auto. */
static int status_hook(request_rec *r, int flags)
{
    apr_uint64_t h, m, o, e, c, b;

    if (!table.mem) {
        return OK;
    }
    h = idp_metric_total(IDP_M_HITS);
    m = idp_metric_total(IDP_M_MISSES);
    o = idp_metric_total(IDP_M_OVERFLOWS);
    e = idp_metric_total(IDP_M_ENTRIES);
    c = idp_metric_total(IDP_M_CONNS_CREATED);
    b = idp_metric_total(IDP_M_BACKEND_ERRORS);
    if (flags & AP_STATUS_SHORT) {
        ap_rprintf(r, "IdProxyHitsTotal: %" APR_UINT64_T_FMT "\n"
                   "IdProxyMissesTotal: %" APR_UINT64_T_FMT "\n"
                   "IdProxyOverflowsTotal: %" APR_UINT64_T_FMT "\n"
                   "IdProxyEntries: %" APR_UINT64_T_FMT "\n"
                   "IdProxyConnectionsTotal: %" APR_UINT64_T_FMT "\n"
                   "IdProxyBackendErrorsTotal: %" APR_UINT64_T_FMT "\n",
                   h, m, o, e, c, b);
    }
    else {
        ap_rprintf(r, "<p>mod_id_proxy (all children): %" APR_UINT64_T_FMT
                   " cache hits, %" APR_UINT64_T_FMT " misses, %"
                   APR_UINT64_T_FMT " refused (cache full), %"
                   APR_UINT64_T_FMT " cached backends, %" APR_UINT64_T_FMT
                   " backend connections made, %" APR_UINT64_T_FMT
                   " backend errors</p>\n", h, m, o, e, c, b);
    }
    return OK;
}

void idp_metrics_register_hooks(void)
{
    ap_hook_post_config(metrics_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* before the cache's child_init starts its sweeper thread */
    ap_hook_child_init(metrics_child_init, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_handler(metrics_handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
