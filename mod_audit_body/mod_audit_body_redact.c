/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_redact.c: redaction of a record in the logging phase
 * (issue 12). The tokenizers are the pure ab_redact*.c; this file builds
 * their configuration from the final request's per-directory config,
 * compiles the AuditBodyRedactPatterns regexes, checks at configtest that
 * AuditBodyRedactWith hmac has a key, and redacts the record's URI, URL
 * headers and bodies before it is formatted. It only ever works on the
 * captured copy: the bytes served are never touched.
 */
#include "apr_strings.h"

#include "mod_audit_body_private.h"
#include "ap_regex.h"
#include "ab_record.h"
#include "ab_redact.h"
#include "mod_audit_body_metrics.h"

/* The default name list, and where AuditBodyRedactWith hmac was read, both
 * per configuration cycle (pconf). */
static const ab_redact_names_t *default_names;

typedef struct {
    server_rec *s;
    const char *file;
    int line;
} hmac_use_t;

static apr_array_header_t *hmac_uses;

void ab_redact_config_init(apr_pool_t *pconf)
{
    default_names = ab_redact_names_build(pconf, NULL);
    hmac_uses = apr_array_make(pconf, 4, sizeof(hmac_use_t));
}

const ab_redact_names_t *ab_redact_default_names(void)
{
    return default_names;
}

void ab_redact_need_key(cmd_parms *cmd)
{
    hmac_use_t *u = apr_array_push(hmac_uses);

    u->s = cmd->server;
    u->file = cmd->directive ? cmd->directive->filename : NULL;
    u->line = cmd->directive ? cmd->directive->line_num : 0;
}

int ab_redact_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s)
{
    int i, rc = OK;

    /* virtual hosts are merged with the main server by now */
    for (i = 0; hmac_uses && i < hmac_uses->nelts; i++) {
        hmac_use_t *u = &APR_ARRAY_IDX(hmac_uses, i, hmac_use_t);
        ab_server_conf_t *sc = ap_get_module_config(u->s->module_config,
                                                    &audit_body_module);

        if (!sc->redact_key) {
            ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                         AB_LOGNO(10077) "AuditBodyRedactWith hmac (%s:%d) "
                         "needs AuditBodyRedactKey in the same virtual host "
                         "or the main server", u->file ? u->file : "?",
                         u->line);
            rc = !OK;
        }
    }
    return rc;
}

const char *ab_redact_add_regex(apr_pool_t *p, apr_array_header_t **regexes,
                                const char *arg)
{
    ap_regex_t *re;
    ap_regmatch_t m;
    const char *c;

    /* A plain lower-case word is a misspelt built-in far more often than
     * a regex meant to match that word in every body. */
    for (c = arg; *c >= 'a' && *c <= 'z'; c++) {
    }
    if (!*c) {
        return apr_psprintf(p, "'%s' is not a built-in detector (pan, jwt, "
                            "bearer, none); to match the word itself, write "
                            "it as a regex, e.g. (?:%s)", arg, arg);
    }
    re = ap_pregcomp(p, arg, 0);
    if (!re) {
        return apr_psprintf(p, "'%s' is not a valid regular expression",
                            arg);
    }
    if (ap_regexec_len(re, "", 0, 1, &m, 0) == 0) {
        return apr_psprintf(p, "'%s' matches the empty string", arg);
    }
    if (!*regexes) {
        *regexes = apr_array_make(p, 2, sizeof(ap_regex_t *));
    }
    APR_ARRAY_PUSH(*regexes, ap_regex_t *) = re;
    return NULL;
}

/* ab_redact_detect_fn for the regexes: the leftmost match of any. */
static int detect_regex(void *baton, const char *s, apr_size_t len,
                        int at_cut, apr_size_t *start, apr_size_t *end)
{
    const apr_array_header_t *regexes = baton;
    int i, found = 0;

    for (i = 0; i < regexes->nelts; i++) {
        ap_regex_t *re = APR_ARRAY_IDX(regexes, i, ap_regex_t *);
        ap_regmatch_t m;

        if (ap_regexec_len(re, s, len, 1, &m, 0) == 0 && m.rm_so >= 0
            && m.rm_eo > m.rm_so
            && (!found || (apr_size_t)m.rm_so < *start)) {
            *start = (apr_size_t)m.rm_so;
            *end = (apr_size_t)m.rm_eo;
            found = 1;
        }
    }
    return found;
}

/* One direction's redaction: the report accumulates over its URI or URL
 * headers and its body. */
typedef struct {
    ab_redact_report_t rep;
    const char *paths[AB_REDACT_MAX_PATHS];
} dir_report_t;

