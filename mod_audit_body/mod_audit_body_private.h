/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_private.h: what the glue files of mod_audit_body share:
 * the module record, server configuration, the per-request context and
 * the sink. Never included by the pure ab_* files.
 */
#ifndef MOD_AUDIT_BODY_PRIVATE_H
#define MOD_AUDIT_BODY_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "util_filter.h"
#include "apr_global_mutex.h"

#include "ab_batch.h"
#include "ab_capture.h"
#include "ab_conf.h"
#include "ab_decode.h"

/* Log tags: "AB" plus five digits, each used at one call site only; the
 * next free number is in mod_audit_body/next-number. */
#define AB_LOGNO(n) "AB" #n ": "

extern module AP_MODULE_DECLARE_DATA audit_body_module;
#ifndef AB_MODULE_FILE          /* AP_DECLARE_MODULE declares it there */
APLOG_USE_MODULE(audit_body);
#endif

#define AB_FILTER_IN  "AUDIT_BODY_IN"
#define AB_FILTER_OUT "AUDIT_BODY_OUT"

/** Where records go: a file opened for append, or a piped program. */
typedef struct ab_sink {
    const char *name;             /**< as configured */
    apr_file_t *fd;
    int is_pipe;
    apr_global_mutex_t *mutex;    /**< pipes: held for every write */
    server_rec *s;                /**< for error lines without a request */
    ab_batch_t *batch;            /**< this child's queue; NULL: records
                                       are written by request threads */
    int drop;                     /**< AuditBodyLogOnFull drop */
    apr_uint32_t failures;        /**< records lost (atomic) */
    apr_uint32_t dropped;         /**< records dropped, sink full (atomic) */
    apr_uint32_t last_drop_report; /**< apr_time_sec of last drop line */
    apr_uint32_t written;         /**< records written (atomic) */
    apr_uint32_t last_report;     /**< apr_time_sec of last error line */
    apr_uint32_t last_lock_report; /**< same, for mutex failures */
    apr_uint32_t pub_batches;     /**< queue counters already added to */
    apr_uint32_t pub_direct;      /**< the server-wide metrics (atomic) */
    apr_uint32_t pub_waits;
} ab_sink_t;

typedef struct {
    const char *log_name;         /**< AuditBodyLog; NULL: inherit */
    apr_off_t log_buffer;         /**< AuditBodyLogBuffer; AB_UNSET */
    apr_interval_time_t log_delay; /**< its delay; AB_UNSET */
    int on_full;                  /**< AuditBodyLogOnFull; AB_UNSET,
                                       0 block, 1 drop */
    int audit_on;                 /**< AuditBody On somewhere in this
                                       server's configuration (or the
                                       main server's) */
    int log_here;                 /**< AuditBodyLog in this server's own
                                       configuration */
    const unsigned char *redact_key; /**< AuditBodyRedactKey's bytes, read
                                       at startup; NULL: inherit / none */
    apr_size_t redact_key_len;
    ab_sink_t *sink;              /**< opened in open_logs */
    apr_interval_time_t interim;  /**< AuditBodyInterim; AB_UNSET, 0 off */
} ab_server_conf_t;

/** State of one request, shared by both filters and the log hook. It
 *  lives in r->pool of the first request and follows internal
 *  redirects; the configuration is always read from the request at hand
 *  (ab_dir_conf()), so the final request of a chain governs. */
typedef struct {
    ab_capture_t req;
    ab_capture_t resp;
    const char *req_skip;         /**< reason, or NULL when captured */
    const char *resp_skip;
    apr_status_t req_rv;          /**< first read error, or APR_SUCCESS */
    apr_status_t resp_rv;         /**< first bucket read error */
    request_rec *in_r;            /**< request the input filter serves */
    request_rec *out_r;           /**< request the output filter serves */
    int http_error;               /**< status of an ERROR bucket the
                                       output filter saw (HTTP_IN refusing
                                       the body), 0: none */
    apr_time_t first_byte;        /**< first response brigade; 0: none */
    apr_time_t log_time;          /**< the logging phase's "now" (latency
                                       of the record and of the
                                       AUDIT_BODY_LATENCY_MS variable) */
    apr_bucket_brigade *tmpbb;    /**< scratch brigade, created once */
    const char *resp_ce;          /**< Content-Encoding the filter saw */
    const char *req_ce;           /**< the request's Content-Encoding when
                                       its body was decided (before
                                       mod_deflate's input filter can
                                       remove it); valid with req_ce_set */
    ab_decode_t *req_dec;         /**< decoding for the record, NULL: */
    ab_decode_t *resp_dec;        /**< the body is copied as it passes */
    char *scratch;                /**< FILE bucket reads for resp_dec */
    const char *resp_ct;          /**< Content-Type the filter saw */
    const char *id;               /**< the record's id, once known */
    void *interim_entry;          /**< its entry in the interim list */
    unsigned int audited:1;       /**< AuditBody is On for a request of
                                       the chain: write a record */
    unsigned int req_final:1;     /**< in_r's request decision was made
                                       with its per-directory config */
    unsigned int req_off:1;       /**< the early input filter stands down
                                       (the request is not audited) */
    unsigned int req_eos:1;
    unsigned int resp_decided:1;
    unsigned int resp_eos:1;
    unsigned int req_ce_set:1;
    unsigned int req_dec_decided:1; /**< req_dec chosen (on the first
                                       bytes of the body) */
    unsigned int req_inflated:1;  /**< mod_deflate inflates the request
                                       body below the input filter */
    unsigned int req_unsupported:1; /**< a coding AuditBodyDecode wants
                                       but cannot decode (a chain or an */
    unsigned int resp_unsupported:1; /**< unknown one): recorded as is */
    unsigned int interim:1;       /**< registered for interim records */
} ab_ctx_t;

