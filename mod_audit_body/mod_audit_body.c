/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body: audit records with bounded copies of request and
 * response bodies.
 *
 * This file holds the module record and the request hooks: it attaches the
 * filters when AuditBody is On and writes one record per request in the
 * logging phase. It never holds back or changes the bytes that flow.
 */
#include <unistd.h>

#define AB_MODULE_FILE

#include "apr_atomic.h"
#include "apr_network_io.h"
#include "apr_strings.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"

#include "mod_audit_body_private.h"
#include "ab_record.h"
#include "ab_types.h"
#include "mod_audit_body_metrics.h"

static apr_uint32_t next_id;

/* The machine's host name, for the record's "host" (trails of many
 * gateways merged in one place); read once, before the children start. */
static char host_name[APRMAXHOSTLEN + 1];

static ab_ctx_t *get_ctx(request_rec *r)
{
    return ap_get_module_config(r->request_config, &audit_body_module);
}

/* The context of this request, or of the request it was redirected from
 * (internal redirects share one record), or NULL. */
static ab_ctx_t *ctx_find(request_rec *r)
{
    ab_ctx_t *ctx = get_ctx(r);

    if (!ctx && r->prev && (ctx = get_ctx(r->prev)) != NULL) {
        ap_set_module_config(r->request_config, &audit_body_module, ctx);
    }
    return ctx;
}

static ab_ctx_t *ctx_create(request_rec *r)
{
    ab_ctx_t *ctx = apr_pcalloc(r->pool, sizeof(*ctx));

    ap_set_module_config(r->request_config, &audit_body_module, ctx);
    return ctx;
}

/* The context once r's per-directory configuration is known, created
 * when AuditBody is On for r; ctx->audited says whether any request of
 * the chain has it On. */
static ab_ctx_t *ctx_for(request_rec *r)
{
    ab_ctx_t *ctx = ctx_find(r);
    int on = !r->main && ab_conf_enabled(ab_dir_conf(r));

    if (!ctx && on) {
        ctx = ctx_create(r);
    }
    if (ctx && on) {
        ctx->audited = 1;
    }
    return ctx;
}

/* A module may read the body before insert_filter: mod_auth_form and
 * KeptBody in check_authn, others in fixups or post_read_request. So the
 * input filter is attached here, to every initial request with a body,
 * and the per-directory decision is applied when it is known. */
static int ab_post_read_request(request_rec *r)
{
    if (r->main || r->prev || !ab_has_body(r) || get_ctx(r)) {
        return DECLINED;
    }
    ab_filters_early(r, ctx_create(r));
    return DECLINED;
}

static const char *request_id(request_rec *r);
static const char *vhost_of(request_rec *r);

/* AuditBodyInterim: a long request gets interim records. */
static void interim_register(request_rec *r, ab_ctx_t *ctx)
{
    ab_server_conf_t *sc = ap_get_module_config(r->server->module_config,
                                                &audit_body_module);

    if (sc->interim > 0 && !ctx->interim) {
        if (!ctx->id) {
            ctx->id = request_id(r);
        }
        ab_interim_register(r, ctx, ctx->id, vhost_of(r),
                            host_name[0] ? host_name : NULL);
    }
}

static void ab_insert_filter(request_rec *r)
{
    ab_ctx_t *ctx = ctx_for(r);

    if (ctx && ctx->audited) {
        ab_filters_insert(r, ctx, 0);
        interim_register(r, ctx);
    }
    else if (ctx) {
        ab_filters_stand_down(ctx);
    }
}

static void ab_insert_error_filter(request_rec *r)
{
    ab_ctx_t *ctx = ctx_for(r);

    if (ctx && ctx->audited) {
        ab_filters_insert(r, ctx, 1);
    }
    else if (ctx) {
        ab_filters_stand_down(ctx);
    }
}

static const char *request_id(request_rec *r)
{
    const char *id = apr_table_get(r->subprocess_env, "UNIQUE_ID");

    if (id) {
        return id;
    }
    if (r->log_id) {
        return r->log_id;
    }
    return apr_psprintf(r->pool, "%" APR_UINT64_T_HEX_FMT "-%"
                        APR_PID_T_FMT "-%x",
                        (apr_uint64_t)r->request_time, getpid(),
                        apr_atomic_inc32(&next_id));
}

