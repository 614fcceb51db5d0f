/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_metrics.c: counters summed over every child process.
 *
 * The parent creates one shared memory table (cm_metrics_httpd_attach)
 * in post_config, kept across graceful restarts as the scoreboard is;
 * every child claims a row in child_init and adds to it at the counting
 * sites. Readers (server-status, the Prometheus handler
 * "audit-body-metrics") sum the rows. Nothing here takes a lock or
 * allocates per count.
 */
#include "apr_strings.h"
#include "http_protocol.h"
#include "mod_status.h"

#include "mod_audit_body_private.h"
#include "mod_audit_body_metrics.h"
#include "ab_types.h"
#include "cm_metrics_httpd.h"

#define AB_METRICS_HANDLER "audit-body-metrics"
#define AB_METRICS_KEY "audit_body_metrics_shm"

/* Exposition order follows ab_metric_e; AB_M_OWNER has no series. */
static const cm_metric_def_t defs[AB_M_COUNT] = {
    { NULL, NULL, CM_METRIC_GAUGE, NULL },
    { "audit_body_records_written_total", NULL, CM_METRIC_COUNTER,
      "Records written to their log." },
    { "audit_body_records_lost_total", NULL, CM_METRIC_COUNTER,
      "Records that could not be written (a failed write to the log)." },
    { "audit_body_records_dropped_total", NULL, CM_METRIC_COUNTER,
      "Records dropped because the log was full (AuditBodyLogOnFull drop)." },
    { "audit_body_bytes_written_total", NULL, CM_METRIC_COUNTER,
      "Bytes of records written to their log." },
    { "audit_body_batches_total", NULL, CM_METRIC_COUNTER,
      "Writes of a batch of queued records." },
    { "audit_body_direct_writes_total", NULL, CM_METRIC_COUNTER,
      "Records written by their request thread, not through the queue." },
    { "audit_body_queue_full_total", NULL, CM_METRIC_COUNTER,
      "Times a record found both queue buffers busy." },
    { "audit_body_truncated_total", "direction=\"request\"",
      CM_METRIC_COUNTER, "Bodies whose copy was cut at the limit." },
    { "audit_body_truncated_total", "direction=\"response\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_skipped_total", "reason=\"" AB_SKIP_UPGRADE "\"",
      CM_METRIC_COUNTER, "Bodies not captured, by reason." },
    { "audit_body_skipped_total", "reason=\"" AB_SKIP_EVENT_STREAM "\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_skipped_total", "reason=\"" AB_SKIP_ATTACHMENT "\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_skipped_total", "reason=\"" AB_SKIP_OCTET_STREAM "\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_skipped_total", "reason=\"" AB_SKIP_TYPE "\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_skipped_total", "reason=\"" AB_SKIP_NO_BODY "\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_skipped_total", "reason=\"" AB_SKIP_LIMIT_ZERO "\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_skipped_total", "reason=\"" AB_SKIP_NO_TYPE "\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_skipped_total", "reason=\"other\"",
      CM_METRIC_COUNTER, NULL },
    { "audit_body_redacted_fields_total", NULL, CM_METRIC_COUNTER,
      "Values replaced by redaction in records written." },
    { "audit_body_redaction_unparseable_total", NULL, CM_METRIC_COUNTER,
      "Bodies left out of records because they could not be tokenized "
      "for redaction (fail closed)." },
    { "audit_body_records_condition_false_total", NULL, CM_METRIC_COUNTER,
      "Records not written because AuditBodyCondition was false." },
    { "audit_body_bodies_not_kept_total", NULL, CM_METRIC_COUNTER,
      "Records written without their bodies because AuditBodyKeepBodies "
      "(or AuditBodySample) did not keep them." },
    { "audit_body_interim_records_total", NULL, CM_METRIC_COUNTER,
      "Interim records of requests still running (AuditBodyInterim)." },
};

/* Set up in the parent before the children are forked (post_config);
 * its row is claimed in each child (child_init). */
static cm_metrics_table_t table;

void ab_metric_add(ab_metric_e m, apr_uint64_t n)
{
    cm_metrics_table_add(&table, (apr_size_t)m, n);
}

