/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_conf: configuration records, merging with unset sentinels, and value
 * parsing (see ab_conf.h). Pure code, run only while reading the config.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ab_conf.h"

static const char *const default_mask[] = {
    "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", NULL
};

static int in_list(const apr_array_header_t *a, const char *name)
{
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(a, i, const char *), name)) {
            return 1;
        }
    }
    return 0;
}

/* Recompute the effective mask list from the defaults and the changes. */
static void build_mask(apr_pool_t *p, ab_dir_conf_t *c)
{
    int i;

    c->mask = apr_array_make(p, 8, sizeof(const char *));
    for (i = 0; default_mask[i]; i++) {
        if (!in_list(c->mask_del, default_mask[i])
            || in_list(c->mask_add, default_mask[i])) {
            APR_ARRAY_PUSH(c->mask, const char *) = default_mask[i];
        }
    }
    for (i = 0; i < c->mask_add->nelts; i++) {
        const char *n = APR_ARRAY_IDX(c->mask_add, i, const char *);
        if (!in_list(c->mask, n) && !in_list(c->mask_del, n)) {
            APR_ARRAY_PUSH(c->mask, const char *) = n;
        }
    }
}

ab_dir_conf_t *ab_dir_conf_create(apr_pool_t *p)
{
    ab_dir_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->enabled = AB_UNSET;
    c->req_limit = AB_UNSET;
    c->resp_limit = AB_UNSET;
    c->redact_detectors = AB_UNSET;
    c->sample_mode = AB_UNSET;
    c->redact_with = AB_UNSET;
    c->decode = AB_UNSET;
    c->decode_ratio = AB_UNSET;
    c->mask_add = apr_array_make(p, 2, sizeof(const char *));
    c->mask_del = apr_array_make(p, 2, sizeof(const char *));
    build_mask(p, c);
    return c;
}

/* A later "-Name" cancels an earlier "Name" of an outer context, and a
 * later "Name" cancels an earlier "-Name". */
static apr_array_header_t *without(apr_pool_t *p,
                                   const apr_array_header_t *a,
                                   const apr_array_header_t *drop)
{
    apr_array_header_t *r = apr_array_make(p, a->nelts + 1,
                                           sizeof(const char *));
    int i;

    for (i = 0; i < a->nelts; i++) {
        const char *n = APR_ARRAY_IDX(a, i, const char *);
        if (!in_list(drop, n)) {
            APR_ARRAY_PUSH(r, const char *) = n;
        }
    }
    return r;
}

ab_dir_conf_t *ab_dir_conf_merge(apr_pool_t *p, const ab_dir_conf_t *base,
                                 const ab_dir_conf_t *add)
{
    ab_dir_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->enabled = add->enabled != AB_UNSET ? add->enabled : base->enabled;
    c->req_limit = add->req_limit != AB_UNSET ? add->req_limit
                                              : base->req_limit;
    c->resp_limit = add->resp_limit != AB_UNSET ? add->resp_limit
                                                : base->resp_limit;
    c->types = add->types ? add->types : base->types;
    c->mask_add = apr_array_append(p, without(p, base->mask_add,
                                              add->mask_del),
                                   add->mask_add);
    c->mask_del = apr_array_append(p, without(p, base->mask_del,
                                              add->mask_add),
                                   add->mask_del);
    build_mask(p, c);
    /* Names accumulate (outer operations, then inner ones); the list is
     * rebuilt only when both contexts change it. */
    if (!add->redact_ops) {
        c->redact_ops = base->redact_ops;
        c->redact_names = base->redact_names;
    }
    else if (!base->redact_ops) {
        c->redact_ops = add->redact_ops;
        c->redact_names = add->redact_names;
    }
    else {
        c->redact_ops = ab_redact_names_merge(p, base->redact_ops,
                                              add->redact_ops);
        c->redact_names = ab_redact_names_build(p, c->redact_ops);
    }
    /* The detectors of a context replace the outer ones, as a whole. */
    if (add->redact_detectors != AB_UNSET) {
        c->redact_detectors = add->redact_detectors;
        c->redact_regexes = add->redact_regexes;
    }
    else {
        c->redact_detectors = base->redact_detectors;
        c->redact_regexes = base->redact_regexes;
    }
    c->redact_with = add->redact_with != AB_UNSET ? add->redact_with
                                                  : base->redact_with;
    c->condition = add->condition ? add->condition : base->condition;
    if (add->sample_mode != AB_UNSET) {
        c->sample_mode = add->sample_mode;
        c->sample_fraction = add->sample_fraction;
    }
    else {
        c->sample_mode = base->sample_mode;
        c->sample_fraction = base->sample_fraction;
    }
    c->correlation = add->correlation ? add->correlation
                                      : base->correlation;
    c->keep_bodies = add->keep_bodies ? add->keep_bodies
                                      : base->keep_bodies;
    c->decode = add->decode != AB_UNSET ? add->decode : base->decode;
    c->decode_ratio = add->decode_ratio != AB_UNSET ? add->decode_ratio
                                                    : base->decode_ratio;
    return c;
}

