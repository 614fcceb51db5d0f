/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_id_proxy_cache.c: the per-child cache of backend workers.
 *
 * One mutex guards the pure idp_cache (keys, refcounts, LRU, bounds), the
 * negative cache and the counters. Each cached backend owns a mod_proxy
 * worker allocated, with its connection pool, in a pool of its own, so
 * that eviction gives everything back by destroying that pool. A worker is
 * created outside the lock and published only when fully initialized; it
 * is destroyed only when no request holds it (refs 0) and none of its
 * connections is checked out. A sweeper thread per child evicts backends
 * idle for IdProxyIdleTimeout and closes the idle connections of quiet
 * backends once their ttl has passed.
 *
 * Every count also goes, where it is made, into this child's row of the
 * server-wide metrics (an atomic add, mod_id_proxy_metrics.c), and every
 * change of the cache's size sets the entries gauge there (under the
 * lock, so the last value set is the current size).
 *
 * Lock order: this cache's mutex, then mod_proxy's (reslist) locks.
 * mod_proxy never calls back into this file with its locks held, except
 * for the connection-pool cleanup, which only touches atomics.
 */
#include "apr_strings.h"
#include "apr_hash.h"
#include "apr_atomic.h"
#include "apr_thread_cond.h"
#include "ap_mpm.h"

#include "mod_id_proxy_private.h"
#include "mod_id_proxy_metrics.h"

/* Pool userdata key marking a backend's pool (see idp_count_connection). */
#define IDP_POOL_KEY "mod_id_proxy:backend"

static struct {
    apr_pool_t *pool;               /* parent of the backends' pools */
    apr_thread_mutex_t *lock;
    idp_cache_t *cache;
    idp_negcache_t *neg;            /* NULL: IdProxyNegativeTTL 0 */
    idp_admit_t *admit;             /* admissions in progress */
    apr_thread_cond_t *admitted;    /* signalled when one ends */
    apr_hash_t *vhosts;             /* server_rec * -> index (read-only) */
    apr_interval_time_t idle_timeout;
    apr_interval_time_t min_ttl;    /* shortest worker ttl of any vhost */
    server_rec *s;
    idp_child_stats_t st;           /* under lock */
    apr_uint32_t conns_created;     /* atomic */
    apr_uint32_t backend_errors;    /* atomic */
#if APR_HAS_THREADS
    apr_thread_t *sweeper;
    apr_thread_cond_t *wake;
    int stop;
#endif
} child;

/* The index of s in the server list (0: the main server), the same in
 * every child of a generation. */
static int server_index(server_rec *s)
{
    int *i = apr_hash_get(child.vhosts, &s, sizeof(s));

    return i ? *i : -1;
}

/* Under the lock, after anything that may change the cache's size. */
static void count_entries(void)
{
    idp_metric_set(IDP_M_ENTRIES, (apr_uint64_t)idp_cache_count(child.cache));
}

/* idp_cache_lookup(), counted (under the lock) as the cache counts it;
 * a hit hands the request to its backend. */
static idp_cache_entry_t *lookup(const idp_req_t *rq)
{
    idp_cache_entry_t *e = idp_cache_lookup(child.cache, rq->key,
                                            apr_time_now());

    idp_metric_add(e ? IDP_M_HITS : IDP_M_MISSES, 1);
    if (e) {
        idp_metrics_backend_count(rq->backend, 1, 0);
    }
    return e;
}

static void destroy_backend(idp_backend_t *b)
{
    if (b) {
        apr_pool_destroy(b->pool);
    }
}

/* Non-zero if none of b's connections is checked out. */
static int backend_idle(const idp_backend_t *b)
{
    proxy_worker *w = b->worker;

    if (!w->cp) {
        return 1;
    }
    if (w->s->hmax && w->cp->res) {
        return apr_reslist_acquired_count(w->cp->res) == 0;
    }
    /* Single-connection worker (no threads): the connection is out while
     * cp->conn is NULL, unless it was never made. */
    return w->cp->conn != NULL
           || apr_atomic_read32((apr_uint32_t *)&b->conns_open) == 0;
}

static int can_evict(void *baton, const idp_cache_entry_t *e)
{
    return !e->data || backend_idle(e->data);
}

