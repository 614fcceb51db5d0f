/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_record.c: one audit record as one line of JSON (pure: APR only).
 *
 * Everything that costs more than a copy (header grouping and masking, the
 * text or base64 choice for each body, string lengths) is decided once in
 * a plan, which also bounds the size from above in the common case. The
 * emitter then runs once into a single allocation of that size; only when
 * escaping grew the record past the estimate (many quotes or control
 * bytes) does it run a second time, into an allocation of the exact size
 * the first run counted. A record estimated above AB_RECORD_EXACT_MIN is
 * counted first instead (a pass that writes nothing and decides text or
 * base64 for each body, base64 by arithmetic), then written once at its
 * exact size, so a large body never leaves a second buffer behind. Key
 * order and types are those of docs/record.schema.json.
 */
#include <string.h>

#include <apr_cstr.h>
#include <apr_strings.h>

#include "cm_json.h"
#include "ab_record.h"

/* What the emitter needs to know about one header table entry. */
typedef struct {
    const char *name;   /* the key, or a copy with U+FFFD for invalid bytes */
    apr_size_t nlen;    /* strlen(name) */
    apr_size_t vlen;    /* strlen of the value (0 for NULL) */
    int nplain;     /* the name needs no escaping (cm_plain_len) */
    int vplain;     /* the value needs no escaping */
    int next;       /* next entry with the same name, -1: none */
    int tail;       /* last entry of this group (first entry only) */
    int lead;       /* first entry of this group */
    int dup;        /* the name already appeared: written with the first */
    int masked;     /* values are written as AB_MASKED */
    int raw;        /* name or value is not valid UTF-8: its exact bytes
                       go to "headers_b64" (never for a masked group) */
} hdr_plan_t;

/* A masked header name with its length, which rules out most names
 * without comparing a byte. */
typedef struct {
    const char *name;
    apr_size_t len;
} mask_name_t;

/* The mask of one record. */
typedef struct {
    const mask_name_t *m;
    int n;
} mask_plan_t;

/* Mask names kept on the stack; longer masks are planned in the pool. */
#define AB_MASK_STACK 16

/* One direction, planned. */
typedef struct {
    const ab_record_body_t *b;
    const apr_table_entry_t *e;     /* header entries */
    int n;                          /* entries planned (the first n) */
    int omitted;                    /* entries past AB_RECORD_MAX_HEADERS */
    int nraw;                       /* entries with raw set */
    hdr_plan_t *h;                  /* n plans, NULL if n == 0 */
    const cm_seg_t *segs;           /* the body in pieces (NULL: none) */
    int nsegs;
    cm_seg_t one;                   /* the piece of a body given whole */
    cm_json_enc_e enc;              /* TEXT until the body proves not */
    apr_size_t textlen;             /* bytes of body written as text */
    apr_size_t estimate;            /* likely size of this direction */
} dir_plan_t;

/* The estimate allows this much growth of strings by escaping (1/4: a
 * JSON body in which every fourth byte is a quote), plus room for the
 * fixed text. Past it the record is formatted a second time. */
#define AB_ESCAPE_SLACK(n) ((n) + (n) / 4)
#define AB_DIR_FIXED 416
#define AB_RECORD_FIXED 512

/* Records estimated above this size are counted, then written once. */
#define AB_RECORD_EXACT_MIN (64 * 1024)

/* Whether mask name m (mlen bytes) is header name key (klen bytes),
 * ignoring ASCII case. Equal lengths, then equal first bytes under c |
 * 0x20 (which folds ASCII letters), are necessary for a match and rule
 * out most names before any string compare. */
static int mask_match(const char *m, apr_size_t mlen, const char *key,
                      apr_size_t klen)
{
    return mlen == klen && (m[0] | 0x20) == (key[0] | 0x20)
           && !apr_cstr_casecmpn(m, key, klen);
}

int ab_header_masked(const apr_array_header_t *mask, const char *name)
{
    const char *const *m;
    apr_size_t len;
    int i;

    if (!mask || !name) {
        return 0;
    }
    len = strlen(name);
    m = (const char *const *)mask->elts;
    for (i = 0; i < mask->nelts; i++) {
        if (m[i] && mask_match(m[i], strlen(m[i]), name, len)) {
            return 1;
        }
    }
    return 0;
}

