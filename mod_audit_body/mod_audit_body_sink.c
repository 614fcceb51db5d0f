/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_sink.c: where records are written.
 *
 * Under a threaded MPM each child has, per log, a queue (ab_batch.c) and
 * a writer thread that writes many whole records with one write(); the
 * request thread only copies its record into the queue. Under prefork,
 * or with AuditBodyLogBuffer 0, each record is written by its request
 * thread. Either way every write() holds whole records only. A file is
 * opened with O_APPEND, and one write() to a local file is appended
 * whole, so concurrent writes never interleave without any lock
 * (tests/t/audit_body/concurrency.t proves it). A pipe is atomic only up to
 * PIPE_BUF, so larger writes to a piped logger take a cross-process mutex
 * (the "audit-body" Mutex type); with a queue every pipe write takes it,
 * so no other write can land inside a large one. A failed write never
 * fails the request: its records are counted and reported in a
 * rate-limited, tagged error line.
 */
#include <limits.h>

#include "apr_atomic.h"
#include "apr_strings.h"
#include "apr_global_mutex.h"
#include "ap_mpm.h"
#include "http_core.h"
#include "http_main.h"
#include "http_protocol.h"
#include "util_mutex.h"
#include "mod_status.h"

#include "mod_audit_body_metrics.h"

#include "mod_audit_body_private.h"

#define AB_MUTEX_TYPE "audit-body"
#define AB_DEFAULT_LOG "logs/audit_body.log"
/* At most one error line per this many seconds per child. */
#define AB_REPORT_INTERVAL 10
/* How long a request thread waits for room in a full queue before it
 * writes its record itself. */
#define AB_BATCH_MAX_WAIT apr_time_from_msec(10)

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
    sink->s = s;
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

static void report_failure(ab_sink_t *sink, apr_status_t rv,
                           apr_uint32_t nrec)
{
    apr_uint32_t failures = apr_atomic_add32(&sink->failures, nrec) + nrec;
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last = apr_atomic_read32(&sink->last_report);

    if (now - last >= AB_REPORT_INTERVAL
        && apr_atomic_cas32(&sink->last_report, now, last) == last) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, sink->s, AB_LOGNO(10007)
                     "audit_body: writing %u record%s to %s failed; %u "
                     "records lost in this process so far", nrec,
                     nrec == 1 ? "" : "s", sink->name, failures);
    }
}

/* Add what the queue counted since the last call to the server-wide
 * counters. Writers race here (the writer thread and request threads
 * that write directly): each counter's published mark moves forward
 * with a compare-and-swap, and only the thread that moved it adds the
 * difference, so nothing is counted twice. */
static void publish_one(apr_uint32_t *mark, apr_uint32_t now, ab_metric_e m)
{
    apr_uint32_t prev = apr_atomic_read32(mark);

    while (now != prev) {
        apr_uint32_t seen = apr_atomic_cas32(mark, now, prev);
        if (seen == prev) {
            ab_metric_add(m, (apr_uint32_t)(now - prev));
            return;
        }
        prev = seen;
        if ((apr_int32_t)(now - prev) <= 0) {
            return;                 /* a later snapshot was published */
        }
    }
}

static void publish_batch_stats(ab_sink_t *sink, apr_uint32_t nrec)
{
    ab_batch_stats_t st;

    if (!sink->batch) {             /* no queue: every record is direct */
        ab_metric_add(AB_M_DIRECT_WRITES, nrec);
        return;
    }
    ab_batch_stats(sink->batch, &st);
    publish_one(&sink->pub_batches, st.batches, AB_M_BATCHES);
    publish_one(&sink->pub_direct, st.direct, AB_M_DIRECT_WRITES);
    publish_one(&sink->pub_waits, st.waits, AB_M_QUEUE_FULL);
}

/* Write nrec whole records with one write(). Called by request threads
 * (no queue, or a record the queue could not take) and by the writer
 * thread; the fd is never shared with anything that buffers. */
