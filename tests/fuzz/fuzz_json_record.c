/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_json_record: the audit record and the JSON writer under it.
 * Input: a flags byte, a limit byte, then the payload. The payload goes
 * through ab_capture (in chunks, capped at the limit) as the request
 * body (written from the capture's segments), whole as the response body, and split at NUL bytes into header
 * names and values and the other string fields. Properties:
 * - ab_record_format() is one line that parses as strict JSON (see
 *   fuzz_json.h), with no duplicate keys and no two header names equal
 *   ignoring ASCII case;
 * - decoding "body" (text or base64) gives back exactly the captured
 *   bytes, less at most an incomplete last character of a truncated
 *   text body, and captured_bytes/total_bytes/truncated say so;
 * - header values and string fields that are valid UTF-8 come back
 *   exactly (masked headers as "***");
 * - nothing is lost: a URI that is not valid UTF-8 comes back exactly
 *   from uri_b64 (null otherwise), and every header entry whose name or
 *   value is not, and whose group is not masked, comes back exactly, in
 *   table order, from headers_b64 (no other entry, no masked byte);
 * - the capture keeps min(limit, size) bytes, the prefix, and counts all;
 * - cm_json on its own: escaped_len() == escape(), cm_out_qmem() decodes
 *   to cm_utf8_sanitize() of its input, base64 decodes to its input, text,
 *   base64 and the cut over segments equal those over the whole, and
 *   a writer with too small a buffer neither overruns nor miscounts.
 */
#include "fuzz_util.h"
#include "fuzz_json.h"

#include <apr_cstr.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "ab_capture.h"
#include "ab_record.h"
#include "cm_json.h"

#define MAX_FIELDS 40

static const char *const top_keys[] = {
    "time", "id", "phase", "host", "vhost", "client", "method", "uri", "uri_b64",
    "protocol", "status",
    "user", "latency_us", "ttfb_us", "bytes_received", "bytes_sent",
    "aborted", "trace", "correlation", "request", "response", NULL
};

static int valid_text(const char *s, size_t n)
{
    return cm_utf8_valid_prefix(s, n) == n;
}

/* A string field: null for NULL, else the exact bytes if they are valid
 * UTF-8, else some valid string. */
static void check_str(const jv_t *v, const char *want, const char *what)
{
    FUZZ_CHECK(v, "%s missing", what);
    if (!want) {
        FUZZ_CHECK(v->type == JV_NULL, "%s is not null", what);
        return;
    }
    FUZZ_CHECK(v->type == JV_STR, "%s is not a string", what);
    if (valid_text(want, strlen(want))) {
        FUZZ_CHECK(v->len == strlen(want) && !memcmp(v->s, want, v->len),
                   "%s changed", what);
    }
}

/* v is a base64 string of exactly the n bytes at want. */
static void check_b64(apr_pool_t *p, const jv_t *v, const char *want,
                      size_t n, const char *what)
{
    unsigned char *dec;
    size_t got;

    FUZZ_CHECK(v && v->type == JV_STR, "%s is not a string", what);
    dec = apr_palloc(p, v->len / 4 * 3 + 1);
    FUZZ_CHECK(!b64_decode(v->s, v->len, dec, &got), "%s: bad base64", what);
    FUZZ_CHECK(got == n && !memcmp(dec, want, n), "%s: not the exact bytes",
               what);
}

static long long num(const jv_t *v, const char *what)
{
    FUZZ_CHECK(v && v->type == JV_NUM, "%s is not a number", what);
    return strtoll(v->s, NULL, 10);
}

static int ascii_casecmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;

    if (an != bn) {
        return 1;
    }
    for (i = 0; i < an; i++) {
        if (apr_tolower(a[i]) != apr_tolower(b[i])) {
            return 1;
        }
    }
    return 0;
}

