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
 * PIPE_BUF, and a write larger than the room left in the pipe is split
 * by the kernel: a write of any size that comes in while a large one
 * waits for room lands inside it. So every write to a piped logger, small
 * or large, batch or single record, takes that sink's own cross-process
 * mutex (the "audit-body" Mutex type, one instance per piped sink, so
 * piped sinks of different virtual hosts never wait for each other;
 * tests/t/faults/torn_pipe.t).
 *
 * When the disk or the piped logger stalls, "AuditBodyLogOnFull block"
 * (the default) makes request threads wait for room, so that every record
 * is written. With "drop" a request thread never waits for the sink: a
 * record that finds the queue full after a short wait is dropped and
 * counted, and one written directly (prefork, AuditBodyLogBuffer 0, or
 * larger than a queue buffer) goes to a pipe only if the sink's mutex
 * comes within that wait and the pipe has room for the whole record (or
 * is empty: a record larger than the pipe can only wait for a reader that
 * is reading). A failed write never
 * fails the request: its records are counted and reported in a
 * rate-limited, tagged error line.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "apr_atomic.h"
#include "apr_portable.h"
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
/* AuditBodyLogOnFull drop: the pipe of a piped logger is made this large
 * (best effort: Linux caps it at /proc/sys/fs/pipe-max-size for
 * unprivileged processes, the parent opens it as root). */
#define AB_DROP_PIPE_SIZE (1024 * 1024)

/* Every sink of this configuration, for the mutexes, the writer threads
 * and the status page. */
static apr_array_header_t *all_sinks;

void ab_sink_register(apr_pool_t *pconf)
{
    ap_mutex_register(pconf, AB_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

/* Whether a write of len bytes to the pipe f surely finds room for all
 * of it now, or the pipe is empty (then a larger record waits only for a
 * reader that reads). True when that cannot be told (not Linux). */
static int pipe_has_room(apr_file_t *f, apr_size_t len)
{
#if defined(F_GETPIPE_SZ) && defined(FIONREAD)
    apr_os_file_t fd;
    int size, n = 0;

    if (apr_os_file_get(&fd, f) != APR_SUCCESS
        || (size = fcntl(fd, F_GETPIPE_SZ)) < 0
        || ioctl(fd, FIONREAD, &n) < 0) {
        return 1;
    }
    /* The pipe holds size / 4096 pages, and a write fills whole pages
     * unless its tail fits in the last one: records of 2049 bytes take a
     * page each. So count the unread bytes twice, and keep three pages
     * for the record's own first and last pages and the page being read
     * (measured on Linux 6: 1 MiB holds 103 records of 8940 bytes, 256
     * of 2100). */
    return n == 0
           || (apr_int64_t)len + 2 * (apr_int64_t)n + 3 * 4096 <= size;
#else
    return 1;
#endif
}

/* Give the log file just created at path the group of its directory
 * (httpd opens logs as root, whose group is rarely the one meant to read
 * them). Not being allowed to is not an error. */
static void set_dir_group(apr_pool_t *p, server_rec *s, apr_file_t *f,
                          const char *path)
{
    const char *slash = strrchr(path, '/');
    apr_finfo_t dir, file;
    apr_os_file_t fd;

    if (!slash
        || apr_stat(&dir, slash == path ? "/"
                    : apr_pstrndup(p, path, slash - path),
                    APR_FINFO_GROUP, p) != APR_SUCCESS
        || apr_file_info_get(&file, APR_FINFO_GROUP, f) != APR_SUCCESS
        || dir.group == file.group
        || apr_os_file_get(&fd, f) != APR_SUCCESS) {
        return;
    }
    if (fchown(fd, (uid_t)-1, dir.group) != 0) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, errno, s, AB_LOGNO(10033)
                     "audit_body: could not give %s the group of its "
                     "directory", path);
    }
}

