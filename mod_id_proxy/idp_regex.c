/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_regex: see idp_regex.h. Without PCRE2 at build time (IDP_HAVE_PCRE2
 * undefined) every pattern is left to ap_regexec().
 */
#include "idp_regex.h"

#ifdef IDP_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct idp_regex_t {
    pcre2_code *code;
};

static apr_status_t regex_free(void *data)
{
    pcre2_code_free(((idp_regex_t *)data)->code);
    return APR_SUCCESS;
}

idp_regex_t *idp_regex_compile(apr_pool_t *p, const char *pattern,
                               int cflags)
{
    /* ap_regcomp()'s mapping, option for option */
    uint32_t options = PCRE2_DUPNAMES;
    int errcode;
    PCRE2_SIZE erroffset;
    pcre2_code *code;
    idp_regex_t *re;

    if (cflags & IDP_REGEX_ICASE) {
        options |= PCRE2_CASELESS;
    }
    if (cflags & IDP_REGEX_NEWLINE) {
        options |= PCRE2_MULTILINE;
    }
    if (cflags & IDP_REGEX_DOTALL) {
        options |= PCRE2_DOTALL;
    }
    if (cflags & IDP_REGEX_DOLLAR_ENDONLY) {
        options |= PCRE2_DOLLAR_ENDONLY;
    }
    code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options,
                         &errcode, &erroffset, NULL);
    if (!code) {
        return NULL;
    }
    if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) != 0) {
        pcre2_code_free(code);
        return NULL;
    }
    re = apr_palloc(p, sizeof(*re));
    re->code = code;
    apr_pool_cleanup_register(p, re, regex_free, apr_pool_cleanup_null);
    return re;
}

/* PCRE2's allocations for one match come from the caller's pool: no
 * malloc() and free() per id, and nothing to free on any path. */
static void *pool_alloc(PCRE2_SIZE size, void *pool)
{
    return apr_palloc(pool, size);
}

static void pool_free(void *block, void *pool)
{
    (void)block;
    (void)pool;
}

int idp_regex_match(const idp_regex_t *re, const char *s, apr_size_t len,
                    apr_pool_t *p)
{
    pcre2_general_context *gc;
    pcre2_match_data *md;
    int rc;

    gc = pcre2_general_context_create(pool_alloc, pool_free, p);
    md = gc ? pcre2_match_data_create(1, gc) : NULL;
    if (!md) {
        return -1;
    }
    rc = pcre2_jit_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

int idp_regex_available(void)
{
    return 1;
}

#else /* !IDP_HAVE_PCRE2 */

idp_regex_t *idp_regex_compile(apr_pool_t *p, const char *pattern,
                               int cflags)
{
    (void)p;
    (void)pattern;
    (void)cflags;
    return NULL;
}

int idp_regex_match(const idp_regex_t *re, const char *s, apr_size_t len,
                    apr_pool_t *p)
{
    (void)re;
    (void)s;
    (void)len;
    (void)p;
    return -1;
}

int idp_regex_available(void)
{
    return 0;
}

#endif

int idp_regex_match_or(const idp_regex_t *re, const char *s, apr_size_t len,
                       apr_pool_t *p, idp_regex_fallback_fn fallback,
                       void *baton)
{
    if (re) {
        int m = idp_regex_match(re, s, len, p);

        if (m >= 0) {
            return m;
        }
    }
    return fallback(baton, s) ? 1 : 0;
}
