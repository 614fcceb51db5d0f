/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* cm_metrics: the per-child counter table (sums over processes and
 * threads that add at once) and the Prometheus text format. */
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_shm.h>
#include <apr_thread_proc.h>

#include "cm_metrics.h"
#include "test_common.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

START_TEST(table_sums_columns)
{
    apr_size_t slots = 4, metrics = 3;
    void *mem = apr_palloc(pool, cm_metrics_size(slots, metrics));

    ck_assert_uint_eq(cm_metrics_size(slots, metrics), 4 * 3 * 8);
    memset(mem, 0xab, cm_metrics_size(slots, metrics));
    cm_metrics_init(mem, slots, metrics);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 0), 0);
    cm_metrics_add(mem, slots, metrics, 0, 0, 5);
    cm_metrics_add(mem, slots, metrics, 3, 0, 7);
    cm_metrics_add(mem, slots, metrics, 3, 2, 1);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 0), 12);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 1), 0);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 2), 1);
    ck_assert_uint_eq(cm_metrics_get(mem, slots, metrics, 3, 0), 7);
    /* out of range: ignored, reads 0 */
    cm_metrics_add(mem, slots, metrics, 4, 0, 100);
    cm_metrics_add(mem, slots, metrics, 0, 3, 100);
    cm_metrics_add(NULL, slots, metrics, 0, 0, 100);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 0), 12);
    ck_assert_uint_eq(cm_metrics_get(mem, slots, metrics, 4, 0), 0);
    /* 64-bit: no wrap at 2^32 */
    cm_metrics_add(mem, slots, metrics, 1, 1, APR_UINT64_C(0xffffffff));
    cm_metrics_add(mem, slots, metrics, 2, 1, 2);
    ck_assert(cm_metrics_sum(mem, slots, metrics, 1) == APR_UINT64_C(0x100000001));
    /* gauges are set, not added */
    cm_metrics_set(mem, slots, metrics, 1, 2, 40);
    cm_metrics_set(mem, slots, metrics, 1, 2, 30);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 2), 31);
}
END_TEST

#define THREADS 4
#define ADDS 500000
struct targ { void *mem; int n; };

