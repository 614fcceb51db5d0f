/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Runs every unit suite and reports in TAP (read by automake's
 * tap-driver.sh), one line per test. */
#include <stdlib.h>

#include <apr_general.h>

#include "test_common.h"

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    atexit(apr_terminate);

    sr = srunner_create(ab_capture_suite());
    srunner_add_suite(sr, ab_conf_suite());
    srunner_add_suite(sr, ab_types_suite());
    srunner_add_suite(sr, cm_json_suite());
    srunner_add_suite(sr, cm_metrics_suite());
    srunner_add_suite(sr, ab_record_suite());
    srunner_add_suite(sr, ab_record_bounds_suite());
    srunner_add_suite(sr, ab_batch_suite());
    srunner_add_suite(sr, idp_id_suite());
    srunner_add_suite(sr, idp_regex_suite());
    srunner_add_suite(sr, idp_template_suite());
    srunner_add_suite(sr, idp_cache_suite());
    srunner_add_suite(sr, idp_params_suite());
    srunner_add_suite(sr, idp_topn_suite());
    srunner_add_suite(sr, ab_hmac_suite());
    srunner_add_suite(sr, ab_redact_suite());
    srunner_add_suite(sr, ab_redact_fast_suite());
    srunner_add_suite(sr, ab_decode_suite());
    srunner_add_suite(sr, ab_trace_suite());
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
