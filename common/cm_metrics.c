/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * cm_metrics.c: the per-child counter table and the Prometheus text
 * format (see cm_metrics.h). Cells are 64-bit and written with the
 * compiler's atomic builtins, since APR 1.7's apr_atomic_*64 covers add
 * but not a relaxed load on every platform we build on.
 */
#define APR_WANT_IOVEC
#include <apr_want.h>

#include "cm_metrics.h"

#include <apr_shm.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

apr_size_t cm_metrics_size(apr_size_t n_slots, apr_size_t n_metrics)
{
    return n_slots * n_metrics * sizeof(apr_uint64_t);
}

void cm_metrics_init(void *mem, apr_size_t n_slots, apr_size_t n_metrics)
{
    memset(mem, 0, cm_metrics_size(n_slots, n_metrics));
}

static apr_uint64_t *cell(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                          apr_size_t slot, apr_size_t metric)
{
    if (!mem || slot >= n_slots || metric >= n_metrics) {
        return NULL;
    }
    return (apr_uint64_t *)mem + slot * n_metrics + metric;
}

void cm_metrics_add(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                    apr_size_t slot, apr_size_t metric, apr_uint64_t delta)
{
    apr_uint64_t *c = cell(mem, n_slots, n_metrics, slot, metric);

    if (c) {
        __atomic_fetch_add(c, delta, __ATOMIC_RELAXED);
    }
}

void cm_metrics_set(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                    apr_size_t slot, apr_size_t metric, apr_uint64_t value)
{
    apr_uint64_t *c = cell(mem, n_slots, n_metrics, slot, metric);

    if (c) {
        __atomic_store_n(c, value, __ATOMIC_RELAXED);
    }
}

apr_uint64_t cm_metrics_get(const void *mem, apr_size_t n_slots,
                            apr_size_t n_metrics, apr_size_t slot,
                            apr_size_t metric)
{
    apr_uint64_t *c = cell((void *)mem, n_slots, n_metrics, slot, metric);

    return c ? __atomic_load_n(c, __ATOMIC_RELAXED) : 0;
}

apr_uint64_t cm_metrics_sum(const void *mem, apr_size_t n_slots,
                            apr_size_t n_metrics, apr_size_t metric)
{
    apr_uint64_t sum = 0;
    apr_size_t i;

    for (i = 0; i < n_slots; i++) {
        sum += cm_metrics_get(mem, n_slots, n_metrics, i, metric);
    }
    return sum;
}

static void zero_gauges(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                        apr_size_t slot, apr_uint64_t gauge_mask)
{
    apr_size_t m;

    for (m = 1; m < n_metrics && m < 64; m++) {
        if (gauge_mask & (APR_UINT64_C(1) << m)) {
            cm_metrics_set(mem, n_slots, n_metrics, slot, m, 0);
        }
    }
}

