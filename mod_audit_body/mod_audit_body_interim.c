/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_interim.c: interim records of long requests (issue 13,
 * AuditBodyInterim). A request still running after the interval (a
 * WebSocket tunnel, an SSE stream, a slow upload) gets a record with
 * "phase": "interim" and what is known so far, again every interval; the
 * final record follows with "phase": "final" and the same id.
 *
 * No request thread is ever blocked for it. Each child keeps a list of
 * its audited requests in flight; an entry is made by the request thread
 * (insert_filter) with everything that does not change: the id, the
 * request line, a copy of the request headers and the URI, both already
 * redacted. A thread of the child looks at the list once a second and,
 * under the list's lock, formats the records that are due from that
 * template and the counters the filters keep (word-sized reads of
 * counters; never a table of the request, which its thread may change),
 * into its own pool; it writes them after dropping the lock. An entry
 * leaves the list in a cleanup of the request's pool (under the lock), so
 * the thread never sees a request whose memory is gone.
 */
#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "apr_thread_mutex.h"
#include "apr_thread_cond.h"
#include "ap_mpm.h"
#include "http_request.h"

#include "mod_audit_body_private.h"
#include "ab_record.h"
#include "mod_audit_body_metrics.h"

#if APR_HAS_THREADS

typedef struct interim_s {
    struct interim_s *next, *prev;
    request_rec *r;
    const ab_ctx_t *ctx;
    ab_sink_t *sink;
    ab_record_t tpl;            /* what does not change */
    apr_time_t due;
    apr_interval_time_t every;
} interim_t;

static struct {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *wake;
    apr_thread_t *thread;
    interim_t *head;
    int stop;
} in;

static apr_status_t unlink_entry(void *data)
{
    interim_t *e = data;

    apr_thread_mutex_lock(in.lock);
    if (e->prev) {
        e->prev->next = e->next;
    }
    else if (in.head == e) {
        in.head = e->next;
    }
    if (e->next) {
        e->next->prev = e->prev;
    }
    e->next = e->prev = NULL;
    apr_thread_mutex_unlock(in.lock);
    return APR_SUCCESS;
}

void ab_interim_register(request_rec *r, ab_ctx_t *ctx, const char *id,
                         const char *vhost, const char *host)
{
    ab_server_conf_t *sc = ap_get_module_config(r->server->module_config,
                                                &audit_body_module);
    interim_t *e;

    if (!in.lock || ctx->interim || sc->interim <= 0 || !sc->sink) {
        return;
    }
    e = apr_pcalloc(r->pool, sizeof(*e));
    e->r = r;
    e->ctx = ctx;
    e->sink = sc->sink;
    e->every = sc->interim;
    e->due = r->request_time + sc->interim;
    e->tpl.time = r->request_time;
    e->tpl.id = id;
    e->tpl.phase = "interim";
    e->tpl.host = host;
    e->tpl.vhost = vhost;
    e->tpl.client_ip = r->useragent_ip;
    e->tpl.client_port = r->useragent_addr ? r->useragent_addr->port : 0;
    e->tpl.method = r->method;
    e->tpl.uri = r->unparsed_uri;
    e->tpl.protocol = r->protocol;
    e->tpl.request.headers = apr_table_copy(r->pool, r->headers_in);
    e->tpl.request.content_type = apr_table_get(r->headers_in,
                                                "Content-Type");
    e->tpl.request.state = "in-progress";
    e->tpl.response.headers = apr_table_make(r->pool, 1);
    e->tpl.response.state = "in-progress";
    e->tpl.mask = ab_conf_mask(ab_dir_conf(r));
    e->tpl.ttfb_us = -1;
    /* what the final record redacts, redacted now (uri, Referer) */
    ab_redact_record(r, r, &e->tpl, r->pool);
    ctx->interim = 1;
    ctx->interim_entry = e;
    apr_thread_mutex_lock(in.lock);
    e->next = in.head;
    if (in.head) {
        in.head->prev = e;
    }
    in.head = e;
    apr_thread_mutex_unlock(in.lock);
    apr_pool_cleanup_register(r->pool, e, unlink_entry,
                              apr_pool_cleanup_null);
}

