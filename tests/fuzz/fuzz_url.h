/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_url.h: an independent check of a backend URL against the parts of
 * its template (scheme, host labels, port, path), shared by the targets
 * that expand templates. It parses the URL itself rather than trusting
 * idp_template.c's accessors.
 */
#ifndef FUZZ_URL_H
#define FUZZ_URL_H

#include <ctype.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "fuzz_util.h"

/* A template and what any URL made from it must look like (host and
 * path with {id}, as written after lower-casing). */
typedef struct {
    const char *tpl;
    const char *scheme;
    const char *host;
    unsigned int port;
    const char *path;
} url_case_t;

static inline int id_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~';
}

/* Does s[0..n) equal want with every {id} replaced by id (lower-cased
 * if lc)? */
static inline int matches(const char *s, size_t n, const char *want,
                   const char *id, int lc)
{
    size_t idlen = strlen(id), i = 0, k;

    while (*want) {
        if (!strncmp(want, "{id}", 4)) {
            if (n - i < idlen) {
                return 0;
            }
            for (k = 0; k < idlen; k++) {
                char c = lc ? (char)apr_tolower(id[k]) : id[k];

                if (s[i + k] != c || !id_char((unsigned char)s[i + k])) {
                    return 0;
                }
            }
            i += idlen;
            want += 4;
        }
        else {
            if (i >= n || s[i] != *want) {
                return 0;
            }
            i++;
            want++;
        }
    }
    return i == n;
}

/* Parse url on its own and compare every part with the case. */
static inline void check_url(const url_case_t *c, const char *id,
                             const char *url)
{
    const char *auth, *aend, *colon, *h, *wh;
    size_t slen = strlen(c->scheme);
    unsigned long port;
    char *end;

    FUZZ_CHECK(!strncmp(url, c->scheme, slen)
               && !strncmp(url + slen, "://", 3),
               "scheme of '%s' is not %s", url, c->scheme);
    auth = url + slen + 3;
    aend = auth + strcspn(auth, "/?#");
    FUZZ_CHECK(!memchr(auth, '@', (size_t)(aend - auth)),
               "userinfo in '%s'", url);
    /* the port follows the last ':' of the authority; a bracketed IPv6
     * host holds the only other colons */
    colon = aend;
    while (colon > auth && colon[-1] != ':' && colon[-1] != ']') {
        colon--;
    }
    FUZZ_CHECK(colon > auth && colon[-1] == ':', "no port in '%s'", url);
    port = strtoul(colon, &end, 10);
    FUZZ_CHECK(end == aend && port == c->port,
               "port of '%s' is not %u", url, c->port);
    colon--;
    if (*auth == '[') {
        FUZZ_CHECK(colon[-1] == ']' && !memchr(auth + 1, '[',
                                               (size_t)(colon - auth - 1)),
                   "bad IPv6 host in '%s'", url);
    }
    else {
        FUZZ_CHECK(!memchr(auth, ':', (size_t)(colon - auth)),
                   "two colons in the authority of '%s'", url);
    }

    /* host: label by label, the same number of labels as the template */
    h = auth;
    wh = c->host;
    for (;;) {
        const char *he = memchr(h, '.', (size_t)(colon - h));
        const char *we = strchr(wh, '.');
        char *wlabel;

        if (!he) {
            he = colon;
        }
        FUZZ_CHECK((we != NULL) == (he != colon),
                   "'%s' does not have the labels of %s", url, c->host);
        wlabel = apr_pstrndup(fuzz_root, wh, we ? (size_t)(we - wh)
                                                : strlen(wh));
        FUZZ_CHECK(matches(h, (size_t)(he - h), wlabel, id, 1),
                   "host label '%.*s' of '%s' is not %s with id '%s'",
                   (int)(he - h), h, url, wlabel, id);
        if (!we) {
            break;
        }
        h = he + 1;
        wh = we + 1;
    }

    /* path: the template's, with the id verbatim where {id} was */
    FUZZ_CHECK(matches(aend, strlen(aend), c->path, id, 0),
               "path of '%s' is not %s with id '%s'", url, c->path, id);
}

/* Reference check, written apart from idp_template.c: is the label
 * [l, l+n) a number inet_aton() would take (digits, or 0x + hex)? */
static inline int ref_numeric_label(const char *l, size_t n, int allow_hex)
{
    size_t i = 0;

    if (allow_hex && n >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
        for (i = 2; i < n; i++) {
            if (!isxdigit((unsigned char)l[i])) {
                return 0;
            }
        }
        return 1;
    }
    if (!n) {
        return 0;
    }
    for (; i < n; i++) {
        if (!isdigit((unsigned char)l[i])) {
            return 0;
        }
    }
    return 1;
}

