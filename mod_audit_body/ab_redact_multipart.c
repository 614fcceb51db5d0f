/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact_multipart: multipart/form-data (RFC 7578). Delimiters and part
 * headers are kept; each part's field name decides: a redacted field
 * becomes its token, a file part a one-line summary, a JSON or form part
 * goes through that redactor, any other text part through the detectors.
 * Must never copy the bytes of a file part or of a redacted field.
 */
#include <stdio.h>

#include <apr_strings.h>

#include "ab_redact_private.h"

#define PARAM_MAX 128           /* bytes kept of a name, filename, type */

int ab_redact_multipart_boundary(const char *ct, const char **b,
                                 apr_size_t *blen)
{
    const char *c = ct;

    while (c && (c = strchr(c, ';')) != NULL) {
        c++;
        while (*c == ' ' || *c == '\t') {
            c++;
        }
        if (strncasecmp(c, "boundary=", 9)) {
            continue;
        }
        c += 9;
        if (*c == '"') {
            const char *e = strchr(++c, '"');

            if (!e || memchr(c, '\\', (apr_size_t)(e - c))) {
                return 0;
            }
            *b = c;
            *blen = (apr_size_t)(e - c);
        }
        else {
            apr_size_t n = 0;

            while (c[n] && c[n] != ';' && c[n] != ' ' && c[n] != '\t') {
                n++;
            }
            *b = c;
            *blen = n;
        }
        return *blen > 0 && *blen <= 70;
    }
    return 0;
}

typedef struct {
    char name[AB_REDACT_NAME_MAX];
    apr_size_t nl;
    int ncut;
    char fname[PARAM_MAX];
    apr_size_t fl;
    int has_fname;
    char type[PARAM_MAX];
    apr_size_t tl;
} part_t;

/* Copy a parameter value at s[0..n) (quoted with backslash escapes, or a
 * token; "ext" for name*=charset''pct-encoded) into dst. */
static apr_size_t param_value(const char *s, apr_size_t n, int ext,
                              char *dst, apr_size_t cap, int *cut)
{
    apr_size_t k = 0, i = 0;

    *cut = 0;
    if (ext) {
        const char *q = abr_memmem(s, n, "''", 2);

        if (q) {
            i = (apr_size_t)(q - s) + 2;
        }
        return abr_pct_decode(s + i, n - i, 0, dst, cap, cut);
    }
    if (n && s[0] == '"') {
        for (i = 1; i < n && s[i] != '"'; i++) {
            if (s[i] == '\\' && i + 1 < n) {
                i++;
            }
            if (k >= cap) {
                *cut = 1;
                return k;
            }
            dst[k++] = s[i];
        }
        return k;
    }
    for (i = 0; i < n; i++) {
        if (k >= cap) {
            *cut = 1;
            return k;
        }
        dst[k++] = s[i];
    }
    return k;
}

