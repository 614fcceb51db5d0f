/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_keep.c: what a record keeps, decided in the logging
 * phase (issue 13), when the final status, latency and time to first byte
 * are known: AuditBodyCondition (write the record at all) and
 * AuditBodyKeepBodies (keep the bodies or only the metadata), both
 * ap_expr expressions evaluated against the final request of the chain,
 * plus the expression variables AUDIT_BODY_LATENCY_MS and
 * AUDIT_BODY_TTFB_MS. The bodies were copied as they streamed past (no
 * memory beyond the caps); dropping them here costs nothing.
 */
#include "apr_strings.h"
#include "ap_expr.h"
#include "http_request.h"

#include "mod_audit_body_private.h"
#include "ab_record.h"
#include "ab_trace.h"
#include "mod_audit_body_metrics.h"

/* The context of r's chain (set on the first request; later requests of
 * an internal-redirect chain carry it too, or reach it through prev). */
static const ab_ctx_t *chain_ctx(const request_rec *r)
{
    for (; r; r = r->prev) {
        const ab_ctx_t *ctx = ap_get_module_config(r->request_config,
                                                   &audit_body_module);
        if (ctx) {
            return ctx;
        }
    }
    return NULL;
}

/* AUDIT_BODY_LATENCY_MS: request start to the logging phase (the instant
 * the record uses); AUDIT_BODY_TTFB_MS: to the first response brigade,
 * -1 if none. Integers, for -gt and -lt. */
static const char *expr_var(ap_expr_eval_ctx_t *ectx, const void *data)
{
    const request_rec *r = ectx->r, *first = r;
    const ab_ctx_t *ctx;
    apr_time_t t;

    if (!r) {
        return NULL;
    }
    while (first->prev) {
        first = first->prev;
    }
    ctx = chain_ctx(r);
    if (data) {                                     /* TTFB */
        if (!ctx || !ctx->first_byte) {
            return "-1";
        }
        t = ctx->first_byte - first->request_time;
    }
    else {
        t = (ctx && ctx->log_time ? ctx->log_time : apr_time_now())
            - first->request_time;
    }
    return apr_psprintf(ectx->p, "%" APR_INT64_T_FMT,
                        (apr_int64_t)apr_time_as_msec(t));
}

static int expr_lookup(ap_expr_lookup_parms *parms)
{
    if (parms->type != AP_EXPR_FUNC_VAR) {
        return DECLINED;
    }
    if (!strcasecmp(parms->name, "AUDIT_BODY_LATENCY_MS")) {
        *parms->func = expr_var;
        *parms->data = NULL;
        return OK;
    }
    if (!strcasecmp(parms->name, "AUDIT_BODY_TTFB_MS")) {
        *parms->func = expr_var;
        *parms->data = "ttfb";
        return OK;
    }
    return DECLINED;
}

void ab_keep_register_hooks(void)
{
    ap_hook_expr_lookup(expr_lookup, NULL, NULL, APR_HOOK_MIDDLE);
}

/* 1 when expr is true for r, 0 when false; on an evaluation error, the
 * fail-safe answer (logged). */
static int eval(request_rec *r, const ap_expr_info_t *expr,
                const char *directive, int fail_safe)
{
    const char *err = NULL;
    int rc = ap_expr_exec(r, expr, &err);

    if (rc < 0 || err) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      AB_LOGNO(10078) "%s (%s:%d): cannot evaluate: %s; "
                      "taken as %s", directive,
                      expr->filename ? expr->filename : "?",
                      expr->line_number, err ? err : "error",
                      fail_safe ? "true" : "false");
        return fail_safe;
    }
    return rc > 0;
}

/* The bodies of b are not kept: metadata and sizes only. */
static void not_kept(ab_record_body_t *b)
{
    if (!b->body && b->nsegs <= 0) {
        return;
    }
    b->state = "not-kept";
    b->body = NULL;
    b->segs = NULL;
    b->nsegs = 0;
    b->captured = 0;
}

/* Counts the entries of one header name (apr_table_do). */
static int count_one(void *n, const char *key, const char *val)
{
    (*(int *)n)++;
    return 1;
}

/* A traceparent header, strictly valid and sent once (two are invalid:
 * which one would the next hop follow?), in rec and tp. */
static void fill_trace(request_rec *r, ab_record_t *rec,
                       ab_traceparent_t *tp)
{
    int n = 0;

    memset(tp, 0, sizeof(*tp));
    apr_table_do(count_one, &n, r->headers_in, "traceparent", NULL);
    if (n == 1
        && ab_traceparent_parse(r->pool,
                                apr_table_get(r->headers_in, "traceparent"),
                                tp)) {
        rec->trace_id = tp->trace_id;
        rec->parent_id = tp->parent_id;
        rec->trace_sampled = tp->sampled;
    }
    else {
        memset(tp, 0, sizeof(*tp));
    }
}

static void fill_correlation(request_rec *r, const ab_dir_conf_t *dc,
                             ab_record_t *rec)
{
    const apr_array_header_t *names = ab_conf_correlation(
        dc, ab_default_correlation());
    const char **n, **v;
    int i;

    if (!names || !names->nelts) {
        return;
    }
    n = apr_palloc(r->pool, sizeof(*n) * (apr_size_t)names->nelts);
    v = apr_palloc(r->pool, sizeof(*v) * (apr_size_t)names->nelts);
    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *val = apr_table_get(r->headers_in, name);

        if (val) {
            n[rec->ncorr] = name;
            v[rec->ncorr] = val;
            rec->ncorr++;
        }
    }
    rec->corr_names = n;
    rec->corr_values = v;
}

int ab_keep_decide(request_rec *r, request_rec *last, ab_ctx_t *ctx,
                   ab_record_t *rec)
{
    const ab_dir_conf_t *dc = ab_dir_conf(last);
    ab_traceparent_t tp;
    int keep;

    ctx->log_time = rec->time + rec->latency_us;
    fill_trace(r, rec, &tp);
    fill_correlation(r, dc, rec);
    /* A failing condition writes the record: an audit trail errs on the
     * side of recording. */
    if (dc->condition
        && !eval(last, (const ap_expr_info_t *)dc->condition,
                 "AuditBodyCondition", 1)) {
        ab_metric_add(AB_M_RECORDS_CONDITION, 1);
        return 0;
    }
    /* Bodies are kept by default; with KeepBodies or Sample set, when
     * the expression is true or the request is in the sample. */
    if (!dc->keep_bodies
        && (dc->sample_mode == AB_UNSET || dc->sample_mode == AB_SAMPLE_OFF)) {
        return 1;
    }
    keep = dc->keep_bodies
           && eval(last, (const ap_expr_info_t *)dc->keep_bodies,
                   "AuditBodyKeepBodies", 1);
    if (!keep && dc->sample_mode != AB_UNSET) {
        ab_sample_t s;

        s.mode = (ab_sample_mode_e)dc->sample_mode;
        s.fraction = dc->sample_fraction;
        keep = ab_sample_decide(&s, &tp, rec->id);
    }
    if (!keep) {
        if (rec->request.body || rec->request.nsegs > 0
            || rec->response.body || rec->response.nsegs > 0) {
            ab_metric_add(AB_M_BODIES_NOT_KEPT, 1);
        }
        not_kept(&rec->request);
        not_kept(&rec->response);
    }
    return 1;
}
