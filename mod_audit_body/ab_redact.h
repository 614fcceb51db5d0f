/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact: field redaction of captured bodies, query strings and URLs
 * (issue 12), pure (APR only, no httpd headers, never logs).
 *
 * Owns: the redacted-name list (AuditBodyRedact semantics: defaults,
 * "name"/"+name" adds, "-name" removes, "none" clears, outer then inner),
 * the value detectors (pan, jwt, bearer, plus a callback for the glue's
 * regexes), the replacement ("***" or "hmac-sha256:<16 hex>"), the
 * tokenizers (JSON, x-www-form-urlencoded and query strings, URLs, XML,
 * multipart/form-data, plain text) and the report (count and paths).
 *
 * Must never: recurse on input depth (every tokenizer is an explicit state
 * machine over one bounded buffer that can stop at any byte), allocate per
 * token (one scratch buffer per call, from the caller's pool), write past
 * the output capacity it was given, or let a byte of a redacted value
 * through: a value cut by the cap is redacted like a whole one, input that
 * cannot be tokenized up to the cut yields AB_REDACT_UNPARSEABLE (the caller
 * then records no text), a depth beyond the limit too (fail closed).
 * It only ever sees the captured copy; it never touches the bytes served.
 */
#ifndef AB_REDACT_H
#define AB_REDACT_H

#include <apr_pools.h>
#include <apr_tables.h>

/* ------------------------------------------------------------ statuses */
typedef enum {
    AB_REDACT_OK = 0,
    /** Invalid before the cut (or nesting deeper than the limit): the
     *  caller must record no text, only sizes, and "unparseable". */
    AB_REDACT_UNPARSEABLE,
    /** The output did not fit the capacity given (nothing is written past
     *  it). With ab_redact_out_size() this takes a dense body: many tiny
     *  redacted values in hmac mode (28-byte tokens), or minimal multipart
     *  file parts. Retry with ab_redact_out_max(), which always suffices. */
    AB_REDACT_OVERFLOW
} ab_redact_status_e;

/* ------------------------------------------------------------ name list */

/** The default list, lower case, plus *password* and *passwd*:
 *  new_password, password_confirmation and current_password are as secret
 *  as password. */
#define AB_REDACT_DEFAULT_NAMES \
    "password *password* passwd *passwd* pwd pass secret *secret* token " \
    "*token* api_key apikey " \
    "*api-key* authorization auth private_key session sessionid cookie " \
    "set-cookie card_number cardnumber cc_number cvv cvc pin ssn"

/** Longest decoded name the tokenizers compare; the value of a longer
 *  name is redacted (fail closed: a wildcard could have matched it). */
#define AB_REDACT_NAME_MAX 256

/** A resolved, immutable name list (build it once at config time). */
typedef struct ab_redact_names ab_redact_names_t;

/**
 * Parse one AuditBodyRedact argument ("name", "+name", "-name", "none";
 * case-insensitive, "*" wildcards) and append it as an operation to *ops
 * (an array of ab_redact_op_t, created in p when *ops is NULL). Returns NULL,
 * or an error sentence naming the directive.
 */
typedef struct {
    char op;                /* '+' add, '-' remove, '0' none */
    const char *name;       /* lower case; NULL for none */
} ab_redact_op_t;

const char *ab_redact_names_arg(apr_pool_t *p, apr_array_header_t **ops,
                                const char *arg);

/** Inner operations after outer ones (mod_headers' merge); either may be
 *  NULL (unset); the result is NULL when both are. */
apr_array_header_t *ab_redact_names_merge(apr_pool_t *p,
                                          const apr_array_header_t *outer,
                                          const apr_array_header_t *inner);

/** The default list with the operations applied in order ("none" clears
 *  everything before it, "-x" removes the pattern spelled x). ops may be
 *  NULL (defaults only). */
ab_redact_names_t *ab_redact_names_build(apr_pool_t *p,
                                         const apr_array_header_t *ops);

/** Number of patterns in the list (0 after "none"). */
int ab_redact_names_count(const ab_redact_names_t *n);

/** The list as one space-separated string (for tests and diagnostics). */
const char *ab_redact_names_str(apr_pool_t *p, const ab_redact_names_t *n);

/** Whether a decoded name is redacted: case-insensitive (ASCII), "*"
 *  matches any run of bytes. Names longer than AB_REDACT_NAME_MAX match
 *  when the list is not empty. */
int ab_redact_name_match(const ab_redact_names_t *n, const char *name,
                         apr_size_t len);

/* ------------------------------------------------------------ detectors */
#define AB_REDACT_DET_PAN    0x1   /* 13-19 digits, ' '/'-' between, Luhn */
#define AB_REDACT_DET_JWT    0x2   /* eyJ<b64url>.<b64url>.<b64url> */
#define AB_REDACT_DET_BEARER 0x4   /* "Bearer <token>" (case-insensitive) */
#define AB_REDACT_DET_DEFAULT (AB_REDACT_DET_PAN | AB_REDACT_DET_JWT)

/**
 * Extra detector supplied by the glue (e.g. its compiled PCRE regexes):
 * find the first match in s[0..len) and return 1 with its span in
 * [*start, *end), or 0. at_cut says s ends at the capture cap.
 */
typedef int (*ab_redact_detect_fn)(void *baton, const char *s,
                                   apr_size_t len, int at_cut,
                                   apr_size_t *start, apr_size_t *end);

/** Parse one AuditBodyRedactPatterns built-in name ("pan", "jwt",
 *  "bearer"; "none" clears *mask) into *mask. Returns NULL, or a sentence
 *  when the argument is not a built-in (the glue then tries it as a
 *  regex). */
const char *ab_redact_detector_arg(const char *arg, unsigned *mask);

/* ------------------------------------------------------------ configuration */
typedef enum {
    AB_REDACT_MASK = 0,          /* "***" */
    AB_REDACT_HMAC               /* "hmac-sha256:" + first 16 hex digits */
} ab_redact_with_e;

#define AB_REDACT_DEPTH_DEFAULT 64
#define AB_REDACT_DEPTH_MAX     1024

typedef struct {
    const ab_redact_names_t *names;   /* NULL: nothing redacted by name */
    unsigned detectors;               /* AB_REDACT_DET_* */
    ab_redact_detect_fn extra;        /* optional */
    void *extra_baton;
    ab_redact_with_e with;
    const unsigned char *key;         /* HMAC key (with == AB_REDACT_HMAC) */
    apr_size_t key_len;
    int max_depth;                    /* 0: AB_REDACT_DEPTH_DEFAULT */
} ab_redact_cfg_t;

/* ------------------------------------------------------------ report */
#define AB_REDACT_MAX_PATHS 32
#define AB_REDACT_PATH_MAX  128       /* longer paths are cut, "..." added */

/** What was redacted, accumulated over calls (e.g. the request's query
 *  string and its body). No allocation: paths live in the struct. */
typedef struct {
    apr_size_t count;                 /* values redacted */
    int npaths;                       /* paths kept (<= AB_REDACT_MAX_PATHS) */
    apr_size_t left_out;              /* paths not kept */
    char paths[AB_REDACT_MAX_PATHS][AB_REDACT_PATH_MAX];
    const char *reason;               /* static; set with UNPARSEABLE */
    apr_size_t offset;                /* input offset of the failure */
} ab_redact_report_t;

void ab_redact_report_init(ab_redact_report_t *rep);

/* ------------------------------------------------------------ redactors
 *
 * Every redactor reads in[0..len), where truncated says the buffer is a
 * prefix cut by the capture cap, and writes the redacted copy to
 * out[0..*out_len) with *out_len <= out_cap (never NUL-terminated). The
 * copy is byte-identical to the input except the redacted values, and stays
 * valid JSON / form / XML / multipart up to the cut. Size out with
 * ab_redact_out_size(len). p only provides one scratch buffer of len
 * bytes per call (never per token).
 */

/** The output capacity to give: 2 * len + 256. In mask mode each
 *  redaction replaces a value (with its framing: key or name, separator,
 *  quotes; at least 3 input bytes) by at most 5 bytes ("***" quoted), so
 *  the copy stays under twice the input; a multipart file summary (about
 *  45 bytes plus the names, which the part's headers also hold) replaces
 *  a part of about as many bytes. Anything beyond is AB_REDACT_OVERFLOW,
 *  never a write past out_cap. */
apr_size_t ab_redact_out_size(apr_size_t len);

/** The capacity that always suffices, in both modes: 16 * len + 256.
 *  Every redaction consumes at least two input bytes (a value byte and
 *  its separator, or the ':' and '@' around a userinfo password) and
 *  writes at most 30 (an hmac token in quotes); a file summary is at most
 *  45 bytes plus names its part's headers hold, in a part of 30 bytes or
 *  more. For the rare AB_REDACT_OVERFLOW of ab_redact_out_size(). */
apr_size_t ab_redact_out_max(apr_size_t len);

/** JSON (RFC 8259; a sequence of top-level values separated by
 *  whitespace, as in NDJSON, is accepted). Object keys are matched after
 *  \u decoding; a redacted string, number, literal, object or array
 *  becomes the string "***" (or the hmac token). Paths: user.password,
 *  items[2].token. */
ab_redact_status_e ab_redact_json(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep);

/** application/x-www-form-urlencoded: names percent- and '+'-decoded;
 *  redacted values become *** (paths form:name). A body that looks like
 *  JSON (ab_redact_sniff) is redacted as JSON instead: curl -d sends JSON
 *  as a form. */
ab_redact_status_e ab_redact_form(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep);

/** A query string (without the '?'), as a form; paths query:name. */
ab_redact_status_e ab_redact_query(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                   const char *in, apr_size_t len,
                                   char *out, apr_size_t out_cap,
                                   apr_size_t *out_len,
                                   ab_redact_report_t *rep);

/** A URL or request URI (Referer, Location, r->unparsed_uri): the
 *  password of a userinfo ("user:***@host"), the query string and a
 *  fragment made of name=value pairs (OAuth's #access_token=) are
 *  redacted; paths query:name, fragment:name, url:userinfo. */
ab_redact_status_e ab_redact_url(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                 const char *in, apr_size_t len,
                                 char *out, apr_size_t out_cap,
                                 apr_size_t *out_len,
                                 ab_redact_report_t *rep);

/** XML: element text (everything between a redacted element's tags,
 *  child elements included, becomes ***) and attribute values, matched by
 *  local name (namespace prefix ignored: wsse:Password). Comments,
 *  CDATA, processing instructions and the DOCTYPE are tokenized; CDATA
 *  and text get the detectors. Paths /Envelope/Body/Password, /a/@token. */
ab_redact_status_e ab_redact_xml(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                 const char *in, apr_size_t len,
                                 int truncated, char *out,
                                 apr_size_t out_cap, apr_size_t *out_len,
                                 ab_redact_report_t *rep);

/** Extract the boundary parameter of a multipart Content-Type; returns 1
 *  and points *b at it (inside content_type, unquoted when possible), or
 *  0. A quoted boundary with escapes is refused (0). */
int ab_redact_multipart_boundary(const char *content_type, const char **b,
                                 apr_size_t *blen);

/** multipart/form-data with the given boundary. Part headers are kept;
 *  the body of a part whose field name is redacted becomes ***; a file
 *  part (filename parameter, or a non-text Content-Type) becomes
 *  [file field="..." filename="..." type="..." size=N] (", truncated" when
 *  cut), never its bytes; a JSON part is redacted as JSON (paths
 *  field.key), any other text part gets the detectors. Paths form:name. */
ab_redact_status_e ab_redact_multipart(apr_pool_t *p,
                                       const ab_redact_cfg_t *cfg,
                                       const char *boundary,
                                       apr_size_t blen,
                                       const char *in, apr_size_t len,
                                       int truncated, char *out,
                                       apr_size_t out_cap,
                                       apr_size_t *out_len,
                                       ab_redact_report_t *rep);

/** Any other text body: only the detectors, each match replaced in
 *  place (a match cut by the cap included). Paths "text". */
ab_redact_status_e ab_redact_text(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep);

/* ------------------------------------------------------------ sniffing */
typedef enum {
    AB_REDACT_KIND_TEXT = 0,
    AB_REDACT_KIND_JSON,
    AB_REDACT_KIND_FORM,
    AB_REDACT_KIND_XML,
    AB_REDACT_KIND_MULTIPART
} ab_redact_kind_e;

/**
 * What a body under another text type looks like, so a content type cannot
 * dodge redaction. The rule: skip a UTF-8 BOM and whitespace (SP, HT, CR,
 * LF); if the first byte is '{' or '[' it is JSON; otherwise, if the body
 * starts with a non-empty run of form-name bytes (ALPHA DIGIT and
 * "-._~%+*[]") followed by '=' it is a form; otherwise text. XML is never
 * sniffed (HTML would fail closed).
 */
ab_redact_kind_e ab_redact_sniff(const char *in, apr_size_t len);

/** The kind a Content-Type declares: JSON (application/json, +json),
 *  form (application/x-www-form-urlencoded), XML (application/xml,
 *  text/xml, +xml), multipart (multipart/form-data), otherwise text.
 *  Parameters and case are ignored. */
ab_redact_kind_e ab_redact_kind_of(const char *content_type);

/**
 * One entry point for a captured body: the declared kind, else the sniffed
 * one (text types only), then the matching redactor. A multipart body
 * without a usable boundary is unparseable.
 */
ab_redact_status_e ab_redact_body(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *content_type,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep);

/* ------------------------------------------------------------ low level */

/** The detectors of cfg on s[0..len): 1 and the first match span, or 0.
 *  at_cut: s ends at the cap, so a PAN (8+ digits), JWT or bearer token
 *  reaching the end is reported even if incomplete. */
int ab_redact_detect(const ab_redact_cfg_t *cfg, const char *s,
                     apr_size_t len, int at_cut, apr_size_t *start,
                     apr_size_t *end);

/** The Luhn check of the digits of s (other bytes skipped). */
int ab_redact_luhn(const char *s, apr_size_t len);

/** The replacement for a value: "***" or "hmac-sha256:" and the first 16
 *  hex digits of HMAC-SHA256(key, value). Writes at most 29 bytes plus a
 *  NUL into buf (AB_REDACT_TOKEN_MAX) and returns the length. */
#define AB_REDACT_TOKEN_MAX 32
apr_size_t ab_redact_token(const ab_redact_cfg_t *cfg, const char *value,
                           apr_size_t len, char buf[AB_REDACT_TOKEN_MAX]);

#endif /* AB_REDACT_H */
