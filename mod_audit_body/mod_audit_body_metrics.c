/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_metrics.c: counters summed over every child process.
 *
 * The parent creates one anonymous shared memory table (cm_metrics) in
 * post_config and keeps it in the process pool, so it lives across
 * graceful restarts, as the scoreboard does; every child claims a row in
 * child_init and adds to it. Readers (server-status, the Prometheus
 * handler "audit-body-metrics") sum the rows. Nothing here takes a lock
 * or allocates per count.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "apr_shm.h"
#include "apr_strings.h"
#include "ap_mpm.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mod_status.h"

#include "mod_audit_body_private.h"
#include "mod_audit_body_metrics.h"
#include "ab_types.h"
#include "cm_metrics.h"

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
};

/* Set in the parent before the children are forked; read-only after. */
static void *table;
static apr_size_t n_rows;
/* This child's row: claimed in child_init; the last row is shared by the
 * children that find no free row (adds are atomic either way). */
static apr_size_t my_row;
static int have_row;

void ab_metric_add(ab_metric_e m, apr_uint64_t n)
{
    if (have_row && n) {
        cm_metrics_add(table, n_rows, AB_M_COUNT, my_row, (apr_size_t)m, n);
    }
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
    return table ? cm_metrics_sum(table, n_rows, AB_M_COUNT, (apr_size_t)m)
                 : 0;
}

static int metrics_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    apr_pool_t *pp = s->process->pool;
    apr_shm_t *shm = NULL;
    apr_status_t rv;
    int limit = 0;
    void *data = NULL;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    /* Kept in the process pool: a graceful restart finds the same table,
     * so totals survive it (a ServerLimit change needs a full restart,
     * as for the scoreboard). */
    apr_pool_userdata_get(&data, AB_METRICS_KEY, pp);
    if (data) {
        /* The module was unloaded and loaded again: its statics are new,
         * the table is not. */
        shm = data;
        n_rows = apr_shm_size_get(shm) / cm_metrics_size(1, AB_M_COUNT);
        table = apr_shm_baseaddr_get(shm);
        return OK;
    }
    ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit);
    if (limit < 1) {
        limit = 1;
    }
    /* A row per scoreboard slot, a few spare for children that crashed
     * before their row could be reclaimed, and the shared last row. */
    n_rows = (apr_size_t)limit + 9;
    rv = apr_shm_create(&shm, cm_metrics_size(n_rows, AB_M_COUNT), NULL, pp);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, AB_LOGNO(10070)
                     "audit_body: no shared memory for the server-wide "
                     "counters (%" APR_SIZE_T_FMT " bytes); status and "
                     "metrics will show zeros",
                     cm_metrics_size(n_rows, AB_M_COUNT));
        n_rows = 0;
        return OK;
    }
    table = apr_shm_baseaddr_get(shm);
    cm_metrics_init(table, n_rows, AB_M_COUNT);
    apr_pool_userdata_set(shm, AB_METRICS_KEY, apr_pool_cleanup_null, pp);
    return OK;
}

static int pid_alive(apr_uint64_t pid)
{
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static apr_status_t release_row(void *data)
{
    if (have_row && my_row < n_rows - 1) {
        cm_metrics_release(table, n_rows, AB_M_COUNT, my_row,
                           (apr_uint64_t)getpid(), 0);
    }
    have_row = 0;
    return APR_SUCCESS;
}

static void metrics_child_init(apr_pool_t *pchild, server_rec *s)
{
    int row;

    if (!table) {
        return;
    }
    row = cm_metrics_claim(table, n_rows - 1, AB_M_COUNT,
                           (apr_uint64_t)getpid(), pid_alive, 0);
    my_row = row >= 0 ? (apr_size_t)row : n_rows - 1;
    have_row = 1;
    apr_pool_cleanup_register(pchild, NULL, release_row,
                              apr_pool_cleanup_null);
}

static int metrics_handler(request_rec *r)
{
    apr_uint64_t values[AB_M_COUNT];
    int i;

    if (!r->handler || strcmp(r->handler, AB_METRICS_HANDLER) != 0) {
        return DECLINED;
    }
    r->allowed |= (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!table) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AB_LOGNO(10071)
                      "audit_body: metrics requested, but the server-wide "
                      "counters have no shared memory (see AB10070)");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    ap_set_content_type(r, "text/plain; version=0.0.4; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (r->header_only) {
        return OK;
    }
    for (i = 1; i < AB_M_COUNT; i++) {
        values[i] = ab_metric_total((ab_metric_e)i);
    }
    ap_rputs(cm_prom_format(r->pool, defs + 1, values + 1, AB_M_COUNT - 1), r);
    return OK;
}

/* mod_status: server-wide totals (the sinks' own lines, per child,
 * follow from mod_audit_body_sink.c). */
static int status_hook(request_rec *r, int flags)
{
    apr_uint64_t w = ab_metric_total(AB_M_RECORDS_WRITTEN);
    apr_uint64_t l = ab_metric_total(AB_M_RECORDS_LOST);
    apr_uint64_t d = ab_metric_total(AB_M_RECORDS_DROPPED);
    apr_uint64_t b = ab_metric_total(AB_M_BYTES_WRITTEN);

    if (flags & AP_STATUS_SHORT) {
        ap_rprintf(r, "AuditBodyRecordsTotal: %" APR_UINT64_T_FMT "\n"
                   "AuditBodyLostTotal: %" APR_UINT64_T_FMT "\n"
                   "AuditBodyDroppedTotal: %" APR_UINT64_T_FMT "\n"
                   "AuditBodyBytesTotal: %" APR_UINT64_T_FMT "\n",
                   w, l, d, b);
    }
    else {
        ap_rprintf(r, "<p>mod_audit_body (all children): %" APR_UINT64_T_FMT
                   " records written (%" APR_UINT64_T_FMT " bytes), %"
                   APR_UINT64_T_FMT " lost, %" APR_UINT64_T_FMT
                   " dropped</p>\n", w, b, l, d);
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
