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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "ab_redact.h"

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
    for (i = 0; i < n; i++) {
        apr_pool_clear(sub);
        ab_redact_report_init(&rep);
        if (ab_redact_json(sub, &c, doc, len, 0, out, cap, &ol, &rep)
            != AB_REDACT_OK) {
            fprintf(stderr, "redact_bench: %s\n", rep.reason);
            return 1;
        }
    }
    printf("redact_bench: %d x %zu bytes, %zu out, %zu redacted\n", n, len,
           (size_t)ol, (size_t)rep.count);
    apr_terminate();
    return 0;
}
