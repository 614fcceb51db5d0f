/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* The unit test suites, one per pure source file, run by tests/unit/main.c. */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#include <stdlib.h>
#include <check.h>
#include <apr_pools.h>

/* Rounds of a randomized test: a tenth (at least 1) when UNIT_QUICK is
 * set, as "make check-valgrind" does; valgrind looks for memory errors,
 * which do not need the volume. */
static inline int unit_rounds(int n)
{
    return getenv("UNIT_QUICK") ? (n / 10 > 0 ? n / 10 : 1) : n;
}

Suite *ab_capture_suite(void);
Suite *ab_conf_suite(void);
Suite *ab_types_suite(void);
Suite *cm_json_suite(void);
Suite *cm_metrics_suite(void);
Suite *ab_record_suite(void);
Suite *ab_record_bounds_suite(void);
Suite *ab_batch_suite(void);
Suite *idp_id_suite(void);
Suite *idp_regex_suite(void);
Suite *idp_template_suite(void);
Suite *idp_cache_suite(void);
Suite *idp_params_suite(void);
Suite *idp_topn_suite(void);
Suite *ab_hmac_suite(void);
Suite *ab_redact_suite(void);
Suite *ab_redact_fast_suite(void);
Suite *ab_decode_suite(void);
Suite *ab_trace_suite(void);
#endif /* TEST_COMMON_H */
