/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_filter.c: the AUDIT_BODY_IN and AUDIT_BODY_OUT filters.
 *
 * Both observe the stream and copy at most the configured cap; they pass
 * every brigade on in the same call and never set data aside. Past the cap
 * (or when a body is skipped) they read no bucket of known length, so FILE
 * buckets stay FILE and sendfile keeps working.
 */
#include <unistd.h>

#include "apr_strings.h"
#include "http_protocol.h"
#include "http_request.h"

#include "mod_audit_body_private.h"
#include "ab_types.h"

static ap_filter_rec_t *in_filter_handle;
static ap_filter_rec_t *out_filter_handle;

/* Buckets whose read hands out memory they already hold: reading them
 * costs nothing, so they need no split at the cap. */
static int in_memory(const apr_bucket *e)
{
    return APR_BUCKET_IS_HEAP(e) || APR_BUCKET_IS_TRANSIENT(e)
           || APR_BUCKET_IS_POOL(e) || APR_BUCKET_IS_IMMORTAL(e)
#if APR_HAS_MMAP
           || APR_BUCKET_IS_MMAP(e)
#endif
           ;
}

static apr_off_t content_length(const apr_table_t *t)
{
    const char *cl = apr_table_get(t, "Content-Length");
    apr_off_t len;
    char *end;

    if (cl && apr_strtoff(&len, cl, &end, 10) == APR_SUCCESS && !*end
        && len >= 0) {
        return len;
    }
    return -1;
}

/* Copy the head of a FILE bucket with pread(), leaving the bucket (and
 * the file offset) untouched, so the core can still send it with
 * sendfile and no mmap is made for a small file. Returns the number of
 * bytes copied, or -1 (nothing copied) if the file cannot be read that
 * way. */
static apr_ssize_t copy_file_head(ab_ctx_t *ctx, request_rec *r,
                                  apr_bucket *e, apr_size_t want)
{
    apr_bucket_file *fb = e->data;
    apr_os_file_t fd;
    apr_size_t got = 0, avail;

    if (apr_os_file_get(&fd, fb->fd) != APR_SUCCESS) {
        return -1;
    }
    while (got < want) {
        char *dst = ab_capture_space(&ctx->resp, r->pool, got, &avail);
        ssize_t n = pread(fd, dst, avail < want - got ? avail : want - got,
                          (off_t)(e->start + (apr_off_t)got));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        got += (apr_size_t)n;
    }
    ab_capture_commit(&ctx->resp, got);
    return (apr_ssize_t)got;
}

/* Pass what precedes e with a FLUSH, so a slow source (CGI pipe, proxied
 * socket) keeps flowing while the next read blocks, as the core's
 * content-length filter does. */
static apr_status_t flush_before(ap_filter_t *f, ab_ctx_t *ctx,
                                 apr_bucket_brigade *bb, apr_bucket *e)
{
    apr_status_t rv;

    if (!ctx->tmpbb) {
        ctx->tmpbb = apr_brigade_create(f->r->pool, f->c->bucket_alloc);
    }
    apr_brigade_split_ex(bb, e, ctx->tmpbb);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(f->c->bucket_alloc));
    rv = ap_pass_brigade(f->next, bb);
    apr_brigade_cleanup(bb);
    APR_BRIGADE_CONCAT(bb, ctx->tmpbb);
    return rv;
}

