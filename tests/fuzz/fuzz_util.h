/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_util.h: what every libFuzzer target here shares: one APR pool,
 * cleared after each input so leaks show up as growth, not as noise, an
 * assertion that says what broke before aborting, and splitting the
 * input into NUL-separated strings (request strings are C strings).
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

/* abort() rather than assert(): the check must hold with -DNDEBUG too,
 * and libFuzzer reports the abort with the crashing input. */
#define FUZZ_CHECK(cond, ...) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, \
                #cond); \
        fprintf(stderr, __VA_ARGS__); \
        fputc('\n', stderr); \
        abort(); \
    } \
} while (0)

static apr_pool_t *fuzz_root;

/* A pool for one input: created once, cleared for every later input. */
static inline apr_pool_t *fuzz_pool(void)
{
    static apr_pool_t *p;

    if (!p) {
        apr_initialize();
        apr_pool_create(&fuzz_root, NULL);
        apr_pool_create(&p, fuzz_root);
    }
    else {
        apr_pool_clear(p);
    }
    return p;
}

/* Split data at NUL bytes into at most max strings (copies from p);
 * bytes after the max-th NUL are ignored, missing strings are NULL.
 * Returns how many strings were present (an empty input has none). */
static inline int fuzz_split(apr_pool_t *p, const uint8_t *data, size_t size,
                      const char **out, int max)
{
    size_t i, start = 0;
    int n;

    for (n = 0; n < max; n++) {
        out[n] = NULL;
    }
    n = 0;
    for (i = 0; size && i <= size && n < max; i++) {
        if (i == size || data[i] == '\0') {
            char *s = apr_palloc(p, i - start + 1);

            memcpy(s, data + start, i - start);
            s[i - start] = '\0';
            out[n++] = s;
            start = i + 1;
        }
    }
    return n;
}

#endif /* FUZZ_UTIL_H */