int cm_metrics_claim(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                     apr_uint64_t pid, cm_metrics_alive_fn alive,
                     apr_uint64_t gauge_mask)
{
    apr_size_t i;

    if (!mem || n_metrics == 0 || pid == 0) {
        return -1;
    }
    for (i = 0; i < n_slots; i++) {
        apr_uint64_t *owner = cell(mem, n_slots, n_metrics, i, 0);
        apr_uint64_t cur = __atomic_load_n(owner, __ATOMIC_ACQUIRE);

        if (cur == pid) {
            return (int)i;
        }
        if (cur != 0 && (!alive || alive(cur))) {
            continue;
        }
        if (__atomic_compare_exchange_n(owner, &cur, pid, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            zero_gauges(mem, n_slots, n_metrics, i, gauge_mask);
            return (int)i;
        }
    }
    return -1;
}

void cm_metrics_release(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                        apr_size_t slot, apr_uint64_t pid,
                        apr_uint64_t gauge_mask)
{
    apr_uint64_t *owner = cell(mem, n_slots, n_metrics, slot, 0);
    apr_uint64_t cur = pid;

    if (!owner) {
        return;
    }
    zero_gauges(mem, n_slots, n_metrics, slot, gauge_mask);
    __atomic_compare_exchange_n(owner, &cur, 0, 0, __ATOMIC_ACQ_REL,
                                __ATOMIC_ACQUIRE);
}

apr_status_t cm_metrics_attach(cm_metrics_table_t *t, apr_pool_t *pool,
                               const char *key, apr_size_t n_rows,
                               apr_size_t n_metrics, apr_uint64_t gauge_mask)
{
    apr_shm_t *shm = NULL;
    void *data = NULL;
    apr_size_t size = cm_metrics_size(n_rows, n_metrics);
    apr_status_t rv;

    memset(t, 0, sizeof(*t));
    if (n_rows < 2 || n_metrics < 1) {
        return APR_EINVAL;
    }
    apr_pool_userdata_get(&data, key, pool);
    shm = data;
    if (!shm || apr_shm_size_get(shm) != size) {
        /* The first generation, or a module whose metrics changed: the
         * old table (if any) stays mapped until pool goes. */
        rv = apr_shm_create(&shm, size, NULL, pool);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        cm_metrics_init(apr_shm_baseaddr_get(shm), n_rows, n_metrics);
        apr_pool_userdata_set(shm, key, apr_pool_cleanup_null, pool);
    }
    t->mem = apr_shm_baseaddr_get(shm);
    t->n_rows = n_rows;
    t->n_metrics = n_metrics;
    t->gauge_mask = gauge_mask;
    return APR_SUCCESS;
}

static int pid_alive(apr_uint64_t pid)
{
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static apr_status_t release_self(void *data)
{
    cm_metrics_table_t *t = data;

    if (t->have_row && t->row < t->n_rows - 1) {
        cm_metrics_release(t->mem, t->n_rows, t->n_metrics, t->row,
                           (apr_uint64_t)getpid(), t->gauge_mask);
    }
    t->have_row = 0;
    return APR_SUCCESS;
}

void cm_metrics_claim_self(cm_metrics_table_t *t, apr_pool_t *pchild)
{
    int row;

    if (!t->mem) {
        return;
    }
    /* The last row is never claimed: it takes the overflow. */
    row = cm_metrics_claim(t->mem, t->n_rows - 1, t->n_metrics,
                           (apr_uint64_t)getpid(), pid_alive, t->gauge_mask);
    t->row = row >= 0 ? (apr_size_t)row : t->n_rows - 1;
    t->have_row = 1;
    apr_pool_cleanup_register(pchild, t, release_self, apr_pool_cleanup_null);
}

void cm_metrics_table_add(const cm_metrics_table_t *t, apr_size_t m,
                          apr_uint64_t n)
{
    if (t->have_row && n && m > 0) {
        cm_metrics_add(t->mem, t->n_rows, t->n_metrics, t->row, m, n);
    }
}

void cm_metrics_table_set(const cm_metrics_table_t *t, apr_size_t m,
                          apr_uint64_t v)
{
    if (t->have_row && m > 0) {
        cm_metrics_set(t->mem, t->n_rows, t->n_metrics, t->row, m, v);
    }
}

apr_uint64_t *cm_metrics_table_row(const cm_metrics_table_t *t, apr_size_t i)
{
    return cell(t->mem, t->n_rows, t->n_metrics, i, 0);
}

apr_uint64_t cm_metrics_table_total(const cm_metrics_table_t *t,
                                    apr_size_t m)
{
    return t->mem ? cm_metrics_sum(t->mem, t->n_rows, t->n_metrics, m) : 0;
}

const char *cm_metrics_render(apr_pool_t *p, const cm_metrics_table_t *t,
                              const cm_metric_def_t *defs)
{
    apr_uint64_t *values;
    apr_size_t i;

    if (t->n_metrics < 2) {
        return "";
    }
    values = apr_palloc(p, sizeof(*values) * t->n_metrics);
    for (i = 1; i < t->n_metrics; i++) {
        values[i] = cm_metrics_table_total(t, i);
    }
    return cm_prom_format(p, defs + 1, values + 1, t->n_metrics - 1);
}

int cm_metrics_name_ok(const char *name, cm_metric_type_e type)
{
    const char *c;
    apr_size_t len;

    if (!name || !*name || (*name >= '0' && *name <= '9')) {
        return 0;
    }
    for (c = name; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')
              || (*c >= '0' && *c <= '9') || *c == '_' || *c == ':')) {
            return 0;
        }
    }
    len = (apr_size_t)(c - name);
    if (type == CM_METRIC_COUNTER) {
        return len > 6 && strcmp(name + len - 6, "_total") == 0;
    }
    return 1;
}

const char *cm_prom_label_escape(apr_pool_t *p, const char *value)
{
    apr_size_t n = 0;
    const char *s;
    char *out, *o;

    for (s = value; *s; s++) {
        n += (*s == '\\' || *s == '"' || *s == '\n') ? 2 : 1;
    }
    o = out = apr_palloc(p, n + 1);
    for (s = value; *s; s++) {
        if (*s == '\\' || *s == '"') {
            *o++ = '\\';
            *o++ = *s;
        }
        else if (*s == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        }
        else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

/* HELP text escapes backslash and newline only (format 0.0.4). */
static const char *help_escape(apr_pool_t *p, const char *help)
{
    apr_size_t n = 0;
    const char *s;
    char *out, *o;

    for (s = help; *s; s++) {
        n += (*s == '\\' || *s == '\n') ? 2 : 1;
    }
    o = out = apr_palloc(p, n + 1);
    for (s = help; *s; s++) {
        if (*s == '\\' || *s == '\n') {
            *o++ = '\\';
            *o++ = *s == '\n' ? 'n' : '\\';
        }
        else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

const char *cm_prom_header(apr_pool_t *p, const char *name,
                           cm_metric_type_e type, const char *help)
{
    return apr_pstrcat(p, "# HELP ", name, " ", help_escape(p, help),
                       "\n# TYPE ", name, " ",
                       type == CM_METRIC_COUNTER ? "counter" : "gauge", "\n",
                       NULL);
}

const char *cm_prom_format(apr_pool_t *p, const cm_metric_def_t *defs,
                           const apr_uint64_t *values, apr_size_t n)
{
    struct iovec *vec = apr_palloc(p, sizeof(*vec) * (n * 2 + 1));
    apr_size_t i, nvec = 0;
    const char *prev = NULL;

    for (i = 0; i < n; i++) {
        const cm_metric_def_t *d = &defs[i];
        const char *line;

        if (!prev || strcmp(prev, d->name) != 0) {
            line = cm_prom_header(p, d->name, d->type, d->help);
            vec[nvec].iov_base = (void *)line;
            vec[nvec++].iov_len = strlen(line);
            prev = d->name;
        }
        line = apr_psprintf(p, "%s%s%s%s %" APR_UINT64_T_FMT "\n", d->name,
                            d->labels ? "{" : "", d->labels ? d->labels : "",
                            d->labels ? "}" : "", values[i]);
        vec[nvec].iov_base = (void *)line;
        vec[nvec++].iov_len = strlen(line);
    }
    return apr_pstrcatv(p, vec, nvec, NULL);
}