/* ab_header_masked() for header name key (klen bytes), with the mask
 * names' lengths measured once per record. */
static int plan_masked(const mask_plan_t *mp, const char *key,
                       apr_size_t klen)
{
    int i;

    for (i = 0; i < mp->n; i++) {
        if (mask_match(mp->m[i].name, mp->m[i].len, key, klen)) {
            return 1;
        }
    }
    return 0;
}

/* Lay out one header name: names that are not valid UTF-8 are grouped by
 * the name the record will show, so that two names differing only in
 * invalid bytes never become duplicate JSON keys. */
static const char *plan_name(apr_pool_t *p, const char *key,
                             apr_size_t *nlen, int *plain)
{
    apr_size_t len = cm_plain_len(key, plain), n;
    char *name;

    *nlen = len;
    if (*plain || cm_utf8_valid_prefix(key, len) == len) {
        return key;
    }
    n = cm_utf8_sanitize(NULL, key, len);
    name = apr_palloc(p, n + 1);
    cm_utf8_sanitize(name, key, len);
    name[n] = '\0';
    *nlen = n;
    return name;
}

/* Header tables up to this size are grouped by comparing each name with
 * the names before it (cheaper than hashing for the usual dozen); larger
 * ones through a hash table of the case-folded names. */
#define AB_GROUP_SCAN_MAX 16

/* FNV-1a of name (len bytes), ASCII letters folded to lower case, as
 * apr_cstr_casecmp() compares them. */
static apr_uint32_t name_hash(const char *name, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)name;
    apr_uint32_t h = 2166136261u;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        unsigned int c = u[i];

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }
        h = (h ^ c) * 16777619u;
    }
    return h;
}

/* Whether the planned names of entries i and j are the same header. */
static int same_name(const hdr_plan_t *h, int i, int j)
{
    /* case folding keeps the length: compare lengths first */
    return h[j].nlen == h[i].nlen && !apr_cstr_casecmp(h[j].name, h[i].name);
}

/* Add entry i (not the first of its name) to the group led by j. */
static void group_join(hdr_plan_t *h, int j, int i, int masked)
{
    h[i].dup = 1;
    h[i].lead = j;
    h[h[j].tail].next = i;
    h[j].tail = i;
    h[j].masked |= masked;
}

/* Group repeated header names case-insensitively (first spelling wins)
 * and look each name up in the mask once. A group is masked if any of its
 * names is. At most AB_RECORD_MAX_HEADERS entries (the first ones, in
 * table order) are planned; the others are only counted, so the work and
 * the record stay bounded whatever a backend sends, and grouping is
 * linear (a hash table past AB_GROUP_SCAN_MAX entries). */