/* Whether the template host with id in place would be an IPv4 literal
 * (1-4 numeric labels) while the template's own labels are not all
 * digits: then the id would turn a name into an address, and it must be
 * refused. */
static inline int becomes_address(const url_case_t *c, const char *id)
{
    const char *s = c->host;
    int labels = 0, numeric = 1, plain = 0, tpl_numeric = 1;

    while (*s) {
        const char *e = strchr(s, '.');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char *lab = apr_pstrndup(fuzz_root, s, n), *ph;

        if ((ph = strstr(lab, "{id}"))) {
            lab = apr_pstrcat(fuzz_root, apr_pstrndup(fuzz_root, lab, ph - lab),
                              id, ph + 4, NULL);
            while ((ph = strstr(lab, "{id}"))) {
                lab = apr_pstrcat(fuzz_root, apr_pstrndup(fuzz_root, lab, ph - lab),
                                  id, ph + 4, NULL);
            }
        }
        else {
            plain++;
            if (!ref_numeric_label(lab, strlen(lab), 0)) {
                tpl_numeric = 0;
            }
        }
        if (!ref_numeric_label(lab, strlen(lab), 1)) {
            numeric = 0;
        }
        if (*lab || e) {
            labels += *lab ? 1 : 0;
        }
        s += n;
        if (*s == '.') {
            s++;
        }
    }
    if (plain == 0) {
        tpl_numeric = 0;
    }
    return numeric && labels >= 1 && labels <= 4 && !tpl_numeric;
}

/* Reference: whether the template host is numeric (at least one label
 * without {id}, and every such label all digits), as in 127.0.0.{id}. */
static inline int ref_tpl_numeric(const char *host)
{
    const char *s = host;
    int plain = 0;

    if (!strstr(host, "{id}")) {
        return 0;
    }
    while (*s) {
        const char *e = strchr(s, '.');
        size_t n = e ? (size_t)(e - s) : strlen(s);

        const char *ph = strstr(s, "{id}");

        if (!ph || ph >= s + n) {
            if (!ref_numeric_label(s, n, 0)) {
                return 0;
            }
            plain++;
        }
        s += n + (e != NULL);
    }
    return plain > 0;
}

/* A host name's longest spelling without a trailing dot (RFC 1035). */
#define REF_HOST_MAX 253

/* Reference: in a numeric template, an id is accepted only when it is
 * decimal written canonically (no leading zero) and every label of the
 * expanded host is a canonical decimal octet (0-255). */
static inline int ref_numeric_fits(const url_case_t *c, const char *id)
{
    char host[512], *l, *save = NULL;
    const char *s;
    size_t o = 0, idlen = strlen(id);

    /* {id} is in a label, and a label is at most 3 digits: a longer id
     * can never fit (and could not overrun host below). */
    if (!*id || strspn(id, "0123456789") != idlen
        || (id[0] == '0' && id[1]) || idlen > 3) {
        return 0;
    }
    for (s = c->host; *s; s++) {
        if (o > REF_HOST_MAX + 1) {
            return 0;           /* longer than any host may be */
        }
        if (!strncmp(s, "{id}", 4)) {
            memcpy(host + o, id, idlen);
            o += idlen;
            s += 3;
        }
        else {
            host[o++] = *s;
        }
    }
    host[o] = '\0';
    if (o - (o && host[o - 1] == '.') > REF_HOST_MAX) {
        return 0;
    }
    for (l = strtok_r(host, ".", &save); l; l = strtok_r(NULL, ".", &save)) {
        size_t n = strlen(l);
        if (!n || n > 3 || (n > 1 && l[0] == '0') || atoi(l) > 255) {
            return 0;
        }
    }
    return 1;
}

/* Whether id keeps every host label within 63 bytes and the host
 * within 253 (without a trailing dot), and does not make the host an
 * IPv4 literal: the only reasons to refuse a valid id. */
static inline int fits(const url_case_t *c, const char *id)
{
    size_t idlen = strlen(id), label = 0, total = 0;
    const char *s;

    if (!strstr(c->host, "{id}")) {
        return 1;               /* checked at parse time (or IPv6) */
    }
    if (ref_tpl_numeric(c->host)) {
        return ref_numeric_fits(c, id);
    }
    if (becomes_address(c, id)) {
        return 0;
    }

    for (s = c->host; *s; s++) {
        size_t add = 1;

        if (*s == '.') {
            label = 0;
            total += s[1] ? 1 : 0;
            continue;
        }
        if (!strncmp(s, "{id}", 4)) {
            add = idlen;
            s += 3;
        }
        label += add;
        total += add;
        if (label > 63) {
            return 0;
        }
    }
    return total <= 253;
}

#endif /* FUZZ_URL_H */