static apr_status_t write_records(void *baton, const char *buf,
                                  apr_size_t len, apr_uint32_t nrec)
{
    ab_sink_t *sink = baton;
    apr_status_t rv, lrv = APR_ENOLOCK;
    int lock = sink->is_pipe && sink_mutex
               && (len > PIPE_BUF || sink->batch);

    if (lock && (lrv = apr_global_mutex_lock(sink_mutex)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, lrv, sink->s, AB_LOGNO(10008)
                     "audit_body: could not lock the audit-body mutex");
    }
    rv = apr_file_write_full(sink->fd, buf, len, NULL);
    if (lrv == APR_SUCCESS) {
        apr_global_mutex_unlock(sink_mutex);
    }
    if (rv != APR_SUCCESS) {
        report_failure(sink, rv, nrec);
        ab_metric_add(AB_M_RECORDS_LOST, nrec);
    }
    else {
        apr_atomic_add32(&sink->written, nrec);
        ab_metric_add(AB_M_RECORDS_WRITTEN, nrec);
        ab_metric_add(AB_M_BYTES_WRITTEN, len);
    }
    publish_batch_stats(sink, nrec);
    return rv;
}

void ab_sink_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_interval_time_t delay;
    apr_size_t size = ab_log_buffer(s, &delay);
    apr_status_t rv;
    int threaded = 0, i;

    if (sink_mutex) {
        rv = apr_global_mutex_child_init(&sink_mutex,
                                         apr_global_mutex_lockfile(sink_mutex),
                                         pchild);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AB_LOGNO(10006)
                         "audit_body: could not attach the audit-body mutex "
                         "in this child; records are written without it");
            sink_mutex = NULL;
        }
    }
    /* Without threads (prefork) there is nobody to write in the
     * background: each request writes its own record. */
    if (size == 0 || !all_sinks
        || ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded) != APR_SUCCESS
        || threaded == AP_MPMQ_NOT_SUPPORTED) {
        return;
    }
    for (i = 0; i < all_sinks->nelts; i++) {
        ab_sink_t *sink = APR_ARRAY_IDX(all_sinks, i, ab_sink_t *);

        /* The queue closes in a pre-cleanup of pchild: when the child
         * exits (graceful or not, MaxConnectionsPerChild), its workers
         * are joined first, then every queued record is written. */
        rv = ab_batch_create(&sink->batch, pchild, size, delay,
                             AB_BATCH_MAX_WAIT, write_records, sink);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AB_LOGNO(10009)
                         "audit_body: could not start the writer thread "
                         "for %s; request threads write their records",
                         sink->name);
            sink->batch = NULL;
        }
    }
}

void ab_sink_write(request_rec *r, ab_sink_t *sink, const char *rec,
                   apr_size_t len)
{
    if (sink->batch) {
        ab_batch_put(sink->batch, rec, len);
    }
    else {
        write_records(sink, rec, len, 1);
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
        ab_batch_stats_t st;

        memset(&st, 0, sizeof(st));
        if (sink->batch) {
            ab_batch_stats(sink->batch, &st);
        }
        if (flags & AP_STATUS_SHORT) {
            ap_rprintf(r, "AuditBodyRecords(%s): %u\n"
                       "AuditBodyLost(%s): %u\n"
                       "AuditBodyBatches(%s): %u\n"
                       "AuditBodyDirect(%s): %u\n"
                       "AuditBodyQueueFull(%s): %u\n", sink->name, ok,
                       sink->name, failed, sink->name, st.batches,
                       sink->name, st.direct, sink->name, st.waits);
        }
        else {
            ap_rprintf(r, "<p>mod_audit_body (this child): %s: %u records "
                       "written, %u lost; %s: %u batch writes, %u records "
                       "written directly, queue full %u times</p>\n",
                       ap_escape_html(r->pool, sink->name), ok, failed,
                       sink->batch ? "queued" : "no queue", st.batches,
                       st.direct, st.waits);
        }
    }
    return OK;
}

void ab_sink_register_hooks(void)
{
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