/* Copy the configured parameters into a new worker, as mod_proxy would
 * have done for a ProxyPass worker with the same key=value list. */
static void apply_params(proxy_worker *w, const idp_params_t *prm,
                         proxy_server_conf *pconf)
{
    proxy_worker_shared *s = w->s;

    PROXY_COPY_CONF_PARAMS(w, pconf);
    s->ttl = apr_time_from_sec(IDP_TTL_DEFAULT);
#if AP_MODULE_MAGIC_AT_LEAST(20120211, 130)
    /* Re-resolve the host at least every IdProxy default (30 s) while
     * traffic continues: mod_proxy's default (-1) resolves once per
     * worker, and a cached worker may live for as long as it is used, so a
     * tenant removed from DNS, or whose address went to another tenant,
     * would keep getting traffic at the old address. */
    s->address_ttl = IDP_ADDRESS_TTL_DEFAULT;
    s->address_ttl_set = 1;
#endif
    if (prm->set & IDP_P_TIMEOUT) {
        s->timeout = prm->timeout;
        s->timeout_set = 1;
    }
    if (prm->set & IDP_P_CONN_TIMEOUT) {
        s->conn_timeout = prm->conn_timeout;
        s->conn_timeout_set = 1;
    }
    if (prm->set & IDP_P_TTL) {
        s->ttl = prm->ttl;
    }
    if (prm->set & IDP_P_MIN) {
        s->min = prm->min;
    }
    if (prm->set & IDP_P_HMAX) {
        s->hmax = prm->hmax;
    }
    if (prm->set & IDP_P_SMAX) {
        s->smax = prm->smax;
    }
    if (prm->set & IDP_P_ACQUIRE) {
        s->acquire = prm->acquire;
        s->acquire_set = 1;
    }
    if (prm->set & IDP_P_KEEPALIVE) {
        s->keepalive = prm->keepalive;
        s->keepalive_set = 1;
    }
    if (prm->set & IDP_P_DISABLEREUSE) {
        s->disablereuse = prm->disablereuse;
        s->disablereuse_set = 1;
    }
#if AP_MODULE_MAGIC_AT_LEAST(20120211, 130)
    if (prm->set & IDP_P_ADDRESS_TTL) {
        s->address_ttl = prm->address_ttl;
        s->address_ttl_set = 1;
    }
#endif
    if (prm->set & IDP_P_FLUSH_PACKETS) {
        s->flush_packets = prm->flush_packets == IDP_FLUSH_ON ? flush_on
                         : prm->flush_packets == IDP_FLUSH_AUTO ? flush_auto
                         : flush_off;
    }
    if (prm->set & IDP_P_FLUSH_WAIT) {
        s->flush_wait = prm->flush_wait;
    }
    if (prm->set & IDP_P_PING) {
        s->ping_timeout = prm->ping;
        s->ping_timeout_set = 1;
    }
    if (prm->set & IDP_P_IO_BUFFER) {
        s->io_buffer_size = prm->io_buffer_size;
        s->io_buffer_size_set = 1;
    }
    if (prm->set & IDP_P_RECV_BUFFER) {
        s->recv_buffer_size = prm->recv_buffer_size;
        s->recv_buffer_size_set = 1;
    }
    if (prm->set & IDP_P_RESP_FIELD) {
        s->response_field_size = prm->response_field_size;
        s->response_field_size_set = 1;
    }
    if (prm->set & IDP_P_UPGRADE) {
        apr_cpystrn(s->upgrade, prm->upgrade, sizeof(s->upgrade));
    }
}

/* A new backend: its own pool (own allocator, so that destroying it gives
 * the memory back), a worker defined there without touching mod_proxy's
 * configuration, and that worker's connection pool. */