static void plan_headers(apr_pool_t *p, dir_plan_t *d,
                         const mask_plan_t *mp)
{
    const apr_array_header_t *arr;
    hdr_plan_t *h;
    int *slots = NULL;
    apr_uint32_t mask = 0;
    int i, j, masked;

    d->e = NULL;
    d->n = 0;
    d->omitted = 0;
    d->nraw = 0;
    d->h = NULL;
    d->estimate = AB_DIR_FIXED;
    if (!d->b->headers) {
        return;
    }
    arr = apr_table_elts(d->b->headers);
    if (arr->nelts <= 0) {
        return;
    }
    d->e = (const apr_table_entry_t *)arr->elts;
    d->n = arr->nelts;
    if (d->n > AB_RECORD_MAX_HEADERS) {
        d->omitted = d->n - AB_RECORD_MAX_HEADERS;
        d->n = AB_RECORD_MAX_HEADERS;
    }
    d->h = h = apr_palloc(p, sizeof(*h) * (apr_size_t)d->n);
    if (d->n > AB_GROUP_SCAN_MAX) {
        /* open addressing, at most half full: -1 is an empty slot */
        apr_uint32_t size = 64;

        while (size < 2 * (apr_uint32_t)d->n) {
            size *= 2;
        }
        mask = size - 1;
        slots = apr_palloc(p, sizeof(*slots) * size);
        memset(slots, 0xff, sizeof(*slots) * size);
    }
    for (i = 0; i < d->n; i++) {
        h[i].name = NULL;
        h[i].nlen = 0;
        h[i].nplain = 0;
        h[i].vplain = 1;
        h[i].vlen = d->e[i].val ? cm_plain_len(d->e[i].val, &h[i].vplain)
                                : 0;
        h[i].next = -1;
        h[i].tail = i;
        h[i].lead = i;
        h[i].dup = 0;
        h[i].masked = 0;
        h[i].raw = 0;
        if (!d->e[i].key) {
            /* not expected from apr_table_*, but never emit a NULL name */
            h[i].dup = 1;
            continue;
        }
        h[i].name = plan_name(p, d->e[i].key, &h[i].nlen, &h[i].nplain);
        d->estimate += AB_ESCAPE_SLACK(h[i].nlen + h[i].vlen) + 8;
        /* a name shown with U+FFFD is not its key: measure the key */
        masked = plan_masked(mp, d->e[i].key,
                             h[i].name == d->e[i].key ? h[i].nlen
                                                      : strlen(d->e[i].key));
        h[i].masked = masked;
        /* bytes U+FFFD would replace in the record: keep them exactly */
        h[i].raw = h[i].name != d->e[i].key
                   || (!h[i].vplain
                       && cm_utf8_valid_prefix(d->e[i].val, h[i].vlen)
                          != h[i].vlen);
        if (!slots) {
            for (j = 0; j < i; j++) {
                if (!h[j].dup && same_name(h, i, j)) {
                    group_join(h, j, i, masked);
                    break;
                }
            }
            continue;
        }
        for (j = (int)(name_hash(h[i].name, h[i].nlen) & mask);
             slots[j] >= 0; j = (int)((apr_uint32_t)(j + 1) & mask)) {
            if (same_name(h, i, slots[j])) {
                group_join(h, slots[j], i, masked);
                break;
            }
        }
        if (slots[j] < 0) {
            slots[j] = i;
        }
    }
    /* a group is masked once all of it is planned: only then is it known
     * which raw entries may be written */
    for (i = 0; i < d->n; i++) {
        if (h[i].raw) {
            if (h[h[i].lead].masked) {
                h[i].raw = 0;
                continue;
            }
            d->nraw++;
            d->estimate += (strlen(d->e[i].key) + h[i].vlen) / 3 * 4 + 24;
        }
    }
}

static apr_size_t str_len(const char *s)
{
    return s ? strlen(s) : 0;
}

static void plan_direction(apr_pool_t *p, dir_plan_t *d,
                           const ab_record_body_t *b,
                           const mask_plan_t *mp)
{
    int i;

    d->b = b;
    plan_headers(p, d, mp);
    /* The body is planned as text; emit_direction() finds out whether it
     * is (valid UTF-8 without NUL) in the same scan that escapes it, and
     * falls back to base64 only when not. A truncated body may end inside
     * a character: that partial character is left out. */
    d->enc = CM_JSON_TEXT;
    d->textlen = 0;
    d->segs = NULL;
    d->nsegs = 0;
    if (b->nsegs > 0) {
        d->segs = b->segs;
        d->nsegs = b->nsegs;
    }
    else if (b->body) {
        d->one.p = b->body;
        d->one.n = b->captured;
        d->segs = &d->one;
        d->nsegs = 1;
    }
    if (d->segs) {
        d->textlen = b->truncated ? cm_utf8_cut_len_segs(d->segs, d->nsegs,
                                                         b->captured)
                                  : b->captured;
        d->estimate += AB_ESCAPE_SLACK(d->textlen);
    }
    for (i = 0; i < b->nredacted_fields; i++) {
        d->estimate += AB_ESCAPE_SLACK(str_len(b->redacted_fields[i])) + 3;
    }
    d->estimate += AB_ESCAPE_SLACK(str_len(b->content_type)
                                   + str_len(b->redaction)
                                   + str_len(b->content_encoding)
                                   + str_len(b->decoded)
                                   + str_len(b->state)
                                   + str_len(b->skip_reason)
                                   + str_len(b->error));
}