static void decide_response(ap_filter_t *f, ab_ctx_t *ctx)
{
    request_rec *r = f->r;
    ab_resp_facts_t facts;
    const char *cd;

    cd = apr_table_get(r->headers_out, "Content-Disposition");
    if (!cd) {
        cd = apr_table_get(r->err_headers_out, "Content-Disposition");
    }
    facts.header_only = r->header_only;
    facts.status = r->status;
    facts.request_upgrade = apr_table_get(r->headers_in, "Upgrade");
    facts.request_accept = apr_table_get(r->headers_in, "Accept");
    facts.content_type = r->content_type;
    facts.content_disposition = cd;
    facts.limit = (apr_off_t)ab_conf_resp_limit(ctx->conf);

    ctx->resp_ct = r->content_type;
    ctx->resp_ce = apr_table_get(r->headers_out, "Content-Encoding");
    ctx->resp_skip = ab_skip_response(ab_conf_types(ctx->conf,
                                                    ab_default_types()),
                                      &facts);
    ab_capture_init(&ctx->resp, ab_conf_resp_limit(ctx->conf),
                    content_length(r->headers_out));
    ctx->resp_decided = 1;
    if (APLOGrtrace5(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE5, 0, r,
                      "audit_body: response %d %s: %s", r->status,
                      r->content_type ? r->content_type : "-",
                      ctx->resp_skip ? ctx->resp_skip : "captured");
    }
}

static apr_status_t ab_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ab_ctx_t *ctx = f->ctx;
    request_rec *r = f->r;
    apr_bucket *e, *next;
    apr_status_t rv;

    if (!ctx->first_byte) {
        ctx->first_byte = apr_time_now();
    }
    if (!ctx->resp_decided) {
        decide_response(f, ctx);
    }
    if (ctx->resp_skip) {
        ap_remove_output_filter(f);
        return ap_pass_brigade(f->next, bb);
    }

    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb);
         e = next) {
        const char *data;
        apr_size_t len, room;

        next = APR_BUCKET_NEXT(e);
        if (APR_BUCKET_IS_METADATA(e)) {
            if (APR_BUCKET_IS_EOS(e)) {
                ctx->resp_eos = 1;
            }
            continue;
        }
        room = ab_capture_room(&ctx->resp);
        if (ctx->resp_rv != APR_SUCCESS
            || (room == 0 && e->length != (apr_size_t)-1)) {
            /* Past the cap: count without reading. A bucket of unknown
             * length (CGI pipe, proxied socket) is read below as the
             * core's content-length filter would, and counted, not
             * copied. */
            if (e->length == (apr_size_t)-1) {
                ctx->resp.unknown = 1;
            }
            else {
                ab_capture_skip(&ctx->resp, (apr_off_t)e->length);
            }
            continue;
        }
        if (APR_BUCKET_IS_FILE(e) && e->length != (apr_size_t)-1) {
            apr_size_t want = e->length < room ? e->length : room;
            apr_ssize_t got = copy_file_head(ctx, r, e, want);
            if (got >= 0) {
                ab_capture_skip(&ctx->resp, (apr_off_t)(e->length - want));
                continue;
            }
        }
        if (e->length == (apr_size_t)-1) {
            rv = apr_bucket_read(e, &data, &len, APR_NONBLOCK_READ);
            if (APR_STATUS_IS_EAGAIN(rv)) {
                rv = flush_before(f, ctx, bb, e);
                if (rv != APR_SUCCESS) {
                    return rv;
                }
                rv = apr_bucket_read(e, &data, &len, APR_BLOCK_READ);
            }
            next = APR_BUCKET_NEXT(e);
        }
        else {
            if (e->length > room && !in_memory(e)) {
                apr_bucket_split(e, room);
                next = APR_BUCKET_NEXT(e);
            }
            rv = apr_bucket_read(e, &data, &len, APR_BLOCK_READ);
        }
        if (rv != APR_SUCCESS) {
            /* Let the core meet (and report) the same error; stop
             * copying so nothing is read twice. */
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r, AB_LOGNO(10001)
                          "audit_body: reading the response body for the "
                          "record failed; the copy stops here");
            ctx->resp_rv = rv;
            ctx->resp.unknown = 1;
            continue;
        }
        ab_capture_add(&ctx->resp, r->pool, data, len);
    }
    return ap_pass_brigade(f->next, bb);
}