static int create_backend(request_rec *r, const idp_req_t *rq,
                          proxy_server_conf *pconf, idp_backend_t **out)
{
    apr_allocator_t *alloc;
    apr_thread_mutex_t *mutex;
    apr_pool_t *p;
    idp_backend_t *b;
    char *err;
    apr_status_t rv;

    rv = apr_allocator_create(&alloc);
    if (rv != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_allocator_max_free_set(alloc, 1);
    rv = apr_pool_create_ex(&p, child.pool, NULL, alloc);
    if (rv != APR_SUCCESS) {
        apr_allocator_destroy(alloc);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_allocator_owner_set(alloc, p);
    apr_pool_tag(p, "id_proxy_backend");
    if (apr_thread_mutex_create(&mutex, APR_THREAD_MUTEX_DEFAULT, p)
        == APR_SUCCESS) {
        apr_allocator_mutex_set(alloc, mutex);
    }

    b = apr_pcalloc(p, sizeof(*b));
    b->pool = p;
    b->url = apr_pstrdup(p, rq->backend);
    err = idp_proxy.define_worker(p, &b->worker, NULL, NULL, b->url,
                                  AP_PROXY_WORKER_IS_PREFIX);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10002)
                      "cannot define a worker for %s: %s", b->url, err);
        apr_pool_destroy(p);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apply_params(b->worker, &rq->sconf->params, pconf);
    rv = idp_proxy.initialize_worker(b->worker, r->server, p);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, IDP_LOGNO(10003)
                      "cannot initialize the worker for %s", b->url);
        apr_pool_destroy(p);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_userdata_setn(b, IDP_POOL_KEY, NULL, p);
    *out = b;
    return OK;
}

/* r->pool cleanup: drop the request's reference. */
static apr_status_t release_entry(void *data)
{
    idp_req_t *rq = data;
    void *dead;

    if (!rq->entry) {
        return APR_SUCCESS;
    }
    apr_thread_mutex_lock(child.lock);
    dead = idp_cache_release(child.cache, rq->entry, apr_time_now());
    if (dead) {
        count_entries();
    }
    apr_thread_mutex_unlock(child.lock);
    rq->entry = NULL;
    destroy_backend(dead);
    return APR_SUCCESS;
}

/* mod_proxy is done with the request's backend connection (its
 * request_status hook runs once the scheme handler returned, and every
 * scheme handler has released its connection by then): drop the
 * reference now rather than when r->pool goes, which under HTTP/2 (or
 * write completion) waits until the client has read the response, so an
 * idle client could otherwise pin every cache slot. A handler that
 * returned SUSPENDED (an asynchronous tunnel) still uses its connection:
 * the pool cleanup, which stays registered as the backstop, drops that
 * reference at the end of the tunnel. */
void idp_backend_done(request_rec *r, idp_req_t *rq, int *status)
{
    const char *why;

    /* The worker's address expired (addressttl) and its host no longer
     * resolves: mod_proxy answers 500 "DNS lookup failure". That is a
     * backend failure like a refused admission, so a 502; the entry goes,
     * so that the next request meets the admission check (and the
     * negative cache) instead of mod_proxy's lookup again. */
    if (*status == HTTP_INTERNAL_SERVER_ERROR && rq->entry && !rq->failed
        && (why = apr_table_get(r->notes, "error-notes"))
        && ap_strstr_c(why, "Reason: <strong>DNS lookup failure for: ")) {
        void *dead = NULL;

        apr_thread_mutex_lock(child.lock);
        child.st.dns_failures++;
        idp_metric_add(IDP_M_DNS_FAILURES, 1);
        if (child.neg) {
            idp_negcache_insert(child.neg, rq->key, apr_time_now());
        }
        idp_cache_remove(child.cache, rq->entry, &dead);
        count_entries();
        apr_thread_mutex_unlock(child.lock);
        destroy_backend(dead);          /* NULL: we still hold it */
        rq->failed = 1;
        *status = HTTP_BAD_GATEWAY;
        r->status_line = NULL;          /* mod_proxy's "500 Proxy Error" */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10015)
                      "id %s: %s no longer resolves (re-resolution after "
                      "addressttl); backend dropped", rq->id, rq->host);
    }
    if (rq->entry && *status != SUSPENDED) {
        apr_pool_cleanup_run(r->pool, rq, release_entry);
    }
}

/* Keep the reference taken on e, whose worker w was read under the lock
 * (idp_cache.h: an entry's fields are only read while holding it). */
