/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_conf: the per-directory configuration of mod_audit_body, its merge and
 * the parsing of directive values (pure).
 *
 * Every field starts "unset" (-1 or NULL) so a nested context can set any
 * value back, the default included. Accessors turn unset into the default
 * in one place. Nothing here changes after configuration is read.
 */
#ifndef AB_CONF_H
#define AB_CONF_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "ab_decode.h"
#include "ab_redact.h"

#define AB_UNSET (-1)
#define AB_DEFAULT_LIMIT 65536
#define AB_MAX_LIMIT (16 * 1024 * 1024)
/* AuditBodyLogBuffer: bytes per buffer of a child's record queue (two
 * buffers per log); 0 writes each record from its request thread. */
#define AB_DEFAULT_LOG_BUFFER (128 * 1024)
#define AB_MIN_LOG_BUFFER 4096
/* ... and the longest a queued record waits for its batch, in ms. */
#define AB_DEFAULT_LOG_DELAY 50
#define AB_MAX_LOG_DELAY 60000
/* AuditBodyDecode: the codings decoded by default; AuditBodyDecodeRatio's
 * highest value (0 turns the ratio limit off). */
#define AB_DEFAULT_DECODE (AB_CODING_GZIP | AB_CODING_DEFLATE | AB_CODING_BR)
#define AB_MAX_DECODE_RATIO 100000

typedef struct {
    int enabled;                     /**< AuditBody; AB_UNSET */
    apr_off_t req_limit;             /**< AuditBodyRequestLimit; AB_UNSET */
    apr_off_t resp_limit;            /**< AuditBodyResponseLimit; AB_UNSET */
    apr_array_header_t *types;       /**< AuditBodyTypes; NULL = default */
    apr_array_header_t *mask_add;    /**< AuditBodyMaskHeaders Name */
    apr_array_header_t *mask_del;    /**< AuditBodyMaskHeaders -Name */
    apr_array_header_t *mask;        /**< effective list, kept current */
    apr_array_header_t *redact_ops;  /**< AuditBodyRedact operations of
                                          this context and the outer ones
                                          (ab_redact_op_t); NULL: unset */
    const ab_redact_names_t *redact_names; /**< built from redact_ops;
                                          NULL: the defaults */
    int redact_detectors;            /**< AuditBodyRedactPatterns
                                          built-ins (AB_REDACT_DET_*);
                                          AB_UNSET */
    const apr_array_header_t *redact_regexes; /**< its regexes, compiled by
                                          the glue (opaque pointers); set
                                          with redact_detectors */
    int redact_with;                 /**< AuditBodyRedactWith
                                          (ab_redact_with_e); AB_UNSET */
    const void *condition;           /**< AuditBodyCondition (an
                                          ap_expr_info_t of the glue);
                                          NULL: unset (always) */
    const void *keep_bodies;         /**< AuditBodyKeepBodies, the same;
                                          NULL: unset (keep) */
    int sample_mode;                 /**< AuditBodySample (ab_sample_mode_e);
                                          AB_UNSET */
    double sample_fraction;          /**< ... and its fraction */
    apr_array_header_t *correlation; /**< AuditBodyCorrelationHeaders;
                                          NULL: the defaults, empty: none */
    int decode;                      /**< AuditBodyDecode: AB_CODING_*
                                          bits, 0 for none; AB_UNSET */
    int decode_ratio;                /**< AuditBodyDecodeRatio, 0 for no
                                          limit; AB_UNSET */
} ab_dir_conf_t;

/** A fresh configuration with every field unset. */
ab_dir_conf_t *ab_dir_conf_create(apr_pool_t *p);

/** add overrides base field by field; mask changes accumulate. */
ab_dir_conf_t *ab_dir_conf_merge(apr_pool_t *p, const ab_dir_conf_t *base,
                                 const ab_dir_conf_t *add);

/** Effective values. */
int ab_conf_enabled(const ab_dir_conf_t *c);
apr_size_t ab_conf_req_limit(const ab_dir_conf_t *c);
apr_size_t ab_conf_resp_limit(const ab_dir_conf_t *c);
/** types: the configured list, or the default list built once in p. */
const apr_array_header_t *ab_conf_types(const ab_dir_conf_t *c,
                                        const apr_array_header_t *dflt);
