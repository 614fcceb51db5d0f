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
#include "apr_strings.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"

#include "mod_audit_body_private.h"
#include "ab_record.h"
#include "ab_types.h"

static apr_uint32_t next_id;

static ab_ctx_t *get_ctx(request_rec *r)
{
    return ap_get_module_config(r->request_config, &audit_body_module);
}

/* The context of this request, or of the request it was redirected from
 * (internal redirects share one record). Created when AuditBody is On. */
static ab_ctx_t *ctx_for(request_rec *r)
{
    ab_dir_conf_t *dc;
    ab_ctx_t *ctx = get_ctx(r);

    if (ctx) {
        return ctx;
    }
    if (r->prev && (ctx = get_ctx(r->prev)) != NULL) {
        ap_set_module_config(r->request_config, &audit_body_module, ctx);
        return ctx;
    }
    dc = ap_get_module_config(r->per_dir_config, &audit_body_module);
    if (r->main || !ab_conf_enabled(dc)) {
        return NULL;
    }
    ctx = apr_pcalloc(r->pool, sizeof(*ctx));
    ctx->conf = dc;
    ap_set_module_config(r->request_config, &audit_body_module, ctx);
    return ctx;
}

static void ab_insert_filter(request_rec *r)
{
    ab_ctx_t *ctx = ctx_for(r);

    if (ctx) {
        ab_filters_insert(r, ctx, 0);
    }
}

static void ab_insert_error_filter(request_rec *r)
{
    ab_ctx_t *ctx = ctx_for(r);

    if (ctx) {
        ab_filters_insert(r, ctx, 1);
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

static void fill_request(request_rec *r, ab_ctx_t *ctx, ab_record_body_t *b)
{
    b->headers = r->headers_in;
    b->content_type = apr_table_get(r->headers_in, "Content-Type");
    b->content_encoding = apr_table_get(r->headers_in, "Content-Encoding");
    if (ctx->req.nseg) {
        set_body(r->pool, &ctx->req, b);
    }
    b->total = ctx->req.unknown ? -1 : ctx->req.total;
    b->truncated = ab_capture_truncated(&ctx->req);
    b->skip_reason = ctx->req_skip;
    if (ctx->req_rv != APR_SUCCESS) {
        b->state = "aborted";
    }
    else if (!ab_has_body(r) && ctx->req.total == 0) {
        b->state = "none";
        if (b->skip_reason && strcmp(b->skip_reason, AB_SKIP_UPGRADE)) {
            b->skip_reason = NULL;      /* nothing was skipped */
        }
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
        b->total = ctx->resp.unknown ? -1 : ctx->resp.total;
        if (!ctx->resp_eos) {
            b->state = r->connection->aborted ? "aborted" : "incomplete";
        }
        else {
            b->state = b->truncated ? "truncated" : "complete";
        }
    }
}

static int ab_log_transaction(request_rec *r)
{
    ab_ctx_t *ctx = NULL;
    ab_server_conf_t *sc;
    request_rec *last;
    ab_record_t rec;
    apr_time_t now;
    char *line;
    apr_size_t len;

    /* AuditBody may be On only for the target of an internal redirect. */
    for (last = r; last && !(ctx = get_ctx(last)); last = last->next) {
    }
    if (!ctx) {
        return DECLINED;
    }
    last = r;
    sc = ap_get_module_config(r->server->module_config, &audit_body_module);
    if (!sc->sink) {
        return DECLINED;
    }
    while (last->next) {
        last = last->next;
    }
    now = apr_time_now();
    memset(&rec, 0, sizeof(rec));
    rec.time = r->request_time;
    rec.id = request_id(r);
    rec.vhost = apr_pstrcat(r->pool, r->server->server_hostname, ":",
                            apr_itoa(r->pool, server_port(r)), NULL);
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
    rec.aborted = r->connection->aborted || ctx->req_rv != APR_SUCCESS;
    rec.mask = ab_conf_mask(ctx->conf);
    fill_request(r, ctx, &rec.request);
    fill_response(r, last, ctx, &rec.response);

    line = ab_record_format(r->pool, &rec, &len);
    ab_sink_write(r, sc->sink, line, len);
    return OK;
}

static int ab_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                         apr_pool_t *ptemp)
{
    ab_config_init(pconf);
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
    return ab_sink_post_config(pconf, s);
}

static void ab_child_init(apr_pool_t *pchild, server_rec *s)
{
    ab_sink_child_init(pchild, s);
}

static void register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(ab_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_open_logs(ab_open_logs, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(ab_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(ab_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(ab_insert_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(ab_insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
    ap_hook_log_transaction(ab_log_transaction, NULL, NULL,
                            APR_HOOK_MIDDLE);
    ab_filters_register();
    ab_sink_register_hooks();
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
