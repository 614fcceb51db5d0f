/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_id_proxy_metrics.h: mod_id_proxy's counters summed over every child
 * process (cm_metrics rows in shared memory).
 */
#ifndef MOD_ID_PROXY_METRICS_H
#define MOD_ID_PROXY_METRICS_H

#include "httpd.h"

/* Cell 0 of a row is its owner's pid (cm_metrics_claim). */
typedef enum {
    IDP_M_OWNER = 0,
    IDP_M_HITS,
    IDP_M_MISSES,
    IDP_M_INSERTS,
    IDP_M_EVICTIONS,
    IDP_M_EXPIRATIONS,
    IDP_M_OVERFLOWS,
    IDP_M_NEG_HITS,
    IDP_M_DNS_FAILURES,
    IDP_M_WORKER_FAILURES,
    IDP_M_BACKEND_ERRORS,
    IDP_M_CONNS_CREATED,
    IDP_M_ENTRIES,              /* gauge */
    IDP_M_COUNT
} idp_metric_e;

/** Add n to this child's cell of metric m (atomic; a no-op before
 *  child_init or without shared memory). */
void idp_metric_add(idp_metric_e m, apr_uint64_t n);

/** Set this child's cell of the gauge m (atomic; same no-ops). */
void idp_metric_set(idp_metric_e m, apr_uint64_t v);

/** Count requests and errors for backend ("scheme://host:port") when
 *  IdProxyMetricsBackends is on. Assumed to be mutex protected by the
 *  caller (the cache lock), as is idp_metrics_backends_publish(). */
void idp_metrics_backend_count(const char *backend, apr_uint64_t requests,
                               apr_uint64_t errors);

/** Non-zero when per-backend series are on in this child. */
int idp_metrics_backends_on(void);

/** Copy this child's per-backend counts into its row of shared memory. */
void idp_metrics_backends_publish(void);

/** The server-wide total of metric m. */
apr_uint64_t idp_metric_total(idp_metric_e m);

/** Hooks: shared memory, a row per child, the "id-proxy-metrics" handler,
 *  the server-status section. */
void idp_metrics_register_hooks(void);

#endif /* MOD_ID_PROXY_METRICS_H */
