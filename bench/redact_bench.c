/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * redact_bench: redact a 64 KiB JSON body N times with the default names
 * and detectors (issue 12's "64 KiB JSON body" figure). The body is an
 * array of login-like records, two redacted values each (704 in all), so
 * key matching and replacement weigh as much as they can in practice.
 * With a file, that file's bytes instead (redact_callgrind.sh passes the
 * 1 KiB login body of bench/lib/post-login.lua: what a small JSON API
 * request costs, where per-key and per-value work outweighs scanning).
 * Run by bench/redact_callgrind.sh; usage: redact_bench [N [FILE]]
 *
 * With REDACT_BENCH_COLD=1 in the environment, each call is run cold
 * (bench/lib/cold.h) and the median time of one call is printed: how the
 * redactor runs in httpd, where a whole request goes by between two
 * records, which the hot loop does not show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "ab_redact.h"
#include "lib/cold.h"

#define BODY 65536

/* The 64 KiB array of login-like records, padded to exactly BODY. */
static size_t make_body(char *doc)
{
    size_t len = 0;
    int i;

    len += (size_t)sprintf(doc, "{\"items\":[");
    for (i = 0; len < BODY - 300; i++) {
        len += (size_t)sprintf(doc + len, "%s{\"id\":%d,\"user\":"
                               "\"user%d@example.com\",\"password\":"
                               "\"hunter%d\",\"note\":\"Lorem ipsum dolor "
                               "sit amet, consectetur adipiscing elit\","
                               "\"active\":true,\"scores\":[1.5,2,3e2],"
                               "\"access_token\":\"tok%d\"}",
                               i ? "," : "", i, i, i, i);
    }
    len += (size_t)sprintf(doc + len, "]}");
    while (len < BODY) {
        doc[len++] = ' ';
    }
    return len;
}

int main(int argc, char **argv)
{
    apr_pool_t *p, *sub;
    ab_redact_cfg_t c;
    ab_redact_report_t rep;
    char *doc, *out;
    size_t len;
    apr_size_t ol = 0, cap;
    int i, n = argc > 1 ? atoi(argv[1]) : 10;
    const char *cold_env = getenv("REDACT_BENCH_COLD");
    int cold = cold_env && *cold_env == '1';
    cold_t cl;
    double *t = NULL;

    apr_initialize();
    apr_pool_create(&p, NULL);
    apr_pool_create(&sub, p);
    doc = apr_palloc(p, BODY + 512);
    if (argc > 2) {
        FILE *f = fopen(argv[2], "rb");

        if (!f) {
            perror(argv[2]);
            return 1;
        }
        len = fread(doc, 1, BODY, f);
        fclose(f);
    }
    else {
        len = make_body(doc);
    }
    memset(&c, 0, sizeof(c));
    c.names = ab_redact_names_build(p, NULL);
    c.detectors = AB_REDACT_DET_DEFAULT;
    cap = ab_redact_out_size(len);
    out = apr_palloc(p, cap);
    if (cold && (n <= 0 || cold_init(&cl) != 0
                 || !(t = malloc(sizeof(*t) * (size_t)n)))) {
        return 1;
    }
    for (i = 0; i < n; i++) {
        double t0 = 0;

        apr_pool_clear(sub);
        ab_redact_report_init(&rep);
        if (cold) {
            cold_pollute(&cl);
            t0 = cold_now_ns();
        }
        if (ab_redact_json(sub, &c, doc, len, 0, out, cap, &ol, &rep)
            != AB_REDACT_OK) {
            fprintf(stderr, "redact_bench: %s\n", rep.reason);
            return 1;
        }
        if (cold) {
            t[i] = cold_now_ns() - t0;
        }
    }
    if (cold) {
        printf("redact_bench: cold: median %.0f ns per call\n",
               cold_median(t, n));
    }
    printf("redact_bench: %d x %zu bytes, %zu out, %zu redacted\n", n, len,
           (size_t)ol, (size_t)rep.count);
    apr_terminate();
    return 0;
}
