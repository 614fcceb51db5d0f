/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * cm_metrics_httpd.h: the httpd side of the server-wide counters that
 * both modules' glue shares (cm_metrics.h is the pure side). Built into
 * each module, never into the unit tests. It logs nothing: the callers
 * log with their own module and tags.
 */
#ifndef CM_METRICS_HTTPD_H
#define CM_METRICS_HTTPD_H

#include "httpd.h"
#include "cm_metrics.h"

/** Rows for a table: one per scoreboard process slot (ServerLimit), a few
 *  spare for children that died before their row could be reclaimed, and
 *  the shared last row. */
apr_size_t cm_metrics_httpd_rows(void);

/** Create or find a module's table (post_config, in the process pool, so
 *  it survives graceful restarts as the scoreboard does). Returns
 *  APR_SUCCESS without doing anything in the pre-config pass. */
apr_status_t cm_metrics_httpd_attach(cm_metrics_table_t *t, server_rec *s,
                                     const char *key, apr_size_t n_metrics,
                                     apr_uint64_t gauge_mask);

/** The start of a Prometheus handler: DECLINED unless r->handler is name,
 *  405 unless GET (or HEAD), 503 without shared memory (the caller logs
 *  it), else OK with the exposition's content type and Cache-Control
 *  set: the caller then writes the body unless r->header_only. */
int cm_metrics_handler_begin(request_rec *r, const char *name,
                             const cm_metrics_table_t *t);

#endif /* CM_METRICS_HTTPD_H */
