/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact: the replacement token, the report, the bounded output, the
 * decoders, sniffing and the entry points by content type. The name list
 * is in ab_redact_names.c, the detectors and text redaction in
 * ab_redact_detect.c, the tokenizers in ab_redact_{json,form,xml,
 * multipart}.c. Pure: never logs, never allocates per token.
 */
#include <string.h>

#include <apr_strings.h>

#include "ab_hmac.h"
#include "ab_redact_private.h"

/* ============================================================ token */

apr_size_t ab_redact_token(const ab_redact_cfg_t *cfg, const char *value,
                           apr_size_t len, char buf[AB_REDACT_TOKEN_MAX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[AB_SHA256_LEN];
    int i;

    if (cfg->with != AB_REDACT_HMAC) {
        memcpy(buf, "***", 4);
        return 3;
    }
    ab_hmac_sha256(cfg->key, cfg->key_len, value, len, mac);
    memcpy(buf, "hmac-sha256:", 12);
    for (i = 0; i < 8; i++) {
        buf[12 + 2 * i] = hex[mac[i] >> 4];
        buf[13 + 2 * i] = hex[mac[i] & 15];
    }
    buf[28] = '\0';
    return 28;
}

void abr_put_token(abr_out_t *o, const char *value, apr_size_t n,
                   int quoted)
{
    char buf[AB_REDACT_TOKEN_MAX];
    apr_size_t k = ab_redact_token(o->cfg, value, n, buf);

    if (quoted) {
        abr_putc(o, '"');
    }
    abr_put(o, buf, k);
    if (quoted) {
        abr_putc(o, '"');
    }
}

/* ============================================================ report */

void ab_redact_report_init(ab_redact_report_t *rep)
{
    rep->count = 0;
    rep->npaths = 0;
    rep->left_out = 0;
    rep->reason = NULL;
    rep->offset = 0;
}

void abr_path_add(abr_path_t *pa, const char *s, apr_size_t n)
{
    apr_size_t room = AB_REDACT_PATH_MAX - 1 - pa->n;

    if (pa->n >= AB_REDACT_PATH_MAX - 1) {
        return;
    }
    if (n > room) {
        memcpy(pa->b + pa->n, s, room);
        pa->n = AB_REDACT_PATH_MAX - 1;
        memcpy(pa->b + pa->n - 3, "...", 3);
        return;
    }
    memcpy(pa->b + pa->n, s, n);
    pa->n += n;
}

void abr_path_num(abr_path_t *pa, apr_size_t v)
{
    char buf[24], *e = buf + sizeof(buf), *q = e;

    do {
        *--q = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    abr_path_add(pa, q, (apr_size_t)(e - q));
}

int abr_report_full(ab_redact_report_t *rep)
{
    if (rep->npaths < AB_REDACT_MAX_PATHS) {
        return 0;
    }
    rep->count++;
    rep->left_out++;
    return 1;
}

void abr_report(ab_redact_report_t *rep, const abr_path_t *pa)
{
    rep->count++;
    if (rep->npaths < AB_REDACT_MAX_PATHS) {
        memcpy(rep->paths[rep->npaths], pa->b, pa->n);
        rep->paths[rep->npaths][pa->n] = '\0';
        rep->npaths++;
    }
    else {
        rep->left_out++;
    }
}

/* ============================================================ output */

void abr_out_init(abr_out_t *o, apr_pool_t *p, const ab_redact_cfg_t *cfg,
                  char *out, apr_size_t cap, ab_redact_report_t *rep,
                  apr_size_t scratch_len)
{
    o->cfg = cfg;
    o->rep = rep;
    o->out = out;
    o->cap = cap;
    o->len = 0;
    o->overflow = 0;
    o->scap = scratch_len;
    o->scratch = apr_palloc(p, scratch_len + 1);
}

apr_size_t ab_redact_out_size(apr_size_t len)
{
    return 2 * len + 256;
}

apr_size_t ab_redact_out_max(apr_size_t len)
{
    return 16 * len + 256;
}

int abr_detect_value(abr_out_t *o, apr_size_t ostart, const char *v,
                     apr_size_t n, int at_cut, int quoted,
                     const abr_path_t *pa)
{
    apr_size_t a, b;

    if (!ab_redact_detect(o->cfg, v, n, at_cut, &a, &b)) {
        return 0;
    }
    if (ostart <= o->len) {
        o->len = ostart;
    }
    abr_put_token(o, v, n, quoted);
    abr_report(o->rep, pa);
    return 1;
}

const char *abr_memmem(const char *s, apr_size_t n, const char *pat,
                       apr_size_t pl)
{
    const char *end = s + n, *c = s;

    if (!pl) {
        return s;
    }
    while ((apr_size_t)(end - c) >= pl
           && (c = memchr(c, pat[0], (apr_size_t)(end - c) - pl + 1))) {
        if (!memcmp(c, pat, pl)) {
            return c;
        }
        c++;
    }
    return NULL;
}

/* ============================================================ decoders */

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = abr_lc(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static apr_size_t utf8(unsigned long cp, char *d)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xc0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int hex4(const char *s, unsigned long *v)
{
    int i, h;

    *v = 0;
    for (i = 0; i < 4; i++) {
        if ((h = hexval((unsigned char)s[i])) < 0) {
            return 0;
        }
        *v = (*v << 4) | (unsigned long)h;
    }
    return 1;
}

apr_size_t abr_json_unescape(const char *s, apr_size_t n, char *dst,
                             apr_size_t cap, int *cut)
{
    apr_size_t i = 0, k = 0;

    *cut = 0;
    while (i < n) {
        char tmp[4];
        apr_size_t t = 1;

        if (s[i] != '\\') {
            tmp[0] = s[i++];
        }
        else {
            if (i + 1 >= n) {
                break;
            }
            switch (s[i + 1]) {
            case 'b': tmp[0] = '\b'; break;
            case 'f': tmp[0] = '\f'; break;
            case 'n': tmp[0] = '\n'; break;
            case 'r': tmp[0] = '\r'; break;
            case 't': tmp[0] = '\t'; break;
            case 'u': {
                unsigned long cp, lo;

                if (i + 6 > n || !hex4(s + i + 2, &cp)) {
                    i = n;
                    continue;
                }
                i += 4;
                if (cp >= 0xd800 && cp < 0xdc00 && i + 8 <= n
                    && s[i + 2] == '\\' && s[i + 3] == 'u'
                    && hex4(s + i + 4, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
                else if (cp >= 0xd800 && cp < 0xe000) {
                    cp = 0xfffd;
                }
                t = utf8(cp, tmp);
                break;
            }
            default: tmp[0] = s[i + 1]; break;
            }
            i += 2;
        }
        if (k + t > cap) {
            *cut = 1;
            return k;
        }
        memcpy(dst + k, tmp, t);
        k += t;
    }
    return k;
}

apr_size_t abr_pct_decode(const char *s, apr_size_t n, int plus, char *dst,
                          apr_size_t cap, int *cut)
{
    apr_size_t i = 0, k = 0;

    *cut = 0;
    while (i < n) {
        char c = s[i];
        int h, l;

        if (c == '%' && i + 3 <= n
            && (h = hexval((unsigned char)s[i + 1])) >= 0
            && (l = hexval((unsigned char)s[i + 2])) >= 0) {
            c = (char)(h * 16 + l);
            i += 3;
        }
        else {
            if (plus && c == '+') {
                c = ' ';
            }
            i++;
        }
        if (k >= cap) {
            *cut = 1;
            return k;
        }
        dst[k++] = c;
    }
    return k;
}

static ab_redact_status_e finish(abr_out_t *o, ab_redact_status_e rv,
                                 apr_size_t *out_len)
{
    if (rv == AB_REDACT_OK && o->overflow) {
        rv = AB_REDACT_OVERFLOW;
        o->rep->reason = "redacted copy larger than its buffer";
    }
    *out_len = (rv == AB_REDACT_OK) ? o->len : 0;
    return rv;
}

ab_redact_status_e ab_redact_text(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep)
{
    abr_out_t o;

    abr_out_init(&o, p, cfg, out, out_cap, rep, 0);
    return finish(&o, abr_text_run(&o, in, len, truncated, "text"),
                  out_len);
}

ab_redact_status_e ab_redact_json(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep)
{
    abr_out_t o;

    abr_out_init(&o, p, cfg, out, out_cap, rep, len);
    return finish(&o, abr_json_run(&o, p, in, len, truncated, NULL),
                  out_len);
}

ab_redact_status_e ab_redact_form(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep)
{
    abr_out_t o;
    ab_redact_status_e rv;

    abr_out_init(&o, p, cfg, out, out_cap, rep, len);
    if (ab_redact_sniff(in, len) == AB_REDACT_KIND_JSON) {
        rv = abr_json_run(&o, p, in, len, truncated, NULL);
    }
    else {
        rv = abr_form_run(&o, in, len, truncated, "form:", 0);
    }
    return finish(&o, rv, out_len);
}

ab_redact_status_e ab_redact_query(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                   const char *in, apr_size_t len,
                                   char *out, apr_size_t out_cap,
                                   apr_size_t *out_len,
                                   ab_redact_report_t *rep)
{
    abr_out_t o;

    abr_out_init(&o, p, cfg, out, out_cap, rep, len);
    return finish(&o, abr_form_run(&o, in, len, 0, "query:", 0), out_len);
}

/* ============================================================ sniffing */

static const unsigned char formname[256] = {
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['-'] = 1, ['_'] = 1,
    ['.'] = 1, ['~'] = 1, ['%'] = 1, ['+'] = 1, ['*'] = 1, ['['] = 1,
    [']'] = 1
};

ab_redact_kind_e ab_redact_sniff(const char *in, apr_size_t len)
{
    apr_size_t i = 0, j;

    if (len >= 3 && !memcmp(in, "\xef\xbb\xbf", 3)) {
        i = 3;
    }
    while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r'
                       || in[i] == '\n')) {
        i++;
    }
    if (i < len && (in[i] == '{' || in[i] == '[')) {
        return AB_REDACT_KIND_JSON;
    }
    for (j = i; j < len && formname[(unsigned char)in[j]]; j++) {
    }
    if (j > i && j < len && in[j] == '=') {
        return AB_REDACT_KIND_FORM;
    }
    return AB_REDACT_KIND_TEXT;
}

/* Does the media type t (up to ';') equal s or end with the suffix? */
static int type_is(const char *t, apr_size_t tl, const char *s)
{
    apr_size_t sl = strlen(s);

    if (*s == '+') {
        return tl > sl && !strncasecmp(t + tl - sl, s, sl);
    }
    return tl == sl && !strncasecmp(t, s, sl);
}

ab_redact_kind_e ab_redact_kind_of(const char *ct)
{
    apr_size_t tl;

    if (!ct) {
        return AB_REDACT_KIND_TEXT;
    }
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    for (tl = 0; ct[tl] && ct[tl] != ';' && ct[tl] != ' ' && ct[tl] != '\t';
         tl++) {
    }
    if (type_is(ct, tl, "application/json") || type_is(ct, tl, "+json")) {
        return AB_REDACT_KIND_JSON;
    }
    if (type_is(ct, tl, "application/x-www-form-urlencoded")) {
        return AB_REDACT_KIND_FORM;
    }
    if (type_is(ct, tl, "application/xml") || type_is(ct, tl, "text/xml")
        || type_is(ct, tl, "+xml")) {
        return AB_REDACT_KIND_XML;
    }
    if (type_is(ct, tl, "multipart/form-data")) {
        return AB_REDACT_KIND_MULTIPART;
    }
    return AB_REDACT_KIND_TEXT;
}

ab_redact_status_e ab_redact_body(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *content_type,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep)
{
    ab_redact_kind_e k = ab_redact_kind_of(content_type);
    const char *b;
    apr_size_t bl;

    if (k == AB_REDACT_KIND_TEXT) {
        k = ab_redact_sniff(in, len);
    }
    switch (k) {
    case AB_REDACT_KIND_JSON:
        return ab_redact_json(p, cfg, in, len, truncated, out, out_cap,
                              out_len, rep);
    case AB_REDACT_KIND_FORM:
        return ab_redact_form(p, cfg, in, len, truncated, out, out_cap,
                              out_len, rep);
    case AB_REDACT_KIND_XML:
        return ab_redact_xml(p, cfg, in, len, truncated, out, out_cap,
                             out_len, rep);
    case AB_REDACT_KIND_MULTIPART:
        if (!ab_redact_multipart_boundary(content_type, &b, &bl)) {
            rep->reason = "multipart body without a boundary";
            *out_len = 0;
            return AB_REDACT_UNPARSEABLE;
        }
        return ab_redact_multipart(p, cfg, b, bl, in, len, truncated, out,
                                   out_cap, out_len, rep);
    default:
        return ab_redact_text(p, cfg, in, len, truncated, out, out_cap,
                              out_len, rep);
    }
}
