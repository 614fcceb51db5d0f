/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_types: media-type patterns and the decision whether a body may be
 * captured at all (pure).
 *
 * Owns the AuditBodyTypes pattern syntax and the fixed list of skip
 * reasons. It decides from header values only; it never sees body bytes.
 */
#ifndef AB_TYPES_H
#define AB_TYPES_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Skip reasons, as written in the record's "skip_reason". */
#define AB_SKIP_UPGRADE      "upgrade"
#define AB_SKIP_EVENT_STREAM "event-stream"
#define AB_SKIP_ATTACHMENT   "attachment"
#define AB_SKIP_OCTET_STREAM "octet-stream"
#define AB_SKIP_TYPE         "type"
#define AB_SKIP_NO_BODY      "no-body"       /* HEAD, 1xx, 204, 304 */
#define AB_SKIP_LIMIT_ZERO   "limit-zero"    /* limit 0: metadata only */
#define AB_SKIP_NO_TYPE      "no-type"       /* body without Content-Type */

/**
 * Validate and normalize one AuditBodyTypes pattern: "type/subtype", a
 * whole major type ("text/" then "*"), a structured suffix ("+json", also
 * written with a leading "*" "/" "*") or any type ("*" "/" "*"). Returns
 * NULL and stores the lower-cased pattern in *out, or an error sentence.
 */
const char *ab_type_pattern(apr_pool_t *p, const char *pattern,
                            const char **out);

/** The default pattern list (application/json, +json, application/xml,
 *  +xml, every text type, application/x-www-form-urlencoded), built in
 *  p. */
apr_array_header_t *ab_types_default(apr_pool_t *p);

/**
 * Non-zero if content_type (a header value, parameters allowed, any case)
 * matches one of the normalized patterns.
 */
int ab_type_match(const apr_array_header_t *patterns,
                  const char *content_type);

/** Non-zero if content_type's media type is exactly name (case-insensitive,
 *  parameters ignored). */
int ab_type_is(const char *content_type, const char *name);

/** What the response decision needs to know: what the response does,
 *  never what the client asked for (a request header must not choose
 *  what the trail leaves out). */
typedef struct {
    int header_only;                 /**< HEAD request */
    int status;                      /**< 101: an upgrade happened */
    const char *content_type;        /**< response Content-Type */
    const char *content_disposition; /**< response Content-Disposition */
    apr_off_t limit;                 /**< AuditBodyResponseLimit */
} ab_resp_facts_t;

/** Why the response body must not be captured, or NULL to capture it. */
const char *ab_skip_response(const apr_array_header_t *patterns,
                             const ab_resp_facts_t *facts);

/** What the request decision needs to know. An Upgrade header or a
 *  Content-Disposition of the request does not matter: the body that
 *  is read is captured (an upgrade that happens is a 101 response, and
 *  a tunnel never reads through the request's filters). */
typedef struct {
    const char *content_type;        /**< Content-Type header */
    apr_off_t limit;                 /**< AuditBodyRequestLimit */
} ab_req_facts_t;

/** Why the request body must not be captured, or NULL to capture it. */
const char *ab_skip_request(const apr_array_header_t *patterns,
                            const ab_req_facts_t *facts);

#endif /* AB_TYPES_H */