/* Redact the URL in into a buffer of p (*out), retrying once with the
 * capacity that always suffices. */
static ab_redact_status_e redact_url(apr_pool_t *p,
                                     const ab_redact_cfg_t *cfg,
                                     const char *in, char **out,
                                     dir_report_t *d)
{
    apr_size_t len = strlen(in), cap = ab_redact_out_size(len), n = 0;
    ab_redact_report_t save = d->rep;
    ab_redact_status_e st;

    *out = apr_palloc(p, cap + 1);
    st = ab_redact_url(p, cfg, in, len, *out, cap, &n, &d->rep);
    if (st == AB_REDACT_OVERFLOW) {
        d->rep = save;
        cap = ab_redact_out_max(len);
        *out = apr_palloc(p, cap + 1);
        st = ab_redact_url(p, cfg, in, len, *out, cap, &n, &d->rep);
    }
    (*out)[st == AB_REDACT_OK ? n : 0] = '\0';
    return st;
}

/* A URL that cannot be tokenized keeps what precedes its query. */
static const char *url_fail_closed(apr_pool_t *p, const char *in)
{
    apr_size_t n = strcspn(in, "?#");

    return apr_pstrcat(p, apr_pstrmemdup(p, in, n), in[n] ? "?***" : "",
                       NULL);
}

static const char *redact_one_url(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, dir_report_t *d)
{
    apr_size_t before = d->rep.count;
    char *out;

    /* only a userinfo, a query or a fragment can hold a secret */
    if (!in || !in[strcspn(in, "?#@")]) {
        return in;
    }
    if (redact_url(p, cfg, in, &out, d) != AB_REDACT_OK) {
        d->rep.count++;
        return url_fail_closed(p, in);
    }
    return d->rep.count != before ? out : in;
}

/* Redact the values of the URL headers in a copy of t (made only when a
 * value changes); returns t or the copy. Every entry of the name counts:
 * a client may send Referer twice. */
static const apr_table_t *redact_url_headers(apr_pool_t *p,
                                             const ab_redact_cfg_t *cfg,
                                             const apr_table_t *t,
                                             const char *const *names,
                                             dir_report_t *d)
{
    const apr_array_header_t *a;
    apr_table_entry_t *e;
    apr_table_t *copy = NULL;
    int i, j;

    if (!t) {
        return t;
    }
    a = apr_table_elts(t);
    e = (apr_table_entry_t *)a->elts;
    for (i = 0; i < a->nelts && i < AB_RECORD_MAX_HEADERS; i++) {
        const char *v;

        if (!e[i].key || !e[i].val) {
            continue;
        }
        for (j = 0; names[j] && strcasecmp(e[i].key, names[j]); j++) {
        }
        if (!names[j]) {
            continue;
        }
        v = redact_one_url(p, cfg, e[i].val, d);
        if (v != e[i].val) {
            if (!copy) {
                /* same order and entries: the index stays valid */
                copy = apr_table_copy(p, t);
                e = (apr_table_entry_t *)apr_table_elts(copy)->elts;
            }
            e[i].val = (char *)v;
        }
    }
    return copy ? copy : t;
}

/* Bodies from this size on are flattened and tokenized in a pool freed
 * before the record is formatted. */
#define AB_REDACT_TMP_POOL_MIN (64 * 1024)

/* The captured bytes of b in one buffer of scratch. */
static const char *flatten(apr_pool_t *p, const ab_record_body_t *b)
{
    char *buf, *q;
    apr_size_t left = b->captured;
    int i;

    if (b->nsegs <= 0) {
        return b->body;
    }
    if (b->nsegs == 1 || b->segs[0].n >= b->captured) {
        return b->segs[0].p;            /* one piece: no copy */
    }
    buf = q = apr_palloc(p, b->captured + 1);
    for (i = 0; i < b->nsegs && left; i++) {
        apr_size_t n = b->segs[i].n < left ? b->segs[i].n : left;

        memcpy(q, b->segs[i].p, n);
        q += n;
        left -= n;
    }
    return buf;
}

static int is_identity(const char *ce)
{
    return !ce || !*ce || !strcasecmp(ce, "identity");
}