/* Why httpd refused the request body, or NULL when reading it failed
 * because the client went away (an abort). HTTP_IN reports a refusal by
 * sending an ERROR bucket down the output chain (its status is in
 * ctx->http_error) and returning AP_FILTER_ERROR to the reader. */
static const char *body_error(const ab_ctx_t *ctx, const request_rec *last)
{
    apr_status_t rv = ctx->req_rv;
    int status = ctx->http_error ? ctx->http_error : last->status;

    if (rv == APR_ENOSPC) {
        return "too-large";
    }
    if (APR_STATUS_IS_TIMEUP(rv)) {
        return "timeout";
    }
    if (rv != AP_FILTER_ERROR) {
        return NULL;
    }
    switch (status) {
    case HTTP_REQUEST_ENTITY_TOO_LARGE:
        return "too-large";
    case HTTP_BAD_REQUEST:
        return "bad-request";
    case HTTP_REQUEST_TIME_OUT:
        return "timeout";
    case HTTP_NOT_IMPLEMENTED:
        return "not-implemented";
    default:
        return "error";
    }
}


/* The port of the virtual host that served r: its ServerName's port, else
 * the local port the connection came in on. Never the Host header's port,
 * which ap_get_server_port() returns under UseCanonicalName Off. */
static int server_port(request_rec *r)
{
    if (r->server->port) {
        return (int)r->server->port;
    }
    return r->connection->local_addr ? (int)r->connection->local_addr->port
                                     : 0;
}

static const char *vhost_of(request_rec *r)
{
    return apr_pstrcat(r->pool, r->server->server_hostname, ":",
                       apr_itoa(r->pool, server_port(r)), NULL);
}

/* Point b at what c captured, in its segments (never copied into one
 * buffer: memory stays the cap plus the record). */
static void set_body(apr_pool_t *p, const ab_capture_t *c,
                     ab_record_body_t *b)
{
    cm_seg_t *segs;

    b->captured = c->len;
    b->body = "";
    if (c->len) {
        segs = apr_palloc(p, sizeof(*segs) * AB_CAPTURE_SEGS);
        b->nsegs = ab_capture_segments(c, segs);
        b->segs = segs;
    }
}

static void fill_request(request_rec *r, request_rec *last, ab_ctx_t *ctx,
                         ab_record_body_t *b)
{
    b->headers = r->headers_in;
    b->content_type = apr_table_get(r->headers_in, "Content-Type");
    b->content_encoding = ctx->req_ce_set
        ? ctx->req_ce : apr_table_get(r->headers_in, "Content-Encoding");
    if (ctx->req.nseg) {
        set_body(r->pool, &ctx->req, b);
    }
    /* total_bytes: every byte that passed, so the encoded ones when the
     * body was decoded (encoded_bytes says how many the decoder took) */
    b->total = ctx->req.unknown ? -1 : ctx->req.total;
    b->truncated = ab_capture_truncated(&ctx->req);
    if (!ctx->req_skip) {
        ab_filters_decoded(ctx->req_dec, ctx->req_unsupported, b);
    }
    b->skip_reason = ctx->req_skip;
    if (ctx->req_rv != APR_SUCCESS) {
        b->error = body_error(ctx, last);
        b->state = b->error ? "error" : "aborted";
    }
    else if (!ab_has_body(r) && ctx->req.total == 0) {
        b->state = "none";
        /* What follows a 101 belongs to the tunnel, not to this record. */
        b->skip_reason = last->status == HTTP_SWITCHING_PROTOCOLS
                         ? AB_SKIP_UPGRADE : NULL;
    }
    else if (!ctx->req_eos) {
        b->state = "incomplete";
    }
    else if (ctx->req_skip) {
        b->state = "skipped";
    }
    else {
        b->state = b->truncated ? "truncated" : "complete";
    }
    if (ctx->req_skip) {
        b->body = NULL;
        b->captured = 0;
        b->nsegs = 0;
    }
}