static void check_headers(apr_pool_t *p, const jv_t *h, const jv_t *raw,
                          const apr_table_t *t,
                          const apr_array_header_t *mask)
{
    int nraw = 0;
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    char **names = apr_palloc(p, sizeof(*names) * (size_t)(arr->nelts + 1));
    int i, j, values = 0;

    for (i = 0; i < arr->nelts; i++) {
        size_t n = cm_utf8_sanitize(NULL, e[i].key, strlen(e[i].key));

        names[i] = apr_palloc(p, n + 1);
        cm_utf8_sanitize(names[i], e[i].key, strlen(e[i].key));
        names[i][n] = '\0';
    }

    FUZZ_CHECK(h && h->type == JV_OBJ, "headers is not an object");
    for (i = 0; i < h->n; i++) {
        for (j = 0; j < i; j++) {
            FUZZ_CHECK(ascii_casecmp(h->k[i]->s, h->k[i]->len, h->k[j]->s,
                                     h->k[j]->len),
                       "header names '%s' and '%s' both present",
                       h->k[i]->s, h->k[j]->s);
        }
        if (h->v[i]->type == JV_STR) {
            values++;
        }
        else {
            FUZZ_CHECK(h->v[i]->type == JV_ARR && h->v[i]->n >= 2,
                       "header value is not a string or a list");
            for (j = 0; j < h->v[i]->n; j++) {
                FUZZ_CHECK(h->v[i]->v[j]->type == JV_STR, "header list");
            }
            values += h->v[i]->n;
        }
    }
    FUZZ_CHECK(values == arr->nelts, "%d header values for %d headers",
               values, arr->nelts);

    /* every name as the record shows it (invalid bytes as U+FFFD, first
     * spelling of a group): its values in order, or "***" */
    for (i = 0; i < arr->nelts; i++) {
        const jv_t *v = NULL;
        int first = 1, masked = 0, k = 0;

        for (j = 0; j < i; j++) {
            if (!ascii_casecmp(names[j], strlen(names[j]), names[i],
                               strlen(names[i]))) {
                first = 0;
            }
        }
        if (!first) {
            continue;
        }
        for (j = 0; j < h->n; j++) {
            if (!ascii_casecmp(h->k[j]->s, h->k[j]->len, names[i],
                               strlen(names[i]))) {
                v = h->v[j];
                FUZZ_CHECK(!strcmp(h->k[j]->s, names[i]),
                           "header '%s' written as '%s'", names[i],
                           h->k[j]->s);
            }
        }
        FUZZ_CHECK(v, "header '%s' missing", names[i]);
        for (j = i; j < arr->nelts; j++) {
            if (!ascii_casecmp(names[j], strlen(names[j]), names[i],
                               strlen(names[i]))) {
                masked |= ab_header_masked(mask, e[j].key);
            }
        }
        for (j = i; j < arr->nelts; j++) {
            const jv_t *s;

            if (ascii_casecmp(names[j], strlen(names[j]), names[i],
                              strlen(names[i]))) {
                continue;
            }
            FUZZ_CHECK(v->type == JV_STR ? k == 0 : k < v->n,
                       "header '%s': too few values", names[i]);
            s = v->type == JV_STR ? v : v->v[k];
            k++;
            if (masked) {
                FUZZ_CHECK(s->len == 3 && !memcmp(s->s, AB_MASKED, 3),
                           "header '%s' not masked", names[i]);
            }
            else if (valid_text(e[j].val, strlen(e[j].val))) {
                FUZZ_CHECK(s->len == strlen(e[j].val)
                           && !memcmp(s->s, e[j].val, s->len),
                           "header '%s' value changed", names[i]);
            }
        }
        FUZZ_CHECK(v->type == JV_STR ? k == 1 : k == v->n,
                   "header '%s': too many values", names[i]);
    }

    /* headers_b64: the exact bytes of each entry shown with U+FFFD */
    FUZZ_CHECK(raw && (raw->type == JV_NULL || (raw->type == JV_ARR
                                                && raw->n > 0)),
               "headers_b64 is not null or a list");
    for (i = 0; i < arr->nelts; i++) {
        int masked = 0;

        if (valid_text(e[i].key, strlen(e[i].key))
            && valid_text(e[i].val, strlen(e[i].val))) {
            continue;
        }
        for (j = 0; j < arr->nelts; j++) {
            if (!ascii_casecmp(names[j], strlen(names[j]), names[i],
                               strlen(names[i]))) {
                masked |= ab_header_masked(mask, e[j].key);
            }
        }
        if (masked) {
            continue;
        }
        FUZZ_CHECK(raw->type == JV_ARR && nraw < raw->n
                   && raw->v[nraw]->type == JV_ARR && raw->v[nraw]->n == 2,
                   "headers_b64: entry %d missing", i);
        check_b64(p, raw->v[nraw]->v[0], e[i].key, strlen(e[i].key),
                  "headers_b64 name");
        check_b64(p, raw->v[nraw]->v[1], e[i].val, strlen(e[i].val),
                  "headers_b64 value");
        nraw++;
    }
    FUZZ_CHECK(raw->type == JV_NULL ? nraw == 0 : nraw == raw->n,
               "headers_b64: %d entries expected", nraw);
}

