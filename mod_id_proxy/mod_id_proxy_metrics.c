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
 * Each child keeps its own counters (the cache's and the glue's, see
 * mod_id_proxy_cache.c). After every routed request, after each sweep and
 * before every read, the child adds what grew since its last publication
 * to its row of a shared table (cm_metrics), created by the parent in
 * post_config and kept across graceful restarts. Readers sum the rows.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "apr_shm.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"
#include "ap_mpm.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_status.h"

#include "mod_id_proxy_private.h"
#include "mod_id_proxy_metrics.h"
#include "cm_metrics.h"

#define IDP_METRICS_HANDLER "id-proxy-metrics"
#define IDP_METRICS_KEY "id_proxy_metrics_shm"

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

/* Set in the parent before the children are forked; read-only after. */
static void *table;
static apr_size_t n_rows;
/* This child's row and what it published last (under pub_lock). */
static apr_size_t my_row;
static int have_row;
static apr_thread_mutex_t *pub_lock;
static apr_uint64_t published[IDP_M_COUNT];

static void values_of(const idp_snapshot_t *s, apr_uint64_t *v)
{
    v[IDP_M_HITS] = s->cache.hits;
    v[IDP_M_MISSES] = s->cache.misses;
    v[IDP_M_INSERTS] = s->cache.inserts;
    v[IDP_M_EVICTIONS] = s->cache.evictions;
    v[IDP_M_EXPIRATIONS] = s->cache.expirations;
    v[IDP_M_OVERFLOWS] = s->cache.overflows + s->st.admission_overflows;
    v[IDP_M_NEG_HITS] = s->st.neg_hits;
    v[IDP_M_DNS_FAILURES] = s->st.dns_failures;
    v[IDP_M_WORKER_FAILURES] = s->st.create_failures;
    v[IDP_M_BACKEND_ERRORS] = s->st.backend_errors;
    v[IDP_M_CONNS_CREATED] = s->st.conns_created;
    v[IDP_M_ENTRIES] = (apr_uint64_t)s->count;
}

void idp_metrics_publish(void)
{
    idp_snapshot_t snap;
    apr_uint64_t v[IDP_M_COUNT];
    int i;

    if (!have_row || !idp_counts(&snap)) {
        return;
    }
    values_of(&snap, v);
    if (pub_lock) {
        apr_thread_mutex_lock(pub_lock);
    }
    for (i = 1; i < IDP_M_COUNT; i++) {
        if (defs[i].type == CM_METRIC_GAUGE) {
            cm_metrics_set(table, n_rows, IDP_M_COUNT, my_row, (apr_size_t)i,
                           v[i]);
        }
        else if (v[i] > published[i]) {
            cm_metrics_add(table, n_rows, IDP_M_COUNT, my_row, (apr_size_t)i,
                           v[i] - published[i]);
            published[i] = v[i];
        }
    }
    if (pub_lock) {
        apr_thread_mutex_unlock(pub_lock);
    }
}

apr_uint64_t idp_metric_total(idp_metric_e m)
{
    return table ? cm_metrics_sum(table, n_rows, IDP_M_COUNT, (apr_size_t)m)
                 : 0;
}

static int metrics_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    apr_pool_t *pp = s->process->pool;
    apr_shm_t *shm = NULL;
    apr_status_t rv;
    int limit = 0;
    void *data = NULL;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    /* Kept in the process pool, so totals survive a graceful restart; the
     * module's statics do not (it is loaded again), the table does. */
    apr_pool_userdata_get(&data, IDP_METRICS_KEY, pp);
    if (data) {
        shm = data;
        n_rows = apr_shm_size_get(shm) / cm_metrics_size(1, IDP_M_COUNT);
        table = apr_shm_baseaddr_get(shm);
        return OK;
    }
    ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit);
    /* a row per scoreboard slot, spares, and the shared last row */
    n_rows = (apr_size_t)(limit > 0 ? limit : 1) + 9;
    rv = apr_shm_create(&shm, cm_metrics_size(n_rows, IDP_M_COUNT), NULL, pp);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, IDP_LOGNO(10055)
                     "id_proxy: no shared memory for the server-wide "
                     "counters; status and metrics will show zeros");
        n_rows = 0;
        return OK;
    }
    table = apr_shm_baseaddr_get(shm);
    cm_metrics_init(table, n_rows, IDP_M_COUNT);
    apr_pool_userdata_set(shm, IDP_METRICS_KEY, apr_pool_cleanup_null, pp);
    return OK;
}

static int pid_alive(apr_uint64_t pid)
{
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static apr_status_t release_row(void *data)
{
    if (have_row) {
        idp_metrics_publish();
        if (my_row < n_rows - 1) {
            cm_metrics_release(table, n_rows, IDP_M_COUNT, my_row,
                               (apr_uint64_t)getpid(),
                               APR_UINT64_C(1) << IDP_M_ENTRIES);
        }
    }
    have_row = 0;
    return APR_SUCCESS;
}

static void metrics_child_init(apr_pool_t *pchild, server_rec *s)
{
    int row;

    if (!table) {
        return;
    }
    apr_thread_mutex_create(&pub_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    row = cm_metrics_claim(table, n_rows - 1, IDP_M_COUNT,
                           (apr_uint64_t)getpid(), pid_alive,
                           APR_UINT64_C(1) << IDP_M_ENTRIES);
    my_row = row >= 0 ? (apr_size_t)row : n_rows - 1;
    have_row = 1;
    /* registered after the cache's own cleanups (child_init order), so
     * it runs before them and sees the last counts */
    apr_pool_cleanup_register(pchild, NULL, release_row,
                              apr_pool_cleanup_null);
}

/* After every routed request: what it counted reaches the shared row. */
static int metrics_log_transaction(request_rec *r)
{
    if (ap_get_module_config(r->request_config, &id_proxy_module)) {
        idp_metrics_publish();
    }
    return DECLINED;
}

static int metrics_handler(request_rec *r)
{
    apr_uint64_t values[IDP_M_COUNT];
    int i;

    if (!r->handler || strcmp(r->handler, IDP_METRICS_HANDLER) != 0) {
        return DECLINED;
    }
    r->allowed |= (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!table) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10056)
                      "id_proxy: metrics requested, but the server-wide "
                      "counters have no shared memory (see IDP10055)");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    idp_metrics_publish();
    ap_set_content_type(r, "text/plain; version=0.0.4; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (r->header_only) {
        return OK;
    }
    for (i = 1; i < IDP_M_COUNT; i++) {
        values[i] = idp_metric_total((idp_metric_e)i);
    }
    ap_rputs(cm_prom_format(r->pool, defs + 1, values + 1, IDP_M_COUNT - 1),
             r);
    return OK;
}

/* mod_status: server-wide totals, full and ?auto. */
static int status_hook(request_rec *r, int flags)
{
    apr_uint64_t h, m, o, e, c, b;

    if (!table) {
        return OK;
    }
    idp_metrics_publish();
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
    ap_hook_child_init(metrics_child_init, NULL, NULL, APR_HOOK_LAST);
    ap_hook_log_transaction(metrics_log_transaction, NULL, NULL,
                            APR_HOOK_LAST);
    ap_hook_handler(metrics_handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
