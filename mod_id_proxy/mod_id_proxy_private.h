/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_id_proxy_private.h: what the glue files of mod_id_proxy share: the
 * module record, the server configuration, the per-request note and the
 * per-child backend cache. Never included by the pure idp_* files.
 */
#ifndef MOD_ID_PROXY_PRIVATE_H
#define MOD_ID_PROXY_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_regex.h"
#include "mod_proxy.h"

#include "idp_id.h"
#include "idp_template.h"
#include "idp_regex.h"
#include "idp_cache.h"
#include "idp_params.h"

/* Log tags: "IDP" plus five digits, each used at one call site only; the
 * next free number is in mod_id_proxy/next-number. */
#define IDP_LOGNO(n) "IDP" #n ": "

extern module AP_MODULE_DECLARE_DATA id_proxy_module;
#ifndef IDP_MODULE_FILE         /* AP_DECLARE_MODULE declares it there */
APLOG_USE_MODULE(id_proxy);
#endif

#define IDP_STATUS_HANDLER "id-proxy-status"

/* Defaults of the directives. */
#define IDP_MAX_BACKENDS_DEFAULT 1024
#define IDP_IDLE_TIMEOUT_DEFAULT 300     /* seconds */
#define IDP_NEGATIVE_TTL_DEFAULT 5       /* seconds */
#define IDP_NEGCACHE_SLOTS 1024
#define IDP_METRICS_BACKENDS_MAX 256     /* IdProxyMetricsBackends */
#define IDP_TTL_DEFAULT 30               /* seconds, worker ttl= */
#define IDP_ADDRESS_TTL_DEFAULT 30       /* seconds, worker addressttl= */
#define IDP_ADMISSIONS_MAX 8             /* new backends admitted at once,
                                          * per child */
#define IDP_ADMISSION_WAIT 10            /* seconds a request waits for the
                                          * admission of its backend */

/** One IdProxyRoute. */
typedef struct {
    const char *prefix;
    apr_size_t prefix_len;
    const char *tpl_str;
    idp_template_t *tpl;
    idp_source_t src;
    const char *src_str;
} idp_route_t;

typedef struct {
    apr_array_header_t *routes;     /**< idp_route_t, longest prefix first */
    const char *pattern_src;        /**< IdProxyIdPattern, NULL: default */
    ap_regex_t *pattern;
    idp_regex_t *pattern_jit;       /**< the same, JIT-compiled, or NULL */
    idp_params_t params;            /**< IdProxyWorkerParams */
    int params_index;               /**< 0: the main server's params */
    /* main server only */
    int max_backends;               /**< -1: unset */
    apr_interval_time_t idle_timeout; /**< -1: unset */
    apr_interval_time_t negative_ttl; /**< -1: unset */
    int metrics_backends;           /**< IdProxyMetricsBackends, -1: unset */
} idp_server_conf_t;

/** What the cache holds for one backend: its worker, in its own pool. */
typedef struct {
    apr_pool_t *pool;               /**< destroyed on eviction */
    proxy_worker *worker;
    const char *url;                /**< scheme://host:port */
    apr_uint32_t conns_created;     /**< TCP connections made (atomic) */
    apr_uint32_t conns_open;        /**< of which still open (atomic) */
} idp_backend_t;

/** The per-request note, set in translate_name. */
typedef struct {
    const char *id;
    const char *key;                /**< cache key */
    const char *backend;            /**< scheme://host:port */
    const char *host;
    apr_port_t port;
    const idp_server_conf_t *sconf;
    idp_cache_entry_t *entry;       /**< held from pre_request until
                                     *   mod_proxy is done (or cleanup) */
    proxy_worker *worker;           /**< entry's worker, read under lock */
    int failed;                     /**< refused before reaching mod_proxy's
                                     *   scheme handler (already logged) */
} idp_req_t;

/** mod_proxy's functions, looked up when the configuration is read, so
 *  that this module loads whatever the LoadModule order. */
typedef struct {
    char *(*define_worker)(apr_pool_t *p, proxy_worker **worker,
                           proxy_balancer *balancer, proxy_server_conf *conf,
                           const char *url, unsigned int mask);
    apr_status_t (*initialize_worker)(proxy_worker *worker, server_rec *s,
                                      apr_pool_t *p);
    void (*hook_pre_request)(proxy_HOOK_pre_request_t *pf,
                             const char *const *pre,
                             const char *const *succ, int order);
} idp_proxy_api_t;
extern idp_proxy_api_t idp_proxy;

/* mod_id_proxy_config.c */
extern const command_rec idp_cmds[];
void *idp_create_server_conf(apr_pool_t *p, server_rec *s);
void *idp_merge_server_conf(apr_pool_t *p, void *basev, void *addv);
int idp_check_routes(apr_pool_t *pconf, server_rec *s);

/* mod_id_proxy_cache.c: the per-child cache of workers */
void idp_child_cache_init(apr_pool_t *pchild, server_rec *s);
int idp_backend_acquire(request_rec *r, idp_req_t *rq,
                        proxy_server_conf *pconf, proxy_worker **worker);
void idp_backend_done(request_rec *r, idp_req_t *rq, int *status);
void idp_count_connection(conn_rec *c);
void idp_note_backend_error(const char *backend);
/** Copy this child's per-backend counts into its row (takes the lock). */
void idp_cache_publish_backends(void);

/** Counters of this child (besides the pure cache's). */
typedef struct {
    apr_uint64_t neg_hits;          /**< requests answered by the negative
                                     *   cache */
    apr_uint64_t dns_failures;      /**< lookups that failed */
    apr_uint64_t create_failures;   /**< workers that could not be set up */
    apr_uint64_t conns_created;     /**< backend TCP connections made */
    apr_uint64_t backend_errors;    /**< 502/503/504 from mod_proxy */
    apr_uint64_t admission_waits;   /**< requests that waited for another's
                                     *   admission of their backend */
    apr_uint64_t admission_overflows; /**< refused: IDP_ADMISSIONS_MAX */
} idp_child_stats_t;

/** One cache entry, copied for the status page. */
typedef struct {
    const char *id, *key, *backend, *state;
    int refs;
    apr_uint64_t requests;
    apr_time_t created, last_used;
    apr_uint32_t conns_created, conns_open, conns_busy;
    int address_ttl;                /**< seconds, -1: never re-resolved */
} idp_entry_snapshot_t;

typedef struct {
    idp_cache_stats_t cache;
    idp_child_stats_t st;
    int capacity, count, neg_count;
    apr_interval_time_t idle_timeout;
    apr_array_header_t *entries;    /**< idp_entry_snapshot_t, MRU first */
} idp_snapshot_t;

/** Copy this child's cache into snap (from p); 0 if there is none. */
int idp_snapshot(apr_pool_t *p, idp_snapshot_t *snap);

/* mod_id_proxy_status.c */
int idp_status_handler(request_rec *r);

#endif /* MOD_ID_PROXY_PRIVATE_H */
