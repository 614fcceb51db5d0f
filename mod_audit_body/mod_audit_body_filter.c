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
#include "ab_record.h"
#include "ab_types.h"

/* Decoding: FILE buckets are read into one scratch buffer of this size,
 * and a bucket of known length that is neither in memory nor a file is
 * split so that one read never loads more than this. */
#define AB_DECODE_READ (16 * 1024)

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

/* Whether a content filter (mod_deflate, mod_brotli: anything above the
 * protocol filters) runs after this one. A FLUSH from here could change
 * what it produces: mod_deflate turns it into a sync flush (other bytes
 * on the wire), and seeing the body in pieces changes its decisions (a
 * short response is left uncompressed only when its end comes with its
 * start). Such a filter reads a slow bucket with a blocking read itself,
 * so reading it here the same way changes nothing it sees. Filters known
 * to touch headers only (mod_session, mod_headers) do not count. */
static int content_filter_below(ap_filter_t *f)
{
    static const char *const headers_only[] = {
        "mod_session_out", "fixup_headers_out", "fixup_headers_err", NULL
    };
    ap_filter_t *n;
    int i;

    for (n = f->next; n; n = n->next) {
        if (n->frec->ftype >= AP_FTYPE_PROTOCOL) {
            continue;
        }
        for (i = 0; headers_only[i]; i++) {
            if (!strcasecmp(n->frec->name, headers_only[i])) {
                break;
            }
        }
        if (!headers_only[i]) {
            return 1;
        }
    }
    return 0;
}

/* The decoder hands its output to the capture: copied up to the cap,
 * not counted (total counts the encoded bytes as they pass). */
typedef struct {
    ab_capture_t *c;
    apr_pool_t *p;
} decode_sink_t;

static void decode_sink(void *baton, const char *data, apr_size_t n)
{
    decode_sink_t *s = baton;

    ab_capture_put(s->c, s->p, data, n);
}

/* A decoder for a body with Content-Encoding ce, or NULL when it is not
 * to be decoded: no coding, AuditBodyDecode does not list it, or it
 * cannot be decoded (*unsupported set, the body is copied as it is). */
static ab_decode_t *decoder_for(request_rec *r, ab_capture_t *c,
                                const char *ce, unsigned int *unsupported)
{
    const ab_dir_conf_t *dc = ab_dir_conf(r);
    int want = ab_conf_decode(dc), coding = ab_decode_coding(ce);
    decode_sink_t *sink;

    *unsupported = 0;
    if (coding == AB_CODING_IDENTITY || !want) {
        return NULL;
    }
    if (coding == AB_CODING_UNSUPPORTED) {
        *unsupported = 1;
        return NULL;
    }
    if (!(coding & want)) {
        return NULL;
    }
    /* the encoded length says nothing of the decoded one */
    c->hint = -1;
    sink = apr_palloc(r->pool, sizeof(*sink));
    sink->c = c;
    sink->p = r->pool;
    return ab_decode_create(r->pool, coding, c->limit,
                            ab_conf_decode_ratio(dc), AB_DECODE_MEM_DEFAULT,
                            decode_sink, sink);
}

/* Count the encoded bytes that pass, and decode them while the decoder
 * still wants bytes. */
static void decode_pass(ab_capture_t *c, ab_decode_t *d, const char *data,
                        apr_size_t len)
{
    ab_capture_skip(c, (apr_off_t)len);
    if (!ab_decode_done(d)) {
        ab_decode_feed(d, data, len);
    }
}

/* Feed the decoder from a FILE bucket with pread() into the scratch
 * buffer, leaving the bucket untouched (see copy_file_head). Returns 0
 * when the bucket was handled (counted), -1 when nothing could be read:
 * the caller then reads the bucket. */
