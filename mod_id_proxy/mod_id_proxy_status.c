/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_id_proxy_status.c: "SetHandler id-proxy-status". The cache is per
 * child process, so the page shows the child that serves it (its pid is
 * on the page); "?json" gives the same data as one JSON object.
 */
#include <unistd.h>

#include "apr_strings.h"
#include "http_protocol.h"

#include "mod_id_proxy_private.h"
#include "mod_id_proxy_metrics.h"
#include "cm_json.h"

static const char *iso(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t x;

    if (!t) {
        return "";
    }
    apr_time_exp_gmt(&x, t);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                        x.tm_year + 1900, x.tm_mon + 1, x.tm_mday, x.tm_hour,
                        x.tm_min, x.tm_sec, x.tm_usec);
}

/* A JSON string (ids and backends are plain ASCII, but escape anyway). */
static const char *js(apr_pool_t *p, const char *s)
{
    apr_size_t n = strlen(s);
    char *out = apr_palloc(p, cm_json_escaped_len(s, n) + 3);
    apr_size_t w;

    out[0] = '"';
    w = cm_json_escape(out + 1, s, n);
    out[w + 1] = '"';
    out[w + 2] = '\0';
    return out;
}

static apr_uint32_t idle_conns(const idp_entry_snapshot_t *e)
{
    return e->conns_open > e->conns_busy ? e->conns_open - e->conns_busy : 0;
}

static void send_json(request_rec *r, const idp_snapshot_t *s, int have)
{
    apr_pool_t *p = r->pool;
    int i;

    ap_set_content_type(r, "application/json");
    ap_rprintf(r, "{\"pid\":%" APR_PID_T_FMT ",\"cache\":%s", getpid(),
               have ? "true" : "false");
    ap_rprintf(r, ",\"capacity\":%d,\"entries_count\":%d"
               ",\"idle_timeout_s\":%" APR_TIME_T_FMT,
               s->capacity, s->count, apr_time_sec(s->idle_timeout));
    ap_rprintf(r, ",\"totals\":{\"hits\":%" APR_UINT64_T_FMT
               ",\"misses\":%" APR_UINT64_T_FMT
               ",\"inserts\":%" APR_UINT64_T_FMT
               ",\"evictions\":%" APR_UINT64_T_FMT
               ",\"expirations\":%" APR_UINT64_T_FMT
               ",\"overflows\":%" APR_UINT64_T_FMT
               ",\"negative_hits\":%" APR_UINT64_T_FMT
               ",\"negative_entries\":%d"
               ",\"dns_failures\":%" APR_UINT64_T_FMT
               ",\"create_failures\":%" APR_UINT64_T_FMT
               ",\"backend_errors\":%" APR_UINT64_T_FMT
               ",\"connections_created\":%" APR_UINT64_T_FMT
               ",\"admission_waits\":%" APR_UINT64_T_FMT
               ",\"admission_overflows\":%" APR_UINT64_T_FMT "}",
               s->cache.hits, s->cache.misses, s->cache.inserts,
               s->cache.evictions, s->cache.expirations, s->cache.overflows,
               s->st.neg_hits, s->neg_count, s->st.dns_failures,
               s->st.create_failures, s->st.backend_errors,
               s->st.conns_created, s->st.admission_waits,
               s->st.admission_overflows);
    ap_rprintf(r, ",\"server_totals\":{\"hits\":%" APR_UINT64_T_FMT
               ",\"misses\":%" APR_UINT64_T_FMT
               ",\"inserts\":%" APR_UINT64_T_FMT
               ",\"evictions\":%" APR_UINT64_T_FMT
               ",\"expirations\":%" APR_UINT64_T_FMT
               ",\"overflows\":%" APR_UINT64_T_FMT
               ",\"negative_hits\":%" APR_UINT64_T_FMT
               ",\"dns_failures\":%" APR_UINT64_T_FMT
               ",\"backend_errors\":%" APR_UINT64_T_FMT
               ",\"connections_created\":%" APR_UINT64_T_FMT
               ",\"entries\":%" APR_UINT64_T_FMT "}",
               idp_metric_total(IDP_M_HITS), idp_metric_total(IDP_M_MISSES),
               idp_metric_total(IDP_M_INSERTS),
               idp_metric_total(IDP_M_EVICTIONS),
               idp_metric_total(IDP_M_EXPIRATIONS),
               idp_metric_total(IDP_M_OVERFLOWS),
               idp_metric_total(IDP_M_NEG_HITS),
               idp_metric_total(IDP_M_DNS_FAILURES),
               idp_metric_total(IDP_M_BACKEND_ERRORS),
               idp_metric_total(IDP_M_CONNS_CREATED),
               idp_metric_total(IDP_M_ENTRIES));
    ap_rputs(",\"entries\":[", r);
    for (i = 0; i < s->entries->nelts; i++) {
        const idp_entry_snapshot_t *e =
            &((const idp_entry_snapshot_t *)s->entries->elts)[i];
        ap_rprintf(r, "%s{\"id\":%s,\"backend\":%s,\"key\":%s,\"state\":%s"
                   ",\"refs\":%d,\"requests\":%" APR_UINT64_T_FMT
                   ",\"connections_created\":%u,\"connections_open\":%u"
                   ",\"connections_busy\":%u,\"connections_idle\":%u"
                   ",\"address_ttl_s\":%d"
                   ",\"created\":\"%s\",\"last_used\":\"%s\"}",
                   i ? "," : "", js(p, e->id), js(p, e->backend),
                   js(p, e->key), js(p, e->state), e->refs, e->requests,
                   e->conns_created, e->conns_open, e->conns_busy,
                   idle_conns(e), e->address_ttl, iso(p, e->created),
                   iso(p, e->last_used));
    }
    ap_rputs("]}\n", r);
}