static void fill_response(request_rec *r, request_rec *last, ab_ctx_t *ctx,
                          ab_record_body_t *b)
{
    b->headers = apr_is_empty_table(last->err_headers_out)
        ? last->headers_out
        : apr_table_overlay(r->pool, last->headers_out,
                            last->err_headers_out);
    b->content_type = ctx->resp_decided ? ctx->resp_ct : last->content_type;
    b->content_encoding = ctx->resp_decided
        ? ctx->resp_ce : apr_table_get(last->headers_out, "Content-Encoding");
    b->skip_reason = ctx->resp_skip;
    if (!ctx->resp_decided && last->status == HTTP_SWITCHING_PROTOCOLS) {
        /* The tunnel (mod_proxy_http, mod_proxy_wstunnel) writes to the
         * connection directly: nothing passed through the filter. */
        b->state = "skipped";
        b->skip_reason = AB_SKIP_UPGRADE;
        b->total = -1;
    }
    else if (!ctx->resp_decided) {
        b->state = "none";
        b->total = last->bytes_sent;
    }
    else if (ctx->resp_skip) {
        b->state = "skipped";
        b->total = last->bytes_sent;
    }
    else {
        set_body(r->pool, &ctx->resp, b);
        b->truncated = ab_capture_truncated(&ctx->resp);
        ab_filters_decoded(ctx->resp_dec, ctx->resp_unsupported, b);
        b->total = ctx->resp.unknown ? -1 : ctx->resp.total;
        if (!ctx->resp_eos) {
            b->state = r->connection->aborted ? "aborted" : "incomplete";
        }
        else {
            b->state = b->truncated ? "truncated" : "complete";
        }
    }
}

/* Cut what a direction writes to the final request's configuration: a
 * request earlier in an internal-redirect chain may have captured under
 * a higher limit (or another type list) than the target allows. Bytes
 * already captured cannot be un-captured, but they are not written. */
static void apply_final_limit(ab_record_body_t *b, apr_size_t limit,
                              const char *skip)
{
    if (!b->body || (b->skip_reason && !skip)) {
        return;
    }
    if (skip || limit == 0) {
        if (!strcmp(b->state, "complete") || !strcmp(b->state, "truncated")) {
            b->state = "skipped";       /* an error or abort stays one */
        }
        b->skip_reason = skip ? skip : AB_SKIP_LIMIT_ZERO;
        b->body = NULL;
        b->captured = 0;
        b->nsegs = 0;
        b->truncated = 0;
    }
    else if (b->captured > limit) {
        b->captured = limit;
        b->truncated = 1;
        if (!strcmp(b->state, "complete")) {
            b->state = "truncated";
        }
    }
}

static void apply_final_conf(request_rec *last, ab_record_t *rec)
{
    const ab_dir_conf_t *dc = ab_dir_conf(last);
    const apr_array_header_t *types = ab_conf_types(dc, ab_default_types());
    ab_req_facts_t facts;

    facts.content_type = rec->request.content_type;
    facts.limit = (apr_off_t)ab_conf_req_limit(dc);
    apply_final_limit(&rec->request, ab_conf_req_limit(dc),
                      rec->request.body ? ab_skip_request(types, &facts)
                                        : NULL);
    apply_final_limit(&rec->response, ab_conf_resp_limit(dc), NULL);
    rec->mask = ab_conf_mask(dc);
}