static void hold(request_rec *r, idp_req_t *rq, idp_cache_entry_t *e,
                 proxy_worker *w, proxy_worker **worker)
{
    rq->entry = e;
    rq->worker = w;
    apr_pool_cleanup_register(r->pool, rq, release_entry,
                              apr_pool_cleanup_null);
    *worker = w;
}

/* The admission of a new backend, by the one request that leads it
 * (called without the lock): only a backend whose name resolves gets a
 * worker. Returns OK with *entry held and *w its worker, or the HTTP
 * status of the failure (already logged), which the requests waiting for
 * this admission get too. */
static int admit(request_rec *r, idp_req_t *rq, proxy_server_conf *pconf,
                 idp_cache_entry_t **entry, proxy_worker **w)
{
    idp_cache_entry_t *e = NULL;
    idp_backend_t *b = NULL;
    void *evicted = NULL;
    apr_sockaddr_t *sa;
    apr_status_t rv;
    int rc, tries;

    rv = apr_sockaddr_info_get(&sa, rq->host, APR_UNSPEC, rq->port, 0,
                               r->pool);
    if (rv != APR_SUCCESS) {
        apr_thread_mutex_lock(child.lock);
        child.st.dns_failures++;
        idp_metric_add(IDP_M_DNS_FAILURES, 1);
        if (child.neg) {
            idp_negcache_insert(child.neg, rq->key, apr_time_now());
        }
        apr_thread_mutex_unlock(child.lock);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, IDP_LOGNO(10005)
                      "id %s: DNS lookup of %s failed", rq->id, rq->host);
        return HTTP_BAD_GATEWAY;
    }

    rc = create_backend(r, rq, pconf, &b);
    if (rc != OK) {
        apr_thread_mutex_lock(child.lock);
        child.st.create_failures++;
        idp_metric_add(IDP_M_WORKER_FAILURES, 1);
        apr_thread_mutex_unlock(child.lock);
        return rc;
    }

    for (tries = 0; tries < 3; tries++) {
        apr_time_t now = apr_time_now();

        apr_thread_mutex_lock(child.lock);
        rc = idp_cache_insert(child.cache, rq->key, rq->id, now, can_evict,
                              NULL, &e, &evicted);
        if (rc == IDP_CACHE_OK) {
            e->data = b;
            e->state = IDP_ENTRY_READY;
            *w = b->worker;
            b = NULL;
            idp_metric_add(IDP_M_INSERTS, 1);
            /* Every cached entry has its data set under this same lock
             * hold, so a victim always hands its data back. */
            idp_metric_add(IDP_M_EVICTIONS, evicted ? 1 : 0);
            count_entries();
            idp_metrics_backend_count(rq->backend, 1, 0);
        }
        else if (rc == IDP_CACHE_FULL) {
            idp_metric_add(IDP_M_OVERFLOWS, 1);
        }
        else if (rc == IDP_CACHE_EXISTS) {
            /* Only after a wait timed out can another admission of the
             * same key have run meanwhile: use its entry. */
            e = lookup(rq);
            if (e) {
                *w = ((idp_backend_t *)e->data)->worker;
            }
        }
        apr_thread_mutex_unlock(child.lock);
        destroy_backend(evicted);
        evicted = NULL;
        if (rc != IDP_CACHE_EXISTS || e) {
            break;
        }
    }
    destroy_backend(b);
    if (rc == IDP_CACHE_FULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10006)
                      "id %s: all %d cached backends are in use "
                      "(IdProxyMaxBackends); refusing %s", rq->id,
                      idp_cache_capacity(child.cache), rq->backend);
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (!e) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10007)
                      "id %s: cannot cache backend %s (%d)", rq->id,
                      rq->backend, rc);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    *entry = e;
    return OK;
}