void ab_interim_done(request_rec *r, ab_ctx_t *ctx)
{
    /* the final record is being written: no interim after it */
    if (ctx->interim_entry) {
        apr_pool_cleanup_run(r->pool, ctx->interim_entry, unlink_entry);
        ctx->interim_entry = NULL;
    }
}

/* One due record, formatted into p (under the lock). */
static char *format_one(apr_pool_t *p, interim_t *e, apr_time_t now,
                        apr_size_t *len)
{
    ab_record_t rec = e->tpl;
    const ab_ctx_t *ctx = e->ctx;
    apr_time_t fb = ctx->first_byte;

    rec.status = e->r->status;
    rec.latency_us = now - e->tpl.time;
    rec.ttfb_us = fb ? fb - e->tpl.time : -1;
    rec.bytes_received = ctx->req.total;
    rec.bytes_sent = ctx->resp.total;
    rec.request.total = ctx->req.total;
    rec.response.total = ctx->resp.total;
    return ab_record_format(p, &rec, len);
}

typedef struct {
    ab_sink_t *sink;
    char *line;
    apr_size_t len;
} due_t;

#define INTERIM_BATCH 64

static void *APR_THREAD_FUNC interim_thread(apr_thread_t *t, void *data)
{
    apr_pool_t *p;
    due_t due[INTERIM_BATCH];

    apr_pool_create(&p, NULL);
    apr_thread_mutex_lock(in.lock);
    while (!in.stop) {
        apr_time_t now;
        interim_t *e;
        int n = 0, i;

        apr_thread_cond_timedwait(in.wake, in.lock, apr_time_from_sec(1));
        if (in.stop) {
            break;
        }
        now = apr_time_now();
        apr_pool_clear(p);
        for (e = in.head; e && n < INTERIM_BATCH; e = e->next) {
            if (e->due <= now) {
                due[n].sink = e->sink;
                due[n].line = format_one(p, e, now, &due[n].len);
                n++;
                while (e->due <= now) {
                    e->due += e->every;
                }
            }
        }
        apr_thread_mutex_unlock(in.lock);
        for (i = 0; i < n; i++) {
            ab_sink_write(NULL, due[i].sink, due[i].line, due[i].len);
            ab_metric_add(AB_M_INTERIM_RECORDS, 1);
        }
        apr_thread_mutex_lock(in.lock);
    }
    apr_thread_mutex_unlock(in.lock);
    apr_pool_destroy(p);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* Runs before the sinks' queues close (a pre-cleanup registered after
 * theirs runs first). */
static apr_status_t stop_thread(void *data)
{
    apr_status_t rv;

    apr_thread_mutex_lock(in.lock);
    in.stop = 1;
    apr_thread_cond_signal(in.wake);
    apr_thread_mutex_unlock(in.lock);
    apr_thread_join(&rv, in.thread);
    in.thread = NULL;
    return APR_SUCCESS;
}

void ab_interim_child_init(apr_pool_t *pchild, server_rec *s)
{
    server_rec *v;
    apr_status_t rv;
    int any = 0;

    memset(&in, 0, sizeof(in));
    for (v = s; v; v = v->next) {
        ab_server_conf_t *sc = ap_get_module_config(v->module_config,
                                                    &audit_body_module);
        any |= sc->interim > 0;
    }
    if (!any) {
        return;
    }
    if ((rv = apr_thread_mutex_create(&in.lock, APR_THREAD_MUTEX_DEFAULT,
                                      pchild)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&in.wake, pchild)) != APR_SUCCESS
        || (rv = apr_thread_create(&in.thread, NULL, interim_thread, NULL,
                                   pchild)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, AB_LOGNO(10079)
                     "audit_body: could not start the interim-record "
                     "thread; AuditBodyInterim is off in this child");
        in.lock = NULL;
        return;
    }
    apr_pool_pre_cleanup_register(pchild, NULL, stop_thread);
}

#else /* !APR_HAS_THREADS */

void ab_interim_register(request_rec *r, ab_ctx_t *ctx, const char *id,
                         const char *vhost, const char *host)
{
}

void ab_interim_done(request_rec *r, ab_ctx_t *ctx)
{
}

void ab_interim_child_init(apr_pool_t *pchild, server_rec *s)
{
}

#endif
