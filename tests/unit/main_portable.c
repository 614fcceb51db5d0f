/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* The JSON and record suites again, against cm_json.c built with
 * CM_JSON_NO_SIMD: the portable word-at-a-time scanner that platforms
 * without SSE2 use; and the redaction suites against ab_redact built with
 * AB_REDACT_NO_TLS (no name memo), as compilers without __thread get it.
 * TAP, like tests/unit/main. */
#include <stdlib.h>

#include <apr_general.h>

#include "test_common.h"

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    atexit(apr_terminate);

    sr = srunner_create(cm_json_suite());
    srunner_add_suite(sr, ab_record_suite());
    srunner_add_suite(sr, ab_redact_suite());
    srunner_add_suite(sr, ab_redact_fast_suite());
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