/** Header names to mask: the defaults (Authorization,
 *  Proxy-Authorization, Cookie, Set-Cookie) plus added, minus removed. */
const apr_array_header_t *ab_conf_mask(const ab_dir_conf_t *c);
/** AuditBodyRedact: the names of c, or dflt (the defaults, built once). */
const ab_redact_names_t *ab_conf_redact_names(const ab_dir_conf_t *c,
                                              const ab_redact_names_t *dflt);
/** AuditBodyRedactPatterns: the built-in detectors (AB_REDACT_DET_DEFAULT
 *  when unset) and the regexes (NULL or empty: none). */
unsigned ab_conf_redact_detectors(const ab_dir_conf_t *c);
const apr_array_header_t *ab_conf_redact_regexes(const ab_dir_conf_t *c);
/** AuditBodyRedactWith (AB_REDACT_MASK when unset). */
ab_redact_with_e ab_conf_redact_with(const ab_dir_conf_t *c);

/** AuditBodyCorrelationHeaders: c's list, or dflt when unset. */
const apr_array_header_t *ab_conf_correlation(const ab_dir_conf_t *c,
                                              const apr_array_header_t *dflt);
/** Add one AuditBodyCorrelationHeaders argument ("none" empties the
 *  list). Returns NULL or an error sentence. */
const char *ab_conf_correlation_arg(apr_pool_t *p, ab_dir_conf_t *c,
                                    const char *arg);
/** AuditBodyDecode: the codings to decode (AB_CODING_* bits; 0: none),
 *  AB_DEFAULT_DECODE when unset. */
int ab_conf_decode(const ab_dir_conf_t *c);
/** AuditBodyDecodeRatio (AB_DECODE_RATIO_DEFAULT when unset; 0: none). */
unsigned int ab_conf_decode_ratio(const ab_dir_conf_t *c);

/**
 * Parse the arguments of AuditBodyDecode: one or more of gzip (x-gzip is
 * the same), deflate and br, in any case and order, or none alone.
 * *out receives the AB_CODING_* bits (0 for none). Returns NULL or an
 * error sentence (without the directive name).
 */
const char *ab_conf_parse_decode(apr_pool_t *p, int argc,
                                 char *const argv[], int *out);

/**
 * Parse an AuditBodyDecodeRatio value: 0 (no limit) or 1 to
 * AB_MAX_DECODE_RATIO. Returns NULL or an error sentence.
 */
const char *ab_conf_parse_decode_ratio(apr_pool_t *p, const char *arg,
                                       int *out);

/** Add one AuditBodyRedact argument to c (see ab_redact_names_arg()) and
 *  rebuild c's list. Returns NULL or an error sentence. */
const char *ab_conf_redact_arg(apr_pool_t *p, ab_dir_conf_t *c,
                               const char *arg);

/**
 * Parse a byte count for a limit directive: decimal digits, optionally
 * followed by K or M (KiB, MiB). Values above AB_MAX_LIMIT are refused.
 * Returns NULL or an error sentence (without the directive name).
 */
const char *ab_conf_parse_limit(apr_pool_t *p, const char *arg,
                                apr_off_t *out);

/**
 * Parse an AuditBodyLogBuffer value: 0, or AB_MIN_LOG_BUFFER to
 * AB_MAX_LIMIT bytes (K and M suffixes as for the limits). Returns NULL
 * or an error sentence (without the directive name).
 */
const char *ab_conf_parse_log_buffer(apr_pool_t *p, const char *arg,
                                     apr_off_t *out);

/**
 * Parse the delay argument of AuditBodyLogBuffer: milliseconds, 1 to
 * AB_MAX_LOG_DELAY. Returns NULL or an error sentence.
 */
const char *ab_conf_parse_log_delay(apr_pool_t *p, const char *arg,
                                    apr_interval_time_t *out);

/** Add one AuditBodyMaskHeaders argument: "Name" masks, "-Name" unmasks.
 *  Returns NULL or an error sentence. */
const char *ab_conf_mask_arg(apr_pool_t *p, ab_dir_conf_t *c,
                             const char *arg);

#endif /* AB_CONF_H */
