/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact_xml: the XML redactor. A loop over the markup with an element
 * stack allocated once per call (fail closed past the depth limit), no
 * recursion; element and attribute names are matched by local name. The
 * content of a redacted element (text, CDATA, child elements) is never
 * written: its tokens replace it before the end tag. No entity is
 * expanded (a DTD cannot smuggle text in), none is needed for names.
 */
#include "ab_redact_private.h"

typedef struct {
    apr_size_t qs;              /* qualified name in the input */
    apr_size_t ql;
} xel_t;

static int namechar(unsigned char c)
{
    return !(c <= ' ' || c == '/' || c == '>' || c == '=' || c == '<'
             || c == '"' || c == '\'' || c == 0x7f);
}

#define ISXWS(c) ((c) == ' ' || (c) == '\n' || (c) == '\r' || (c) == '\t')

/* The local name of in[s..s+l): after the last ':'. */
static const char *local_name(const char *q, apr_size_t l, apr_size_t *ll)
{
    const char *c = q + l;

    while (c > q && c[-1] != ':') {
        c--;
    }
    *ll = (apr_size_t)(q + l - c);
    return c;
}

static void xpath(const char *in, const xel_t *st, int d, const char *attr,
                  apr_size_t al, abr_path_t *pa)
{
    int l;

    pa->n = 0;
    for (l = 1; l <= d; l++) {
        apr_size_t ll;
        const char *ln = local_name(in + st[l].qs, st[l].ql, &ll);

        abr_path_add(pa, "/", 1);
        abr_path_add(pa, ln, ll);
    }
    if (attr) {
        abr_path_add(pa, "/@", 2);
        abr_path_add(pa, attr, al);
    }
}

/* Text or CDATA content in[s..e) already written at out[ostart..]. */
static void xdetect(abr_out_t *o, const char *in, const xel_t *st, int d,
                    apr_size_t s, apr_size_t e, apr_size_t ostart,
                    int at_cut)
{
    apr_size_t a, b;
    abr_path_t pa;

    if (e <= s || !(o->cfg->detectors || o->cfg->extra)
        || !ab_redact_detect(o->cfg, in + s, e - s, at_cut, &a, &b)) {
        return;
    }
    o->len = ostart;
    abr_put_token(o, in + s, e - s, 0);
    xpath(in, st, d, NULL, 0, &pa);
    abr_report(o->rep, &pa);
}

static const char *find(const char *in, apr_size_t from, apr_size_t len,
                        const char *pat, apr_size_t pl)
{
    if (from > len) {
        return NULL;
    }
    return abr_memmem(in + from, len - from, pat, pl);
}