void ab_metric_skip(const char *reason)
{
    static const struct { const char *r; ab_metric_e m; } map[] = {
        { AB_SKIP_UPGRADE, AB_M_SKIP_UPGRADE },
        { AB_SKIP_EVENT_STREAM, AB_M_SKIP_EVENT_STREAM },
        { AB_SKIP_ATTACHMENT, AB_M_SKIP_ATTACHMENT },
        { AB_SKIP_OCTET_STREAM, AB_M_SKIP_OCTET_STREAM },
        { AB_SKIP_TYPE, AB_M_SKIP_TYPE },
        { AB_SKIP_NO_BODY, AB_M_SKIP_NO_BODY },
        { AB_SKIP_LIMIT_ZERO, AB_M_SKIP_LIMIT_ZERO },
        { AB_SKIP_NO_TYPE, AB_M_SKIP_NO_TYPE },
    };
    apr_size_t i;

    if (!reason) {
        return;
    }
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(reason, map[i].r) == 0) {
            ab_metric_add(map[i].m, 1);
            return;
        }
    }
    ab_metric_add(AB_M_SKIP_OTHER, 1);
}

apr_uint64_t ab_metric_total(ab_metric_e m)
{
    return cm_metrics_table_total(&table, (apr_size_t)m);
}

static int metrics_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    apr_status_t rv = cm_metrics_httpd_attach(&table, s, AB_METRICS_KEY,
                                              AB_M_COUNT, 0);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, AB_LOGNO(10070)
                     "audit_body: no shared memory for the server-wide "
                     "counters (%" APR_SIZE_T_FMT " bytes); status and "
                     "metrics will show zeros",
                     cm_metrics_size(cm_metrics_httpd_rows(), AB_M_COUNT));
    }
    return OK;
}

static void metrics_child_init(apr_pool_t *pchild, server_rec *s)
{
    cm_metrics_claim_self(&table, pchild);
}

static int metrics_handler(request_rec *r)
{
    int rc = cm_metrics_handler_begin(r, AB_METRICS_HANDLER, &table);

    if (rc == HTTP_SERVICE_UNAVAILABLE) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AB_LOGNO(10071)
                      "audit_body: metrics requested, but the server-wide "
                      "counters have no shared memory (see AB10070)");
    }
    if (rc == OK && !r->header_only) {
        ap_rputs(cm_metrics_render(r->pool, &table, defs), r);
    }
    return rc;
}

/* mod_status: server-wide totals (the sinks' own lines, per child,
 * follow from mod_audit_body_sink.c). */
static int status_hook(request_rec *r, int flags)
{
    apr_uint64_t w = ab_metric_total(AB_M_RECORDS_WRITTEN);
    apr_uint64_t l = ab_metric_total(AB_M_RECORDS_LOST);
    apr_uint64_t d = ab_metric_total(AB_M_RECORDS_DROPPED);
    apr_uint64_t b = ab_metric_total(AB_M_BYTES_WRITTEN);
    apr_uint64_t rf = ab_metric_total(AB_M_REDACTED_FIELDS);
    apr_uint64_t ru = ab_metric_total(AB_M_REDACTION_UNPARSEABLE);

    if (flags & AP_STATUS_SHORT) {
        ap_rprintf(r, "AuditBodyRecordsTotal: %" APR_UINT64_T_FMT "\n"
                   "AuditBodyLostTotal: %" APR_UINT64_T_FMT "\n"
                   "AuditBodyDroppedTotal: %" APR_UINT64_T_FMT "\n"
                   "AuditBodyBytesTotal: %" APR_UINT64_T_FMT "\n"
                   "AuditBodyRedactedFieldsTotal: %" APR_UINT64_T_FMT "\n"
                   "AuditBodyRedactionUnparseableTotal: %" APR_UINT64_T_FMT
                   "\n", w, l, d, b, rf, ru);
    }
    else {
        ap_rprintf(r, "<p>mod_audit_body (all children): %" APR_UINT64_T_FMT
                   " records written (%" APR_UINT64_T_FMT " bytes), %"
                   APR_UINT64_T_FMT " lost, %" APR_UINT64_T_FMT
                   " dropped; %" APR_UINT64_T_FMT " values redacted, %"
                   APR_UINT64_T_FMT " bodies left out as not tokenizable"
                   "</p>\n", w, b, l, d, rf, ru);
    }
    return OK;
}

void ab_metrics_register_hooks(void)
{
    ap_hook_post_config(metrics_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(metrics_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(metrics_handler, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_FIRST);
}
