/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact_form: application/x-www-form-urlencoded bodies, query
 * strings and URLs. Names are matched percent- and '+'-decoded; a value
 * is either copied as is or replaced whole. Must never copy a byte of a
 * redacted value, including one cut by the cap.
 */
#include "ab_redact_private.h"

/* Control bytes a form or query string never carries raw (HT, LF, CR
 * allowed: a trailing newline from curl --data-binary @file). */
static int bad_byte(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

ab_redact_status_e abr_form_run(abr_out_t *o, const char *in, apr_size_t len,
                                int truncated, const char *tag, char sep2)
{
    const ab_redact_cfg_t *cfg = o->cfg;
    apr_size_t i = 0, taglen = strlen(tag);
    char kbuf[AB_REDACT_NAME_MAX];

    while (i < len) {
        apr_size_t ns = i, ne, vs, ve, k;

        for (ne = ns; ne < len && in[ne] != '=' && in[ne] != '&'
             && in[ne] != sep2; ne++) {
            if (bad_byte((unsigned char)in[ne])) {
                o->rep->reason = "control byte in a form";
                o->rep->offset = ne;
                return AB_REDACT_UNPARSEABLE;
            }
        }
        abr_put(o, in + ns, ne - ns);
        if (ne < len && in[ne] == '=') {
            int cut, at_cut, match;
            apr_size_t kl, ostart;
            abr_path_t pa;

            vs = ne + 1;
            for (ve = vs; ve < len && in[ve] != '&' && in[ve] != sep2; ve++) {
                if (bad_byte((unsigned char)in[ve])) {
                    o->rep->reason = "control byte in a form";
                    o->rep->offset = ve;
                    return AB_REDACT_UNPARSEABLE;
                }
            }
            abr_putc(o, '=');
            at_cut = truncated && ve == len;
            kl = abr_pct_decode(in + ns, ne - ns, 1, kbuf, sizeof(kbuf), &cut);
            if (cut) {
                kl = AB_REDACT_NAME_MAX;           /* fail closed */
            }
            match = abr_field_match(cfg->names, kbuf, kl);
            ostart = o->len;
            if (ve > vs) {
                const char *v = in + vs;
                apr_size_t vl = ve - vs, a, b;

                for (k = vs; k < ve && in[k] != '%' && in[k] != '+'; k++) {
                }
                if (k < ve) {
                    vl = abr_pct_decode(v, vl, 1, o->scratch, o->scap, &cut);
                    v = o->scratch;
                }
                if (match || ((cfg->detectors || cfg->extra)
                              && ab_redact_detect(cfg, v, vl, at_cut, &a,
                                                  &b))) {
                    o->len = ostart;
                    abr_put_token(o, v, vl, 0);
                    pa.n = 0;
                    abr_path_add(&pa, tag, taglen);
                    abr_path_add(&pa, kbuf, kl < AB_REDACT_NAME_MAX ? kl
                                 : AB_REDACT_NAME_MAX - 1);
                    abr_report(o->rep, &pa);
                }
                else {
                    abr_put(o, in + vs, ve - vs);
                }
            }
            ne = ve;
        }
        if (ne < len) {
            abr_putc(o, in[ne]);            /* '&' or sep2 */
            ne++;
        }
        i = ne;
    }
    return AB_REDACT_OK;
}

/* The text of a URL part outside the query: the detectors only. */
static void url_text(abr_out_t *o, const char *s, apr_size_t n)
{
    if (o->cfg->detectors || o->cfg->extra) {
        abr_text_run(o, s, n, 0, "url");
    }
    else {
        abr_put(o, s, n);
    }
}

ab_redact_status_e ab_redact_url(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                 const char *in, apr_size_t len,
                                 char *out, apr_size_t out_cap,
                                 apr_size_t *out_len,
                                 ab_redact_report_t *rep)
{
    abr_out_t o;
    apr_size_t i = 0, k, q, h;
    ab_redact_status_e rv = AB_REDACT_OK;

    abr_out_init(&o, p, cfg, out, out_cap, rep, len);
    /* scheme://userinfo@host: hide the password of the userinfo. */
    for (k = 0; k + 2 < len && in[k] != '/' && in[k] != '?' && in[k] != '#';
         k++) {
        if (in[k] == ':' && in[k + 1] == '/' && in[k + 2] == '/') {
            apr_size_t as = k + 3, ae, at = (apr_size_t)-1, colon;

            for (ae = as; ae < len && in[ae] != '/' && in[ae] != '?'
                 && in[ae] != '#'; ae++) {
                if (in[ae] == '@') {
                    at = ae;
                }
            }
            if (at != (apr_size_t)-1) {
                for (colon = as; colon < at && in[colon] != ':'; colon++) {
                }
                if (colon < at) {
                    abr_path_t pa;

                    abr_put(&o, in, colon + 1);
                    abr_put_token(&o, in + colon + 1, at - colon - 1, 0);
                    pa.n = 0;
                    abr_path_add(&pa, "url:userinfo", 12);
                    abr_report(rep, &pa);
                    i = at;
                }
            }
            break;
        }
    }
    for (q = i; q < len && in[q] != '?' && in[q] != '#'; q++) {
    }
    url_text(&o, in + i, q - i);
    h = q;
    if (q < len && in[q] == '?') {
        for (h = q + 1; h < len && in[h] != '#'; h++) {
        }
        abr_putc(&o, '?');
        rv = abr_form_run(&o, in + q + 1, h - q - 1, 0, "query:", 0);
    }
    if (rv == AB_REDACT_OK && h < len) {
        abr_putc(&o, '#');
        if (ab_redact_sniff(in + h + 1, len - h - 1) == AB_REDACT_KIND_FORM) {
            rv = abr_form_run(&o, in + h + 1, len - h - 1, 0, "fragment:", 0);
        }
        else {
            url_text(&o, in + h + 1, len - h - 1);
        }
    }
    if (rv == AB_REDACT_OK && o.overflow) {
        rv = AB_REDACT_OVERFLOW;
        rep->reason = "redacted copy larger than its buffer";
    }
    *out_len = rv == AB_REDACT_OK ? o.len : 0;
    return rv;
}