static ab_sink_t *open_sink(apr_pool_t *pconf, server_rec *s,
                            const char *name, int drop)
{
    ab_sink_t *sink = apr_pcalloc(pconf, sizeof(*sink));
    apr_status_t rv;

    sink->name = name;
    sink->s = s;
    sink->drop = drop;
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
#ifdef F_SETPIPE_SZ
        if (drop) {
            apr_os_file_t fd;

            /* room for more records before a request has to drop one */
            if (apr_os_file_get(&fd, sink->fd) == APR_SUCCESS) {
                (void)fcntl(fd, F_SETPIPE_SZ, AB_DROP_PIPE_SIZE);
            }
        }
#endif
    }
    else {
        const char *path = ap_server_root_relative(pconf, name);
        apr_finfo_t fi;
        int created;

        if (!path) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, AB_LOGNO(10003)
                         "audit_body: invalid AuditBodyLog path %s", name);
            return NULL;
        }
        created = apr_stat(&fi, path, APR_FINFO_TYPE, pconf) != APR_SUCCESS;

        /* Records hold bodies and headers: not for everyone to read.
         * 0640 (less by the umask), in the group of the log directory,
         * as Debian keeps httpd's own logs (root:adm 0640). */
        rv = apr_file_open(&sink->fd, path,
                           APR_FOPEN_WRITE | APR_FOPEN_APPEND
                           | APR_FOPEN_CREATE | APR_FOPEN_LARGEFILE,
                           APR_FPROT_UREAD | APR_FPROT_UWRITE
                           | APR_FPROT_GREAD, pconf);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, AB_LOGNO(10004)
                         "audit_body: could not open AuditBodyLog %s",
                         path);
            return NULL;
        }
        if (created) {
            set_dir_group(pconf, s, sink->fd, path);
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
        int drop = sc->on_full == 1;

        /* No log (nor writer thread, nor queue) for a server that can
         * never write a record. */
        if (!sc->audit_on && !sc->log_here) {
            sc->sink = NULL;
            continue;
        }

        sc->sink = apr_hash_get(open, name, APR_HASH_KEY_STRING);
        if (!sc->sink) {
            sc->sink = open_sink(pconf, s, name, drop);
            if (!sc->sink) {
                return !OK;
            }
            apr_hash_set(open, name, APR_HASH_KEY_STRING, sc->sink);
            APR_ARRAY_PUSH(all_sinks, ab_sink_t *) = sc->sink;
        }
        else if (sc->sink->drop != drop) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, vs, AB_LOGNO(10030)
                         "audit_body: AuditBodyLogOnFull differs between "
                         "virtual hosts that share AuditBodyLog %s: set "
                         "the same value for all of them", name);
            return !OK;
        }
    }
    return OK;
}

int ab_sink_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv;
    int i;

    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    /* One mutex per piped sink (the instance is its index): the lock
     * file names stay short and safe whatever the program's name. */
    for (i = 0; all_sinks && i < all_sinks->nelts; i++) {
        ab_sink_t *sink = APR_ARRAY_IDX(all_sinks, i, ab_sink_t *);

        if (!sink->is_pipe) {
            continue;
        }
        rv = ap_global_mutex_create(&sink->mutex, NULL, AB_MUTEX_TYPE,
                                    apr_itoa(pconf, i), s, pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, AB_LOGNO(10005)
                         "audit_body: could not create the audit-body "
                         "mutex for %s", sink->name);
            return !OK;
        }
    }
    return OK;
}

/* At most one error line per AB_REPORT_INTERVAL per child and *last:
 * true for the one caller that may write it now. */
static int report_due(apr_uint32_t *last_report)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last = apr_atomic_read32(last_report);

    return now - last >= AB_REPORT_INTERVAL
           && apr_atomic_cas32(last_report, now, last) == last;
}

static void report_failure(ab_sink_t *sink, apr_status_t rv,
                           apr_uint32_t nrec)
{
    apr_uint32_t failures = apr_atomic_add32(&sink->failures, nrec) + nrec;

    if (report_due(&sink->last_report)) {
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

    if (sink->mutex
        && (lrv = apr_global_mutex_lock(sink->mutex)) != APR_SUCCESS
        && report_due(&sink->last_lock_report)) {
        /* as often as records are written: rate-limited like AB10007 */
        ap_log_error(APLOG_MARK, APLOG_ERR, lrv, sink->s, AB_LOGNO(10008)
                     "audit_body: could not lock the audit-body mutex of "
                     "%s; records are written without it (at most one "
                     "such line per %d s)", sink->name, AB_REPORT_INTERVAL);
    }
    rv = apr_file_write_full(sink->fd, buf, len, NULL);
    if (lrv == APR_SUCCESS) {
        apr_global_mutex_unlock(sink->mutex);
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

    for (i = 0; all_sinks && i < all_sinks->nelts; i++) {
        ab_sink_t *sink = APR_ARRAY_IDX(all_sinks, i, ab_sink_t *);

        if (!sink->mutex) {
            continue;
        }
        rv = apr_global_mutex_child_init(&sink->mutex,
                                         apr_global_mutex_lockfile(sink->mutex),
                                         pchild);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AB_LOGNO(10006)
                         "audit_body: could not attach the audit-body mutex "
                         "of %s in this child; records are written without "
                         "it", sink->name);
            sink->mutex = NULL;
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
        if (rv == APR_SUCCESS) {
            ab_batch_set_drop(sink->batch, sink->drop);
        }
        else {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AB_LOGNO(10009)
                         "audit_body: could not start the writer thread "
                         "for %s; request threads write their records",
                         sink->name);
            sink->batch = NULL;
        }
    }
}

