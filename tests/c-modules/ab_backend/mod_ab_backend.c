#define HTTPD_TEST_REQUIRE_APACHE 2.4

/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_ab_backend: test-only content handlers for the Apache::Test suite.
 * Apache::TestConfigC builds it with apxs and loads it; the block below is
 * copied into the test httpd.conf.
 *
 *   ab-noread   never reads the request body; answers "noread\n".
 *   ab-stream   n=<chunks> ms=<interval> size=<bytes> type=<content-type>:
 *               n chunks, each followed by a FLUSH, ms apart.
 *               type=text/event-stream writes "data: ...\n\n" events.
 *   ab-bigbody  size=<bytes> type=<content-type> cl=1: a deterministic
 *               pattern in 64 KiB heap buckets, one brigade at a time.
 *   ab-ws-echo  a minimal RFC 6455 WebSocket echo server (HTTP/1.1).
 *
 * And AB_BUCKET_PROBE, an output filter added to any request whose query
 * string contains "abprobe": it sits just above the connection filters
 * and notes the types of the data buckets the core will be handed
 * (r->notes "abb-buckets", e.g. "HEAP FILE"), so a test can see whether
 * a FILE bucket (sendfile) survived the filters above it.
 */

#if CONFIG_FOR_HTTPD_TEST

<Location /abb/noread>
    SetHandler ab-noread
</Location>
<Location /abb/stream>
    SetHandler ab-stream
</Location>
<Location /abb/ws>
    SetHandler ab-ws-echo
</Location>
<Location /abb/big>
    SetHandler ab-bigbody
</Location>

#endif

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include "apr_base64.h"
#include "apr_buckets.h"
#include "apr_lib.h"
#include "apr_sha1.h"
#include "apr_strings.h"
#include "apr_time.h"

module AP_MODULE_DECLARE_DATA ab_backend_module;

/* ------------------------------------------------------------------ */
/* query arguments                                                    */

/* The decoded value of query argument name, or NULL. */
static const char *abb_arg(request_rec *r, const char *name)
{
    char *args, *tok, *last;
    apr_size_t nlen = strlen(name);

    if (!r->args || !*r->args) {
        return NULL;
    }
    args = apr_pstrdup(r->pool, r->args);
    for (tok = apr_strtok(args, "&;", &last); tok;
         tok = apr_strtok(NULL, "&;", &last)) {
        if (strncmp(tok, name, nlen) == 0
            && (tok[nlen] == '=' || tok[nlen] == '\0')) {
            char *val = tok[nlen] ? tok + nlen + 1 : tok + nlen;
            if (ap_unescape_urlencoded(val) != OK) {
                return NULL;
            }
            return val;
        }
    }
    return NULL;
}

/* Numeric argument in [min, max], default dflt when absent.
 * Returns 0 on success, -1 (and logs) if present but invalid/out of range.
 */