static void check_direction(apr_pool_t *p, const jv_t *d,
                            const ab_record_body_t *b,
                            const apr_array_header_t *mask, const char *what)
{
    const jv_t *enc, *body, *tr;
    long long captured;
    cm_json_enc_e want_enc;
    apr_size_t want_len;

    FUZZ_CHECK(d && d->type == JV_OBJ, "%s is not an object", what);
    check_headers(p, json_get(d, "headers"), json_get(d, "headers_b64"),
                  b->headers, mask);
    FUZZ_CHECK(num(json_get(d, "headers_omitted"), "headers_omitted") == 0,
               "%s: headers omitted", what);
    check_str(json_get(d, "content_type"), b->content_type, "content_type");
    check_str(json_get(d, "decoded"), b->decoded, "decoded");
    if (!b->decoded || !strcmp(b->decoded, "unsupported")
        || b->encoded_bytes < 0) {
        FUZZ_CHECK(json_get(d, "encoded_bytes")
                   && json_get(d, "encoded_bytes")->type == JV_NULL,
                   "%s: encoded_bytes not null", what);
    }
    else {
        FUZZ_CHECK(num(json_get(d, "encoded_bytes"), "encoded_bytes")
                   == (long long)b->encoded_bytes, "%s: encoded_bytes",
                   what);
    }
    captured = num(json_get(d, "captured_bytes"), "captured_bytes");
    if (b->total < 0) {
        FUZZ_CHECK(json_get(d, "total_bytes")
                   && json_get(d, "total_bytes")->type == JV_NULL,
                   "total_bytes");
    }
    else {
        FUZZ_CHECK(num(json_get(d, "total_bytes"), "total_bytes")
                   == (long long)b->total, "total_bytes");
    }
    tr = json_get(d, "truncated");
    FUZZ_CHECK(tr && tr->type == JV_BOOL, "truncated is not a boolean");
    enc = json_get(d, "body_encoding");
    body = json_get(d, "body");
    FUZZ_CHECK(enc && body, "%s: no body", what);
    if (!b->body) {
        FUZZ_CHECK(enc->type == JV_NULL && body->type == JV_NULL
                   && captured == 0, "%s: body not null", what);
        return;
    }
    FUZZ_CHECK(enc->type == JV_STR && body->type == JV_STR,
               "%s: body_encoding", what);
    /* the record decides in its one scan what cm_json_classify() says */
    want_enc = cm_json_classify(b->body, b->captured, b->truncated,
                                &want_len);
    FUZZ_CHECK(!strcmp(enc->s, want_enc == CM_JSON_TEXT ? "text" : "base64"),
               "%s: body_encoding %s, classify says otherwise", what,
               enc->s);
    FUZZ_CHECK(want_enc != CM_JSON_TEXT || captured == (long long)want_len,
               "%s: captured_bytes is not classify's text length", what);
    if (!strcmp(enc->s, "base64")) {
        unsigned char *dec = apr_palloc(p, body->len / 4 * 3 + 1);
        size_t n;

        FUZZ_CHECK(!b64_decode(body->s, body->len, dec, &n),
                   "%s: bad base64", what);
        FUZZ_CHECK(n == b->captured && !memcmp(dec, b->body, n),
                   "%s: base64 body is not the captured bytes", what);
        FUZZ_CHECK(captured == (long long)n, "%s: captured_bytes", what);
        /* base64 only for what cannot be text */
        FUZZ_CHECK(!valid_text(b->body, b->captured), "%s: base64 for "
                   "text", what);
        FUZZ_CHECK(tr->b == b->truncated, "%s: truncated flag", what);
        return;
    }
    FUZZ_CHECK(!strcmp(enc->s, "text"), "%s: encoding '%s'", what, enc->s);
    FUZZ_CHECK(body->len == (size_t)captured && body->len <= b->captured
               && !memcmp(body->s, b->body, body->len),
               "%s: text body is not the captured bytes", what);
    if (body->len < b->captured) {
        /* only a truncated body may lose its incomplete last character */
        FUZZ_CHECK(b->truncated && b->captured - body->len <= 3
                   && tr->b, "%s: text body cut by %zu bytes", what,
                   b->captured - body->len);
    }
    else {
        FUZZ_CHECK(tr->b == b->truncated, "%s: truncated flag", what);
    }
}