int idp_backend_acquire(request_rec *r, idp_req_t *rq,
                        proxy_server_conf *pconf, proxy_worker **worker)
{
    idp_cache_entry_t *e = NULL;
    idp_admission_t *adm;
    proxy_worker *w = NULL;
    int rc, rounds;

    if (!child.cache) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* Workers are per virtual host, as ProxyPass keeps them per server:
     * a worker's connections are made under the server of the request
     * that created it (its SSLProxy* context, ProxyTimeout, buffer
     * sizes), so a backend reached from two vhosts gets two workers. */
    rq->key = apr_pstrcat(r->pool, "s", apr_itoa(r->pool,
                                                 server_index(r->server)),
                          "|", rq->key, NULL);

    apr_thread_mutex_lock(child.lock);
    for (rounds = 0; ; rounds++) {
        apr_time_t deadline;

        e = lookup(rq);
        if (e) {
            w = ((idp_backend_t *)e->data)->worker;
            apr_thread_mutex_unlock(child.lock);
            hold(r, rq, e, w, worker);
            return OK;
        }
        if (child.neg
            && idp_negcache_check(child.neg, rq->key, apr_time_now())) {
            child.st.neg_hits++;
            idp_metric_add(IDP_M_NEG_HITS, 1);
            apr_thread_mutex_unlock(child.lock);
            rq->failed = 1;
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10004)
                          "id %s: backend %s did not resolve a moment ago "
                          "(negative cache)", rq->id, rq->backend);
            return HTTP_BAD_GATEWAY;
        }
        /* One admission per backend: the first request for it leads, the
         * others wait for its result (and reuse it) rather than each
         * resolving the name and setting up a worker that all but one
         * would throw away. A found entry just admitted is used at once;
         * should it be gone already, one more round admits it again. */
        rc = rounds < 2 ? idp_admit_begin(child.admit, rq->key, &adm)
                        : IDP_ADMIT_LEADER;
        if (rounds >= 2) {
            adm = NULL;             /* lead without a slot: no third wait */
        }
        if (rc == IDP_ADMIT_LEADER) {
            break;
        }
        if (rc == IDP_ADMIT_KEY_TOO_LONG) {
            adm = NULL;             /* the cache refuses it too (10007) */
            break;
        }
        if (rc != IDP_ADMIT_WAIT) {
            child.st.admission_overflows++;
            idp_metric_add(IDP_M_OVERFLOWS, 1);
            apr_thread_mutex_unlock(child.lock);
            rq->failed = 1;
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10016)
                          "id %s: %d admissions of new backends already "
                          "in progress in this process; refusing %s",
                          rq->id, IDP_ADMISSIONS_MAX, rq->backend);
            return HTTP_SERVICE_UNAVAILABLE;
        }
        child.st.admission_waits++;
        deadline = apr_time_now() + apr_time_from_sec(IDP_ADMISSION_WAIT);
        while (!adm->done) {
            apr_interval_time_t left = deadline - apr_time_now();
            if (left <= 0) {
                break;
            }
            apr_thread_cond_timedwait(child.admitted, child.lock, left);
        }
        rc = idp_admit_leave(child.admit, adm);
        if (rc == IDP_ADMIT_PENDING) {
            apr_thread_mutex_unlock(child.lock);
            rq->failed = 1;
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10017)
                          "id %s: the admission of backend %s took more "
                          "than %d s; giving up", rq->id, rq->backend,
                          IDP_ADMISSION_WAIT);
            return HTTP_SERVICE_UNAVAILABLE;
        }
        if (rc != OK) {
            apr_thread_mutex_unlock(child.lock);
            rq->failed = 1;
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, IDP_LOGNO(10018)
                          "id %s: the admission of backend %s that this "
                          "request waited for failed (%d)", rq->id,
                          rq->backend, rc);
            return rc;
        }
    }
    apr_thread_mutex_unlock(child.lock);

    rc = admit(r, rq, pconf, &e, &w);

    apr_thread_mutex_lock(child.lock);
    if (adm) {
        idp_admit_end(child.admit, adm, rc);
        apr_thread_cond_broadcast(child.admitted);
    }
    apr_thread_mutex_unlock(child.lock);
    if (rc != OK) {
        rq->failed = 1;
        return rc;
    }
    hold(r, rq, e, w, worker);
    return OK;
}

/* pre_connection: a backend connection's pool is three levels below its
 * worker's pool (conn->scpool < conn->pool < cp->pool < our pool), see
 * connection_make() in proxy_util.c. Count it, and its closing. */
static apr_status_t conn_closed(void *data)
{
    apr_atomic_dec32(&((idp_backend_t *)data)->conns_open);
    return APR_SUCCESS;
}

