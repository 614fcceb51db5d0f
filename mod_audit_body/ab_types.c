/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_types: media-type matching and capture decisions (see ab_types.h).
 * Pure code; comparisons are on the media type without parameters.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ab_types.h"

#define HTTP_SWITCHING_PROTOCOLS_101 101

/* Length of the media type in a header value: up to ';', ',' or
 * whitespace, after skipping leading whitespace (stored in *start). A ','
 * ends it too, so "text/plain, text/event-stream" is not read as one
 * type (a list has no place in Content-Type or Content-Disposition). */
static apr_size_t media_type(const char *ct, const char **start)
{
    const char *s = ct, *e;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    e = s;
    while (*e && *e != ';' && *e != ',' && *e != ' ' && *e != '\t') {
        e++;
    }
    *start = s;
    return (apr_size_t)(e - s);
}

static int is_token(const char *s, apr_size_t n)
{
    apr_size_t i;

    if (n == 0) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(apr_isalnum(ch) || strchr("!#$&-^_.+", ch))) {
            return 0;
        }
    }
    return 1;
}

const char *ab_type_pattern(apr_pool_t *p, const char *pattern,
                            const char **out)
{
    const char *slash;
    char *norm;

    if (!strcmp(pattern, "*/*")) {
        *out = "*/*";
        return NULL;
    }
    if (!strncmp(pattern, "*/*+", 4)) {
        pattern += 3;
    }
    if (pattern[0] == '+') {
        if (!is_token(pattern + 1, strlen(pattern + 1))
            || strchr(pattern + 1, '+')) {
            return apr_psprintf(p, "'%s' is not a valid suffix pattern "
                                "(expected e.g. '+json')", pattern);
        }
    }
    else {
        slash = strchr(pattern, '/');
        if (!slash || !is_token(pattern, (apr_size_t)(slash - pattern))
            || (strcmp(slash + 1, "*")
                && !is_token(slash + 1, strlen(slash + 1)))) {
            return apr_psprintf(p, "'%s' is not a media type pattern "
                                "(expected 'type/subtype', 'type/*' or "
                                "'+suffix')", pattern);
        }
    }
    norm = apr_pstrdup(p, pattern);
    for (slash = norm; *slash; slash++) {
        norm[slash - norm] = (char)apr_tolower(*slash);
    }
    *out = norm;
    return NULL;
}

apr_array_header_t *ab_types_default(apr_pool_t *p)
{
    static const char *const defaults[] = {
        "application/json", "+json", "application/xml", "+xml", "text/*",
        "application/x-www-form-urlencoded", NULL
    };
    apr_array_header_t *a = apr_array_make(p, 6, sizeof(const char *));
    int i;

    for (i = 0; defaults[i]; i++) {
        APR_ARRAY_PUSH(a, const char *) = defaults[i];
    }
    return a;
}

static int match_one(const char *pat, const char *mt, apr_size_t n)
{
    apr_size_t plen = strlen(pat);
    const char *slash;

    if (pat[0] == '*') {                 /* any type */
        return 1;
    }
    if (pat[0] == '+') {                 /* suffix: "+json" */
        const char *sl = memchr(mt, '/', n);
        return sl && n >= plen && (apr_size_t)(mt + n - sl) > plen
               && !strncasecmp(mt + n - plen, pat, plen);
    }
    slash = strchr(pat, '/');
    if (slash && slash[1] == '*' && slash[2] == '\0') {
        apr_size_t major = (apr_size_t)(slash - pat) + 1;   /* with '/' */
        return n > major && !strncasecmp(mt, pat, major);
    }
    return n == plen && !strncasecmp(mt, pat, n);
}

int ab_type_match(const apr_array_header_t *patterns,
                  const char *content_type)
{
    const char *mt;
    apr_size_t n;
    int i;

    if (!content_type || !patterns) {
        return 0;
    }
    n = media_type(content_type, &mt);
    if (n == 0 || !memchr(mt, '/', n)) {
        return 0;
    }
    for (i = 0; i < patterns->nelts; i++) {
        if (match_one(APR_ARRAY_IDX(patterns, i, const char *), mt, n)) {
            return 1;
        }
    }
    return 0;
}

int ab_type_is(const char *content_type, const char *name)
{
    const char *mt;
    apr_size_t n;

    if (!content_type) {
        return 0;
    }
    n = media_type(content_type, &mt);
    return n == strlen(name) && !strncasecmp(mt, name, n);
}

/* "attachment" as the disposition type (RFC 6266), any case. */
static int is_attachment(const char *cd)
{
    const char *mt;
    apr_size_t n;

    if (!cd) {
        return 0;
    }
    n = media_type(cd, &mt);
    return n == 10 && !strncasecmp(mt, "attachment", 10);
}

/* The reasons shared by both directions: binary, metadata only, and
 * types outside the allow-list. */
static const char *skip_entity(const apr_array_header_t *patterns,
                               const char *ct, apr_off_t limit)
{
    if (ab_type_is(ct, "application/octet-stream")) {
        return AB_SKIP_OCTET_STREAM;
    }
    if (limit == 0) {
        return AB_SKIP_LIMIT_ZERO;
    }
    if (!ct) {
        return AB_SKIP_NO_TYPE;
    }
    if (!ab_type_match(patterns, ct)) {
        return AB_SKIP_TYPE;
    }
    return NULL;
}

const char *ab_skip_response(const apr_array_header_t *patterns,
                             const ab_resp_facts_t *f)
{
    if (f->status == HTTP_SWITCHING_PROTOCOLS_101) {
        return AB_SKIP_UPGRADE;
    }
    if (f->header_only || f->status < 200 || f->status == 204
        || f->status == 304) {
        return AB_SKIP_NO_BODY;
    }
    if (ab_type_is(f->content_type, "text/event-stream")) {
        return AB_SKIP_EVENT_STREAM;
    }
    if (is_attachment(f->content_disposition)) {
        return AB_SKIP_ATTACHMENT;
    }
    return skip_entity(patterns, f->content_type, f->limit);
}

const char *ab_skip_request(const apr_array_header_t *patterns,
                            const ab_req_facts_t *f)
{
    return skip_entity(patterns, f->content_type, f->limit);
}