static int decode_file(ab_ctx_t *ctx, request_rec *r, apr_bucket *e)
{
    apr_bucket_file *fb = e->data;
    apr_os_file_t fd;
    apr_size_t off = 0;

    if (apr_os_file_get(&fd, fb->fd) != APR_SUCCESS) {
        return -1;
    }
    if (!ctx->scratch) {
        ctx->scratch = apr_palloc(r->pool, AB_DECODE_READ);
    }
    while (off < e->length && !ab_decode_done(ctx->resp_dec)) {
        apr_size_t want = e->length - off < AB_DECODE_READ
                          ? e->length - off : AB_DECODE_READ;
        ssize_t n = pread(fd, ctx->scratch, want,
                          (off_t)(e->start + (apr_off_t)off));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (off == 0) {
                return -1;
            }
            /* part of it was decoded: stop the copy here, as on a read
             * error, rather than feed those bytes twice */
            ctx->resp_rv = n < 0 ? APR_FROM_OS_ERROR(errno) : APR_EOF;
            break;
        }
        ab_decode_feed(ctx->resp_dec, ctx->scratch, (apr_size_t)n);
        off += (apr_size_t)n;
    }
    ab_capture_skip(&ctx->resp, (apr_off_t)e->length);
    return 0;
}

void ab_filters_decoded(ab_decode_t *d, int unsupported,
                        ab_record_body_t *b)
{
    ab_decode_reason_e why;

    if (unsupported) {
        b->decoded = "unsupported";
        return;
    }
    if (!d) {
        return;
    }
    ab_decode_finish(d);
    why = ab_decode_reason(d);
    b->encoded_bytes = (apr_off_t)ab_decode_encoded(d);
    if (why != AB_DECODE_OK) {
        /* the record holds a prefix of the decoded body */
        b->decoded = ab_decode_reason_name(why);
        b->truncated = 1;
    }
    else {
        /* all that came was decoded: the body either ended with the
         * stream or before it (then the state tells why) */
        b->decoded = ab_decode_complete(d) ? "complete" : "incomplete";
        b->truncated = 0;
    }
}

static void decide_response(ap_filter_t *f, ab_ctx_t *ctx)
{
    request_rec *r = f->r;
    const ab_dir_conf_t *dc = ab_dir_conf(r);
    ab_resp_facts_t facts;
    const char *cd;
    unsigned int unsupported;

    cd = apr_table_get(r->headers_out, "Content-Disposition");
    if (!cd) {
        cd = apr_table_get(r->err_headers_out, "Content-Disposition");
    }
    facts.header_only = r->header_only;
    facts.status = r->status;
    facts.content_type = r->content_type;
    facts.content_disposition = cd;
    facts.limit = (apr_off_t)ab_conf_resp_limit(dc);

    ctx->resp_ct = r->content_type;
    ctx->resp_ce = apr_table_get(r->headers_out, "Content-Encoding");
    if (!ctx->resp_ce) {
        /* a local file with AddEncoding: the header filter adds it */
        ctx->resp_ce = r->content_encoding;
    }
    ctx->resp_skip = ab_skip_response(ab_conf_types(dc, ab_default_types()),
                                      &facts);
    ab_capture_init(&ctx->resp, ab_conf_resp_limit(dc),
                    content_length(r->headers_out));
    ctx->resp_dec = NULL;
    ctx->resp_unsupported = 0;
    if (!ctx->resp_skip) {
        ctx->resp_dec = decoder_for(r, &ctx->resp, ctx->resp_ce,
                                    &unsupported);
        ctx->resp_unsupported = unsupported;
    }
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
    int saw_error = 0, stopped;

    if (!ctx) {
        /* Added by name (SetOutputFilter, AddOutputFilter, mod_filter):
         * whether a request is audited is AuditBody's decision, and when
         * it is, the module inserts its own instance. Step aside. */
        ap_remove_output_filter(f);
        return ap_pass_brigade(f->next, bb);
    }
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
            if (AP_BUCKET_IS_ERROR(e) && !r->sent_bodyct) {
                /* Not a response: HTTP_IN refusing the request body (or
                 * a handler failing) asks the HTTP header filter for an
                 * error page, which ap_die() sends through a new chain.
                 * (Once the headers are out, it only ends the stream.) */
                ctx->http_error = ((ap_bucket_error *)e->data)->status;
                saw_error = 1;
            }
            else if (APR_BUCKET_IS_EOS(e) && !saw_error) {
                ctx->resp_eos = 1;
                if (ctx->resp_dec) {
                    ab_decode_finish(ctx->resp_dec);  /* memory goes now */
                }
            }
            continue;
        }
        room = ab_capture_room(&ctx->resp);
        /* Decoding, the copy ends when the decoder stops (cap, ratio,
         * error, memory, end of stream), not when the buffer is full. */
        stopped = ctx->resp_dec ? ab_decode_done(ctx->resp_dec) : room == 0;
        if (ctx->resp_rv != APR_SUCCESS
            || (stopped && e->length != (apr_size_t)-1)) {
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
            if (ctx->resp_dec) {
                if (decode_file(ctx, r, e) == 0) {
                    continue;
                }
            }
            else {
                apr_size_t want = e->length < room ? e->length : room;
                apr_ssize_t got = copy_file_head(ctx, r, e, want);
                if (got >= 0) {
                    ab_capture_skip(&ctx->resp,
                                    (apr_off_t)(e->length - want));
                    continue;
                }
            }
        }
        if (e->length == (apr_size_t)-1) {
            rv = apr_bucket_read(e, &data, &len, APR_NONBLOCK_READ);
            if (APR_STATUS_IS_EAGAIN(rv)) {
                /* Keep what came before flowing to the client while the
                 * read blocks, unless a FLUSH would alter the output. */
                if (!content_filter_below(f)) {
                    rv = flush_before(f, ctx, bb, e);
                    if (rv != APR_SUCCESS) {
                        return rv;
                    }
                }
                rv = apr_bucket_read(e, &data, &len, APR_BLOCK_READ);
            }
            next = APR_BUCKET_NEXT(e);
        }
        else {
            /* Only the kept bytes are loaded; a decoder takes what comes
             * in reads of a bounded size. */
            apr_size_t most = ctx->resp_dec ? AB_DECODE_READ : room;
            if (e->length > most && !in_memory(e)) {
                apr_bucket_split(e, most);
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
        if (ctx->resp_dec) {
            decode_pass(&ctx->resp, ctx->resp_dec, data, len);
        }
        else {
            ab_capture_add(&ctx->resp, r->pool, data, len);
        }
    }
    if (saw_error && !ctx->resp.total) {
        /* Decide again on the error page, with its own type. */
        ctx->resp_decided = 0;
        ctx->resp_skip = NULL;
    }
    return ap_pass_brigade(f->next, bb);
}

