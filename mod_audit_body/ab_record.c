/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_record.c: one audit record as one line of JSON (pure: APR only).
 *
 * Everything that costs more than a copy (header grouping and masking, the
 * text or base64 choice for each body, the timestamp) is decided once in a
 * plan; the same emitter then runs twice, to size and to fill a single
 * allocation. Key order and types are those of docs/record.schema.json.
 */
#include <string.h>

#include <apr_cstr.h>
#include <apr_strings.h>

#include "cm_json.h"
#include "ab_record.h"

/* What the emitter needs to know about one header table entry. */
typedef struct {
    const char *name;   /* the key, or a copy with U+FFFD for invalid bytes */
    int next;       /* next entry with the same name, -1: none */
    int tail;       /* last entry of this group (first entry only) */
    int dup;        /* the name already appeared: written with the first */
    int masked;     /* values are written as AB_MASKED */
} hdr_plan_t;

/* One direction, planned. */
typedef struct {
    const ab_record_body_t *b;
    const apr_table_entry_t *e;     /* header entries */
    int n;                          /* number of entries */
    hdr_plan_t *h;                  /* n plans, NULL if n == 0 */
    cm_json_enc_e enc;
    apr_size_t textlen;             /* bytes of body written as text */
} dir_plan_t;

int ab_header_masked(const apr_array_header_t *mask, const char *name)
{
    const char *const *m;
    int i;

    if (!mask || !name) {
        return 0;
    }
    m = (const char *const *)mask->elts;
    for (i = 0; i < mask->nelts; i++) {
        if (m[i] && !apr_cstr_casecmp(m[i], name)) {
            return 1;
        }
    }
    return 0;
}

/* Lay out one header name: names that are not valid UTF-8 are grouped by
 * the name the record will show, so that two names differing only in
 * invalid bytes never become duplicate JSON keys. */
static const char *plan_name(apr_pool_t *p, const char *key)
{
    apr_size_t len = strlen(key), n;
    char *name;

    if (cm_utf8_valid_prefix(key, len) == len) {
        return key;
    }
    n = cm_utf8_sanitize(NULL, key, len);
    name = apr_palloc(p, n + 1);
    cm_utf8_sanitize(name, key, len);
    name[n] = '\0';
    return name;
}

/* Group repeated header names case-insensitively (first spelling wins)
 * and look each name up in the mask once. Header tables are small
 * (LimitRequestFields), so the quadratic scan is cheaper than hashing
 * lower-cased copies. A group is masked if any of its names is. */
static void plan_headers(apr_pool_t *p, dir_plan_t *d,
                         const apr_array_header_t *mask)
{
    const apr_array_header_t *arr;
    hdr_plan_t *h;
    int i, j;

    d->e = NULL;
    d->n = 0;
    d->h = NULL;
    if (!d->b->headers) {
        return;
    }
    arr = apr_table_elts(d->b->headers);
    if (arr->nelts <= 0) {
        return;
    }
    d->e = (const apr_table_entry_t *)arr->elts;
    d->n = arr->nelts;
    d->h = h = apr_palloc(p, sizeof(*h) * (apr_size_t)d->n);
    for (i = 0; i < d->n; i++) {
        h[i].name = NULL;
        h[i].next = -1;
        h[i].tail = i;
        h[i].dup = 0;
        h[i].masked = 0;
        if (!d->e[i].key) {
            /* not expected from apr_table_*, but never emit a NULL name */
            h[i].dup = 1;
            continue;
        }
        h[i].name = plan_name(p, d->e[i].key);
        for (j = 0; j < i; j++) {
            if (!h[j].dup && !apr_cstr_casecmp(h[j].name, h[i].name)) {
                break;
            }
        }
        if (j < i) {
            h[i].dup = 1;
            h[h[j].tail].next = i;
            h[j].tail = i;
            h[j].masked |= ab_header_masked(mask, d->e[i].key);
        }
        else {
            h[i].masked = ab_header_masked(mask, d->e[i].key);
        }
    }
}

static void plan_direction(apr_pool_t *p, dir_plan_t *d,
                           const ab_record_body_t *b,
                           const apr_array_header_t *mask)
{
    d->b = b;
    plan_headers(p, d, mask);
    d->enc = CM_JSON_TEXT;
    d->textlen = 0;
    if (b->body) {
        d->enc = cm_json_classify(b->body, b->captured, b->truncated,
                                  &d->textlen);
    }
}

static void emit_value(cm_out_t *o, const char *val, int masked)
{
    cm_out_qstr(o, masked ? AB_MASKED : (val ? val : ""));
}

static void emit_headers(cm_out_t *o, const dir_plan_t *d)
{
    int i, j, first = 1;

    cm_out_raw(o, "{", 1);
    for (i = 0; i < d->n; i++) {
        if (d->h[i].dup) {
            continue;
        }
        if (!first) {
            cm_out_raw(o, ",", 1);
        }
        first = 0;
        cm_out_qstr(o, d->h[i].name);
        cm_out_raw(o, ":", 1);
        if (d->h[i].next < 0) {
            emit_value(o, d->e[i].val, d->h[i].masked);
            continue;
        }
        cm_out_raw(o, "[", 1);
        for (j = i; j >= 0; j = d->h[j].next) {
            if (j != i) {
                cm_out_raw(o, ",", 1);
            }
            emit_value(o, d->e[j].val, d->h[i].masked);
        }
        cm_out_raw(o, "]", 1);
    }
    cm_out_raw(o, "}", 1);
}