int ab_conf_enabled(const ab_dir_conf_t *c)
{
    return c->enabled == AB_UNSET ? 0 : c->enabled;
}

apr_size_t ab_conf_req_limit(const ab_dir_conf_t *c)
{
    return c->req_limit == AB_UNSET ? AB_DEFAULT_LIMIT
                                    : (apr_size_t)c->req_limit;
}

apr_size_t ab_conf_resp_limit(const ab_dir_conf_t *c)
{
    return c->resp_limit == AB_UNSET ? AB_DEFAULT_LIMIT
                                     : (apr_size_t)c->resp_limit;
}

const apr_array_header_t *ab_conf_types(const ab_dir_conf_t *c,
                                        const apr_array_header_t *dflt)
{
    return c->types ? c->types : dflt;
}

const apr_array_header_t *ab_conf_mask(const ab_dir_conf_t *c)
{
    return c->mask;
}

const ab_redact_names_t *ab_conf_redact_names(const ab_dir_conf_t *c,
                                              const ab_redact_names_t *dflt)
{
    return c->redact_names ? c->redact_names : dflt;
}

unsigned ab_conf_redact_detectors(const ab_dir_conf_t *c)
{
    return c->redact_detectors == AB_UNSET ? AB_REDACT_DET_DEFAULT
                                           : (unsigned)c->redact_detectors;
}

const apr_array_header_t *ab_conf_redact_regexes(const ab_dir_conf_t *c)
{
    return c->redact_detectors == AB_UNSET ? NULL : c->redact_regexes;
}

ab_redact_with_e ab_conf_redact_with(const ab_dir_conf_t *c)
{
    return c->redact_with == AB_UNSET ? AB_REDACT_MASK
                                      : (ab_redact_with_e)c->redact_with;
}

int ab_conf_decode(const ab_dir_conf_t *c)
{
    return c->decode == AB_UNSET ? AB_DEFAULT_DECODE : c->decode;
}

unsigned int ab_conf_decode_ratio(const ab_dir_conf_t *c)
{
    return c->decode_ratio == AB_UNSET ? AB_DECODE_RATIO_DEFAULT
                                       : (unsigned int)c->decode_ratio;
}

const char *ab_conf_parse_decode(apr_pool_t *p, int argc,
                                 char *const argv[], int *out)
{
    int i, bits = 0, coding;

    if (argc < 1) {
        return "takes one or more of gzip, deflate, br, or none";
    }
    for (i = 0; i < argc; i++) {
        if (!strcasecmp(argv[i], "none")) {
            if (argc > 1) {
                return "none cannot be combined with a coding";
            }
            *out = 0;
            return NULL;
        }
        if (!strcasecmp(argv[i], "gzip") || !strcasecmp(argv[i], "x-gzip")) {
            coding = AB_CODING_GZIP;
        }
        else if (!strcasecmp(argv[i], "deflate")) {
            coding = AB_CODING_DEFLATE;
        }
        else if (!strcasecmp(argv[i], "br")) {
            coding = AB_CODING_BR;
        }
        else {
            return apr_psprintf(p, "'%s' is not gzip, deflate, br or none",
                                argv[i]);
        }
        bits |= coding;
    }
    *out = bits;
    return NULL;
}

const char *ab_conf_parse_decode_ratio(apr_pool_t *p, const char *arg,
                                       int *out)
{
    const char *s = arg;
    apr_int64_t v = 0;

    while (apr_isdigit(*s) && v <= AB_MAX_DECODE_RATIO) {
        v = v * 10 + (*s++ - '0');
    }
    if (s == arg || *s || v > AB_MAX_DECODE_RATIO) {
        return apr_psprintf(p, "'%s' is not 0 (no limit) or a ratio from 1 "
                            "to %d", arg, AB_MAX_DECODE_RATIO);
    }
    *out = (int)v;
    return NULL;
}