static int abb_num_arg(request_rec *r, const char *name, apr_int64_t dflt,
                       apr_int64_t min, apr_int64_t max, apr_int64_t *out)
{
    const char *v = abb_arg(r, name);
    char *end;
    apr_int64_t n;

    if (!v || !*v) {
        *out = dflt;
        return 0;
    }
    errno = 0;
    n = apr_strtoi64(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "ab_backend: bad %s=%s (allowed %" APR_INT64_T_FMT
                      "..%" APR_INT64_T_FMT ")", name, v, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

/* Pass bb down r's output filters and empty it; error if aborted. */
static apr_status_t abb_pass(request_rec *r, apr_bucket_brigade *bb)
{
    apr_status_t rv = ap_pass_brigade(r->output_filters, bb);

    apr_brigade_cleanup(bb);
    if (rv == APR_SUCCESS && r->connection->aborted) {
        rv = APR_ECONNABORTED;
    }
    return rv;
}

/* ------------------------------------------------------------------ */
/* ab-noread                                                          */

static int abb_noread(request_rec *r)
{
    ap_set_content_type(r, "text/plain");
    if (!r->header_only) {
        ap_rputs("noread\n", r);
    }
    return OK;
}

/* ------------------------------------------------------------------ */
/* ab-stream                                                          */

#define ABB_STREAM_MAX_SIZE (1024 * 1024)

/* Chunk i (0-based): "chunk NNNN ....\n", exactly size bytes for plain
 * content (truncated if size is tiny); for text/event-stream one event
 * "data: chunk NNNN ....\n\n" of size bytes, or the shortest such event
 * if size is smaller.
 */
static char *abb_stream_chunk(apr_pool_t *p, apr_int64_t i, apr_size_t size,
                              int sse, apr_size_t *len)
{
    char head[64];
    apr_size_t hl, total;
    char *buf;

    hl = apr_snprintf(head, sizeof(head), "chunk %04" APR_INT64_T_FMT " ", i);
    if (sse) {
        total = size < 6 + hl + 2 ? 6 + hl + 2 : size;
        buf = apr_palloc(p, total);
        memset(buf, '.', total);
        memcpy(buf, "data: ", 6);
        memcpy(buf + 6, head, hl);
        memcpy(buf + total - 2, "\n\n", 2);
    }
    else {
        total = size; /* >= 1 */
        buf = apr_palloc(p, total);
        memset(buf, '.', total);
        memcpy(buf, head, hl < total - 1 ? hl : total - 1);
        buf[total - 1] = '\n';
    }
    *len = total;
    return buf;
}

static int abb_stream(request_rec *r)
{
    apr_int64_t n, ms, size, i;
    const char *type = abb_arg(r, "type");
    apr_bucket_brigade *bb;
    apr_pool_t *cp;
    int sse;

    if (abb_num_arg(r, "n", 5, 0, 1000000, &n)
        || abb_num_arg(r, "ms", 100, 0, 600000, &ms)
        || abb_num_arg(r, "size", 16, 1, ABB_STREAM_MAX_SIZE, &size)) {
        return HTTP_BAD_REQUEST;
    }
    if (!type || !*type) {
        type = "text/plain";
    }
    sse = strncasecmp(type, "text/event-stream", 17) == 0;
    ap_set_content_type(r, type);
    if (sse) {
        apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
    }
    if (r->header_only) {
        return OK;
    }

    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_pool_create(&cp, r->pool);
    for (i = 0; i < n; i++) {
        apr_size_t len;
        char *data;
        apr_status_t rv;

        if (i > 0 && ms > 0) {
            apr_sleep(apr_time_from_msec(ms));
        }
        apr_pool_clear(cp);
        data = abb_stream_chunk(cp, i, (apr_size_t)size, sse, &len);
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_heap_create(data, len, NULL,
                                        r->connection->bucket_alloc));
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(
                                        r->connection->bucket_alloc));
        rv = abb_pass(r, bb);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r,
                          "ab-stream: stopped after %" APR_INT64_T_FMT
                          " chunks", i);
            apr_pool_destroy(cp);
            return OK;
        }
    }
    apr_pool_destroy(cp);
    return OK;
}

/* ------------------------------------------------------------------ */
/* ab-bigbody                                                         */

#define ABB_BIG_BLOCK (64 * 1024)
#define ABB_BIG_MAX   ((apr_int64_t)1024 * 1024 * 1024)

/* byte i = "0123456789abcdef"[(i / 16 + i) % 16]; the pattern repeats
 * every 256 bytes, so every 64 KiB block is the same. */
static char abb_big_block[ABB_BIG_BLOCK];

static void abb_big_init(void)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t i;

    for (i = 0; i < ABB_BIG_BLOCK; i++) {
        abb_big_block[i] = hex[(i / 16 + i) % 16];
    }
}

