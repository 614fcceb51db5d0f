/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_metrics.h: mod_audit_body's counters, summed over every
 * child process (cm_metrics rows in shared memory), for server-status and
 * the Prometheus handler "audit-body-metrics".
 */
#ifndef MOD_AUDIT_BODY_METRICS_H
#define MOD_AUDIT_BODY_METRICS_H

#include "httpd.h"

/* Cell 0 of a row is its owner's pid (cm_metrics_claim). The order is the
 * exposition order; series of one metric stay together. */
typedef enum {
    AB_M_OWNER = 0,
    AB_M_RECORDS_WRITTEN,
    AB_M_RECORDS_LOST,
    AB_M_RECORDS_DROPPED,
    AB_M_BYTES_WRITTEN,
    AB_M_BATCHES,
    AB_M_DIRECT_WRITES,
    AB_M_QUEUE_FULL,
    AB_M_TRUNCATED_REQUEST,
    AB_M_TRUNCATED_RESPONSE,
    AB_M_SKIP_UPGRADE,
    AB_M_SKIP_EVENT_STREAM,
    AB_M_SKIP_ATTACHMENT,
    AB_M_SKIP_OCTET_STREAM,
    AB_M_SKIP_TYPE,
    AB_M_SKIP_NO_BODY,
    AB_M_SKIP_LIMIT_ZERO,
    AB_M_SKIP_NO_TYPE,
    AB_M_SKIP_OTHER,
    AB_M_REDACTED_FIELDS,       /* values replaced by redaction */
    AB_M_REDACTION_UNPARSEABLE, /* bodies left out: not tokenizable */
    AB_M_RECORDS_CONDITION,     /* records AuditBodyCondition left out */
    AB_M_BODIES_NOT_KEPT,       /* records AuditBodyKeepBodies thinned */
    AB_M_INTERIM_RECORDS,       /* interim records (AuditBodyInterim) */
    AB_M_COUNT
} ab_metric_e;

/** Add n to this child's cell of metric m (atomic; a no-op before
 *  child_init or when shared memory could not be had). */
void ab_metric_add(ab_metric_e m, apr_uint64_t n);

/** Count one body not captured, by its skip reason (AB_SKIP_*). */
void ab_metric_skip(const char *reason);

/** The server-wide total of metric m (0 without shared memory). */
apr_uint64_t ab_metric_total(ab_metric_e m);

/** Hooks: shared memory (post_config), a row per child (child_init), the
 *  "audit-body-metrics" handler and the server-status section. */
void ab_metrics_register_hooks(void);

#endif /* MOD_AUDIT_BODY_METRICS_H */
