/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * cm_metrics.h: counters summed over httpd's child processes, and their
 * Prometheus text exposition (format 0.0.4).
 *
 * A table is n_slots rows, one per child process slot (ServerLimit), of
 * n_metrics 64-bit cells, in memory the caller shares between processes
 * (APR shm created once by the parent and kept across graceful restarts).
 * A child writes only its own row; its threads share the row, so every
 * write is atomic. A reader sums a column over the rows. Counter rows are
 * never cleared when a child exits, so a counter's total only grows. A
 * gauge is a value a child sets (e.g. entries in its cache); the child
 * sets it back to 0 when it exits.
 *
 * Pure: APR and C only, no httpd header; it never takes a lock. The
 * cm_metrics_* cell functions never allocate; cm_metrics_attach()
 * creates the shared memory a module's glue holds in a
 * cm_metrics_table_t.
 */
#ifndef CM_METRICS_H
#define CM_METRICS_H

#include <apr_pools.h>
#include <apr_strings.h>

typedef enum {
    CM_METRIC_COUNTER,
    CM_METRIC_GAUGE
} cm_metric_type_e;

/** One series. Series of one metric (same name, different labels) are
 *  consecutive in a definition table; the first one's help and type are
 *  the metric's. */
typedef struct {
    const char *name;             /**< e.g. "audit_body_records_total" */
    const char *labels;           /**< e.g. "reason=\"upgrade\"", or NULL */
    cm_metric_type_e type;
    const char *help;
} cm_metric_def_t;

/** Bytes of shared memory a table of n_slots rows of n_metrics needs. */
apr_size_t cm_metrics_size(apr_size_t n_slots, apr_size_t n_metrics);

/** Zero a table (the parent, once, when it creates the memory). */
void cm_metrics_init(void *mem, apr_size_t n_slots, apr_size_t n_metrics);

/** Add delta to cell (slot, metric); atomic. Out-of-range is ignored. */
void cm_metrics_add(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                    apr_size_t slot, apr_size_t metric, apr_uint64_t delta);

/** Set a gauge cell; atomic. Out-of-range is ignored. */
void cm_metrics_set(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                    apr_size_t slot, apr_size_t metric, apr_uint64_t value);

/** The column of metric summed over all rows (each cell read atomically). */
apr_uint64_t cm_metrics_sum(const void *mem, apr_size_t n_slots,
                            apr_size_t n_metrics, apr_size_t metric);

/** One cell (atomic read). */
apr_uint64_t cm_metrics_get(const void *mem, apr_size_t n_slots,
                            apr_size_t n_metrics, apr_size_t slot,
                            apr_size_t metric);

/** Liveness of a process id, injected so the claim is testable: non-zero
 *  when pid may still be running (for httpd: kill(pid, 0) == 0 or errno
 *  is EPERM). */
typedef int (*cm_metrics_alive_fn)(apr_uint64_t pid);

/** Claim a row for process pid: the first row whose owner cell (metric
 *  0 of every row is reserved for the owner's pid) is 0, is pid already,
 *  or names a process that alive() says is gone, is taken with a
 *  compare-and-swap, so two processes never claim one row. A reclaimed
 *  row keeps its counters (they only grow) and has its gauges zeroed
 *  (gauge_mask: bit m set for metric m < 64 that is a gauge). Returns the
 *  row, or -1 when every row belongs to a live process (alive NULL: every
 *  owner counts as alive) (the caller then
 *  adds to a shared row: adds are atomic, only contention grows). */
int cm_metrics_claim(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                     apr_uint64_t pid, cm_metrics_alive_fn alive,
                     apr_uint64_t gauge_mask);

/** Give a row up (the owner, at exit): gauges zeroed, owner cleared. */
void cm_metrics_release(void *mem, apr_size_t n_slots, apr_size_t n_metrics,
                        apr_size_t slot, apr_uint64_t pid,
                        apr_uint64_t gauge_mask);

/** A module's table as its glue holds it: the shared memory and this
 *  process's row. Filled by cm_metrics_attach() in the parent (before
 *  the children are forked, read-only after) and cm_metrics_claim_self()
 *  in each child. */
typedef struct {
    void *mem;                  /**< NULL: no shared memory (all reads 0) */
    apr_size_t n_rows;          /**< the last is shared by the processes
                                 *   that find no free row */
    apr_size_t n_metrics;       /**< cell 0 of a row is the owner */
    apr_uint64_t gauge_mask;    /**< see cm_metrics_claim() */
    apr_size_t row;             /**< this process's row */
    int have_row;
} cm_metrics_table_t;

/** Create the table's shared memory (anonymous APR shm) in pool, or find
 *  the one pool already holds under key (apr_pool_userdata): with the
 *  process pool, a graceful restart, which loads the module again, finds
 *  the same table and its totals survive. A table found with another
 *  size (the module was upgraded) is replaced by a new one. On failure
 *  t->mem is NULL and the status is returned for the caller to log. */
apr_status_t cm_metrics_attach(cm_metrics_table_t *t, apr_pool_t *pool,
                               const char *key, apr_size_t n_rows,
                               apr_size_t n_metrics, apr_uint64_t gauge_mask);

/** Claim a row for this process (getpid(); an owner that kill(pid, 0)
 *  says is gone is replaced), or use the shared last row when none is
 *  free; the row is released when pchild is cleaned up. No-op without
 *  shared memory. */
void cm_metrics_claim_self(cm_metrics_table_t *t, apr_pool_t *pchild);

/** Add n to this process's cell of metric m (atomic; a no-op before
 *  cm_metrics_claim_self() or without shared memory). */
void cm_metrics_table_add(const cm_metrics_table_t *t, apr_size_t m,
                          apr_uint64_t n);

/** Set this process's gauge cell m (atomic; same no-ops). */
void cm_metrics_table_set(const cm_metrics_table_t *t, apr_size_t m,
                          apr_uint64_t v);

/** The cells of row i of t (NULL without shared memory or out of range):
 *  cell 0 is the owner, the caller owns the rest of the layout. */
apr_uint64_t *cm_metrics_table_row(const cm_metrics_table_t *t, apr_size_t i);

/** The server-wide total of metric m (0 without shared memory). */
apr_uint64_t cm_metrics_table_total(const cm_metrics_table_t *t,
                                    apr_size_t m);

/** The exposition text of every metric of t but the owner cell: defs has
 *  t->n_metrics entries, defs[0] (the owner) is skipped. In p. */
const char *cm_metrics_render(apr_pool_t *p, const cm_metrics_table_t *t,
                              const cm_metric_def_t *defs);

/** Whether name is a valid Prometheus metric name
 *  ([a-zA-Z_:][a-zA-Z0-9_:]*) and, for a counter, ends in "_total". */
int cm_metrics_name_ok(const char *name, cm_metric_type_e type);

/** A label value escaped for the exposition format (backslash, double
 *  quote and newline), in p. */
const char *cm_prom_label_escape(apr_pool_t *p, const char *value);

/** The exposition text of n series with their values: "# HELP" and
 *  "# TYPE" once per metric, then one line per series. In p. */
const char *cm_prom_format(apr_pool_t *p, const cm_metric_def_t *defs,
                           const apr_uint64_t *values, apr_size_t n);

/** The header of a metric ("# HELP ...\n# TYPE ...\n"), for series the
 *  caller writes itself (per-backend series). */
const char *cm_prom_header(apr_pool_t *p, const char *name,
                           cm_metric_type_e type, const char *help);

#endif /* CM_METRICS_H */