void idp_count_connection(conn_rec *c)
{
    apr_pool_t *p = c->pool;
    void *data = NULL;
    int i;

    for (i = 0; i < 3 && p; i++) {
        p = apr_pool_parent_get(p);
    }
    if (!p || apr_pool_userdata_get(&data, IDP_POOL_KEY, p) != APR_SUCCESS
        || !data) {
        return;
    }
    apr_atomic_inc32(&((idp_backend_t *)data)->conns_created);
    apr_atomic_inc32(&((idp_backend_t *)data)->conns_open);
    apr_atomic_inc32(&child.conns_created);
    idp_metric_add(IDP_M_CONNS_CREATED, 1);
    apr_pool_cleanup_register(c->pool, data, conn_closed,
                              apr_pool_cleanup_null);
}

void idp_note_backend_error(const char *backend)
{
    apr_atomic_inc32(&child.backend_errors);
    idp_metric_add(IDP_M_BACKEND_ERRORS, 1);
    if (child.lock && idp_metrics_backends_on()) {
        apr_thread_mutex_lock(child.lock);
        idp_metrics_backend_count(backend, 0, 1);
        apr_thread_mutex_unlock(child.lock);
    }
}

void idp_cache_publish_backends(void)
{
    if (child.lock && idp_metrics_backends_on()) {
        apr_thread_mutex_lock(child.lock);
        idp_metrics_backends_publish();
        apr_thread_mutex_unlock(child.lock);
    }
}

/* ------------------------------------------------------------ sweeping */

/* Close the idle connections of a quiet backend: with every connection
 * idle for at least ttl, one reslist acquire destroys them all (they have
 * expired) and hands back a fresh, unconnected one, which is discarded. */
static void drain(idp_backend_t *b)
{
    apr_reslist_t *rl = b->worker->cp ? b->worker->cp->res : NULL;
    void *res;

    if (!rl || apr_reslist_acquired_count(rl) != 0) {
        return;
    }
    if (apr_reslist_acquire(rl, &res) == APR_SUCCESS) {
        proxy_conn_rec *conn = res;
        if (!conn->sock) {
            apr_reslist_invalidate(rl, res);
        }
        else {
            apr_reslist_release(rl, res);
        }
    }
}

typedef struct {
    apr_time_t now;
    apr_array_header_t *done;       /* entries to cool */
    apr_array_header_t *drain;      /* backends to drain, then cool */
    apr_array_header_t *single;     /* single-connection workers to evict */
} sweep_ctx_t;

/* A warm idle entry, idle at least the shortest ttl of any worker. */
static int sweep_one(void *baton, const idp_cache_entry_t *e)
{
    sweep_ctx_t *sc = baton;
    idp_backend_t *b = e->data;
    apr_interval_time_t ttl;
    apr_array_header_t *to = sc->done;

    if (b && e->state == IDP_ENTRY_READY
        && apr_atomic_read32(&b->conns_open) != 0) {
        ttl = b->worker->s->ttl;
        if (ttl > 0 && sc->now - e->last_used < ttl) {
            return 1;               /* not yet: seen again next time */
        }
        if (!backend_idle(b)) {
            return 1;
        }
        if (ttl > 0) {
            to = b->worker->s->hmax && b->worker->cp && b->worker->cp->res
                 ? sc->drain : sc->single;
        }
    }
    *(const idp_cache_entry_t **)apr_array_push(to) = e;
    return 1;
}

/* Called with the lock held, which it drops while destroying pools. Its
 * cost is what it finds: the entries idle longer than IdProxyIdleTimeout
 * and those that became idle for their ttl since the last pass (each is
 * drained once, then cooled until its next use). */
