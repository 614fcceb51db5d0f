/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_id: where the tenant id comes from (query, path, header, cookie),
 * how it is decoded, and whether it is acceptable (pure).
 *
 * Owns the id source syntax, strict percent-decoding, the hard character
 * filter and the config-time pattern check. It never builds a URL, never
 * logs and never lets an id through that could add a dot, slash, colon,
 * at-sign, percent sequence or whitespace to a backend URL.
 */
#ifndef IDP_ID_H
#define IDP_ID_H

#include <apr_pools.h>

/** Result codes of extraction and validation. */
typedef enum {
    IDP_ID_OK = 0,
    IDP_ID_MISSING,          /**< the source is absent (no such parameter,
                              *   segment, header or cookie) */
    IDP_ID_REPEATED,         /**< the source occurs more than once */
    IDP_ID_BAD_ENCODING,     /**< bad or dangling %XX, or %00 */
    IDP_ID_INVALID,          /**< empty, forbidden character, or no match */
    IDP_ID_TOO_LONG          /**< longer than the length limit */
} idp_id_rc_e;

/** Default length limit: one DNS label. */
#define IDP_ID_MAX_LEN_DEFAULT 63

/** The pattern idp_id_default_match() implements (without a regex). */
#define IDP_ID_DEFAULT_PATTERN "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"

/** Longest NAME accepted in a source spec, and largest N for path:N. */
#define IDP_SOURCE_NAME_MAX 128
#define IDP_SOURCE_PATH_MAX 32

/** Kinds of id source. */
typedef enum {
    IDP_SRC_QUERY = 1,       /**< query:NAME */
    IDP_SRC_PATH,            /**< path:N */
    IDP_SRC_HEADER,          /**< header:NAME */
    IDP_SRC_COOKIE           /**< cookie:NAME */
} idp_source_kind_e;

/** A parsed id source. */
typedef struct {
    idp_source_kind_e kind;
    const char *name;        /**< parameter, header or cookie name;
                              *   NULL for path */
    int segment;             /**< path: 1-based segment; 0 otherwise */
} idp_source_t;

/** What the glue hands to idp_id_extract(), all raw request strings. */
typedef struct {
    const char *args;        /**< query string without '?' (r->args) */
    const char *path;        /**< still percent-encoded path after the
                              *   route prefix */
    const char *header;      /**< value of the header src->name, or NULL */
    const char *cookie;      /**< value of the Cookie header, or NULL */
} idp_id_input_t;

/** Pattern callback: non-zero if id matches. The glue wraps ap_regexec. */
typedef int idp_id_match_fn(void *baton, const char *id);

/** Validation rules. A zeroed struct means the defaults. */
typedef struct {
    apr_size_t max_len;      /**< 0: IDP_ID_MAX_LEN_DEFAULT */
    idp_id_match_fn *match;  /**< NULL: idp_id_default_match */
    void *baton;             /**< passed to match */
} idp_id_rules_t;

/**
 * Parse an id source spec: "query:NAME", "path:N", "header:NAME" or
 * "cookie:NAME" (the kind is case-insensitive). Query names are 1-128
 * unreserved URI characters (letters, digits, '-', '.', '_', '~'),
 * header and cookie names are HTTP tokens, N is 1-32. Returns NULL and
 * fills *out (name copied into p), or an error sentence from p.
 */
const char *idp_source_parse(apr_pool_t *p, const char *spec,
                             idp_source_t *out);

/**
 * The id from the query string args: the value of the one parameter
 * whose name, after strict percent-decoding, equals name exactly (case
 * matters; "userid" and "xid" are not "id"; "%69d" is). Parameters are
 * separated by '&' only. A parameter without '=' has an empty value.
 * The value is strictly percent-decoded; '+' is kept as a literal '+'
 * (not a space) and then fails the hard filter.
 * Returns IDP_ID_MISSING (args NULL or no such parameter),
 * IDP_ID_REPEATED (the name occurs twice, even with equal values),
 * IDP_ID_BAD_ENCODING (bad %XX or %00 in our value or in any parameter
 * name), or IDP_ID_OK with the decoded value, possibly "", in *id.
 */
int idp_id_from_query(apr_pool_t *p, const char *args, const char *name,
                      const char **id);