static int abb_bigbody(request_rec *r)
{
    apr_int64_t size, cl, sent = 0;
    const char *type = abb_arg(r, "type");
    apr_bucket_brigade *bb;

    if (abb_num_arg(r, "size", 1024 * 1024, 0, ABB_BIG_MAX, &size)
        || abb_num_arg(r, "cl", 0, 0, 1, &cl)) {
        return HTTP_BAD_REQUEST;
    }
    ap_set_content_type(r, type && *type ? type : "application/octet-stream");
    if (cl) {
        ap_set_content_length(r, (apr_off_t)size);
    }
    if (r->header_only) {
        return OK;
    }

    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    while (sent < size) {
        apr_size_t len = ABB_BIG_BLOCK;
        apr_status_t rv;

        if (size - sent < (apr_int64_t)len) {
            len = (apr_size_t)(size - sent);
        }
        /* heap bucket: copies the block, freed once written */
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_heap_create(abb_big_block, len,
                                        NULL, r->connection->bucket_alloc));
        rv = abb_pass(r, bb);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r,
                          "ab-bigbody: stopped after %" APR_INT64_T_FMT
                          " bytes", sent);
            return OK;
        }
        sent += len;
    }
    return OK;
}

/* ------------------------------------------------------------------ */
/* ab-ws-echo                                                         */

#define ABB_WS_GUID      "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define ABB_WS_MAX_FRAME (1024 * 1024)

#define WS_OP_CONT   0x0
#define WS_OP_TEXT   0x1
#define WS_OP_BINARY 0x2
#define WS_OP_CLOSE  0x8
#define WS_OP_PING   0x9
#define WS_OP_PONG   0xA

typedef struct {
    request_rec *r;
    conn_rec *c;
    apr_bucket_brigade *ibb;
    apr_bucket_brigade *obb;
} abb_ws_t;

/* Read exactly len bytes from the connection. */
static apr_status_t abb_ws_read(abb_ws_t *ws, char *buf, apr_size_t len)
{
    while (len > 0) {
        apr_size_t got = len;
        apr_status_t rv;

        rv = ap_get_brigade(ws->c->input_filters, ws->ibb, AP_MODE_READBYTES,
                            APR_BLOCK_READ, len);
        if (rv == APR_SUCCESS) {
            /* READBYTES returns at most len bytes */
            rv = apr_brigade_flatten(ws->ibb, buf, &got);
        }
        apr_brigade_cleanup(ws->ibb);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (got == 0) {
            return APR_EOF;
        }
        buf += got;
        len -= got;
    }
    return APR_SUCCESS;
}