static apr_status_t ab_in_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                 ap_input_mode_t mode,
                                 apr_read_type_e block, apr_off_t readbytes)
{
    ab_ctx_t *ctx = f->ctx;
    apr_bucket *e;
    apr_status_t rv;

    rv = ap_get_brigade(f->next, bb, mode, block, readbytes);
    if (mode != AP_MODE_READBYTES) {
        return rv;
    }
    if (rv != APR_SUCCESS) {
        if (!APR_STATUS_IS_EAGAIN(rv) && ctx->req_rv == APR_SUCCESS) {
            ctx->req_rv = rv;
        }
        return rv;
    }
    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb);
         e = APR_BUCKET_NEXT(e)) {
        const char *data;
        apr_size_t len;

        if (APR_BUCKET_IS_METADATA(e)) {
            if (APR_BUCKET_IS_EOS(e)) {
                ctx->req_eos = 1;
            }
            continue;
        }
        if (ctx->req_skip || ab_capture_room(&ctx->req) == 0) {
            if (e->length == (apr_size_t)-1) {
                ctx->req.unknown = 1;
            }
            else {
                ab_capture_skip(&ctx->req, (apr_off_t)e->length);
            }
            continue;
        }
        /* The handler gets these same buckets; HTTP_IN hands out data
         * already in memory, so this read costs no copy. */
        if (apr_bucket_read(e, &data, &len, block) != APR_SUCCESS) {
            ctx->req.unknown = 1;
            continue;
        }
        ab_capture_add(&ctx->req, f->r->pool, data, len);
    }
    return rv;
}

static void decide_request(request_rec *r, ab_ctx_t *ctx)
{
    ab_req_facts_t facts;

    facts.upgrade = apr_table_get(r->headers_in, "Upgrade");
    facts.content_type = apr_table_get(r->headers_in, "Content-Type");
    facts.content_disposition = apr_table_get(r->headers_in,
                                              "Content-Disposition");
    facts.limit = (apr_off_t)ab_conf_req_limit(ctx->conf);
    ctx->req_skip = ab_skip_request(ab_conf_types(ctx->conf,
                                                  ab_default_types()),
                                    &facts);
    ab_capture_init(&ctx->req, ab_conf_req_limit(ctx->conf),
                    content_length(r->headers_in));
}

int ab_has_body(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    return apr_table_get(r->headers_in, "Transfer-Encoding")
           || (cl && strcmp(cl, "0"));
}

void ab_filters_insert(request_rec *r, ab_ctx_t *ctx, int error_path)
{
    if (ctx->in_r == NULL) {
        decide_request(r, ctx);
    }
    /* Without Content-Length or Transfer-Encoding there is no body to
     * copy (mod_http2 adds "Transfer-Encoding: chunked" when a stream
     * may carry one), so most GETs skip the input filter entirely. */
    if (ctx->in_r != r) {
        ctx->in_r = r;
        if (ab_has_body(r)) {
            ap_add_input_filter_handle(in_filter_handle, ctx, r,
                                       r->connection);
        }
    }
    /* An error response (ap_die) or an internal redirect builds a new
     * output chain: follow it, and decide again on the new response. */
    if (ctx->out_r != r || error_path) {
        ctx->out_r = r;
        if (!ctx->resp.total && !ctx->resp_eos) {
            ctx->resp_decided = 0;
            ctx->resp_skip = NULL;
        }
        ap_add_output_filter_handle(out_filter_handle, ctx, r,
                                    r->connection);
    }
}

void ab_filters_register(void)
{
    /* Below mod_deflate (AP_FTYPE_CONTENT_SET), so the record holds the
     * body as the handler made it. The input filter sits above HTTP_IN and
     * sees the body de-chunked, exactly as the handler reads it. */
    in_filter_handle = ap_register_input_filter(AB_FILTER_IN, ab_in_filter,
                                                NULL, AP_FTYPE_CONTENT_SET);
    out_filter_handle = ap_register_output_filter(AB_FILTER_OUT,
                                                  ab_out_filter, NULL,
                                                  AP_FTYPE_CONTENT_SET - 1);
}