/* Content-Disposition parameters: name, name*, filename, filename*. */
static void disposition(part_t *pt, const char *s, apr_size_t n)
{
    apr_size_t i = 0;

    while (i < n) {
        apr_size_t ps, pe, vs, ve;
        int cut, inq = 0;

        while (i < n && (s[i] == ';' || s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        for (ps = i; i < n && s[i] != '=' && s[i] != ';'; i++) {
        }
        for (pe = i; pe > ps && (s[pe - 1] == ' ' || s[pe - 1] == '\t');
             pe--) {
        }
        if (i >= n || s[i] != '=') {
            continue;
        }
        i++;
        while (i < n && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        for (vs = i; i < n && (inq || s[i] != ';'); i++) {
            if (s[i] == '"') {
                inq = !inq;
            }
            else if (s[i] == '\\' && inq) {
                i++;
            }
        }
        ve = i < n ? i : n;
        if (pe - ps == 4 && !strncasecmp(s + ps, "name", 4)) {
            pt->nl = param_value(s + vs, ve - vs, 0, pt->name,
                                 sizeof(pt->name), &cut);
            pt->ncut = cut;
        }
        else if (pe - ps == 5 && !strncasecmp(s + ps, "name*", 5)) {
            pt->nl = param_value(s + vs, ve - vs, 1, pt->name,
                                 sizeof(pt->name), &cut);
            pt->ncut = cut;
        }
        else if ((pe - ps == 8 && !strncasecmp(s + ps, "filename", 8))
                 || (pe - ps == 9 && !strncasecmp(s + ps, "filename*", 9))) {
            pt->fl = param_value(s + vs, ve - vs, pe - ps == 9, pt->fname,
                                 sizeof(pt->fname), &cut);
            pt->has_fname = 1;
        }
    }
}

static void headers(part_t *pt, const char *s, apr_size_t n)
{
    apr_size_t i = 0;

    while (i < n) {
        const char *eol = abr_memmem(s + i, n - i, "\r\n", 2);
        apr_size_t e = eol ? (apr_size_t)(eol - s) : n, v;

        if (e - i > 20 && !strncasecmp(s + i, "content-disposition:", 20)) {
            for (v = i + 20; v < e && s[v] != ';'; v++) {
            }
            disposition(pt, s + v, e - v);
        }
        else if (e - i > 13 && !strncasecmp(s + i, "content-type:", 13)) {
            for (v = i + 13; v < e && (s[v] == ' ' || s[v] == '\t'); v++) {
            }
            pt->tl = e - v < PARAM_MAX ? e - v : PARAM_MAX;
            memcpy(pt->type, s + v, pt->tl);
        }
        i = e + 2;
    }
}

/* A summary field: '"' and control bytes become '?'. */
static void put_safe(abr_out_t *o, const char *s, apr_size_t n)
{
    apr_size_t i;

    abr_putc(o, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        abr_putc(o, (c < 0x20 || c == '"' || c == 0x7f) ? '?' : (char)c);
    }
    abr_putc(o, '"');
}

static int textual(const part_t *pt)
{
    if (!pt->tl) {
        return 1;
    }
    {
        char t[PARAM_MAX + 1];
        ab_redact_kind_e k;

        memcpy(t, pt->type, pt->tl);
        t[pt->tl] = '\0';
        k = ab_redact_kind_of(t);
        return k != AB_REDACT_KIND_TEXT || !strncasecmp(t, "text/", 5);
    }
}

ab_redact_status_e ab_redact_multipart(apr_pool_t *p,
                                       const ab_redact_cfg_t *cfg,
                                       const char *boundary,
                                       apr_size_t blen,
                                       const char *in, apr_size_t len,
                                       int truncated, char *out,
                                       apr_size_t out_cap,
                                       apr_size_t *out_len,
                                       ab_redact_report_t *rep)
{
    abr_out_t o;
    char delim[76];
    apr_size_t dl = blen + 2, i, pos;
    const char *f;
    ab_redact_status_e rv = AB_REDACT_OK;
    part_t *pt = apr_palloc(p, sizeof(*pt));

    abr_out_init(&o, p, cfg, out, out_cap, rep, len);
    *out_len = 0;
    if (blen == 0 || blen > 70) {
        rep->reason = "invalid multipart boundary";
        return AB_REDACT_UNPARSEABLE;
    }
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen);

    /* The preamble: up to the first delimiter (at the start or after
     * CRLF). */
    if (len >= dl && !memcmp(in, delim + 2, dl)) {
        pos = 0;
    }
    else {
        f = abr_memmem(in, len, delim, dl + 2);
        if (!f) {
            if (!truncated) {
                rep->reason = "multipart body without a delimiter";
                return AB_REDACT_UNPARSEABLE;
            }
            abr_text_run(&o, in, len, 1, "preamble");
            goto done;
        }
        pos = (apr_size_t)(f - in) + 2;
        abr_text_run(&o, in, pos, 0, "preamble");
    }

    for (;;) {
        apr_size_t hs, he, cs, ce, k, tail;
        int cut;
        abr_path_t pa;

        /* in[pos..] starts with "--boundary" */
        i = pos + dl;
        if (i > len) {
            abr_put(&o, in + pos, len - pos);
            break;
        }
        abr_put(&o, in + pos, dl);
        if (len - i >= 2 && in[i] == '-' && in[i + 1] == '-') {
            /* the close delimiter, then the epilogue */
            abr_put(&o, "--", 2);
            abr_text_run(&o, in + i + 2, len - i - 2, truncated, "epilogue");
            break;
        }
        for (k = i; k < len && (in[k] == ' ' || in[k] == '\t'); k++) {
        }
        if (k < len && in[k] != '\r' && !(in[k] == '-' && k + 1 == len)) {
            rep->reason = "invalid multipart delimiter line";
            rep->offset = k;
            return AB_REDACT_UNPARSEABLE;
        }
        if (k + 1 < len && in[k + 1] != '\n') {
            rep->reason = "invalid multipart delimiter line";
            rep->offset = k;
            return AB_REDACT_UNPARSEABLE;
        }
        hs = k + 2 < len ? k + 2 : len;
        abr_put(&o, in + i, hs - i);
        if (hs == len) {
            break;
        }
        /* Part headers, up to the empty line (an empty header block starts
         * with CRLF directly). */
        if (len - hs >= 2 && in[hs] == '\r' && in[hs + 1] == '\n') {
            he = hs;
            cs = hs + 2;
        }
        else {
            f = abr_memmem(in + hs, len - hs, "\r\n\r\n", 4);
            if (!f) {
                if (!truncated) {
                    rep->reason = "multipart part headers never end";
                    rep->offset = hs;
                    return AB_REDACT_UNPARSEABLE;
                }
                abr_put(&o, in + hs, len - hs);   /* names, no values */
                break;
            }
            he = (apr_size_t)(f - in);
            cs = he + 4;
        }
        abr_put(&o, in + hs, cs - hs);
        memset(pt, 0, sizeof(*pt));
        headers(pt, in + hs, he - hs);

        f = abr_memmem(in + cs, len - cs, delim, dl + 2);
        if (!f && !truncated) {
            rep->reason = "multipart part never ends";
            rep->offset = cs;
            return AB_REDACT_UNPARSEABLE;
        }
        ce = f ? (apr_size_t)(f - in) : len;
        cut = !f;
        tail = 0;
        if (cut) {
            /* The cap may cut the next delimiter: its start is not
             * content (a JSON part would not parse with it). */
            for (k = dl + 1; k > 0; k--) {
                if (ce - cs >= k && !memcmp(in + len - k, delim, k)) {
                    break;
                }
            }
            tail = k;
            ce -= tail;
        }

        pa.n = 0;
        abr_path_add(&pa, "form:", 5);
        abr_path_add(&pa, pt->name, pt->nl);
        if (pt->has_fname || !textual(pt)) {
            char num[64];

            abr_put(&o, "[file field=", 12);
            put_safe(&o, pt->name, pt->nl < PARAM_MAX ? pt->nl : PARAM_MAX);
            abr_put(&o, " filename=", 10);
            put_safe(&o, pt->fname, pt->fl);
            abr_put(&o, " type=", 6);
            put_safe(&o, pt->type, pt->tl);
            abr_put(&o, num, (apr_size_t)snprintf(num, sizeof(num),
                                                  " size=%" APR_SIZE_T_FMT
                                                  "%s]", ce - cs,
                                                  cut ? " truncated" : ""));
        }
        else {
            int m = abr_field_match(cfg->names, pt->name,
                                    pt->ncut ? AB_REDACT_NAME_MAX : pt->nl);
            if (!m && memchr(pt->name, '%', pt->nl)) {
                char dec[AB_REDACT_NAME_MAX];
                int dcut;
                apr_size_t dn = abr_pct_decode(pt->name, pt->nl, 0, dec,
                                               sizeof(dec), &dcut);
                m = abr_field_match(cfg->names, dec, dn);
            }
            if (m) {
                if (ce > cs) {
                    abr_put_token(&o, in + cs, ce - cs, 0);
                    abr_report(rep, &pa);
                }
            }
            else {
                char t[PARAM_MAX + 1];
                ab_redact_kind_e kd;

                memcpy(t, pt->type, pt->tl);
                t[pt->tl] = '\0';
                kd = ab_redact_kind_of(t);
                if (kd == AB_REDACT_KIND_TEXT) {
                    kd = ab_redact_sniff(in + cs, ce - cs);
                }
                if (kd == AB_REDACT_KIND_JSON) {
                    char pref[PARAM_MAX + 1];
                    apr_size_t pl = pt->nl < PARAM_MAX ? pt->nl : PARAM_MAX;

                    memcpy(pref, pt->name, pl);
                    pref[pl] = '\0';
                    rv = abr_json_run(&o, p, in + cs, ce - cs,
                                      truncated && cut, pref);
                }
                else if (kd == AB_REDACT_KIND_FORM) {
                    rv = abr_form_run(&o, in + cs, ce - cs, truncated && cut,
                                      "form:", 0);
                }
                else {
                    pa.b[pa.n] = '\0';
                    rv = abr_text_run(&o, in + cs, ce - cs,
                                      truncated && cut, pa.b);
                }
                if (rv != AB_REDACT_OK) {
                    return rv;
                }
            }
        }
        if (cut) {
            abr_put(&o, in + ce, tail);
            break;
        }
        abr_put(&o, "\r\n", 2);
        pos = ce + 2;
    }
done:
    if (o.overflow) {
        rep->reason = "redacted copy larger than its buffer";
        return AB_REDACT_OVERFLOW;
    }
    *out_len = o.len;
    return AB_REDACT_OK;
}