static void *APR_THREAD_FUNC adder(apr_thread_t *t, void *data)
{
    struct targ *a = data;
    int i;

    for (i = 0; i < a->n; i++) {
        cm_metrics_add(a->mem, 2, 2, 1, 0, 1);
        cm_metrics_add(a->mem, 2, 2, 1, 1, 3);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* The threads of one child share its row: no add is lost. */
START_TEST(threads_lose_no_add)
{
    void *mem = apr_palloc(pool, cm_metrics_size(2, 2));
    apr_thread_t *th[THREADS];
    struct targ a;
    apr_status_t rv;
    int i;

    cm_metrics_init(mem, 2, 2);
    a.mem = mem;
    a.n = unit_rounds(ADDS);
    for (i = 0; i < THREADS; i++) {
        ck_assert_int_eq(apr_thread_create(&th[i], NULL, adder, &a, pool),
                         APR_SUCCESS);
    }
    for (i = 0; i < THREADS; i++) {
        apr_thread_join(&rv, th[i]);
    }
    ck_assert_uint_eq(cm_metrics_sum(mem, 2, 2, 0), (apr_uint64_t)THREADS * a.n);
    ck_assert_uint_eq(cm_metrics_sum(mem, 2, 2, 1), (apr_uint64_t)3 * THREADS * a.n);
}
END_TEST

/* Children of one parent each add to their own row of anonymous shared
 * memory, as httpd's children do; the parent reads every add. */
START_TEST(processes_sum_in_shared_memory)
{
    apr_shm_t *shm;
    void *mem;
    int i, status, n = unit_rounds(5000);
    pid_t pids[3];

    ck_assert_int_eq(apr_shm_create(&shm, cm_metrics_size(3, 1), NULL, pool),
                     APR_SUCCESS);
    mem = apr_shm_baseaddr_get(shm);
    cm_metrics_init(mem, 3, 1);
    for (i = 0; i < 3; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            int k;
            for (k = 0; k < n; k++) {
                cm_metrics_add(mem, 3, 1, (apr_size_t)i, 0, (apr_uint64_t)i + 1);
            }
            _exit(0);
        }
    }
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ck_assert_uint_eq(cm_metrics_sum(mem, 3, 1, 0), (apr_uint64_t)n * 6);
    ck_assert_uint_eq(cm_metrics_get(mem, 3, 1, 2, 0), (apr_uint64_t)n * 3);
    apr_shm_destroy(shm);
}
END_TEST

static apr_uint64_t dead_pid;
static int alive_unless_dead(apr_uint64_t pid)
{
    return pid != dead_pid;
}

START_TEST(claim_rows)
{
    apr_size_t slots = 3, metrics = 4;     /* 0: owner, 1-2 counters, 3 gauge */
    apr_uint64_t gauges = APR_UINT64_C(1) << 3;
    void *mem = apr_palloc(pool, cm_metrics_size(slots, metrics));

    cm_metrics_init(mem, slots, metrics);
    dead_pid = 0;
    ck_assert_int_eq(cm_metrics_claim(mem, slots, metrics, 10, alive_unless_dead, gauges), 0);
    ck_assert_int_eq(cm_metrics_claim(mem, slots, metrics, 11, alive_unless_dead, gauges), 1);
    ck_assert_int_eq(cm_metrics_claim(mem, slots, metrics, 10, alive_unless_dead, gauges), 0);
    ck_assert_int_eq(cm_metrics_claim(mem, slots, metrics, 12, alive_unless_dead, gauges), 2);
    ck_assert_int_eq(cm_metrics_claim(mem, slots, metrics, 13, alive_unless_dead, gauges), -1);
    ck_assert_int_eq(cm_metrics_claim(mem, slots, metrics, 0, alive_unless_dead, gauges), -1);
    cm_metrics_add(mem, slots, metrics, 0, 1, 5);
    cm_metrics_set(mem, slots, metrics, 0, 3, 9);
    /* pid 10 died without releasing: 13 takes its row, keeps the
     * counter (totals never fall), zeroes the gauge */
    dead_pid = 10;
    ck_assert_int_eq(cm_metrics_claim(mem, slots, metrics, 13, alive_unless_dead, gauges), 0);
    ck_assert_uint_eq(cm_metrics_get(mem, slots, metrics, 0, 0), 13);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 1), 5);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 3), 0);
    /* release: owner cleared, gauge zeroed, counter kept; a release by
     * another pid changes nothing */
    cm_metrics_set(mem, slots, metrics, 1, 3, 4);
    cm_metrics_release(mem, slots, metrics, 1, 99, gauges);
    ck_assert_uint_eq(cm_metrics_get(mem, slots, metrics, 1, 0), 11);
    cm_metrics_add(mem, slots, metrics, 1, 2, 6);
    cm_metrics_release(mem, slots, metrics, 1, 11, gauges);
    ck_assert_uint_eq(cm_metrics_get(mem, slots, metrics, 1, 0), 0);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 3), 0);
    ck_assert_uint_eq(cm_metrics_sum(mem, slots, metrics, 2), 6);
    ck_assert_int_eq(cm_metrics_claim(mem, slots, metrics, 14, alive_unless_dead, gauges), 1);
}
END_TEST