/* Send one unmasked frame and flush it. */
static apr_status_t abb_ws_send(abb_ws_t *ws, int fin, int opcode,
                                const char *data, apr_uint64_t len)
{
    unsigned char hdr[10];
    apr_size_t hl;
    apr_bucket_alloc_t *ba = ws->c->bucket_alloc;
    apr_status_t rv;
    int k;

    hdr[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
    if (len < 126) {
        hdr[1] = (unsigned char)len;
        hl = 2;
    }
    else if (len <= 0xffff) {
        hdr[1] = 126;
        hdr[2] = (unsigned char)(len >> 8);
        hdr[3] = (unsigned char)len;
        hl = 4;
    }
    else {
        hdr[1] = 127;
        for (k = 0; k < 8; k++) {
            hdr[2 + k] = (unsigned char)(len >> (56 - 8 * k));
        }
        hl = 10;
    }
    APR_BRIGADE_INSERT_TAIL(ws->obb,
        apr_bucket_heap_create((const char *)hdr, hl, NULL, ba));
    if (len > 0) {
        APR_BRIGADE_INSERT_TAIL(ws->obb,
            apr_bucket_heap_create(data, (apr_size_t)len, NULL, ba));
    }
    APR_BRIGADE_INSERT_TAIL(ws->obb, apr_bucket_flush_create(ba));
    rv = ap_pass_brigade(ws->c->output_filters, ws->obb);
    apr_brigade_cleanup(ws->obb);
    if (rv == APR_SUCCESS && ws->c->aborted) {
        rv = APR_ECONNABORTED;
    }
    return rv;
}

static apr_status_t abb_ws_close(abb_ws_t *ws, int code)
{
    char payload[2];

    payload[0] = (char)((code >> 8) & 0xff);
    payload[1] = (char)(code & 0xff);
    return abb_ws_send(ws, 1, WS_OP_CLOSE, payload, 2);
}

/* Echo frames until close, EOF or error. */
static void abb_ws_loop(abb_ws_t *ws)
{
    request_rec *r = ws->r;
    apr_pool_t *fp;
    apr_uint64_t frames = 0;

    apr_pool_create(&fp, r->pool);
    for (;;) {
        unsigned char h[8], mask[4];
        apr_uint64_t len;
        int fin, opcode, masked, k;
        char *payload;
        apr_status_t rv;

        apr_pool_clear(fp);
        if ((rv = abb_ws_read(ws, (char *)h, 2)) != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r,
                          "ab-ws-echo: connection ended after %"
                          APR_UINT64_T_FMT " frames", frames);
            break;
        }
        fin = (h[0] & 0x80) != 0;
        opcode = h[0] & 0x0f;
        masked = (h[1] & 0x80) != 0;
        len = h[1] & 0x7f;
        if (h[0] & 0x70) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "ab-ws-echo: RSV bits set, closing");
            abb_ws_close(ws, 1002);
            break;
        }
        if (len == 126) {
            if (abb_ws_read(ws, (char *)h, 2) != APR_SUCCESS) {
                break;
            }
            len = ((apr_uint64_t)h[0] << 8) | h[1];
        }
        else if (len == 127) {
            if (abb_ws_read(ws, (char *)h, 8) != APR_SUCCESS) {
                break;
            }
            len = 0;
            for (k = 0; k < 8; k++) {
                len = (len << 8) | h[k];
            }
        }
        if (masked && abb_ws_read(ws, (char *)mask, 4) != APR_SUCCESS) {
            break;
        }
        if (!masked) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "ab-ws-echo: unmasked client frame, closing");
            abb_ws_close(ws, 1002);
            break;
        }
        switch (opcode) {
        case WS_OP_CONT: case WS_OP_TEXT: case WS_OP_BINARY:
            break;
        case WS_OP_CLOSE: case WS_OP_PING: case WS_OP_PONG:
            if (!fin || len > 125) {
                ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                              "ab-ws-echo: bad control frame, closing");
                abb_ws_close(ws, 1002);
                goto done;
            }
            break;
        default:
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "ab-ws-echo: unknown opcode %d, closing", opcode);
            abb_ws_close(ws, 1002);
            goto done;
        }
        if (len > ABB_WS_MAX_FRAME) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          "ab-ws-echo: frame of %" APR_UINT64_T_FMT
                          " bytes too big, closing", len);
            abb_ws_close(ws, 1009);
            break;
        }
        payload = apr_palloc(fp, (apr_size_t)len + 1);
        if (len > 0
            && abb_ws_read(ws, payload, (apr_size_t)len) != APR_SUCCESS) {
            break;
        }
        for (k = 0; (apr_uint64_t)k < len; k++) {
            payload[k] ^= (char)mask[k & 3];
        }
        frames++;

        switch (opcode) {
        case WS_OP_CONT: case WS_OP_TEXT: case WS_OP_BINARY:
            /* echo frame by frame: keeps any fragmentation intact */
            rv = abb_ws_send(ws, fin, opcode, payload, len);
            break;
        case WS_OP_PING:
            rv = abb_ws_send(ws, 1, WS_OP_PONG, payload, len);
            break;
        case WS_OP_PONG:
            rv = APR_SUCCESS;
            break;
        default: /* WS_OP_CLOSE */
            if (len == 1) {
                abb_ws_close(ws, 1002);
            }
            else {
                /* echo the status code (if any), drop the reason */
                abb_ws_send(ws, 1, WS_OP_CLOSE, payload, len ? 2 : 0);
            }
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          "ab-ws-echo: closed after %" APR_UINT64_T_FMT
                          " frames", frames);
            goto done;
        }
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r,
                          "ab-ws-echo: write failed");
            break;
        }
    }
done:
    apr_pool_destroy(fp);
}