/**
 * The id from segment n (1-based) of path, the raw path after the route
 * prefix; one leading '/' is skipped, segments are separated by '/'. The
 * segment is strictly percent-decoded ("%2F" decodes to '/' and then fails
 * the hard filter). Returns IDP_ID_MISSING if the path has fewer than n
 * segments, IDP_ID_BAD_ENCODING, or IDP_ID_OK with the decoded segment
 * (possibly "", for "//") in *id and, if rest is not NULL, a pointer into
 * path at the '/' following the segment (or at the terminating NUL).
 */
int idp_id_from_path(apr_pool_t *p, const char *path, int n,
                     const char **id, const char **rest);

/**
 * The id from a header value (not percent-decoded: a '%' fails the hard
 * filter). Returns IDP_ID_MISSING if value is NULL, IDP_ID_REPEATED if it
 * contains a ',' (httpd joins repeated headers with ", "), else IDP_ID_OK
 * with *id = value.
 */
int idp_id_from_header(const char *value, const char **id);

/**
 * The id from the cookie named exactly name in a Cookie header value
 * ("a=1; b=2"). Pairs are separated by ';' or ',', whitespace around
 * names and values is ignored, one pair of surrounding double quotes is
 * removed from the value, pairs without '=' are skipped, and the value is
 * not percent-decoded. Returns IDP_ID_MISSING, IDP_ID_REPEATED (two
 * cookies with that name), or IDP_ID_OK with the value (from p) in *id.
 */
int idp_id_from_cookie(apr_pool_t *p, const char *cookie, const char *name,
                       const char **id);

/**
 * Dispatch on src->kind to the idp_id_from_*() function above, reading
 * the matching field of in. *rest is set for path sources only (NULL
 * otherwise); rest may be NULL.
 */
int idp_id_extract(apr_pool_t *p, const idp_source_t *src,
                   const idp_id_input_t *in, const char **id,
                   const char **rest);

/**
 * The hard character filter, applied whatever the pattern: non-zero if
 * id is non-empty and consists only of letters, digits, '-', '_' and '~'
 * (RFC 3986 unreserved characters other than '.'). This is an allowlist,
 * so it rejects at least '.', '/', ':', '@', '%', '?', '#', '[', ']', '\',
 * '+', '|', whitespace, control characters and bytes >= 0x80.
 */
int idp_id_chars_ok(const char *id);

/**
 * The built-in checker for IDP_ID_DEFAULT_PATTERN: 1-63 characters of
 * [a-z0-9-], neither first nor last a '-'. baton is unused.
 */
int idp_id_default_match(void *baton, const char *id);

/**
 * Validate a decoded id: IDP_ID_INVALID if id is NULL or empty or fails
 * idp_id_chars_ok(), IDP_ID_TOO_LONG if longer than the limit,
 * IDP_ID_INVALID if the pattern does not match, else IDP_ID_OK. rules
 * may be NULL for the defaults.
 */
int idp_id_validate(const idp_id_rules_t *rules, const char *id);

/**
 * idp_id_extract() then idp_id_validate(): the whole decision for one
 * request. *id is only set on IDP_ID_OK.
 */
int idp_id_get(apr_pool_t *p, const idp_source_t *src,
               const idp_id_input_t *in, const idp_id_rules_t *rules,
               const char **id, const char **rest);

/** A short static description of a result code ("repeated id"...). */
const char *idp_id_strerror(int rc);

/**
 * Config-time check of an id pattern, before the glue compiles it. Rules:
 * it must start with '^' and end with an unescaped '$', with no other '^'
 * or '$' and no '|' outside a group (so every branch is anchored). Outside
 * a character class, literals are letters, digits, '-', '_' and '~';
 * '.' (any character) is refused; the escapes allowed are \d \w \b \B and
 * \- \_ \~; groups are "(" or "(?:" (no other "(?" or "(*" construct);
 * quantifiers are * + ? and {n}, {n,}, {n,m}. A character class may not
 * be negated ([^...]) and may hold only those literals, ranges within
 * a-z, A-Z or 0-9, \d \w \-, and [:alnum:] [:alpha:] [:digit:] [:lower:]
 * [:upper:]. So \S \W \D \s \x.. \Q, backreferences and [^...] are
 * refused. Since idp_id_chars_ok() always applies as well, this check
 * exists for clear configtest errors; a pattern it accepts may still fail
 * to compile. Returns NULL if acceptable, else a static error sentence.
 */
const char *idp_pattern_check(const char *regex_src);

#endif /* IDP_ID_H */