/* Processes that claim at the same moment get distinct rows. */
START_TEST(claims_race)
{
    enum { KIDS = 6 };
    apr_shm_t *shm;
    void *mem;
    pid_t pids[KIDS];
    int i, status, rounds = unit_rounds(20), r;

    ck_assert_int_eq(apr_shm_create(&shm, cm_metrics_size(KIDS, 2), NULL, pool),
                     APR_SUCCESS);
    mem = apr_shm_baseaddr_get(shm);
    for (r = 0; r < rounds; r++) {
        cm_metrics_init(mem, KIDS, 2);
        for (i = 0; i < KIDS; i++) {
            pids[i] = fork();
            ck_assert_int_ge(pids[i], 0);
            if (pids[i] == 0) {
                int row = cm_metrics_claim(mem, KIDS, 2, (apr_uint64_t)getpid(),
                                           NULL, 0);
                /* each row counts how many processes took it */
                if (row >= 0) {
                    cm_metrics_add(mem, KIDS, 2, (apr_size_t)row, 1, 1);
                }
                _exit(row >= 0 ? 0 : 1);
            }
        }
        for (i = 0; i < KIDS; i++) {
            ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
            ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        for (i = 0; i < KIDS; i++) {
            ck_assert_uint_eq(cm_metrics_get(mem, KIDS, 2, (apr_size_t)i, 1), 1);
        }
    }
    apr_shm_destroy(shm);
}
END_TEST

START_TEST(names)
{
    ck_assert(cm_metrics_name_ok("audit_body_records_total", CM_METRIC_COUNTER));
    ck_assert(cm_metrics_name_ok("id_proxy:cache_entries", CM_METRIC_GAUGE));
    ck_assert(cm_metrics_name_ok("_x", CM_METRIC_GAUGE));
    ck_assert(!cm_metrics_name_ok("audit_body_records", CM_METRIC_COUNTER));
    ck_assert(!cm_metrics_name_ok("_total", CM_METRIC_COUNTER));
    ck_assert(!cm_metrics_name_ok("1abc", CM_METRIC_GAUGE));
    ck_assert(!cm_metrics_name_ok("a-b", CM_METRIC_GAUGE));
    ck_assert(!cm_metrics_name_ok("a b_total", CM_METRIC_COUNTER));
    ck_assert(!cm_metrics_name_ok("", CM_METRIC_GAUGE));
    ck_assert(!cm_metrics_name_ok(NULL, CM_METRIC_GAUGE));
}
END_TEST

START_TEST(label_escape)
{
    ck_assert_str_eq(cm_prom_label_escape(pool, "plain.host:80"), "plain.host:80");
    ck_assert_str_eq(cm_prom_label_escape(pool, "a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    ck_assert_str_eq(cm_prom_label_escape(pool, ""), "");
}
END_TEST

START_TEST(format_groups_series)
{
    static const cm_metric_def_t defs[] = {
        { "ab_records_total", NULL, CM_METRIC_COUNTER, "Records written." },
        { "ab_skipped_total", "reason=\"upgrade\"", CM_METRIC_COUNTER,
          "Bodies not captured, by reason." },
        { "ab_skipped_total", "reason=\"sse\"", CM_METRIC_COUNTER, NULL },
        { "ab_entries", NULL, CM_METRIC_GAUGE, "Back\\slash\nnewline." },
    };
    apr_uint64_t v[] = { 3, 0, APR_UINT64_C(18446744073709551615), 7 };
    const char *out = cm_prom_format(pool, defs, v, 4);

    ck_assert_str_eq(out,
        "# HELP ab_records_total Records written.\n"
        "# TYPE ab_records_total counter\n"
        "ab_records_total 3\n"
        "# HELP ab_skipped_total Bodies not captured, by reason.\n"
        "# TYPE ab_skipped_total counter\n"
        "ab_skipped_total{reason=\"upgrade\"} 0\n"
        "ab_skipped_total{reason=\"sse\"} 18446744073709551615\n"
        "# HELP ab_entries Back\\\\slash\\nnewline.\n"
        "# TYPE ab_entries gauge\n"
        "ab_entries 7\n");
    ck_assert_str_eq(cm_prom_format(pool, defs, v, 0), "");
}
END_TEST

/* A module's table: created once in a pool, found again there (a
 * graceful restart), replaced when its shape changed; a child claims a
 * row, adds and sets there, and gives it up when its pool goes; readers
 * get the sums and the exposition text. */
START_TEST(table_attach_claim_render)
{
    static const cm_metric_def_t defs[] = {
        { NULL, NULL, CM_METRIC_GAUGE, NULL },
        { "t_done_total", NULL, CM_METRIC_COUNTER, "Done." },
        { "t_entries", NULL, CM_METRIC_GAUGE, "Entries." },
    };
    apr_uint64_t gauges = APR_UINT64_C(1) << 2;
    cm_metrics_table_t t, again, other;
    apr_pool_t *pchild;
    void *mem;

    ck_assert_int_eq(cm_metrics_attach(&t, pool, "t", 4, 3, gauges),
                     APR_SUCCESS);
    ck_assert_ptr_nonnull(t.mem);
    ck_assert_uint_eq(t.n_rows, 4);
    /* nothing counts before a row is claimed */
    cm_metrics_table_add(&t, 1, 5);
    ck_assert_uint_eq(cm_metrics_table_total(&t, 1), 0);

    apr_pool_create(&pchild, pool);
    cm_metrics_claim_self(&t, pchild);
    ck_assert(t.have_row);
    ck_assert_uint_lt(t.row, 3);           /* never the shared last row */
    ck_assert_uint_eq(cm_metrics_get(t.mem, 4, 3, t.row, 0),
                      (apr_uint64_t)getpid());
    cm_metrics_table_add(&t, 1, 5);
    cm_metrics_table_add(&t, 0, 5);        /* the owner cell: ignored */
    cm_metrics_table_set(&t, 2, 7);
    cm_metrics_table_set(&t, 2, 3);
    ck_assert_uint_eq(cm_metrics_table_total(&t, 1), 5);
    ck_assert_uint_eq(cm_metrics_table_total(&t, 2), 3);
    ck_assert_uint_eq(cm_metrics_get(t.mem, 4, 3, t.row, 0),
                      (apr_uint64_t)getpid());
    ck_assert_str_eq(cm_metrics_render(pool, &t, defs),
        "# HELP t_done_total Done.\n"
        "# TYPE t_done_total counter\n"
        "t_done_total 5\n"
        "# HELP t_entries Entries.\n"
        "# TYPE t_entries gauge\n"
        "t_entries 3\n");

    /* the same key in the same pool: the same memory, totals kept */
    mem = t.mem;
    ck_assert_int_eq(cm_metrics_attach(&again, pool, "t", 4, 3, gauges),
                     APR_SUCCESS);
    ck_assert_ptr_eq(again.mem, mem);
    ck_assert_uint_eq(cm_metrics_table_total(&again, 1), 5);
    ck_assert(!again.have_row);

    /* the child's pool goes: row released, gauge zeroed, counter kept */
    apr_pool_destroy(pchild);
    ck_assert(!t.have_row);
    ck_assert_uint_eq(cm_metrics_sum(mem, 4, 3, 0), 0);
    ck_assert_uint_eq(cm_metrics_table_total(&t, 2), 0);
    ck_assert_uint_eq(cm_metrics_table_total(&t, 1), 5);
    cm_metrics_table_add(&t, 1, 5);        /* no row any more */
    ck_assert_uint_eq(cm_metrics_table_total(&t, 1), 5);

    /* another shape (an upgraded module): a new, zeroed table */
    ck_assert_int_eq(cm_metrics_attach(&other, pool, "t", 4, 5, 0),
                     APR_SUCCESS);
    ck_assert_ptr_ne(other.mem, mem);
    ck_assert_uint_eq(cm_metrics_table_total(&other, 1), 0);

    /* no rows left: the process adds to the shared last row */
    cm_metrics_init(mem, 4, 3);
    cm_metrics_set(mem, 4, 3, 0, 0, (apr_uint64_t)getppid());
    cm_metrics_set(mem, 4, 3, 1, 0, (apr_uint64_t)getppid());
    cm_metrics_set(mem, 4, 3, 2, 0, (apr_uint64_t)getppid());
    apr_pool_create(&pchild, pool);
    cm_metrics_claim_self(&again, pchild);
    ck_assert_uint_eq(again.row, 3);
    cm_metrics_table_add(&again, 1, 2);
    ck_assert_uint_eq(cm_metrics_get(mem, 4, 3, 3, 1), 2);
    apr_pool_destroy(pchild);
    ck_assert_uint_eq(cm_metrics_get(mem, 4, 3, 0, 0),
                      (apr_uint64_t)getppid());

    /* no shared memory: everything reads 0, nothing is claimed */
    ck_assert_int_eq(cm_metrics_attach(&other, pool, "u", 1, 3, 0),
                     APR_EINVAL);
    ck_assert_ptr_null(other.mem);
    cm_metrics_claim_self(&other, pool);
    ck_assert(!other.have_row);
    ck_assert_uint_eq(cm_metrics_table_total(&other, 1), 0);
}
END_TEST

Suite *cm_metrics_suite(void)
{
    Suite *s = suite_create("cm_metrics");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, table_sums_columns);
    tcase_add_test(tc, threads_lose_no_add);
    tcase_add_test(tc, processes_sum_in_shared_memory);
    tcase_add_test(tc, claim_rows);
    tcase_add_test(tc, claims_race);
    tcase_add_test(tc, names);
    tcase_add_test(tc, label_escape);
    tcase_add_test(tc, format_groups_series);
    tcase_add_test(tc, table_attach_claim_render);
    suite_add_tcase(s, tc);
    return s;
}