/* Whether mod_deflate's DEFLATE input filter sits between f and the
 * network: it then hands f a gzip body already inflated. Asked before
 * the first read: on its first call it removes Content-Encoding from the
 * request (whichever side of f it is), and it leaves the chain once it
 * sees a body that is not gzip or reaches the end of one. */
static int inflated_below(ap_filter_t *f)
{
    ap_filter_t *n;

    for (n = f->next; n && n != f->r->proto_input_filters; n = n->next) {
        if (!strcasecmp(n->frec->name, "deflate")) {
            return 1;
        }
    }
    return 0;
}

/* On the first bytes of the request body: decode it for the record when
 * AuditBodyDecode lists the coding the request came with, unless
 * mod_deflate inflated it on the way (the body is then recorded as the
 * handler reads it, without the coding it no longer has). */
static void decide_request_decoding(ap_filter_t *f, ab_ctx_t *ctx)
{
    unsigned int unsupported = 0;
    const char *ce = ctx->req_ce_set
        ? ctx->req_ce : apr_table_get(f->r->headers_in, "Content-Encoding");

    ctx->req_dec_decided = 1;
    if (ctx->req_skip || ctx->req.total || ctx->req.unknown) {
        return;
    }
    if (ab_decode_coding(ce) == AB_CODING_GZIP && ctx->req_inflated) {
        ctx->req_ce = NULL;
        ctx->req_ce_set = 1;
        return;
    }
    ctx->req_dec = decoder_for(f->r, &ctx->req, ce, &unsupported);
    ctx->req_unsupported = unsupported;
}