/* cm_json on its own: escaping, qmem, base64, the bounded writer. */
static void check_cm_json(apr_pool_t *p, const char *buf, size_t len,
                          size_t shrink)
{
    cm_out_t o;
    jv_t *v;
    char *tmp;
    size_t n, textlen;
    cm_json_enc_e enc = cm_json_classify(buf, len, 0, &textlen);

    FUZZ_CHECK(textlen == len, "classify without cut");
    FUZZ_CHECK((enc == CM_JSON_TEXT) == valid_text(buf, len), "classify");
    if (enc == CM_JSON_TEXT) {
        n = cm_json_escaped_len(buf, len);
        tmp = apr_palloc(p, n + 2);
        tmp[0] = '"';
        FUZZ_CHECK(cm_json_escape(tmp + 1, buf, len) == n, "escape length");
        tmp[n + 1] = '"';
        v = json_parse(p, tmp, n + 2);
        FUZZ_CHECK(v && v->type == JV_STR && v->len == len
                   && !memcmp(v->s, buf, len), "escape does not round-trip");
        /* U+2028/2029 escaped for JavaScript readers */
        for (textlen = 0; textlen + 2 < n + 2; textlen++) {
            FUZZ_CHECK(memcmp(tmp + textlen, "\xe2\x80\xa8", 3)
                       && memcmp(tmp + textlen, "\xe2\x80\xa9", 3),
                       "raw U+2028 or U+2029");
        }
    }

    /* qmem: always a JSON string, equal to the sanitized input */
    memset(&o, 0, sizeof(o));
    cm_out_qmem(&o, buf, len);
    n = o.len;
    o.buf = apr_palloc(p, n);
    o.cap = n;
    o.len = 0;
    cm_out_qmem(&o, buf, len);
    FUZZ_CHECK(o.len == n, "qmem: two passes disagree");
    v = json_parse(p, o.buf, n);
    FUZZ_CHECK(v && v->type == JV_STR, "qmem output is not a JSON string");
    tmp = apr_palloc(p, cm_utf8_sanitize(NULL, buf, len) + 1);
    FUZZ_CHECK(cm_utf8_sanitize(tmp, buf, len) == v->len
               && !memcmp(tmp, v->s, v->len), "qmem is not sanitize");

    /* base64 */
    memset(&o, 0, sizeof(o));
    cm_out_base64(&o, buf, len);
    n = o.len;
    FUZZ_CHECK(n == (len + 2) / 3 * 4 + 2, "base64 length");
    o.buf = apr_palloc(p, n);
    o.cap = n;
    o.len = 0;
    cm_out_base64(&o, buf, len);
    v = json_parse(p, o.buf, n);
    FUZZ_CHECK(v && v->type == JV_STR, "base64 is not a JSON string");
    tmp = apr_palloc(p, v->len / 4 * 3 + 1);
    FUZZ_CHECK(!b64_decode(v->s, v->len, (unsigned char *)tmp, &n)
               && n == len && !memcmp(tmp, buf, len), "base64 round trip");

    /* the same bytes in three segments (cut anywhere, even inside a
     * character or a base64 group) give the same text, base64 and cut */
    {
        cm_seg_t sg[3];
        cm_out_t o1, o2;
        size_t a = len * shrink / 8, b = a + (len - a) / 2;
        int r1, r2;

        sg[0].p = buf;
        sg[0].n = a;
        sg[1].p = buf + a;
        sg[1].n = b - a;
        sg[2].p = buf + b;
        sg[2].n = len - b;
        FUZZ_CHECK(cm_utf8_cut_len_segs(sg, 3, len)
                   == cm_utf8_cut_len(buf, len), "cut_len over segments");
        memset(&o1, 0, sizeof(o1));
        memset(&o2, 0, sizeof(o2));
        o1.cap = o2.cap = len * 6 + 16;
        o1.buf = apr_palloc(p, o1.cap);
        o2.buf = apr_palloc(p, o2.cap);
        r1 = cm_out_qtext(&o1, buf, len);
        r2 = cm_out_qtext_segs(&o2, sg, 3, len);
        FUZZ_CHECK(r1 == r2 && (!r1 || (o1.len == o2.len
                                        && !memcmp(o1.buf, o2.buf, o1.len))),
                   "qtext over segments differs");
        o1.len = o2.len = 0;
        cm_out_base64(&o1, buf, len);
        cm_out_base64_segs(&o2, sg, 3, len);
        FUZZ_CHECK(o1.len == o2.len && !memcmp(o1.buf, o2.buf, o1.len),
                   "base64 over segments differs");
    }

    /* a buffer too small by shrink bytes: malloc'd to the byte so that
     * ASan sees any overrun; the count still matches the sizing pass */
    memset(&o, 0, sizeof(o));
    cm_out_qmem(&o, buf, len);
    cm_out_base64(&o, buf, len);
    n = o.len;
    o.cap = shrink < n ? n - shrink : 0;
    o.buf = malloc(o.cap ? o.cap : 1);
    o.len = 0;
    cm_out_qmem(&o, buf, len);
    cm_out_base64(&o, buf, len);
    FUZZ_CHECK(o.len == n, "bounded writer miscounts");
    free(o.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *f[MAX_FIELDS];
    const char *payload;
    size_t plen, limit, chunk, i;
    unsigned int flags;
    ab_capture_t cap;
    cm_seg_t segs[AB_CAPTURE_SEGS];
    int nsegs;
    size_t pos;
    ab_record_t rec;
    ab_record_body_t flatreq;
    apr_array_header_t *mask;
    apr_table_t *reqh, *resph;
    char *out;
    apr_size_t olen;
    jv_t *v;
    int nf;

    if (size < 2) {
        return 0;
    }
    flags = data[0];
    limit = data[1] == 0xff ? size : data[1];
    payload = (const char *)data + 2;
    plen = size - 2;
    nf = fuzz_split(p, (const uint8_t *)payload, plen, f, MAX_FIELDS);

    check_cm_json(p, payload, plen, (flags >> 4) & 7);

    /* the request body through the capture, in chunks */
    ab_capture_init(&cap, limit, (flags & 4) ? (apr_off_t)plen : -1);
    chunk = (flags >> 4) + 1;
    for (i = 0; i <= plen; i += chunk) {
        size_t n = plen - i < chunk ? plen - i : chunk;
        size_t room = ab_capture_room(&cap);

        if ((flags & 0x80) && (i / chunk) % 2 == 0) {
            /* the FILE bucket path: copy (pread) piece by piece where
             * ab_capture_space() says, commit, and count the rest; a file
             * bucket may be empty */
            size_t want = n < room ? n : room, got = 0, avail;

            while (got < want) {
                char *dst = ab_capture_space(&cap, p, got, &avail);

                FUZZ_CHECK(avail > 0, "capture_space: no room");
                if (avail > want - got) {
                    avail = want - got;
                }
                memcpy(dst, payload + i + got, avail);
                got += avail;
            }
            ab_capture_commit(&cap, want);
            ab_capture_skip(&cap, (apr_off_t)(n - want));
        }
        else if (n) {
            FUZZ_CHECK(ab_capture_add(&cap, p, payload + i, n)
                       == (n < room ? n : room), "capture_add");
        }
    }
    nsegs = ab_capture_segments(&cap, segs);
    for (i = 0, pos = 0; i < (size_t)nsegs; i++) {
        FUZZ_CHECK(segs[i].n > 0 && pos + segs[i].n <= cap.len
                   && !memcmp(segs[i].p, payload + pos, segs[i].n),
                   "capture segment %zu is not the payload", i);
        pos += segs[i].n;
    }
    FUZZ_CHECK(cap.len == (plen < limit ? plen : limit) && pos == cap.len
               && cap.total == (apr_off_t)plen && cap.alloc <= limit
               && ab_capture_truncated(&cap) == (plen > limit),
               "capture of %zu bytes at limit %zu", plen, limit);

    mask = apr_array_make(p, 2, sizeof(const char *));
    APR_ARRAY_PUSH(mask, const char *) = "Cookie";
    if (f[0] && (flags & 8)) {
        APR_ARRAY_PUSH(mask, const char *) = f[0];
    }
    reqh = apr_table_make(p, 8);
    resph = apr_table_make(p, 8);
    for (i = 0; i + 1 < (size_t)nf && i < 32; i += 2) {
        apr_table_addn(reqh, f[i], f[i + 1]);
        apr_table_addn(resph, f[i + 1], f[i]);
    }
    if (flags & 1) {
        apr_table_addn(reqh, "cookie", "secret");
        apr_table_addn(reqh, "COOKIE", f[0] ? f[0] : "");
    }

    memset(&rec, 0, sizeof(rec));
    rec.time = (apr_time_t)plen * APR_USEC_PER_SEC * 997;
    rec.id = f[0];
    rec.host = f[2];
    rec.vhost = f[1];
    rec.client_ip = f[2];
    rec.client_port = (int)plen;
    rec.method = f[3];
    rec.uri = f[4];
    rec.protocol = f[5];
    rec.status = (int)flags * 3;
    rec.user = f[6];
    rec.latency_us = (apr_int64_t)plen - 100;
    rec.ttfb_us = (flags & 2) ? -1 : (apr_int64_t)plen;
    rec.bytes_received = (apr_off_t)plen;
    rec.bytes_sent = (apr_off_t)size;
    rec.aborted = (int)(flags & 1);
    rec.mask = mask;
    rec.request.headers = reqh;
    rec.request.content_type = f[7];
    /* the request body in the capture's segments, as the module gives it */
    rec.request.body = nsegs || (flags & 2) ? "" : NULL;
    rec.request.segs = segs;
    rec.request.nsegs = nsegs;
    rec.request.captured = cap.len;
    rec.request.total = (flags & 64) ? -1 : cap.total;
    rec.request.truncated = ab_capture_truncated(&cap);
    rec.request.state = rec.request.truncated ? "truncated" : "complete";
    rec.response.headers = resph;
    rec.response.content_type = f[8];
    rec.response.content_encoding = f[9];
    rec.response.body = payload;
    rec.response.captured = plen;
    rec.response.total = (apr_off_t)plen;
    rec.response.skip_reason = f[10];
    /* decoded directions: any reason string; encoded_bytes is written
     * only when decoding ran (not for "unsupported") */
    rec.response.decoded = f[11];
    rec.response.encoded_bytes = (flags & 128) ? -1 : (apr_off_t)size;
    rec.request.decoded = (flags & 4) ? "unsupported" : NULL;
    rec.request.encoded_bytes = (apr_off_t)plen;

    out = ab_record_format(p, &rec, &olen);
    FUZZ_CHECK(olen && out[olen - 1] == '\n' && strlen(out) == olen
               && !memchr(out, '\n', olen - 1), "not one line");
    v = json_parse(p, out, olen);
    FUZZ_CHECK(v && v->type == JV_OBJ, "record is not JSON: %s", out);
    for (i = 0; top_keys[i]; i++) {
        FUZZ_CHECK((int)i < v->n && v->k[i]->len == strlen(top_keys[i])
                   && !memcmp(v->k[i]->s, top_keys[i], v->k[i]->len),
                   "key %zu is not %s", i, top_keys[i]);
    }
    FUZZ_CHECK(v->n == (int)i, "%d keys", v->n);
    check_str(json_get(v, "id"), rec.id, "id");
    check_str(json_get(v, "host"), rec.host, "host");
    check_str(json_get(v, "vhost"), rec.vhost, "vhost");
    check_str(json_get(json_get(v, "client"), "ip"), rec.client_ip, "ip");
    check_str(json_get(v, "method"), rec.method, "method");
    check_str(json_get(v, "uri"), rec.uri, "uri");
    if (rec.uri && !valid_text(rec.uri, strlen(rec.uri))) {
        check_b64(p, json_get(v, "uri_b64"), rec.uri, strlen(rec.uri),
                  "uri_b64");
    }
    else {
        FUZZ_CHECK(json_get(v, "uri_b64")
                   && json_get(v, "uri_b64")->type == JV_NULL,
                   "uri_b64 is not null");
    }
    check_str(json_get(v, "protocol"), rec.protocol, "protocol");
    check_str(json_get(v, "user"), rec.user, "user");
    FUZZ_CHECK(num(json_get(v, "status"), "status") == rec.status, "status");
    FUZZ_CHECK(num(json_get(v, "latency_us"), "latency") == rec.latency_us,
               "latency_us");
    /* the captured bytes are the payload's prefix (checked above) */
    flatreq = rec.request;
    if (nsegs) {
        flatreq.body = payload;
        flatreq.nsegs = 0;
    }
    check_direction(p, json_get(v, "request"), &flatreq, mask, "request");
    check_direction(p, json_get(v, "response"), &rec.response, mask,
                    "response");
    return 0;
}