static int ab_log_transaction(request_rec *r)
{
    ab_ctx_t *ctx = NULL;
    ab_server_conf_t *sc;
    request_rec *last;
    ab_record_t rec;
    apr_pool_t *scratch;
    apr_time_t now;
    char *line;
    apr_size_t len;

    /* AuditBody may be On only for the target of an internal redirect. */
    for (last = r; last && !(ctx = get_ctx(last)); last = last->next) {
    }
    if (!ctx || !ctx->audited) {
        return DECLINED;
    }
    last = r;
    sc = ap_get_module_config(r->server->module_config, &audit_body_module);
    if (!sc->sink) {
        ab_sink_missing(r);
        return DECLINED;
    }
    while (last->next) {
        last = last->next;
    }
    now = apr_time_now();
    memset(&rec, 0, sizeof(rec));
    rec.time = r->request_time;
    /* the same id as the interim records, if any were written */
    ab_interim_done(r, ctx);
    rec.id = ctx->id ? ctx->id : request_id(r);
    rec.host = host_name[0] ? host_name : NULL;
    rec.vhost = vhost_of(r);
    rec.client_ip = r->useragent_ip;
    rec.client_port = r->useragent_addr ? r->useragent_addr->port : 0;
    rec.method = r->method;
    rec.uri = r->unparsed_uri;
    rec.protocol = r->protocol;
    rec.status = last->status;
    rec.user = last->user ? last->user : r->user;
    rec.latency_us = now - r->request_time;
    rec.ttfb_us = ctx->first_byte ? ctx->first_byte - r->request_time : -1;
    rec.bytes_received = ctx->req.total;
    rec.bytes_sent = last->bytes_sent;
    fill_request(r, last, ctx, &rec.request);
    fill_response(r, last, ctx, &rec.response);
    /* A body httpd refused is an error, not an abort. */
    rec.aborted = r->connection->aborted
                  || !strcmp(rec.request.state, "aborted");
    /* The final request of the chain governs limits, types and masks. */
    apply_final_conf(last, &rec);
    /* ... and whether the record, and its bodies, are kept at all. */
    if (!ab_keep_decide(r, last, ctx, &rec)) {
        return OK;
    }

    if (rec.request.truncated) {
        ab_metric_add(AB_M_TRUNCATED_REQUEST, 1);
    }
    if (rec.response.truncated) {
        ab_metric_add(AB_M_TRUNCATED_RESPONSE, 1);
    }
    ab_metric_skip(rec.request.skip_reason);
    ab_metric_skip(rec.response.skip_reason);

    /* Redaction's buffers (up to a few times the captured bytes) go as
     * soon as the record is written. */
    apr_pool_create(&scratch, r->pool);
    apr_pool_tag(scratch, "audit_body_redact");
    ab_redact_record(r, last, &rec, scratch);
    /* counted here, for the record written (an interim record's template
     * is redacted too, but may be written many times or never) */
    if (rec.request.redacted + rec.response.redacted) {
        ab_metric_add(AB_M_REDACTED_FIELDS,
                      rec.request.redacted + rec.response.redacted);
    }
    line = ab_record_format(scratch, &rec, &len);
    ab_sink_write(r, sc->sink, line, len);
    apr_pool_destroy(scratch);
    return OK;
}

static int ab_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                         apr_pool_t *ptemp)
{
    ab_config_init(pconf);
    ab_redact_config_init(pconf);
    ab_sink_register(pconf);
    return OK;
}

static int ab_open_logs(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
    return ab_sink_open_all(pconf, ptemp, s);
}

static int ab_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    if (apr_gethostname(host_name, sizeof(host_name), ptemp) != APR_SUCCESS) {
        host_name[0] = '\0';
    }
    return ab_sink_post_config(pconf, s);
}

static void ab_child_init(apr_pool_t *pchild, server_rec *s)
{
    ab_sink_child_init(pchild, s);
    ab_interim_child_init(pchild, s);
}

static void register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(ab_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(ab_redact_check_config, NULL, NULL,
                         APR_HOOK_MIDDLE);
    ap_hook_open_logs(ab_open_logs, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(ab_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(ab_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_read_request(ab_post_read_request, NULL, NULL,
                              APR_HOOK_REALLY_FIRST);
    ap_hook_insert_filter(ab_insert_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(ab_insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
    ap_hook_log_transaction(ab_log_transaction, NULL, NULL,
                            APR_HOOK_MIDDLE);
    ab_filters_register();
    ab_sink_register_hooks();
    ab_metrics_register_hooks();
    ab_keep_register_hooks();
}

AP_DECLARE_MODULE(audit_body) = {
    STANDARD20_MODULE_STUFF,
    ab_create_dir_conf,         /* create per-directory config */
    ab_merge_dir_conf,          /* merge per-directory config */
    ab_create_server_conf,      /* create per-server config */
    ab_merge_server_conf,       /* merge per-server config */
    ab_cmds,                    /* command table */
    register_hooks,             /* register hooks */
    AP_MODULE_FLAG_NONE         /* flags */
};
