/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_sink.c: where records are written.
 *
 * One write per record. A file is opened with O_APPEND, and one write()
 * to a local file is appended whole, so concurrent records never
 * interleave without any lock (t/audit_body/concurrency.t proves it). A
 * pipe is atomic only up to PIPE_BUF, so larger records to a piped logger
 * take a cross-process mutex (the "audit-body" Mutex type). A failed write
 * never fails the request: it is counted and reported in a rate-limited,
 * tagged error line.
 */
#include <limits.h>

#include "apr_atomic.h"
#include "apr_strings.h"
#include "apr_global_mutex.h"
#include "http_core.h"
#include "http_main.h"
#include "http_protocol.h"
#include "util_mutex.h"
#include "mod_status.h"

#include "mod_audit_body_private.h"

#define AB_MUTEX_TYPE "audit-body"
#define AB_DEFAULT_LOG "logs/audit_body.log"
/* At most one error line per this many seconds per child. */
#define AB_REPORT_INTERVAL 10

static apr_global_mutex_t *sink_mutex;
/* Every sink of this configuration, for the status page. */
static apr_array_header_t *all_sinks;

void ab_sink_register(apr_pool_t *pconf)
{
    ap_mutex_register(pconf, AB_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

static ab_sink_t *open_sink(apr_pool_t *pconf, server_rec *s,
                            const char *name)
{
    ab_sink_t *sink = apr_pcalloc(pconf, sizeof(*sink));
    apr_status_t rv;

    sink->name = name;
    if (name[0] == '|') {
        piped_log *pl = ap_open_piped_log(pconf, name + 1);
        if (!pl) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AB_LOGNO(10002)
                         "audit_body: could not start the piped log "
                         "program '%s' (AuditBodyLog)", name + 1);
            return NULL;
        }
        sink->fd = ap_piped_log_write_fd(pl);
        sink->is_pipe = 1;
    }
    else {
        const char *path = ap_server_root_relative(pconf, name);
        if (!path) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AB_LOGNO(10003)
                         "audit_body: invalid AuditBodyLog path %s", name);
            return NULL;
        }
        rv = apr_file_open(&sink->fd, path,
                           APR_FOPEN_WRITE | APR_FOPEN_APPEND
                           | APR_FOPEN_CREATE | APR_FOPEN_LARGEFILE,
                           APR_FPROT_OS_DEFAULT, pconf);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, AB_LOGNO(10004)
                         "audit_body: could not open AuditBodyLog %s",
                         path);
            return NULL;
        }
    }
    return sink;
}

int ab_sink_open_all(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    /* Virtual hosts naming the same target share one sink. */
    apr_hash_t *open = apr_hash_make(ptemp);
    server_rec *vs;

    all_sinks = apr_array_make(pconf, 2, sizeof(ab_sink_t *));
    for (vs = s; vs; vs = vs->next) {
        ab_server_conf_t *sc = ap_get_module_config(vs->module_config,
                                                    &audit_body_module);
        const char *name = sc->log_name ? sc->log_name : AB_DEFAULT_LOG;

        sc->sink = apr_hash_get(open, name, APR_HASH_KEY_STRING);
        if (!sc->sink) {
            sc->sink = open_sink(pconf, s, name);
            if (!sc->sink) {
                return !OK;
            }
            apr_hash_set(open, name, APR_HASH_KEY_STRING, sc->sink);
            APR_ARRAY_PUSH(all_sinks, ab_sink_t *) = sc->sink;
        }
    }
    return OK;
}

int ab_sink_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    rv = ap_global_mutex_create(&sink_mutex, NULL, AB_MUTEX_TYPE, NULL, s,
                                pconf, 0);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, AB_LOGNO(10005)
                     "audit_body: could not create the audit-body mutex");
        return !OK;
    }
    return OK;
}

void ab_sink_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (!sink_mutex) {
        return;
    }
    rv = apr_global_mutex_child_init(&sink_mutex,
                                     apr_global_mutex_lockfile(sink_mutex),
                                     pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AB_LOGNO(10006)
                     "audit_body: could not attach the audit-body mutex in "
                     "this child; records are written without it");
        sink_mutex = NULL;
    }
}

static void report_failure(request_rec *r, ab_sink_t *sink, apr_status_t rv)
{
    apr_uint32_t failures = apr_atomic_inc32(&sink->failures) + 1;
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last = apr_atomic_read32(&sink->last_report);

    if (now - last >= AB_REPORT_INTERVAL
        && apr_atomic_cas32(&sink->last_report, now, last) == last) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, AB_LOGNO(10007)
                      "audit_body: writing a record to %s failed; %u "
                      "records lost in this process so far", sink->name,
                      failures);
    }
}

void ab_sink_write(request_rec *r, ab_sink_t *sink, const char *rec,
                   apr_size_t len)
{
    apr_status_t rv, lrv = APR_ENOLOCK;
    int lock = sink->is_pipe && len > PIPE_BUF && sink_mutex;

    if (lock && (lrv = apr_global_mutex_lock(sink_mutex)) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, lrv, r, AB_LOGNO(10008)
                      "audit_body: could not lock the audit-body mutex");
    }
    rv = apr_file_write_full(sink->fd, rec, len, NULL);
    if (lrv == APR_SUCCESS) {
        apr_global_mutex_unlock(sink_mutex);
    }
    if (rv != APR_SUCCESS) {
        report_failure(r, sink, rv);
    }
    else {
        apr_atomic_inc32(&sink->written);
    }
}

/* mod_status: the counters of the child that serves the status request. */
static int status_hook(request_rec *r, int flags)
{
    int i;

    for (i = 0; all_sinks && i < all_sinks->nelts; i++) {
        ab_sink_t *sink = APR_ARRAY_IDX(all_sinks, i, ab_sink_t *);
        apr_uint32_t ok = apr_atomic_read32(&sink->written);
        apr_uint32_t failed = apr_atomic_read32(&sink->failures);

        if (flags & AP_STATUS_SHORT) {
            ap_rprintf(r, "AuditBodyRecords(%s): %u\n"
                       "AuditBodyLost(%s): %u\n", sink->name, ok,
                       sink->name, failed);
        }
        else {
            ap_rprintf(r, "<p>mod_audit_body (this child): %s: %u records "
                       "written, %u lost</p>\n",
                       ap_escape_html(r->pool, sink->name), ok, failed);
        }
    }
    return OK;
}

void ab_sink_register_hooks(void)
{
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
