/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* The unit test suites, one per pure source file, run by unit/main.c. */
#ifndef TEST_COMMON_H
#define TEST_COMMON_H

#include <check.h>
#include <apr_pools.h>

Suite *ab_capture_suite(void);
Suite *ab_conf_suite(void);
Suite *ab_types_suite(void);
Suite *cm_json_suite(void);
Suite *ab_record_suite(void);
Suite *ab_batch_suite(void);
Suite *idp_id_suite(void);
Suite *idp_template_suite(void);
Suite *idp_cache_suite(void);
#endif /* TEST_COMMON_H */