static apr_status_t ab_in_filter(ap_filter_t *f, apr_bucket_brigade *bb,
                                 ap_input_mode_t mode,
                                 apr_read_type_e block, apr_off_t readbytes)
{
    ab_ctx_t *ctx = f->ctx;
    apr_bucket *e;
    apr_status_t rv;

    if (!ctx || ctx->req_off) {
        /* Added by name (SetInputFilter): see ab_out_filter. Or attached
         * early to a request that turned out not to be audited. */
        ap_remove_input_filter(f);
        return ap_get_brigade(f->next, bb, mode, block, readbytes);
    }
    if (!ctx->req_dec_decided && inflated_below(f)) {
        ctx->req_inflated = 1;
    }
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
    if (!ctx->req_dec_decided && !APR_BRIGADE_EMPTY(bb)) {
        decide_request_decoding(f, ctx);
    }
    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb);
         e = APR_BUCKET_NEXT(e)) {
        const char *data;
        apr_size_t len;

        if (APR_BUCKET_IS_METADATA(e)) {
            if (APR_BUCKET_IS_EOS(e)) {
                ctx->req_eos = 1;
                if (ctx->req_dec) {
                    ab_decode_finish(ctx->req_dec);
                }
            }
            continue;
        }
        if (ctx->req_skip || (ctx->req_dec ? ab_decode_done(ctx->req_dec)
                              : ab_capture_room(&ctx->req) == 0)) {
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
        if (ctx->req_dec) {
            decode_pass(&ctx->req, ctx->req_dec, data, len);
        }
        else {
            ab_capture_add(&ctx->req, f->r->pool, data, len);
        }
    }
    return rv;
}

/* Decide on the request body with r's configuration. A provisional
 * decision (final == 0, from post_read_request, before the per-directory
 * configuration is known) copies any type up to the server's limit. Once
 * bytes were read (early, or by a request earlier in an internal-redirect
 * chain) they stay: the capture goes on under the lower of the limits,
 * the type decision may still turn it off, and the log hook cuts what it
 * writes to the final request's configuration. */
static void decide_request(request_rec *r, ab_ctx_t *ctx, int final)
{
    const ab_dir_conf_t *dc = ab_dir_conf(r);
    apr_size_t limit = ab_conf_req_limit(dc);
    const char *skip = NULL;
    ab_req_facts_t facts;

    if (final) {
        facts.content_type = apr_table_get(r->headers_in, "Content-Type");
        facts.limit = (apr_off_t)limit;
        skip = ab_skip_request(ab_conf_types(dc, ab_default_types()),
                               &facts);
    }
    if (ctx->in_r && (ctx->req.total || ctx->req_eos
                      || ctx->req_rv != APR_SUCCESS)) {
        if (limit < ctx->req.limit) {
            ctx->req.limit = limit > ctx->req.len ? limit : ctx->req.len;
        }
        if (skip && !ctx->req_skip) {
            ctx->req_skip = skip;
        }
        return;
    }
    ctx->req_skip = skip;
    ab_capture_init(&ctx->req, limit, content_length(r->headers_in));
    /* Saved now: mod_deflate's input filter removes it when it inflates,
     * and then so does its first read, before this filter sees a byte. */
    ctx->req_ce = apr_table_get(r->headers_in, "Content-Encoding");
    ctx->req_ce_set = 1;
    ctx->req_dec = NULL;
    ctx->req_dec_decided = 0;
    ctx->req_unsupported = 0;
    ctx->req_inflated = 0;
}

/* Whether the input filter is in r's chain already (attached early). */
static int in_filter_present(request_rec *r)
{
    ap_filter_t *f;

    for (f = r->input_filters; f && f != r->proto_input_filters;
         f = f->next) {
        if (f->frec == in_filter_handle) {
            return 1;
        }
    }
    return 0;
}

void ab_filters_early(request_rec *r, ab_ctx_t *ctx)
{
    decide_request(r, ctx, 0);
    ctx->in_r = r;
    ap_add_input_filter_handle(in_filter_handle, ctx, r, r->connection);
}

void ab_filters_stand_down(ab_ctx_t *ctx)
{
    ctx->req_off = 1;
}

int ab_has_body(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    return apr_table_get(r->headers_in, "Transfer-Encoding")
           || (cl && strcmp(cl, "0"));
}

void ab_filters_insert(request_rec *r, ab_ctx_t *ctx, int error_path)
{
    /* Without Content-Length or Transfer-Encoding there is no body to
     * copy (mod_http2 adds "Transfer-Encoding: chunked" when a stream
     * may carry one), so most GETs skip the input filter entirely. An
     * internal redirect builds a new input chain: decide again there. */
    if (ctx->in_r != r || !ctx->req_final) {
        decide_request(r, ctx, 1);
        ctx->in_r = r;
        ctx->req_final = 1;
        ctx->req_off = 0;
        if (ab_has_body(r) && !in_filter_present(r)) {
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