static void sweep(apr_pool_t *scratch)
{
    apr_array_header_t *dead = apr_array_make(scratch, 16, sizeof(void *));
    sweep_ctx_t sc;
    int i;

    sc.now = apr_time_now();
    sc.done = apr_array_make(scratch, 16, sizeof(void *));
    sc.drain = apr_array_make(scratch, 16, sizeof(void *));
    sc.single = apr_array_make(scratch, 4, sizeof(void *));
    idp_metric_add(IDP_M_EXPIRATIONS,
                   (apr_uint64_t)idp_cache_expire(child.cache, sc.now,
                                                  child.idle_timeout,
                                                  can_evict, NULL, dead));
    idp_cache_idle_do(child.cache, sc.now - child.min_ttl, sweep_one, &sc);
    for (i = 0; i < sc.drain->nelts; i++) {
        idp_cache_entry_t *e = ((idp_cache_entry_t **)sc.drain->elts)[i];
        drain(e->data);
        idp_cache_cool(child.cache, e);
    }
    for (i = 0; i < sc.done->nelts; i++) {
        idp_cache_cool(child.cache,
                       ((idp_cache_entry_t **)sc.done->elts)[i]);
    }
    for (i = 0; i < sc.single->nelts; i++) {
        idp_cache_entry_t *e = ((idp_cache_entry_t **)sc.single->elts)[i];
        void *data = NULL;
        if (idp_cache_remove(child.cache, e, &data) == IDP_CACHE_OK && data) {
            *(void **)apr_array_push(dead) = data;
        }
    }
    count_entries();
    idp_metrics_backends_publish();
    apr_thread_mutex_unlock(child.lock);
    for (i = 0; i < dead->nelts; i++) {
        destroy_backend(((idp_backend_t **)dead->elts)[i]);
    }
    apr_thread_mutex_lock(child.lock);
}

#if APR_HAS_THREADS
static void *APR_THREAD_FUNC sweeper(apr_thread_t *t, void *data)
{
    apr_pool_t *scratch;

    apr_pool_create(&scratch, apr_thread_pool_get(t));
    apr_thread_mutex_lock(child.lock);
    while (!child.stop) {
        apr_thread_cond_timedwait(child.wake, child.lock,
                                  apr_time_from_sec(1));
        if (child.stop) {
            break;
        }
        sweep(scratch);
        apr_pool_clear(scratch);
    }
    apr_thread_mutex_unlock(child.lock);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static apr_status_t stop_sweeper(void *data)
{
    apr_status_t rv;

    if (child.sweeper) {
        apr_thread_mutex_lock(child.lock);
        child.stop = 1;
        apr_thread_cond_signal(child.wake);
        apr_thread_mutex_unlock(child.lock);
        apr_thread_join(&rv, child.sweeper);
        child.sweeper = NULL;
    }
    /* This child's last per-backend counts stay in its row, for the
     * child that takes the row over to go on from. */
    idp_cache_publish_backends();
    return APR_SUCCESS;
}
#endif

void idp_child_cache_init(apr_pool_t *pchild, server_rec *s)
{
    idp_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                 &id_proxy_module);
    apr_allocator_t *alloc;
    apr_thread_mutex_t *amutex;
    int cap = sc->max_backends > 0 ? sc->max_backends
                                   : IDP_MAX_BACKENDS_DEFAULT;
    apr_interval_time_t neg = sc->negative_ttl >= 0 ? sc->negative_ttl
                            : apr_time_from_sec(IDP_NEGATIVE_TTL_DEFAULT);
    apr_status_t rv;
    server_rec *v;
    int any = 0;

    memset(&child, 0, sizeof(child));
    for (v = s; v && !any; v = v->next) {
        idp_server_conf_t *vc = ap_get_module_config(v->module_config,
                                                     &id_proxy_module);
        any = vc->routes->nelts > 0;
    }
    if (!any) {
        return;                    /* no route anywhere: nothing to do */
    }
    child.s = s;
    child.vhosts = apr_hash_make(pchild);
    child.min_ttl = apr_time_from_sec(IDP_TTL_DEFAULT);
    for (v = s, any = 0; v; v = v->next, any++) {
        idp_server_conf_t *vc = ap_get_module_config(v->module_config,
                                                     &id_proxy_module);
        server_rec **k = apr_pmemdup(pchild, &v, sizeof(v));
        apr_hash_set(child.vhosts, k, sizeof(*k),
                     apr_pmemdup(pchild, &any, sizeof(any)));
        if ((vc->params.set & IDP_P_TTL) && vc->params.ttl > 0
            && vc->params.ttl < child.min_ttl) {
            child.min_ttl = vc->params.ttl;
        }
    }
    child.idle_timeout = sc->idle_timeout >= 0 ? sc->idle_timeout
                       : apr_time_from_sec(IDP_IDLE_TIMEOUT_DEFAULT);

    /* The backends' pools are created and destroyed by many threads: their
     * parent needs an allocator with a mutex. */
    if (apr_allocator_create(&alloc) != APR_SUCCESS
        || apr_thread_mutex_create(&amutex, APR_THREAD_MUTEX_DEFAULT,
                                   pchild) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, IDP_LOGNO(10008)
                     "cannot create the backend cache");
        return;
    }
    apr_allocator_mutex_set(alloc, amutex);
    apr_pool_create_ex(&child.pool, pchild, NULL, alloc);
    apr_allocator_owner_set(alloc, child.pool);
    apr_pool_tag(child.pool, "id_proxy_cache");

    apr_thread_mutex_create(&child.lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    child.cache = idp_cache_create(pchild, cap);
    child.admit = idp_admit_create(pchild, IDP_ADMISSIONS_MAX);
    apr_thread_cond_create(&child.admitted, pchild);
    if (neg > 0) {
        child.neg = idp_negcache_create(pchild, IDP_NEGCACHE_SLOTS, neg);
    }

#if APR_HAS_THREADS
    apr_thread_cond_create(&child.wake, pchild);
    /* Stop the sweeper before the backends' pools go (a pre-cleanup runs
     * before the subpools of pchild are destroyed). */
    apr_pool_pre_cleanup_register(pchild, NULL, stop_sweeper);
    rv = apr_thread_create(&child.sweeper, NULL, sweeper, NULL, pchild);
    if (rv != APR_SUCCESS) {
        child.sweeper = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, IDP_LOGNO(10009)
                     "cannot start the sweeper thread; idle backends are "
                     "then only evicted when the cache is full");
    }
