/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_trace: W3C Trace Context "traceparent" parsing and the sampling
 * decision of AuditBodySample (pure: APR and C only; it never logs).
 *
 * The parser is strict: what it accepts is exactly the header the spec
 * defines (lowercase hex only, no whitespace), so a record never carries
 * a malformed id. The sampling decision is a fixed function of bytes, the
 * same on every machine and in every process, so all the hops of a trace
 * decide alike.
 */
#ifndef AB_TRACE_H
#define AB_TRACE_H

#include <apr_pools.h>

/** Length of a version 00 traceparent, and the least a later one has. */
#define AB_TRACEPARENT_LEN 55

/** A parsed traceparent; every field NULL (sampled 0) when invalid. */
typedef struct {
    const char *trace_id;    /**< 32 lowercase hex digits, not all 0 */
    const char *parent_id;   /**< 16 lowercase hex digits, not all 0 */
    int sampled;             /**< trace-flags & 1 */
} ab_traceparent_t;

/**
 * Parse a traceparent header value (NULL: absent) into out, copying the
 * ids from p. Valid: "vv-<trace-id>-<parent-id>-ff" where every part is
 * lowercase hex ([0-9a-f]), the version is not "ff", the trace-id (32
 * digits) and parent-id (16) are not all zeros; version 00 is exactly 55
 * characters, a later version is those 55 followed by the end or by '-'
 * and anything (the spec's forward compatibility rule). Anything else
 * (uppercase, whitespace, another length) is invalid. Returns 1 when
 * valid, 0 otherwise (out then holds NULL fields).
 */
int ab_traceparent_parse(apr_pool_t *p, const char *value,
                         ab_traceparent_t *out);

/**
 * The 64-bit hash behind sampling: FNV-1a 64 over the bytes (offset basis
 * 0xcbf29ce484222325, prime 0x100000001b3), then MurmurHash3's fmix64
 * finalizer (FNV-1a alone barely moves its top bits when only the last
 * byte of a key changes, as in sequential request ids).
 */
apr_uint64_t ab_sample_hash(const char *key, apr_size_t keylen);

/**
 * Keep this key at this fraction? Keeps when the top 53 bits of
 * ab_sample_hash(key) are below fraction * 2^53: never at 0 or below,
 * always at 1 or above. Deterministic across machines and processes; for
 * a trace pass the trace-id's 32 hex digits, so every hop decides alike.
 */
int ab_sample_keep(const char *key, apr_size_t keylen, double fraction);

/** How AuditBodySample decides. */
typedef enum {
    AB_SAMPLE_OFF = 0,          /**< no sampling (the default) */
    AB_SAMPLE_BY_REQUEST,       /**< fraction, keyed by the request id */
    AB_SAMPLE_BY_TRACE,         /**< fraction, keyed by the trace-id */
    AB_SAMPLE_TRACEPARENT       /**< the incoming sampled flag */
} ab_sample_mode_e;

typedef struct {
    ab_sample_mode_e mode;
    double fraction;            /**< 0..1 for BY_REQUEST and BY_TRACE */
} ab_sample_t;

/**
 * Parse the arguments of "AuditBodySample fraction [by=request|trace]" or
 * "AuditBodySample traceparent" (arg2 NULL when absent). fraction is a
 * decimal from 0 to 1 (digits, optionally '.' and digits: "0.01", "1");
 * "by=" is case-insensitive and defaults to request. Returns NULL and
 * fills out, or an error sentence naming the directive (out untouched).
 */
const char *ab_sample_parse(apr_pool_t *p, const char *arg1,
                            const char *arg2, ab_sample_t *out);

/**
 * The sampling decision for one request: BY_REQUEST hashes request_id;
 * BY_TRACE hashes tp's trace-id, or request_id when there is no valid
 * traceparent; TRACEPARENT keeps exactly when a valid traceparent has the
 * sampled flag. OFF (or a NULL s) keeps nothing. tp and request_id may
 * be NULL.
 */
int ab_sample_decide(const ab_sample_t *s, const ab_traceparent_t *tp,
                     const char *request_id);

#endif /* AB_TRACE_H */
