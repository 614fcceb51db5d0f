/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_record: formats one audit record as a single line of JSON (pure).
 *
 * Owns the record schema (docs/record.schema.json), header masking and the
 * choice between a text and a base64 body. The record is sized first and
 * written into one allocation; nothing here touches httpd or does I/O.
 */
#ifndef AB_RECORD_H
#define AB_RECORD_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "cm_json.h"

/** One direction (request or response) of a record. */
typedef struct ab_record_body_s {
    const apr_table_t *headers;   /**< all headers of this direction */
    const char *content_type;     /**< NULL: none */
    const char *content_encoding; /**< NULL: none */
    const char *decoded;          /**< NULL: not decoded (null), else
                                       "complete", "incomplete" or why
                                       decoding stopped ("cap", "ratio",
                                       "error", "unsupported", "memory");
                                       body then holds decoded bytes */
    apr_off_t encoded_bytes;      /**< encoded bytes the decoder took;
                                       written only when decoded is set
                                       and not "unsupported" (else null) */
    const char *body;             /**< captured bytes (may hold NUL) */
    apr_size_t captured;          /**< bytes in body (or in segs) */
    const cm_seg_t *segs;         /**< when nsegs > 0: the captured bytes
                                       in pieces, instead of body */
    int nsegs;
    apr_off_t total;              /**< bytes seen in all; -1: unknown */
    int truncated;                /**< total > captured */
    const char *state;            /**< "complete", "truncated", "incomplete",
                                       "aborted", "error", "skipped",
                                       "none" */
    const char *skip_reason;      /**< why not captured; NULL if captured */
    const char *error;            /**< state "error": what httpd refused
                                       ("too-large", ...); else NULL */
    const char *redaction;        /**< what redaction did to the body:
                                       "on", "off", "unparseable",
                                       "encoded"; NULL: no body */
    apr_size_t redacted;          /**< values redacted in this direction
                                       (body, URI, URL headers) */
    const char *const *redacted_fields; /**< their paths, NULL or ... */
    int nredacted_fields;         /**< ... this many */
    apr_size_t redacted_fields_omitted; /**< paths not kept */
} ab_record_body_t;

/** Everything a record holds; strings may be NULL (emitted as null). */
typedef struct ab_record_s {
    apr_time_t time;              /**< request start (r->request_time) */
    const char *id;               /**< request id */
    const char *phase;            /**< "interim", or NULL: "final" */
    const char *host;             /**< the machine's host name */
    const char *vhost;            /**< server name:port */
    const char *client_ip;
    int client_port;
    const char *method;
    const char *uri;              /**< unparsed URI */
    const char *protocol;
    int status;
    const char *user;
    apr_int64_t latency_us;
    apr_int64_t ttfb_us;          /**< -1: no response byte was produced */
    apr_off_t bytes_received;
    apr_off_t bytes_sent;
    int aborted;                  /**< the client connection was aborted */
    const char *trace_id;         /**< a valid traceparent's trace-id, or
                                       NULL: "trace" is null */
    const char *parent_id;        /**< its parent-id */
    int trace_sampled;            /**< its sampled flag */
    /** AuditBodyCorrelationHeaders present in the request: names and
     *  values (values of masked names are written as "***") */
    const char *const *corr_names;
    const char *const *corr_values;
    int ncorr;
    ab_record_body_t request;
    ab_record_body_t response;
    /** header names (any case) whose values are written as "***" */
    const apr_array_header_t *mask;
} ab_record_t;

/** Header entries a record holds per direction, in table order; the
 *  rest are counted in "headers_omitted". */
#define AB_RECORD_MAX_HEADERS 256

/** The value written instead of a masked header. */
#define AB_MASKED "***"

/**
 * Non-zero if header name is listed in mask (array of const char *),
 * compared case-insensitively.
 */
int ab_header_masked(const apr_array_header_t *mask, const char *name);

/**
 * Format rec as one JSON object followed by '\n', in a single allocation
 * from p. *len receives the length (the buffer is also NUL-terminated).
 * Bodies that are valid UTF-8 without NUL become JSON strings
 * ("body_encoding": "text"); anything else becomes base64
 * ("body_encoding": "base64"). A truncated text body cut inside a
 * multi-byte character is written without that partial character and
 * "captured_bytes" says how many bytes "body" holds.
 * A large record is counted before it is written, so that it takes one
 * allocation of its exact size; p holds nothing else of it after the
 * call but small plans.
 */
char *ab_record_format(apr_pool_t *p, const ab_record_t *rec,
                       apr_size_t *len);

#endif /* AB_RECORD_H */
