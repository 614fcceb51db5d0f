/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_trace: ab_trace. Input: "value\0arg2". Properties:
 * - ab_traceparent_parse accepts value exactly when a reference checker
 *   here does (written differently: split at '-', then piece lengths,
 *   character classes and the version rules), and the accepted fields are
 *   the input's own substrings (trace-id, parent-id) and flag bit;
 * - ab_sample_parse(value, arg2) accepts exactly what a reference does
 *   (traceparent alone; or a decimal from 0 to 1 and an optional
 *   by=request|by=trace), with the same mode and fraction, and leaves
 *   the output alone on error;
 * - ab_sample_keep agrees with a reference FNV-1a + fmix64, and keeping
 *   at one fraction implies keeping at any larger one.
 */
#include "fuzz_util.h"

#include <strings.h>

#include "ab_trace.h"

static int lchex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!strchr("0123456789abcdef", s[i]) || !s[i]) {
            return 0;
        }
    }
    return 1;
}

static int all_zero(const char *s, size_t n)
{
    return strspn(s, "0") >= n;
}

/* The spec read literally: pieces between '-'. */
static int ref_traceparent(const char *v)
{
    const char *piece[5];
    size_t len[5];
    int np = 0;
    const char *s = v;

    while (np < 5) {
        const char *dash = strchr(s, '-');

        piece[np] = s;
        if (np == 4 || !dash) {
            len[np++] = strlen(s);
            break;
        }
        len[np++] = (size_t)(dash - s);
        s = dash + 1;
    }
    if (np < 4 || len[0] != 2 || len[1] != 32 || len[2] != 16) {
        return 0;
    }
    if (!lchex(piece[0], 2) || !lchex(piece[1], 32) || !lchex(piece[2], 16)) {
        return 0;
    }
    if (!strncmp(piece[0], "ff", 2) || all_zero(piece[1], 32)
        || all_zero(piece[2], 16)) {
        return 0;
    }
    if (!strncmp(piece[0], "00", 2)) {
        /* exactly four pieces, the last exactly two digits */
        return np == 4 && len[3] == 2 && lchex(piece[3], 2);
    }
    /* a later version: the flags are two digits, then the end or '-' */
    return len[3] == 2 && lchex(piece[3], 2);
}

static int ref_fraction(const char *s, double *f)
{
    size_t k = strspn(s, "0123456789");

    if (k == 0) {
        return 0;
    }
    if (s[k] == '.') {
        size_t m = strspn(s + k + 1, "0123456789");

        if (m == 0 || s[k + 1 + m]) {
            return 0;
        }
    }
    else if (s[k]) {
        return 0;
    }
    *f = atof(s);
    return *f >= 0 && *f <= 1;
}

static apr_uint64_t ref_hash(const char *s, size_t n)
{
    apr_uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    }
    h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdULL;
    h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *in[2];
    const char *v;
    ab_traceparent_t tp;
    ab_sample_t s = { AB_SAMPLE_OFF, 0.125 };
    const char *err;
    int ok, ref;
    double f = 0, frs[3];
    size_t vlen;
    int i, prev = 0;

    if (fuzz_split(p, data, size, in, 2) < 1) {
        return 0;
    }
    v = in[0];
    vlen = strlen(v);

    ok = ab_traceparent_parse(p, v, &tp);
    ref = ref_traceparent(v);
    FUZZ_CHECK(ok == ref, "'%s': parser %d, reference %d", v, ok, ref);
    if (ok) {
        FUZZ_CHECK(tp.trace_id && strlen(tp.trace_id) == 32
                   && !memcmp(tp.trace_id, v + 3, 32), "trace-id");
        FUZZ_CHECK(tp.parent_id && strlen(tp.parent_id) == 16
                   && !memcmp(tp.parent_id, v + 36, 16), "parent-id");
        FUZZ_CHECK(tp.sampled == ((v[54] <= '9' ? v[54] - '0'
                                   : v[54] - 'a' + 10) & 1), "sampled");
    }
    else {
        FUZZ_CHECK(!tp.trace_id && !tp.parent_id && !tp.sampled,
                   "fields set on an invalid value");
    }

    err = ab_sample_parse(p, v, in[1], &s);
    if (!strcasecmp(v, "traceparent")) {
        ref = in[1] == NULL;
        FUZZ_CHECK(!ref || s.mode == AB_SAMPLE_TRACEPARENT, "traceparent");
    }
    else {
        ref = ref_fraction(v, &f)
              && (!in[1] || !strcasecmp(in[1], "by=request")
                  || !strcasecmp(in[1], "by=trace"));
        if (ref && !err) {
            FUZZ_CHECK(s.fraction == f, "fraction %g != %g", s.fraction, f);
            FUZZ_CHECK(s.mode == (in[1] && !strcasecmp(in[1], "by=trace")
                                  ? AB_SAMPLE_BY_TRACE
                                  : AB_SAMPLE_BY_REQUEST), "mode");
        }
    }
    FUZZ_CHECK((err == NULL) == ref, "'%s' '%s': parser %s, reference %d", v,
               in[1] ? in[1] : "(none)", err ? err : "ok", ref);
    if (err) {
        FUZZ_CHECK(s.mode == AB_SAMPLE_OFF && s.fraction == 0.125,
                   "output changed on error");
    }

    FUZZ_CHECK(ab_sample_hash(v, vlen) == ref_hash(v, vlen), "hash");
    frs[0] = (double)(data[0]) / 256;
    frs[1] = frs[0] + (double)(size % 97) / 200;
    frs[2] = 1.0;
    for (i = 0; i < 3; i++) {
        int k = ab_sample_keep(v, vlen, frs[i]);
        double top = (double)(ref_hash(v, vlen) >> 11);

        FUZZ_CHECK(k == (frs[i] >= 1 || top < frs[i] * 9007199254740992.0),
                   "keep");
        FUZZ_CHECK(k || !prev, "not monotonic in the fraction");
        prev = k;
    }
    return 0;
}
