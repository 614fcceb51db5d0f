/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_trace: strict traceparent parsing and deterministic sampling (pure).
 * The parser reads a fixed layout (W3C Trace Context, section 3.2) in
 * one pass with no allocation until the value is known to be valid.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ab_trace.h"

/* HEXDIGLC: the spec allows lowercase hex only. */
static int hexlc(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* n lowercase hex digits at s; *nonzero set if any is not '0'. */
static int hex_run(const char *s, int n, int *nonzero)
{
    int i;

    *nonzero = 0;
    for (i = 0; i < n; i++) {
        if (!hexlc(s[i])) {
            return 0;
        }
        if (s[i] != '0') {
            *nonzero = 1;
        }
    }
    return 1;
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

int ab_traceparent_parse(apr_pool_t *p, const char *v, ab_traceparent_t *out)
{
    int nz;

    out->trace_id = NULL;
    out->parent_id = NULL;
    out->sampled = 0;
    /* Layout: vv-tttttttttttttttttttttttttttttttt-pppppppppppppppp-ff
     *         0  3                                36               53 */
    if (!v || strnlen(v, AB_TRACEPARENT_LEN) < AB_TRACEPARENT_LEN) {
        return 0;
    }
    if (!hex_run(v, 2, &nz) || (v[0] == 'f' && v[1] == 'f')) {
        return 0;
    }
    if (v[0] == '0' && v[1] == '0') {
        if (v[AB_TRACEPARENT_LEN] != '\0') {
            return 0;
        }
    }
    else if (v[AB_TRACEPARENT_LEN] != '\0'
             && v[AB_TRACEPARENT_LEN] != '-') {
        return 0;
    }
    if (v[2] != '-' || v[35] != '-' || v[52] != '-') {
        return 0;
    }
    if (!hex_run(v + 3, 32, &nz) || !nz) {
        return 0;
    }
    if (!hex_run(v + 36, 16, &nz) || !nz) {
        return 0;
    }
    if (!hex_run(v + 53, 2, &nz)) {
        return 0;
    }
    out->trace_id = apr_pstrmemdup(p, v + 3, 32);
    out->parent_id = apr_pstrmemdup(p, v + 36, 16);
    out->sampled = hexval(v[54]) & 1;
    return 1;
}

apr_uint64_t ab_sample_hash(const char *key, apr_size_t keylen)
{
    apr_uint64_t h = APR_UINT64_C(0xcbf29ce484222325);
    apr_size_t i;

    for (i = 0; i < keylen; i++) {
        h ^= (unsigned char)key[i];
        h *= APR_UINT64_C(0x100000001b3);
    }
    h ^= h >> 33;
    h *= APR_UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= APR_UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

int ab_sample_keep(const char *key, apr_size_t keylen, double fraction)
{
    /* 2^53: every 53-bit integer and fraction * 2^53 are exact doubles */
    const double two53 = 9007199254740992.0;

    if (!(fraction > 0.0)) {
        return 0;
    }
    if (fraction >= 1.0) {
        return 1;
    }
    return (double)(ab_sample_hash(key, keylen) >> 11) < fraction * two53;
}

/* A decimal from 0 to 1: digits, optionally '.' and at least one digit
 * (strtod alone would take "inf", "0x1p-1", " 1" and "1e-2"). */
static int parse_fraction(const char *s, double *out)
{
    const char *q = s;
    double f;

    if (!apr_isdigit(*q)) {
        return 0;
    }
    while (apr_isdigit(*q)) {
        q++;
    }
    if (*q == '.') {
        q++;
        if (!apr_isdigit(*q)) {
            return 0;
        }
        while (apr_isdigit(*q)) {
            q++;
        }
    }
    if (*q) {
        return 0;
    }
    f = strtod(s, NULL);
    if (!(f >= 0.0 && f <= 1.0)) {
        return 0;
    }
    *out = f;
    return 1;
}

const char *ab_sample_parse(apr_pool_t *p, const char *arg1,
                            const char *arg2, ab_sample_t *out)
{
    ab_sample_t s;

    if (!arg1 || !*arg1) {
        return "AuditBodySample takes a fraction from 0 to 1 and an "
               "optional by=request or by=trace, or the word traceparent";
    }
    if (!strcasecmp(arg1, "traceparent")) {
        if (arg2) {
            return apr_psprintf(p, "AuditBodySample traceparent takes no "
                                "other argument, not '%s'", arg2);
        }
        out->mode = AB_SAMPLE_TRACEPARENT;
        out->fraction = 0.0;
        return NULL;
    }
    if (!parse_fraction(arg1, &s.fraction)) {
        return apr_psprintf(p, "AuditBodySample: the fraction must be a "
                            "decimal number from 0 to 1 (such as 0.01), "
                            "not '%s'", arg1);
    }
    s.mode = AB_SAMPLE_BY_REQUEST;
    if (arg2) {
        if (!strcasecmp(arg2, "by=trace")) {
            s.mode = AB_SAMPLE_BY_TRACE;
        }
        else if (strcasecmp(arg2, "by=request")) {
            return apr_psprintf(p, "AuditBodySample: the second argument "
                                "must be by=request or by=trace, not '%s'",
                                arg2);
        }
    }
    *out = s;
    return NULL;
}

int ab_sample_decide(const ab_sample_t *s, const ab_traceparent_t *tp,
                     const char *request_id)
{
    const char *key = request_id;

    if (!s) {
        return 0;
    }
    switch (s->mode) {
    case AB_SAMPLE_TRACEPARENT:
        return tp && tp->trace_id && tp->sampled;
    case AB_SAMPLE_BY_TRACE:
        if (tp && tp->trace_id) {
            key = tp->trace_id;
        }
        /* fall through */
    case AB_SAMPLE_BY_REQUEST:
        return key ? ab_sample_keep(key, strlen(key), s->fraction) : 0;
    default:
        return 0;
    }
}