static void redact_body(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                        ab_record_body_t *b, dir_report_t *d)
{
    apr_pool_t *tmp;
    const char *in;
    char *out;
    apr_size_t cap, n = 0;
    ab_redact_report_t save = d->rep;
    ab_redact_status_e st;
    int cut;

    if (!b->body && b->nsegs <= 0) {
        return;                         /* nothing captured */
    }
    if (!is_identity(b->content_encoding)
        && (!b->decoded || !strcmp(b->decoded, "unsupported"))) {
        /* compressed bytes cannot be inspected: they are not recorded
         * (a body decoded for the record, even in part, is text) */
        b->redaction = "encoded";
        b->body = NULL;
        b->nsegs = 0;
        b->captured = 0;
        return;
    }
    /* the flat copy and the tokenizer's scratch go before formatting; a
     * pool of their own only pays for itself on a large body */
    if (b->captured >= AB_REDACT_TMP_POOL_MIN) {
        apr_pool_create(&tmp, p);
    }
    else {
        tmp = p;
    }
    in = flatten(tmp, b);
    /* a copy cut by the cap, or a body that stopped early, is a prefix */
    cut = b->truncated || !b->state || strcmp(b->state, "complete");
    cap = ab_redact_out_size(b->captured);
    out = apr_palloc(p, cap);
    st = ab_redact_body(tmp, cfg, b->content_type, in, b->captured, cut,
                        out, cap, &n, &d->rep);
    if (st == AB_REDACT_OVERFLOW) {
        d->rep = save;
        cap = ab_redact_out_max(b->captured);
        out = apr_palloc(p, cap);
        st = ab_redact_body(tmp, cfg, b->content_type, in, b->captured, cut,
                            out, cap, &n, &d->rep);
    }
    if (tmp != p) {
        apr_pool_destroy(tmp);
    }
    if (st != AB_REDACT_OK) {
        /* fail closed: sizes only */
        b->redaction = "unparseable";
        b->body = NULL;
        b->nsegs = 0;
        b->captured = 0;
        ab_metric_add(AB_M_REDACTION_UNPARSEABLE, 1);
        return;
    }
    b->redaction = "on";
    b->body = out;
    b->captured = n;
    b->segs = NULL;
    b->nsegs = 0;
}

static void report_to_record(dir_report_t *d, ab_record_body_t *b)
{
    int i;

    for (i = 0; i < d->rep.npaths; i++) {
        d->paths[i] = d->rep.paths[i];
    }
    b->redacted = d->rep.count;
    b->redacted_fields = d->paths;
    b->nredacted_fields = d->rep.npaths;
    b->redacted_fields_omitted = d->rep.left_out;
}

static const char *const request_urls[] = { "Referer", NULL };
static const char *const response_urls[] = {
    "Location", "Content-Location", NULL
};

void ab_redact_record(request_rec *r, request_rec *last, ab_record_t *rec,
                      apr_pool_t *scratch)
{
    const ab_dir_conf_t *dc = ab_dir_conf(last);
    ab_server_conf_t *sc = ap_get_module_config(last->server->module_config,
                                                &audit_body_module);
    const apr_array_header_t *regexes = ab_conf_redact_regexes(dc);
    ab_redact_cfg_t cfg;
    dir_report_t *req, *resp;

    memset(&cfg, 0, sizeof(cfg));
    cfg.names = ab_conf_redact_names(dc, default_names);
    cfg.detectors = ab_conf_redact_detectors(dc);
    if (regexes && regexes->nelts) {
        cfg.extra = detect_regex;
        cfg.extra_baton = (void *)regexes;
    }
    if (!cfg.extra && !cfg.detectors
        && (!cfg.names || !ab_redact_names_count(cfg.names))) {
        /* AuditBodyRedact none and AuditBodyRedactPatterns none */
        if (rec->request.body || rec->request.nsegs > 0) {
            rec->request.redaction = "off";
        }
        if (rec->response.body || rec->response.nsegs > 0) {
            rec->response.redaction = "off";
        }
        return;
    }
    cfg.with = ab_conf_redact_with(dc);
    if (cfg.with == AB_REDACT_HMAC) {
        /* configtest made sure there is a key */
        cfg.key = sc->redact_key;
        cfg.key_len = sc->redact_key_len;
    }

    req = apr_palloc(scratch, sizeof(*req));
    resp = apr_palloc(scratch, sizeof(*resp));
    ab_redact_report_init(&req->rep);
    ab_redact_report_init(&resp->rep);

    rec->uri = redact_one_url(scratch, &cfg, rec->uri, req);
    rec->request.headers = redact_url_headers(scratch, &cfg,
                                              rec->request.headers,
                                              request_urls, req);
    redact_body(scratch, &cfg, &rec->request, req);
    rec->response.headers = redact_url_headers(scratch, &cfg,
                                               rec->response.headers,
                                               response_urls, resp);
    redact_body(scratch, &cfg, &rec->response, resp);
    report_to_record(req, &rec->request);
    report_to_record(resp, &rec->response);
}