static int abb_ws_echo(request_rec *r)
{
    conn_rec *c = r->connection;
    const char *upgrade = apr_table_get(r->headers_in, "Upgrade");
    const char *connection = apr_table_get(r->headers_in, "Connection");
    const char *key = apr_table_get(r->headers_in, "Sec-WebSocket-Key");
    const char *version = apr_table_get(r->headers_in,
                                        "Sec-WebSocket-Version");
    apr_sha1_ctx_t sha;
    unsigned char digest[APR_SHA1_DIGESTSIZE];
    char *accept;
    abb_ws_t ws;

    if (!upgrade || !ap_find_token(r->pool, upgrade, "websocket")
        || r->proto_num < HTTP_VERSION(1, 1)) {
        apr_table_setn(r->headers_out, "Upgrade", "websocket");
        apr_table_setn(r->headers_out, "Connection", "Upgrade");
        r->status = HTTP_UPGRADE_REQUIRED;
        ap_set_content_type(r, "text/plain");
        if (!r->header_only) {
            ap_rputs("websocket upgrade required\n", r);
        }
        return OK;
    }
    if (r->method_number != M_GET || !key || !*key
        || !connection || !ap_find_token(r->pool, connection, "upgrade")) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "ab-ws-echo: bad handshake (method %s, key %s, "
                      "connection %s)", r->method, key ? key : "-",
                      connection ? connection : "-");
        return HTTP_BAD_REQUEST;
    }
    if (version && strcmp(version, "13") != 0) {
        apr_table_setn(r->err_headers_out, "Sec-WebSocket-Version", "13");
        return HTTP_UPGRADE_REQUIRED;
    }

    apr_sha1_init(&sha);
    apr_sha1_update(&sha, key, (unsigned int)strlen(key));
    apr_sha1_update(&sha, ABB_WS_GUID, (unsigned int)strlen(ABB_WS_GUID));
    apr_sha1_final(digest, &sha);
    accept = apr_palloc(r->pool, apr_base64_encode_len(APR_SHA1_DIGESTSIZE));
    apr_base64_encode(accept, (const char *)digest, APR_SHA1_DIGESTSIZE);

    /* Take the connection over, as mod_proxy's tunnel does: no request
     * filters any more, no keepalive, no request timeouts. */
    ap_remove_input_filter_byhandle(c->input_filters, "reqtimeout");
    ap_remove_output_filter_byhandle(c->output_filters,
                                     "SSL/TLS Coalescing Filter");
    r->input_filters = r->proto_input_filters = c->input_filters;
    r->output_filters = r->proto_output_filters = c->output_filters;
    c->keepalive = AP_CONN_CLOSE;

    /* 101 with headers_out, written raw on the connection and flushed */
    r->status = HTTP_SWITCHING_PROTOCOLS;
    r->status_line = NULL;
    apr_table_clear(r->headers_out);
    apr_table_setn(r->headers_out, "Upgrade", "websocket");
    apr_table_setn(r->headers_out, "Connection", "Upgrade");
    apr_table_setn(r->headers_out, "Sec-WebSocket-Accept", accept);
    ap_send_interim_response(r, 1);

    ws.r = r;
    ws.c = c;
    ws.ibb = apr_brigade_create(r->pool, c->bucket_alloc);
    ws.obb = apr_brigade_create(r->pool, c->bucket_alloc);
    abb_ws_loop(&ws);

    return DONE;
}

/* ------------------------------------------------------------------ */
/* idp-whoami: a backend of the mod_id_proxy tests says who it is (the
 * local address it was reached on), what it was asked (URI with query,
 * Host, X-Forwarded-For) and on which connection (keep-alive count), as
 * one JSON object. ?sleep_ms=N delays the answer (to hold a backend);
 * ?redirect=/path answers 302 to /path on this backend's own address. */

