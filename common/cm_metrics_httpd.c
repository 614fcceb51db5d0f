/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * cm_metrics_httpd.c: see cm_metrics_httpd.h.
 */
#include "ap_mpm.h"
#include "http_core.h"
#include "http_protocol.h"

#include "cm_metrics_httpd.h"

#define CM_METRICS_SPARE_ROWS 8

apr_size_t cm_metrics_httpd_rows(void)
{
    int limit = 0;

    ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit);
    return (apr_size_t)(limit > 0 ? limit : 1) + CM_METRICS_SPARE_ROWS + 1;
}

apr_status_t cm_metrics_httpd_attach(cm_metrics_table_t *t, server_rec *s,
                                     const char *key, apr_size_t n_metrics,
                                     apr_uint64_t gauge_mask)
{
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return APR_SUCCESS;
    }
    return cm_metrics_attach(t, s->process->pool, key,
                             cm_metrics_httpd_rows(), n_metrics, gauge_mask);
}

int cm_metrics_handler_begin(request_rec *r, const char *name,
                             const cm_metrics_table_t *t)
{
    if (!r->handler || strcmp(r->handler, name) != 0) {
        return DECLINED;
    }
    r->allowed |= (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!t->mem) {
        return HTTP_SERVICE_UNAVAILABLE;
    }
    ap_set_content_type(r, "text/plain; version=0.0.4; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    return OK;
}