void ab_sink_missing(request_rec *r)
{
    static apr_uint32_t last_report;

    if (report_due(&last_report)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, AB_LOGNO(10032)
                      "audit_body: AuditBody is On for %s only from a "
                      ".htaccess file, and server %s opened no log: no "
                      "record is written; put AuditBodyLog (or AuditBody "
                      "On) in its configuration (at most one such line "
                      "per %d s)", r->uri, r->server->server_hostname,
                      AB_REPORT_INTERVAL);
    }
}

/* AuditBodyLogOnFull drop: count a record the sink had no room for. */
static void report_drop(request_rec *r, ab_sink_t *sink)
{
    apr_uint32_t dropped = apr_atomic_inc32(&sink->dropped) + 1;

    ab_metric_add(AB_M_RECORDS_DROPPED, 1);

    if (report_due(&sink->last_drop_report)) {
        /* r is NULL for an interim record (written by a child's thread) */
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, r ? r->server : sink->s,
                     AB_LOGNO(10031) "audit_body: %s is full (stalled disk "
                     "or piped logger): record dropped (AuditBodyLogOnFull "
                     "drop); %u records dropped in this process so far (at "
                     "most one such line per %d s)", sink->name, dropped,
                     AB_REPORT_INTERVAL);
    }
}

/* AuditBodyLogOnFull drop, a record written by its request thread: to a
 * pipe only if the sink's mutex comes within AB_BATCH_MAX_WAIT and the
 * whole record fits in the pipe now (or the pipe is empty). A file is
 * written directly: there is no telling a stalled disk in advance. */
static void write_or_drop(request_rec *r, ab_sink_t *sink, const char *rec,
                          apr_size_t len)
{
    apr_status_t lrv, rv;

    if (!sink->is_pipe || !sink->mutex) {
        write_records(sink, rec, len, 1);
        return;
    }
    lrv = apr_global_mutex_timedlock(sink->mutex, AB_BATCH_MAX_WAIT);
    if (lrv == APR_ENOTIMPL) {
        lrv = apr_global_mutex_trylock(sink->mutex);
    }
    if (lrv != APR_SUCCESS) {
        if (APR_STATUS_IS_TIMEUP(lrv) || APR_STATUS_IS_EBUSY(lrv)) {
            report_drop(r, sink);
        }
        else {
            write_records(sink, rec, len, 1);  /* reports the lock error */
        }
        return;
    }
    if (!pipe_has_room(sink->fd, len)) {
        apr_global_mutex_unlock(sink->mutex);
        report_drop(r, sink);
        return;
    }
    rv = apr_file_write_full(sink->fd, rec, len, NULL);
    apr_global_mutex_unlock(sink->mutex);
    if (rv != APR_SUCCESS) {
        report_failure(sink, rv, 1);
    }
    else {
        apr_atomic_inc32(&sink->written);
    }
}

void ab_sink_write(request_rec *r, ab_sink_t *sink, const char *rec,
                   apr_size_t len)
{
    apr_status_t rv;

    if (sink->batch) {
        rv = ab_batch_put(sink->batch, rec, len);
        if (rv == APR_EAGAIN && sink->drop) {
            report_drop(r, sink);
        }
        else if (rv == APR_ENOSPC && sink->drop) {
            write_or_drop(r, sink, rec, len);
        }
    }
    else if (sink->drop) {
        write_or_drop(r, sink, rec, len);
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
        apr_uint32_t dropped = apr_atomic_read32(&sink->dropped);
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
                       "AuditBodyQueueFull(%s): %u\n"
                       "AuditBodyDropped(%s): %u\n", sink->name, ok,
                       sink->name, failed, sink->name, st.batches,
                       sink->name, st.direct, sink->name, st.waits,
                       sink->name, dropped);
        }
        else {
            ap_rprintf(r, "<p>mod_audit_body (this child): %s: %u records "
                       "written, %u lost, %u dropped (log full, %s); %s: %u "
                       "batch writes, %u records written directly, queue "
                       "full %u times</p>\n",
                       ap_escape_html(r->pool, sink->name), ok, failed,
                       dropped, sink->drop ? "drop" : "block",
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