ab_redact_status_e ab_redact_xml(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                 const char *in, apr_size_t len,
                                 int truncated, char *out,
                                 apr_size_t out_cap, apr_size_t *out_len,
                                 ab_redact_report_t *rep)
{
    abr_out_t o;
    int maxd = cfg->max_depth > 0 ? cfg->max_depth : AB_REDACT_DEPTH_DEFAULT;
    int d = 0, sup = -1;
    apr_size_t i = 0, vstart = 0;
    xel_t *st;

    abr_out_init(&o, p, cfg, out, out_cap, rep, 0);
    if (maxd > AB_REDACT_DEPTH_MAX) {
        maxd = AB_REDACT_DEPTH_MAX;
    }
    st = apr_palloc(p, (maxd + 1) * sizeof(*st));

#define EMIT(s, n) do { if (sup < 0) abr_put(&o, (s), (n)); } while (0)
#define FAIL(why, at) do { rep->reason = (why); rep->offset = (at); \
                           *out_len = 0; return AB_REDACT_UNPARSEABLE; \
                         } while (0)

    while (i < len) {
        const char *lt, *end;
        apr_size_t j, ostart;

        if (in[i] != '<') {
            /* A text node up to the next '<'. */
            lt = memchr(in + i, '<', len - i);
            j = lt ? (apr_size_t)(lt - in) : len;
            ostart = o.len;
            EMIT(in + i, j - i);
            if (sup < 0) {
                xdetect(&o, in, st, d, i, j, ostart, truncated && j == len);
            }
            i = j;
            continue;
        }
        if (len - i < 2) {
            if (!truncated) {
                FAIL("XML ends inside markup", i);
            }
            EMIT(in + i, len - i);
            break;
        }
        if (in[i + 1] == '!' || in[i + 1] == '?') {
            const char *close = "?>";
            apr_size_t cl = 2, cs = i + 2;
            int cdata = 0;

            if (in[i + 1] == '!') {
                if (len - i >= 4 && !memcmp(in + i, "<!--", 4)) {
                    close = "-->";
                    cl = 3;
                    cs = i + 4;
                }
                else if (len - i >= 9 && !memcmp(in + i, "<![CDATA[", 9)) {
                    close = "]]>";
                    cl = 3;
                    cs = i + 9;
                    cdata = 1;
                }
                else if (len - i < 9 && truncated
                         && (!memcmp(in + i, "<![CDATA[", len - i)
                             || !memcmp(in + i, "<!--", len - i < 4
                                        ? len - i : 4))) {
                    EMIT(in + i, len - i);  /* a cut opener */
                    break;
                }
                else {
                    /* <!DOCTYPE ...> with an optional [internal subset]. */
                    int br = 0;

                    for (j = i + 2; j < len; j++) {
                        if (in[j] == '[') {
                            br++;
                        }
                        else if (in[j] == ']') {
                            br--;
                        }
                        else if (in[j] == '>' && br <= 0) {
                            break;
                        }
                    }
                    if (j == len && !truncated) {
                        FAIL("XML ends inside a declaration", i);
                    }
                    j = j < len ? j + 1 : len;
                    EMIT(in + i, j - i);
                    i = j;
                    continue;
                }
            }
            end = find(in, cs, len, close, cl);
            if (!end && !truncated) {
                FAIL("XML ends inside a comment, CDATA section or "
                     "processing instruction", i);
            }
            j = end ? (apr_size_t)(end - in) : len;
            EMIT(in + i, cs - i);
            ostart = o.len;
            EMIT(in + cs, j - cs);
            if (cdata && sup < 0) {
                xdetect(&o, in, st, d, cs, j, ostart, !end);
            }
            if (end) {
                EMIT(close, cl);
                j += cl;
            }
            i = j;
            continue;
        }
        if (in[i + 1] == '/') {
            /* An end tag: it must close the open element. */
            apr_size_t ns = i + 2;

            for (j = ns; j < len && namechar((unsigned char)in[j]); j++) {
            }
            if (j == len) {
                if (!truncated) {
                    FAIL("XML ends inside an end tag", i);
                }
                if (sup >= 0) {
                    abr_put_token(&o, in + vstart, i - vstart, 0);
                    sup = -1;
                }
                break;
            }
            if (d == 0 || j - ns != st[d].ql
                || memcmp(in + ns, in + st[d].qs, st[d].ql)) {
                FAIL("XML end tag does not match its start tag", i);
            }
            if (sup == d) {
                abr_put_token(&o, in + vstart, i - vstart, 0);
                sup = -1;
            }
            while (j < len && ISXWS(in[j])) {
                j++;
            }
            if (j < len && in[j] != '>') {
                FAIL("invalid XML end tag", j);
            }
            j = j < len ? j + 1 : len;
            EMIT(in + i, j - i);
            d--;
            i = j;
            continue;
        }
        /* A start tag and its attributes. */
        {
            apr_size_t ns = i + 1, ll;
            const char *ln;
            int ematch, closed = 0;

            for (j = ns; j < len && namechar((unsigned char)in[j]); j++) {
            }
            if (j == ns) {
                FAIL("invalid XML tag", i);
            }
            EMIT(in + i, j - i);
            if (d >= maxd) {
                FAIL("XML nested deeper than the limit", i);
            }
            d++;
            st[d].qs = ns;
            st[d].ql = j - ns;
            ln = local_name(in + ns, j - ns, &ll);
            ematch = sup < 0 && abr_name_match_memo(cfg->names, ln, ll);
            for (;;) {
                apr_size_t as, ae, qs;
                char q;

                as = j;
                while (j < len && ISXWS(in[j])) {
                    j++;
                }
                EMIT(in + as, j - as);
                if (j >= len) {
                    break;
                }
                if (in[j] == '>') {
                    EMIT(">", 1);
                    j++;
                    closed = 1;
                    break;
                }
                if (in[j] == '/') {
                    if (j + 1 < len && in[j + 1] != '>') {
                        FAIL("invalid XML empty-element tag", j);
                    }
                    EMIT(in + j, j + 1 < len ? 2 : 1);
                    j += j + 1 < len ? 2 : 1;
                    closed = 2;
                    break;
                }
                for (as = j; j < len && namechar((unsigned char)in[j]); j++) {
                }
                if (j == as) {
                    FAIL("invalid XML attribute", j);
                }
                ae = j;
                while (j < len && ISXWS(in[j])) {
                    j++;
                }
                if (j < len && in[j] != '=') {
                    FAIL("XML attribute without a value", j);
                }
                if (j < len) {
                    j++;
                }
                while (j < len && ISXWS(in[j])) {
                    j++;
                }
                EMIT(in + as, j - as);
                if (j >= len) {
                    break;
                }
                q = in[j];
                if (q != '"' && q != '\'') {
                    FAIL("XML attribute value without quotes", j);
                }
                EMIT(in + j, 1);
                qs = ++j;
                while (j < len && in[j] != q) {
                    if (in[j] == '<') {
                        FAIL("'<' in an XML attribute value", j);
                    }
                    j++;
                }
                if (sup < 0) {
                    apr_size_t all;
                    const char *al = local_name(in + as, ae - as, &all);

                    if (abr_name_match_memo(cfg->names, al, all)) {
                        abr_path_t pa;

                        abr_put_token(&o, in + qs, j - qs, 0);
                        xpath(in, st, d, al, all, &pa);
                        abr_report(rep, &pa);
                    }
                    else {
                        apr_size_t os = o.len;

                        abr_put(&o, in + qs, j - qs);
                        xdetect(&o, in, st, d, qs, j, os, j == len);
                    }
                }
                if (j == len) {
                    break;
                }
                EMIT(&q, 1);
                j++;
            }
            if (closed == 0 && !truncated) {
                FAIL("XML ends inside a start tag", i);
            }
            if (closed == 2) {
                d--;
            }
            else if (closed == 1 && ematch) {
                abr_path_t pa;

                sup = d;
                vstart = j;
                xpath(in, st, d, NULL, 0, &pa);
                abr_report(rep, &pa);
            }
            i = j;
        }
    }
    if (sup >= 0) {
        abr_put_token(&o, in + vstart, len - vstart, 0);
        sup = -1;
    }
    if (!truncated && d != 0) {
        FAIL("XML ends before its elements do", len);
    }
    if (o.overflow) {
        rep->reason = "redacted copy larger than its buffer";
        *out_len = 0;
        return AB_REDACT_OVERFLOW;
    }
    *out_len = o.len;
    return AB_REDACT_OK;
#undef EMIT
#undef FAIL
}
