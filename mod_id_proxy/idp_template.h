/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_template: the backend URL template, e.g.
 * "http://id-{id}.tenants.svc.cluster.local:8080/api/" (pure).
 *
 * Owns the template syntax, checked once at config time, and the
 * expansion of one validated id into a backend URL and a backend key. It
 * never takes a host from the request and never expands an id that fails
 * idp_id_chars_ok() or would make a DNS label longer than 63 characters.
 */
#ifndef IDP_TEMPLATE_H
#define IDP_TEMPLATE_H

#include <apr_pools.h>
#include <apr_network_io.h>

/** The placeholder, the only one there is. */
#define IDP_TEMPLATE_PLACEHOLDER "{id}"

/** Longest DNS label and host name after expansion. */
#define IDP_TEMPLATE_LABEL_MAX 63
#define IDP_TEMPLATE_HOST_MAX 253

/** A parsed template (opaque). */
typedef struct idp_template_t idp_template_t;

/**
 * Parse and check a template at config time. Rules: the scheme is http,
 * https, ws or wss (any case, stored lower case); the authority has no
 * userinfo ('@'); the host is a name of letters, digits and '-' in
 * dot-separated labels (one trailing dot allowed) or, only when the id is
 * not in the host, a bracketed IPv6 literal; the port, if any, is
 * 1-65535; the path, if any, starts with '/' and has no '?', '#',
 * whitespace, control or non-ASCII bytes, and '%' only as %XX. "{id}"
 * must appear at least once, in the host only inside a single label
 * (e.g. "id-{id}" or "{id}"), and any number of times in the path; no
 * other '{' or '}' is allowed. A host with {id} whose fixed labels are all
 * digits is numeric and must be a dotted quad of four labels of digits
 * and {id}, the fixed ones canonical octets (0-255, no leading zero), no
 * trailing dot: "127.0.0.{id}". Host letters are lower-cased. Returns NULL
 * and sets *tpl (allocated from p), or an error sentence from p.
 */
const char *idp_template_parse(apr_pool_t *p, const char *str,
                               idp_template_t **tpl);

/** The scheme, lower case: "http", "https", "ws" or "wss". */
const char *idp_template_scheme(const idp_template_t *t);

/** The host with its placeholders, e.g. "id-{id}.tenants.svc" (an IPv6
 *  literal keeps its brackets). */
const char *idp_template_host(const idp_template_t *t);

/** The port: the explicit one, else 80 (http, ws) or 443 (https, wss). */
apr_port_t idp_template_port(const idp_template_t *t);

/** Non-zero if the template names the port explicitly. */
int idp_template_port_explicit(const idp_template_t *t);

/** The path prefix with its placeholders, possibly "" (never NULL). */
const char *idp_template_path(const idp_template_t *t);

/** Non-zero if "{id}" appears in the host (one backend per id), zero if
 *  only in the path (all ids share one backend). */
int idp_template_id_in_host(const idp_template_t *t);

/**
 * Non-zero if host[0..len), the template's host with every placeholder
 * replaced by id (which passes idp_id_chars_ok()) and lower-cased, may be
 * contacted: no label longer than 63 characters and the host not longer
 * than 253 (one trailing dot aside), and no IPv4 literal in any form
 * inet_aton() takes ("2130706433", "0x7f000001", "127.1") unless the
 * template's host is numeric already: an id never turns a host name into
 * an address. In a numeric template ("127.0.0.{id}") the id must be
 * canonical decimal (no sign, no leading zero, no "0x") and every label a
 * canonical octet (0-255), so "010", "0x8" and "0010" are refused and
 * each address has exactly one spelling, hence one backend key.
 */
int idp_template_host_ok(const idp_template_t *t, const char *id,
                         const char *host, apr_size_t len);

/**
 * Non-zero if {id} is in the host and no label of the host is free of it
 * ("{id}", "id-{id}", "{id}."): then an id alone names the host, and any
 * single-label name the resolver completes through its search domains
 * (localhost, kubernetes, metadata, ...) is reachable. "{id}.svc",
 * "id-{id}.tenants.svc" and "127.0.0.{id}" have a fixed label.
 */
int idp_template_bare_host(const idp_template_t *t);

/** Non-zero if "{id}" appears in the path (the path prefix is the
 *  tenant's boundary). */
int idp_template_id_in_path(const idp_template_t *t);

/**
 * Non-zero if path (the rest of a request path, already percent-decoded
 * once by httpd, as r->uri is) has a segment that a lenient backend would
 * take for "." or "..": a segment, split at '/' or '\', that is "." or
 * ".." once any ";params" are removed ("..;/", ".;x"), or once it is
 * percent-decoded one more time ("%2e%2e", ".%2E", "%2e%2e%2f..",
 * "%2e%3b"). Forwarded after a template path holding {id}, such a segment
 * would climb out of the tenant's prefix (Tomcat, Spring and Jetty drop
 * path parameters before resolving dot-segments). Scratch space from p.
 */
int idp_path_has_dot_segment(apr_pool_t *p, const char *path);

/**
 * mod_proxy's ProxyPass prefix match (alias_match() in mod_proxy.c,
 * reproduced so that a route can yield to ProxyPass): the number of
 * characters of uri that prefix matches, or 0. Any run of '/' in prefix
 * matches any run of at least one '/' in uri, other characters compare
 * exactly, and a prefix not ending in '/' matches only up to a segment
 * boundary ("/n/health" matches "/n/health/x", not "/n/healthy").
 */
apr_size_t idp_path_prefix_match(const char *uri, const char *prefix);

/** Everything one request needs, from one expansion. */
typedef struct {
    const char *host;        /**< the host with id, lower case */
    const char *key;         /**< the backend key "scheme://host:port" */
    const char *url;         /**< the URL base: key, then the path */
    apr_size_t key_len;      /**< strlen(key); url starts with key */
} idp_expansion_t;

/**
 * Expand id (never repaired: refused). host is the template's host with
 * every placeholder replaced by id, lower-cased; key is
 * "scheme://host:port", always with the port (so "http://a" and
 * "http://a:80" share a key), and names one backend, i.e. one worker;
 * url is key followed by the path prefix with id substituted (the glue
 * appends the rest of the request). Returns 0, or -1 if id fails
 * idp_id_chars_ok() or, with {id} in the host, idp_template_host_ok().
 */
int idp_template_expand_all(apr_pool_t *p, const idp_template_t *t,
                            const char *id, idp_expansion_t *out);

#endif /* IDP_TEMPLATE_H */