#else
    (void)rv;
#endif
}

/* ---------------------------------------------------------- snapshots */

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *out;
} snap_ctx_t;

static int snap_one(void *baton, const idp_cache_entry_t *e)
{
    snap_ctx_t *sc = baton;
    idp_backend_t *b = e->data;
    idp_entry_snapshot_t *s = apr_array_push(sc->out);

    s->id = apr_pstrdup(sc->p, e->id);
    s->key = apr_pstrdup(sc->p, e->key);
    s->backend = b ? apr_pstrdup(sc->p, b->url) : "";
    s->refs = e->refs;
    s->requests = e->requests;
    s->created = e->created;
    s->last_used = e->last_used;
    s->state = e->state == IDP_ENTRY_READY ? "ready"
             : e->state == IDP_ENTRY_NEW ? "new" : "doomed";
    s->conns_created = b ? apr_atomic_read32(&b->conns_created) : 0;
    s->conns_open = b ? apr_atomic_read32(&b->conns_open) : 0;
    s->conns_busy = 0;
    s->address_ttl = b ? b->worker->s->address_ttl : 0;
    if (b && b->worker->cp && b->worker->s->hmax && b->worker->cp->res) {
        s->conns_busy = apr_reslist_acquired_count(b->worker->cp->res);
    }
    return 1;
}

int idp_snapshot(apr_pool_t *p, idp_snapshot_t *snap)
{
    snap_ctx_t sc;

    memset(snap, 0, sizeof(*snap));
    snap->entries = apr_array_make(p, 16, sizeof(idp_entry_snapshot_t));
    if (!child.cache) {
        return 0;
    }
    sc.p = p;
    sc.out = snap->entries;
    apr_thread_mutex_lock(child.lock);
    idp_cache_stats(child.cache, &snap->cache);
    snap->st = child.st;
    snap->capacity = idp_cache_capacity(child.cache);
    snap->count = idp_cache_count(child.cache);
    snap->neg_count = child.neg ? idp_negcache_count(child.neg) : 0;
    idp_cache_do(child.cache, snap_one, &sc);
    apr_thread_mutex_unlock(child.lock);
    snap->st.conns_created = apr_atomic_read32(&child.conns_created);
    snap->st.backend_errors = apr_atomic_read32(&child.backend_errors);
    snap->idle_timeout = child.idle_timeout;
    return 1;
}