static void emit_value(cm_out_t *o, const char *val, const hdr_plan_t *h,
                       int masked)
{
    if (masked) {
        CM_OUT_LIT(o, "\"" AB_MASKED "\"");
    }
    else if (!val) {
        CM_OUT_LIT(o, "\"\"");
    }
    else if (h->vplain) {
        cm_out_qplain(o, val, h->vlen);
    }
    else {
        cm_out_qmem(o, val, h->vlen);
    }
}

/* Append ["," if comma] "name":"value" when both are plain (the common
 * header) in one step if it fits; 0 if it does not. */
static int emit_plain_pair(cm_out_t *o, int comma, const hdr_plan_t *h,
                           const char *val)
{
    apr_size_t need = (apr_size_t)comma + h->nlen + h->vlen + 5;
    char *q;

    if (!o->buf || o->len > o->cap || need > o->cap - o->len) {
        return 0;
    }
    q = o->buf + o->len;
    if (comma) {
        *q++ = ',';
    }
    *q++ = '"';
    memcpy(q, h->name, h->nlen);
    q += h->nlen;
    *q++ = '"';
    *q++ = ':';
    *q++ = '"';
    memcpy(q, val, h->vlen);
    q += h->vlen;
    *q = '"';
    o->len += need;
    return 1;
}

static void emit_headers(cm_out_t *o, const dir_plan_t *d)
{
    int i, j, first = 1;

    cm_out_raw(o, "{", 1);
    for (i = 0; i < d->n; i++) {
        if (d->h[i].dup) {
            continue;
        }
        if (d->h[i].next < 0 && d->h[i].nplain && d->h[i].vplain
            && !d->h[i].masked && d->e[i].val
            && emit_plain_pair(o, !first, &d->h[i], d->e[i].val)) {
            first = 0;
            continue;
        }
        if (!first) {
            cm_out_raw(o, ",", 1);
        }
        first = 0;
        if (d->h[i].nplain) {
            cm_out_qplain(o, d->h[i].name, d->h[i].nlen);
        }
        else {
            cm_out_qmem(o, d->h[i].name, d->h[i].nlen);
        }
        cm_out_raw(o, ":", 1);
        if (d->h[i].next < 0) {
            emit_value(o, d->e[i].val, &d->h[i], d->h[i].masked);
            continue;
        }
        cm_out_raw(o, "[", 1);
        for (j = i; j >= 0; j = d->h[j].next) {
            if (j != i) {
                cm_out_raw(o, ",", 1);
            }
            emit_value(o, d->e[j].val, &d->h[j], d->h[i].masked);
        }
        cm_out_raw(o, "]", 1);
    }
    cm_out_raw(o, "}", 1);
}

/* The exact bytes of every planned entry that "headers" shows with
 * U+FFFD, as [name, value] pairs in base64 (table order); null if none. */
static void emit_headers_b64(cm_out_t *o, const dir_plan_t *d)
{
    int i, first = 1;

    if (!d->nraw) {
        cm_out_raw(o, "null", 4);
        return;
    }
    cm_out_raw(o, "[", 1);
    for (i = 0; i < d->n; i++) {
        if (!d->h[i].raw) {
            continue;
        }
        cm_out_raw(o, first ? "[" : ",[", first ? 1 : 2);
        first = 0;
        cm_out_base64(o, d->e[i].key, strlen(d->e[i].key));
        cm_out_raw(o, ",", 1);
        cm_out_base64(o, d->e[i].val ? d->e[i].val : "", d->h[i].vlen);
        cm_out_raw(o, "]", 1);
    }
    cm_out_raw(o, "]", 1);
}