/** The per-directory configuration of r (of the request itself, so of
 *  the target after an internal redirect). */
#define ab_dir_conf(r) \
    ((const ab_dir_conf_t *)ap_get_module_config((r)->per_dir_config, \
                                                 &audit_body_module))

/* mod_audit_body_config.c */
extern const command_rec ab_cmds[];
void *ab_create_dir_conf(apr_pool_t *p, char *dir);
void *ab_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
void *ab_create_server_conf(apr_pool_t *p, server_rec *s);
void *ab_merge_server_conf(apr_pool_t *p, void *basev, void *addv);
const apr_array_header_t *ab_default_types(void);
/** X-Request-ID X-Correlation-ID, built once per configuration. */
const apr_array_header_t *ab_default_correlation(void);
void ab_config_init(apr_pool_t *pconf);
/** AuditBodyLogBuffer of the main server s (size and delay), the
 *  defaults if unset. */
apr_size_t ab_log_buffer(server_rec *s, apr_interval_time_t *delay);

/* mod_audit_body_redact.c */
/** AuditBodyRedactKey: bytes a key file may hold. */
#define AB_REDACT_KEY_MIN 16
#define AB_REDACT_KEY_MAX 4096
/** Called from pre_config: the default name list, the hmac checks. */
void ab_redact_config_init(apr_pool_t *pconf);
/** The default AuditBodyRedact list, built once per configuration. */
const ab_redact_names_t *ab_redact_default_names(void);
/** AuditBodyRedactWith hmac was read in cmd's context: check_config makes
 *  sure that server has a key. */
void ab_redact_need_key(cmd_parms *cmd);
/** check_config: every hmac has its key (else configtest fails). */
int ab_redact_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp, server_rec *s);
/** Compile one AuditBodyRedactPatterns regex into *regexes. Returns NULL
 *  or an error sentence. */
const char *ab_redact_add_regex(apr_pool_t *p, apr_array_header_t **regexes,
                                const char *arg);
/** Redact what rec holds of r (uri, Referer, Location and
 *  Content-Location, both bodies) with the configuration of last, the
 *  final request of the chain. Buffers come from scratch, which must
 *  live until the record is formatted. */
struct ab_record_s;
void ab_redact_record(request_rec *r, request_rec *last,
                      struct ab_record_s *rec, apr_pool_t *scratch);

/* mod_audit_body_keep.c */
/** The expression variables AUDIT_BODY_LATENCY_MS, AUDIT_BODY_TTFB_MS. */
void ab_keep_register_hooks(void);
/** The trace object and the correlation headers of r's record, then
 *  AuditBodyCondition, AuditBodyKeepBodies and AuditBodySample of last:
 *  0 when no record is written, else 1, with the bodies of rec dropped
 *  ("not-kept") when they are not kept. */
int ab_keep_decide(request_rec *r, request_rec *last, ab_ctx_t *ctx,
                   struct ab_record_s *rec);

/* mod_audit_body_interim.c */
/** AuditBodyInterim of r's server: put r (audited) on the list of
 *  requests in flight, with its record's id, vhost and host. */
void ab_interim_register(request_rec *r, ab_ctx_t *ctx, const char *id,
                         const char *vhost, const char *host);
/** r's final record is being written: take it off the list. */
void ab_interim_done(request_rec *r, ab_ctx_t *ctx);
/** The thread of interim records, if any server asks for them. */
void ab_interim_child_init(apr_pool_t *pchild, server_rec *s);

/* mod_audit_body_filter.c */
void ab_filters_register(void);
void ab_filters_insert(request_rec *r, ab_ctx_t *ctx, int error_path);
/** Attach the input filter from post_read_request, before any module can
 *  read the body; it copies provisionally until ab_filters_insert() (or
 *  ab_filters_stand_down()) applies the per-directory decision. */
void ab_filters_early(request_rec *r, ab_ctx_t *ctx);
/** The request turned out not to be audited: the early input filter
 *  removes itself on its next call. */
void ab_filters_stand_down(ab_ctx_t *ctx);
/** The request announces a body (Transfer-Encoding, or a Content-Length
 *  other than 0). */
int ab_has_body(request_rec *r);

/** What decoding did to one direction, for the record: sets b->decoded,
 *  b->encoded_bytes and b->truncated (decoder d, NULL when the body was
 *  not decoded; unsupported: the coding could not be). */
struct ab_record_body_s;
void ab_filters_decoded(ab_decode_t *d, int unsupported,
                        struct ab_record_body_s *b);

/* mod_audit_body_sink.c */
void ab_sink_register(apr_pool_t *pconf);
void ab_sink_register_hooks(void);
int ab_sink_open_all(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s);
int ab_sink_post_config(apr_pool_t *pconf, server_rec *s);
void ab_sink_child_init(apr_pool_t *pchild, server_rec *s);
void ab_sink_write(request_rec *r, ab_sink_t *sink, const char *rec,
                   apr_size_t len);
/** A record of r has no sink (AuditBody On only from .htaccess in a
 *  server that opened no log): say so, rate-limited. */
void ab_sink_missing(request_rec *r);

#endif /* MOD_AUDIT_BODY_PRIVATE_H */