static void emit_direction(cm_out_t *o, const dir_plan_t *d)
{
    const ab_record_body_t *b = d->b;
    apr_size_t captured = 0;
    int truncated = b->truncated;

    if (b->body) {
        captured = d->enc == CM_JSON_TEXT ? d->textlen : b->captured;
        truncated = truncated || captured < b->captured;
    }
    cm_out_str(o, "{\"headers\":");
    emit_headers(o, d);
    cm_out_str(o, ",\"content_type\":");
    cm_out_qstr(o, b->content_type);
    cm_out_str(o, ",\"content_encoding\":");
    cm_out_qstr(o, b->content_encoding);
    cm_out_str(o, ",\"state\":");
    cm_out_qstr(o, b->state ? b->state : "none");
    cm_out_str(o, ",\"skip_reason\":");
    cm_out_qstr(o, b->skip_reason);
    cm_out_str(o, ",\"captured_bytes\":");
    cm_out_int(o, (apr_int64_t)captured);
    cm_out_str(o, ",\"total_bytes\":");
    if (b->total < 0) {
        cm_out_raw(o, "null", 4);
    }
    else {
        cm_out_int(o, (apr_int64_t)b->total);
    }
    cm_out_str(o, ",\"truncated\":");
    cm_out_bool(o, truncated);
    if (!b->body) {
        cm_out_str(o, ",\"body_encoding\":null,\"body\":null}");
        return;
    }
    if (d->enc == CM_JSON_TEXT) {
        cm_out_str(o, ",\"body_encoding\":\"text\",\"body\":");
        cm_out_qmem(o, b->body, d->textlen);
    }
    else {
        cm_out_str(o, ",\"body_encoding\":\"base64\",\"body\":");
        cm_out_base64(o, b->body, b->captured);
    }
    cm_out_raw(o, "}", 1);
}

static void emit_record(cm_out_t *o, const ab_record_t *rec,
                        const char *stamp, const dir_plan_t *req,
                        const dir_plan_t *resp)
{
    cm_out_str(o, "{\"time\":");
    cm_out_qstr(o, stamp);
    cm_out_str(o, ",\"id\":");
    cm_out_qstr(o, rec->id);
    cm_out_str(o, ",\"vhost\":");
    cm_out_qstr(o, rec->vhost);
    cm_out_str(o, ",\"client\":{\"ip\":");
    cm_out_qstr(o, rec->client_ip);
    cm_out_str(o, ",\"port\":");
    cm_out_int(o, rec->client_port);
    cm_out_str(o, "},\"method\":");
    cm_out_qstr(o, rec->method);
    cm_out_str(o, ",\"uri\":");
    cm_out_qstr(o, rec->uri);
    cm_out_str(o, ",\"protocol\":");
    cm_out_qstr(o, rec->protocol);
    cm_out_str(o, ",\"status\":");
    cm_out_int(o, rec->status);
    cm_out_str(o, ",\"user\":");
    cm_out_qstr(o, rec->user);
    cm_out_str(o, ",\"latency_us\":");
    cm_out_int(o, rec->latency_us);
    cm_out_str(o, ",\"ttfb_us\":");
    if (rec->ttfb_us == -1) {
        cm_out_raw(o, "null", 4);
    }
    else {
        cm_out_int(o, rec->ttfb_us);
    }
    cm_out_str(o, ",\"bytes_received\":");
    cm_out_int(o, (apr_int64_t)rec->bytes_received);
    cm_out_str(o, ",\"bytes_sent\":");
    cm_out_int(o, (apr_int64_t)rec->bytes_sent);
    cm_out_str(o, ",\"aborted\":");
    cm_out_bool(o, rec->aborted);
    cm_out_str(o, ",\"request\":");
    emit_direction(o, req);
    cm_out_str(o, ",\"response\":");
    emit_direction(o, resp);
    cm_out_raw(o, "}\n", 2);
}

char *ab_record_format(apr_pool_t *p, const ab_record_t *rec,
                       apr_size_t *len)
{
    apr_time_exp_t tm;
    char stamp[32];
    dir_plan_t req, resp;
    cm_out_t o;

    memset(&tm, 0, sizeof(tm));
    apr_time_exp_gmt(&tm, rec->time);
    apr_snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, tm.tm_usec);
    plan_direction(p, &req, &rec->request, rec->mask);
    plan_direction(p, &resp, &rec->response, rec->mask);

    memset(&o, 0, sizeof(o));
    emit_record(&o, rec, stamp, &req, &resp);

    o.cap = o.len;
    o.len = 0;
    o.buf = apr_palloc(p, o.cap + 1);
    emit_record(&o, rec, stamp, &req, &resp);
    /* Both passes run the same code over the same plan, so the lengths
     * agree (the unit tests check it); never abort a child over it. */
    if (o.len > o.cap) {
        o.len = o.cap;
    }
    o.buf[o.len] = '\0';
    *len = o.len;
    return o.buf;
}