static void send_html(request_rec *r, const idp_snapshot_t *s, int have)
{
    int i;

    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs(DOCTYPE_HTML_4_01 "<html><head><title>mod_id_proxy status"
             "</title></head><body>\n<h1>mod_id_proxy status</h1>\n", r);
    ap_rprintf(r, "<p>All children: %" APR_UINT64_T_FMT " hits, %"
               APR_UINT64_T_FMT " misses, %" APR_UINT64_T_FMT " overflows, %"
               APR_UINT64_T_FMT " backends cached, %" APR_UINT64_T_FMT
               " connections created, %" APR_UINT64_T_FMT
               " backend errors.</p>\n",
               idp_metric_total(IDP_M_HITS), idp_metric_total(IDP_M_MISSES),
               idp_metric_total(IDP_M_OVERFLOWS),
               idp_metric_total(IDP_M_ENTRIES),
               idp_metric_total(IDP_M_CONNS_CREATED),
               idp_metric_total(IDP_M_BACKEND_ERRORS));
    ap_rprintf(r, "<p>Below: child process %" APR_PID_T_FMT " only (each "
               "child has its own cache; <a href=\"?json\">JSON</a>).</p>\n",
               getpid());
    if (!have) {
        ap_rputs("<p>No IdProxyRoute is configured.</p></body></html>\n", r);
        return;
    }
    ap_rprintf(r, "<p>%d of %d backends cached; idle timeout %" APR_TIME_T_FMT
               " s.</p>\n<table border=\"1\"><tr><th>hits</th><th>misses</th>"
               "<th>evictions</th><th>expirations</th><th>overflows</th>"
               "<th>negative-cache hits</th><th>DNS failures</th>"
               "<th>backend errors</th><th>connections created</th></tr>\n"
               "<tr><td>%" APR_UINT64_T_FMT "</td><td>%" APR_UINT64_T_FMT
               "</td><td>%" APR_UINT64_T_FMT "</td><td>%" APR_UINT64_T_FMT
               "</td><td>%" APR_UINT64_T_FMT "</td><td>%" APR_UINT64_T_FMT
               "</td><td>%" APR_UINT64_T_FMT "</td><td>%" APR_UINT64_T_FMT
               "</td><td>%" APR_UINT64_T_FMT "</td></tr></table>\n",
               s->count, s->capacity, apr_time_sec(s->idle_timeout),
               s->cache.hits, s->cache.misses, s->cache.evictions,
               s->cache.expirations, s->cache.overflows, s->st.neg_hits,
               s->st.dns_failures, s->st.backend_errors,
               s->st.conns_created);
    ap_rputs("<h2>Backends (most recently used first)</h2>\n"
             "<table border=\"1\"><tr><th>id</th><th>backend</th>"
             "<th>state</th><th>refs</th><th>requests</th>"
             "<th>connections created</th><th>open</th><th>busy</th>"
             "<th>idle</th><th>created</th><th>last use</th></tr>\n", r);
    for (i = 0; i < s->entries->nelts; i++) {
        const idp_entry_snapshot_t *e =
            &((const idp_entry_snapshot_t *)s->entries->elts)[i];
        ap_rprintf(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%d</td>"
                   "<td>%" APR_UINT64_T_FMT "</td><td>%u</td><td>%u</td>"
                   "<td>%u</td><td>%u</td><td>%s</td><td>%s</td></tr>\n",
                   ap_escape_html(r->pool, e->id),
                   ap_escape_html(r->pool, e->backend), e->state, e->refs,
                   e->requests, e->conns_created, e->conns_open,
                   e->conns_busy, idle_conns(e), iso(r->pool, e->created),
                   iso(r->pool, e->last_used));
    }
    ap_rputs("</table></body></html>\n", r);
}

int idp_status_handler(request_rec *r)
{
    idp_snapshot_t snap;
    int have;

    if (r->method_number != M_GET) {
        r->allowed = (AP_METHOD_BIT << M_GET);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    have = idp_snapshot(r->pool, &snap);
    apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
    if (r->args && !strcmp(r->args, "json")) {
        send_json(r, &snap, have);
    }
    else {
        send_html(r, &snap, have);
    }
    return OK;
}