static void emit_direction(cm_out_t *o, dir_plan_t *d)
{
    const ab_record_body_t *b = d->b;
    apr_size_t captured = 0, mark = o->len;
    int truncated = b->truncated, i;

    if (d->segs) {
        captured = d->enc == CM_JSON_TEXT ? d->textlen : b->captured;
        truncated = truncated || captured < b->captured;
    }
    CM_OUT_LIT(o, "{\"headers\":");
    emit_headers(o, d);
    CM_OUT_LIT(o, ",\"headers_omitted\":");
    cm_out_int(o, d->omitted);
    CM_OUT_LIT(o, ",\"headers_b64\":");
    emit_headers_b64(o, d);
    CM_OUT_LIT(o, ",\"content_type\":");
    cm_out_qstr(o, b->content_type);
    CM_OUT_LIT(o, ",\"content_encoding\":");
    cm_out_qstr(o, b->content_encoding);
    CM_OUT_LIT(o, ",\"encoded_bytes\":");
    if (!b->decoded || !strcmp(b->decoded, "unsupported")
        || b->encoded_bytes < 0) {
        cm_out_raw(o, "null", 4);
    }
    else {
        cm_out_int(o, (apr_int64_t)b->encoded_bytes);
    }
    CM_OUT_LIT(o, ",\"decoded\":");
    cm_out_qstr(o, b->decoded);
    CM_OUT_LIT(o, ",\"state\":");
    cm_out_qstr(o, b->state ? b->state : "none");
    CM_OUT_LIT(o, ",\"skip_reason\":");
    cm_out_qstr(o, b->skip_reason);
    CM_OUT_LIT(o, ",\"error\":");
    cm_out_qstr(o, b->error);
    CM_OUT_LIT(o, ",\"captured_bytes\":");
    cm_out_int(o, (apr_int64_t)captured);
    CM_OUT_LIT(o, ",\"total_bytes\":");
    if (b->total < 0) {
        cm_out_raw(o, "null", 4);
    }
    else {
        cm_out_int(o, (apr_int64_t)b->total);
    }
    CM_OUT_LIT(o, ",\"truncated\":");
    cm_out_bool(o, truncated);
    CM_OUT_LIT(o, ",\"redaction\":");
    cm_out_qstr(o, b->redaction);
    CM_OUT_LIT(o, ",\"redacted\":");
    cm_out_int(o, (apr_int64_t)b->redacted);
    CM_OUT_LIT(o, ",\"redacted_fields\":[");
    for (i = 0; i < b->nredacted_fields; i++) {
        if (i) {
            cm_out_raw(o, ",", 1);
        }
        cm_out_qstr(o, b->redacted_fields[i]);
    }
    CM_OUT_LIT(o, "],\"redacted_fields_omitted\":");
    cm_out_int(o, (apr_int64_t)b->redacted_fields_omitted);
    if (!d->segs) {
        CM_OUT_LIT(o, ",\"body_encoding\":null,\"body\":null}");
        return;
    }
    if (d->enc == CM_JSON_TEXT) {
        CM_OUT_LIT(o, ",\"body_encoding\":\"text\",\"body\":");
        if (!cm_out_qtext_segs(o, d->segs, d->nsegs, d->textlen)) {
            /* Not text after all: this direction again, as base64 (the
             * plan remembers, so a second formatting pass agrees). */
            o->len = mark;
            d->enc = CM_JSON_BASE64;
            emit_direction(o, d);
            return;
        }
    }
    else {
        CM_OUT_LIT(o, ",\"body_encoding\":\"base64\",\"body\":");
        cm_out_base64_segs(o, d->segs, d->nsegs, b->captured);
    }
    cm_out_raw(o, "}", 1);
}