const char *ab_conf_redact_arg(apr_pool_t *p, ab_dir_conf_t *c,
                               const char *arg)
{
    const char *err = ab_redact_names_arg(p, &c->redact_ops, arg);

    if (err) {
        return err;
    }
    c->redact_names = ab_redact_names_build(p, c->redact_ops);
    return NULL;
}

const char *ab_conf_parse_limit(apr_pool_t *p, const char *arg,
                                apr_off_t *out)
{
    apr_off_t v = 0;
    const char *s = arg;

    if (!apr_isdigit(*s)) {
        return apr_psprintf(p, "'%s' is not a number of bytes", arg);
    }
    while (apr_isdigit(*s)) {
        v = v * 10 + (*s - '0');
        if (v > AB_MAX_LIMIT) {
            break;
        }
        s++;
    }
    if (v <= AB_MAX_LIMIT) {
        if ((*s == 'k' || *s == 'K') && s[1] == '\0') {
            v *= 1024;
            s++;
        }
        else if ((*s == 'm' || *s == 'M') && s[1] == '\0') {
            v *= 1024 * 1024;
            s++;
        }
        else if (*s) {
            return apr_psprintf(p, "'%s' is not a number of bytes "
                                "(digits, optionally followed by K or M)",
                                arg);
        }
    }
    if (v > AB_MAX_LIMIT) {
        return apr_psprintf(p, "'%s' is above the maximum of %d bytes "
                            "(16 MiB)", arg, AB_MAX_LIMIT);
    }
    *out = v;
    return NULL;
}

const char *ab_conf_parse_log_buffer(apr_pool_t *p, const char *arg,
                                     apr_off_t *out)
{
    apr_off_t v;
    const char *err = ab_conf_parse_limit(p, arg, &v);

    if (err) {
        return err;
    }
    if (v != 0 && v < AB_MIN_LOG_BUFFER) {
        return apr_psprintf(p, "'%s' is below the minimum of %d bytes (4K); "
                            "0 writes each record without a queue", arg,
                            AB_MIN_LOG_BUFFER);
    }
    *out = v;
    return NULL;
}

const char *ab_conf_parse_log_delay(apr_pool_t *p, const char *arg,
                                    apr_interval_time_t *out)
{
    const char *s = arg;
    apr_int64_t v = 0;

    while (apr_isdigit(*s) && v <= AB_MAX_LOG_DELAY) {
        v = v * 10 + (*s++ - '0');
    }
    if (s == arg || *s || v < 1 || v > AB_MAX_LOG_DELAY) {
        return apr_psprintf(p, "the delay '%s' is not a number of "
                            "milliseconds from 1 to %d", arg,
                            AB_MAX_LOG_DELAY);
    }
    *out = apr_time_from_msec(v);
    return NULL;
}

static int is_header_name(const char *s)
{
    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!(apr_isalnum(*s) || strchr("!#$%&'*+-.^_`|~", *s))) {
            return 0;
        }
    }
    return 1;
}

const apr_array_header_t *ab_conf_correlation(const ab_dir_conf_t *c,
                                              const apr_array_header_t *dflt)
{
    return c->correlation ? c->correlation : dflt;
}

const char *ab_conf_correlation_arg(apr_pool_t *p, ab_dir_conf_t *c,
                                    const char *arg)
{
    if (!c->correlation) {
        c->correlation = apr_array_make(p, 2, sizeof(const char *));
    }
    if (!strcasecmp(arg, "none")) {
        apr_array_clear(c->correlation);
        return NULL;
    }
    if (!is_header_name(arg)) {
        return apr_psprintf(p, "'%s' is not a header name", arg);
    }
    APR_ARRAY_PUSH(c->correlation, const char *) = apr_pstrdup(p, arg);
    return NULL;
}

const char *ab_conf_mask_arg(apr_pool_t *p, ab_dir_conf_t *c,
                             const char *arg)
{
    int del = arg[0] == '-';
    const char *name = del ? arg + 1 : arg;

    if (!is_header_name(name)) {
        return apr_psprintf(p, "'%s' is not a header name", arg);
    }
    if (del) {
        apr_array_header_t *one = apr_array_make(p, 1, sizeof(char *));
        APR_ARRAY_PUSH(one, const char *) = name;
        c->mask_add = without(p, c->mask_add, one);
        APR_ARRAY_PUSH(c->mask_del, const char *) = apr_pstrdup(p, name);
    }
    else {
        APR_ARRAY_PUSH(c->mask_add, const char *) = apr_pstrdup(p, name);
    }
    build_mask(p, c);
    return NULL;
}