static int abb_whoami(request_rec *r)
{
    apr_int64_t sleep_ms = 0;
    const char *host = apr_table_get(r->headers_in, "Host");
    const char *xff = apr_table_get(r->headers_in, "X-Forwarded-For");
    const char *redirect;

    if (abb_num_arg(r, "sleep_ms", 0, 0, 10000, &sleep_ms) != 0) {
        return HTTP_BAD_REQUEST;
    }
    ap_discard_request_body(r);
    if (sleep_ms) {
        apr_sleep(apr_time_from_msec(sleep_ms));
    }
    if ((redirect = abb_arg(r, "redirect")) && *redirect == '/') {
        /* ?redirect=/path: a 302 to this backend's own absolute URL */
        apr_table_setn(r->headers_out, "Location",
                       apr_psprintf(r->pool, "http://%s:%u%s",
                                    r->connection->local_ip,
                                    (unsigned)r->connection->local_addr->port,
                                    redirect));
        return HTTP_MOVED_TEMPORARILY;
    }
    ap_set_content_type(r, "application/json");
    ap_rprintf(r, "{\"addr\":\"%s\",\"port\":%u,\"uri\":\"%s\","
               "\"method\":\"%s\",\"host\":\"%s\",\"xff\":\"%s\","
               "\"keepalives\":%d,\"conn\":%ld,\"pid\":%d}\n",
               ap_escape_quotes(r->pool, r->connection->local_ip),
               (unsigned)r->connection->local_addr->port,
               ap_escape_quotes(r->pool, r->unparsed_uri),
               ap_escape_quotes(r->pool, r->method),
               ap_escape_quotes(r->pool, host ? host : ""),
               ap_escape_quotes(r->pool, xff ? xff : ""),
               r->connection->keepalives, r->connection->id, (int)getpid());
    return OK;
}

static int abb_handler(request_rec *r)
{
    if (!r->handler) {
        return DECLINED;
    }
    if (!strcmp(r->handler, "ab-noread")) {
        return abb_noread(r);
    }
    if (!strcmp(r->handler, "ab-stream")) {
        return abb_stream(r);
    }
    if (!strcmp(r->handler, "ab-bigbody")) {
        return abb_bigbody(r);
    }
    if (!strcmp(r->handler, "ab-ws-echo")) {
        return abb_ws_echo(r);
    }
    if (!strcmp(r->handler, "idp-whoami")) {
        return abb_whoami(r);
    }
    return DECLINED;
}

/* AB_BUCKET_PROBE: append each data bucket's type name to the note
 * (bounded: a long response notes its first types only). */
static apr_status_t abb_probe_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    const char *seen = apr_table_get(f->r->notes, "abb-buckets");
    apr_bucket *e;

    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb);
         e = APR_BUCKET_NEXT(e)) {
        if (APR_BUCKET_IS_METADATA(e) || (seen && strlen(seen) > 200)) {
            continue;
        }
        seen = seen ? apr_pstrcat(f->r->pool, seen, " ", e->type->name,
                                  NULL)
                    : e->type->name;
    }
    if (seen) {
        apr_table_set(f->r->notes, "abb-buckets", seen);
    }
    return ap_pass_brigade(f->next, bb);
}

static void abb_insert_probe(request_rec *r)
{
    if (r->args && strstr(r->args, "abprobe")) {
        apr_table_setn(r->subprocess_env, "abb_probe", "1");
        ap_add_output_filter("AB_BUCKET_PROBE", NULL, r, r->connection);
    }
}

static void abb_register_hooks(apr_pool_t *p)
{
    (void)p;
    abb_big_init();
    ap_hook_handler(abb_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(abb_insert_probe, NULL, NULL, APR_HOOK_LAST);
    /* after HTTP_HEADER, byteranges and the content-length filter
     * (AP_FTYPE_PROTOCOL), before the connection filters */
    ap_register_output_filter("AB_BUCKET_PROBE", abb_probe_filter, NULL,
                              AP_FTYPE_TRANSCODE);
}

AP_DECLARE_MODULE(ab_backend) = {
    STANDARD20_MODULE_STUFF,
    NULL,                       /* per-directory config creator */
    NULL,                       /* dir config merger */
    NULL,                       /* server config creator */
    NULL,                       /* server config merger */
    NULL,                       /* command table */
    abb_register_hooks          /* register hooks */
#if AP_MODULE_MAGIC_AT_LEAST(AP_MODULE_FLAGS_MMN_MAJOR, AP_MODULE_FLAGS_MMN_MINOR)
    , AP_MODULE_FLAG_NONE       /* flags */
#endif
};