static void emit_record(cm_out_t *o, const ab_record_t *rec,
                        const char *stamp, apr_size_t stamplen,
                        apr_size_t uri_raw, dir_plan_t *req,
                        dir_plan_t *resp)
{
    int i;

    CM_OUT_LIT(o, "{\"time\":\"");
    cm_out_raw(o, stamp, stamplen);     /* digits and -T:.Z only */
    CM_OUT_LIT(o, "\"");
    CM_OUT_LIT(o, ",\"id\":");
    cm_out_qstr(o, rec->id);
    CM_OUT_LIT(o, ",\"phase\":");
    cm_out_qstr(o, rec->phase ? rec->phase : "final");
    CM_OUT_LIT(o, ",\"host\":");
    cm_out_qstr(o, rec->host);
    CM_OUT_LIT(o, ",\"vhost\":");
    cm_out_qstr(o, rec->vhost);
    CM_OUT_LIT(o, ",\"client\":{\"ip\":");
    cm_out_qstr(o, rec->client_ip);
    CM_OUT_LIT(o, ",\"port\":");
    cm_out_int(o, rec->client_port);
    CM_OUT_LIT(o, "},\"method\":");
    cm_out_qstr(o, rec->method);
    CM_OUT_LIT(o, ",\"uri\":");
    cm_out_qstr(o, rec->uri);
    CM_OUT_LIT(o, ",\"uri_b64\":");
    if (uri_raw) {
        cm_out_base64(o, rec->uri, uri_raw);
    }
    else {
        cm_out_raw(o, "null", 4);
    }
    CM_OUT_LIT(o, ",\"protocol\":");
    cm_out_qstr(o, rec->protocol);
    CM_OUT_LIT(o, ",\"status\":");
    cm_out_int(o, rec->status);
    CM_OUT_LIT(o, ",\"user\":");
    cm_out_qstr(o, rec->user);
    CM_OUT_LIT(o, ",\"latency_us\":");
    cm_out_int(o, rec->latency_us);
    CM_OUT_LIT(o, ",\"ttfb_us\":");
    if (rec->ttfb_us == -1) {
        cm_out_raw(o, "null", 4);
    }
    else {
        cm_out_int(o, rec->ttfb_us);
    }
    CM_OUT_LIT(o, ",\"bytes_received\":");
    cm_out_int(o, (apr_int64_t)rec->bytes_received);
    CM_OUT_LIT(o, ",\"bytes_sent\":");
    cm_out_int(o, (apr_int64_t)rec->bytes_sent);
    CM_OUT_LIT(o, ",\"aborted\":");
    cm_out_bool(o, rec->aborted);
    CM_OUT_LIT(o, ",\"trace\":");
    if (rec->trace_id) {
        CM_OUT_LIT(o, "{\"trace_id\":");
        cm_out_qstr(o, rec->trace_id);
        CM_OUT_LIT(o, ",\"parent_id\":");
        cm_out_qstr(o, rec->parent_id);
        CM_OUT_LIT(o, ",\"sampled\":");
        cm_out_bool(o, rec->trace_sampled);
        cm_out_raw(o, "}", 1);
    }
    else {
        cm_out_raw(o, "null", 4);
    }
    CM_OUT_LIT(o, ",\"correlation\":{");
    for (i = 0; i < rec->ncorr; i++) {
        if (i) {
            cm_out_raw(o, ",", 1);
        }
        cm_out_qstr(o, rec->corr_names[i]);
        cm_out_raw(o, ":", 1);
        cm_out_qstr(o, ab_header_masked(rec->mask, rec->corr_names[i])
                       ? AB_MASKED : rec->corr_values[i]);
    }
    cm_out_raw(o, "}", 1);
    CM_OUT_LIT(o, ",\"request\":");
    emit_direction(o, req);
    CM_OUT_LIT(o, ",\"response\":");
    emit_direction(o, resp);
    cm_out_raw(o, "}\n", 2);
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" for t, without libc's gmtime_r() (which
 * takes a process-wide lock on every call): days to civil date after
 * H. Hinnant's days_from_civil inverse. Years outside 0..9999 fall back
 * to apr_time_exp_gmt(). Returns the length (27), stamp holds >= 32. */
static apr_size_t format_stamp(char *stamp, apr_time_t t)
{
    apr_int64_t secs = t / APR_USEC_PER_SEC, usec = t % APR_USEC_PER_SEC;
    apr_int64_t days, rem, era, doe, yoe, y, doy, mp, d, m;
    char *q = stamp;
    int i;

    if (usec < 0) {
        usec += APR_USEC_PER_SEC;
        secs--;
    }
    days = secs / 86400;
    rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    days += 719468;                      /* from 1970-01-01 to 0000-03-01 */
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;                          /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);      /* [0, 365] */
    mp = (5 * doy + 2) / 153;                           /* March = 0 */
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999) {
        apr_time_exp_t tm;

        memset(&tm, 0, sizeof(tm));
        apr_time_exp_gmt(&tm, t);
        return (apr_size_t)apr_snprintf(stamp, 32,
                                        "%04d-%02d-%02dT%02d:%02d:%02d"
                                        ".%06dZ", tm.tm_year + 1900,
                                        tm.tm_mon + 1, tm.tm_mday,
                                        tm.tm_hour, tm.tm_min, tm.tm_sec,
                                        tm.tm_usec);
    }
#define AB_DIGITS(v, n) \
    for (i = (n) - 1; i >= 0; i--) { \
        q[i] = (char)('0' + (int)((v) % 10)); \
        (v) /= 10; \
    } \
    q += (n)
    AB_DIGITS(y, 4);
    *q++ = '-';
    AB_DIGITS(m, 2);
    *q++ = '-';
    AB_DIGITS(d, 2);
    *q++ = 'T';
    secs = rem / 3600;
    AB_DIGITS(secs, 2);
    *q++ = ':';
    secs = rem / 60 % 60;
    AB_DIGITS(secs, 2);
    *q++ = ':';
    secs = rem % 60;
    AB_DIGITS(secs, 2);
    *q++ = '.';
    AB_DIGITS(usec, 6);
#undef AB_DIGITS
    *q++ = 'Z';
    *q = '\0';
    return (apr_size_t)(q - stamp);
}

char *ab_record_format(apr_pool_t *p, const ab_record_t *rec,
                       apr_size_t *len)
{
    char stamp[32];
    apr_size_t stamplen, uri_raw;
    dir_plan_t req, resp;
    mask_name_t mstack[AB_MASK_STACK], *m = mstack;
    mask_plan_t mp;
    cm_out_t o;
    int i;

    stamplen = format_stamp(stamp, rec->time);
    /* a URI that is not valid UTF-8 is also written in base64, exactly */
    uri_raw = rec->uri ? strlen(rec->uri) : 0;
    if (cm_utf8_valid_prefix(rec->uri, uri_raw) == uri_raw) {
        uri_raw = 0;
    }
    mp.n = 0;
    if (rec->mask && rec->mask->nelts > 0) {
        if (rec->mask->nelts > AB_MASK_STACK) {
            m = apr_palloc(p, sizeof(*m) * (apr_size_t)rec->mask->nelts);
        }
        for (i = 0; i < rec->mask->nelts; i++) {
            const char *name = APR_ARRAY_IDX(rec->mask, i, const char *);

            if (name) {
                m[mp.n].name = name;
                m[mp.n].len = strlen(name);
                mp.n++;
            }
        }
    }
    mp.m = m;
    plan_direction(p, &req, &rec->request, &mp);
    plan_direction(p, &resp, &rec->response, &mp);

    memset(&o, 0, sizeof(o));
    o.cap = AB_RECORD_FIXED + req.estimate + resp.estimate
            + AB_ESCAPE_SLACK(str_len(rec->id) + str_len(rec->host)
                              + str_len(rec->vhost)
                              + str_len(rec->client_ip)
                              + str_len(rec->method) + str_len(rec->uri)
                              + str_len(rec->protocol)
                              + str_len(rec->user))
            + uri_raw / 3 * 4 + 8
            + (rec->trace_id ? 128 : 0);
    for (i = 0; i < rec->ncorr; i++) {
        o.cap += AB_ESCAPE_SLACK(str_len(rec->corr_names[i])
                                 + str_len(rec->corr_values[i])) + 8;
    }
    if (o.cap > AB_RECORD_EXACT_MIN) {
        /* count (which also settles text or base64), then write once */
        emit_record(&o, rec, stamp, stamplen, uri_raw, &req, &resp);
        o.cap = o.len;
        o.len = 0;
    }
    o.buf = apr_palloc(p, o.cap + 1);
    emit_record(&o, rec, stamp, stamplen, uri_raw, &req, &resp);
    if (o.len > o.cap) {
        /* Escaping outgrew the estimate: o.len is the exact size now. */
        o.cap = o.len;
        o.len = 0;
        o.buf = apr_palloc(p, o.cap + 1);
        emit_record(&o, rec, stamp, stamplen, uri_raw, &req, &resp);
    }
    /* Both runs use the same code over the same plan, so the second one
     * fits (the unit tests check it); never abort a child over it. */
    if (o.len > o.cap) {
        o.len = o.cap;
    }
    o.buf[o.len] = '\0';
    *len = o.len;
    return o.buf;
}
