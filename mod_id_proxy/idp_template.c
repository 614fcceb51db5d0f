/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_template: parsing and expansion of the backend URL template (see
 * idp_template.h). Pure code. Parsing runs at config time and returns
 * sentences for configtest; expansion runs per request and refuses,
 * rather than repairs, any id that is not already safe.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "idp_id.h"
#include "idp_template.h"

#define PH     IDP_TEMPLATE_PLACEHOLDER
#define PH_LEN (sizeof(PH) - 1)

typedef struct {
    const char *s;
    apr_size_t n;
} idp_piece_t;

struct idp_template_t {
    const char *scheme;
    const char *host;        /* lower case, with placeholders */
    const char *path;        /* "" or starting with '/' */
    apr_port_t port;
    char port_str[8];        /* ":<port>", for the expansions */
    apr_size_t port_len;
    int path_has_id;
    int port_explicit;
    int id_in_host;
    int numeric_host;        /* every label without {id} is all digits
                              * (e.g. 127.0.0.{id}): numeric ids meant */
    /* Split at the placeholders once, for idp_template_expand_all() */
    idp_piece_t *hp, *pp;    /* host and path pieces: n + 1 each */
    int hn, pn;              /* placeholders in the host, in the path */
    apr_size_t hfixed, pfixed, scheme_len;
};

/* Non-zero if host (one trailing dot allowed) is an IPv4 literal in any
 * form inet_aton() accepts: 1 to 4 labels, each decimal/octal digits or
 * 0x followed by hex digits. getaddrinfo() takes such a name as an
 * address, so "{id}" = "2130706433" or "0x7f000001" would be 127.0.0.1. */
static int ipv4_literal(const char *host)
{
    const char *s = host;
    int labels = 0;

    while (*s) {
        const char *l = s;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            s += 2;
            while (apr_isxdigit(*s)) {
                s++;
            }
        }
        else {
            while (apr_isdigit(*s)) {
                s++;
            }
            if (s == l) {
                return 0;
            }
        }
        labels++;
        if (*s == '.') {
            s++;
        }
        else if (*s) {
            return 0;
        }
    }
    return labels >= 1 && labels <= 4;
}

/* Non-zero if every label of the template host that has no placeholder
 * is all digits, and there is at least one such label. */
static int numeric_template(const char *host)
{
    const char *s = host;
    int plain = 0;

    while (*s) {
        const char *dot = strchr(s, '.');
        apr_size_t n = dot ? (apr_size_t)(dot - s) : strlen(s);
        const char *c;
        int ph = 0, digits = n > 0;

        for (c = s; c < s + n; c++) {
            if (*c == '{') {
                ph = 1;
            }
            else if (!apr_isdigit(*c)) {
                digits = 0;
            }
        }
        if (!ph) {
            if (!digits) {
                return 0;
            }
            plain++;
        }
        s += n;
        if (*s == '.') {
            s++;
        }
    }
    return plain > 0;
}

/* Non-zero if [s, s + n) is a decimal number from 0 to 255 written the
 * one canonical way: digits only, no leading zero (except "0" itself). */
static int canonical_octet(const char *s, apr_size_t n)
{
    apr_size_t i;
    int v = 0;

    if (n == 0 || n > 3 || (n > 1 && s[0] == '0')) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!apr_isdigit(s[i])) {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v <= 255;
}

/* A numeric template (every fixed label all digits) must be a dotted
 * quad: four labels of digits and {id} only, the fixed ones canonical
 * octets, no trailing dot. Then the expansion, checked label by label in
 * idp_template_host_ok(), is an address inet_aton() and getaddrinfo()
 * read exactly as written, and one address has one spelling. */
static const char *check_numeric_host(const char *host)
{
    static const char *const err = "the template's host is numeric, so it "
        "must be an IPv4 address of four dot-separated decimal labels "
        "(0-255, no leading zero), one or more of them {id}, such as "
        "127.0.0.{id}";
    const char *s = host;
    int labels = 0;

    while (*s) {
        const char *dot = strchr(s, '.');
        apr_size_t n = dot ? (apr_size_t)(dot - s) : strlen(s);
        const char *c;
        int ph = 0;

        for (c = s; c < s + n; c++) {
            if (*c == '{') {
                ph = 1;
                c += PH_LEN - 1;
            }
            else if (!apr_isdigit(*c)) {
                return err;
            }
        }
        if (!ph && !canonical_octet(s, n)) {
            return err;
        }
        labels++;
        s += n;
        if (*s == '.') {
            if (!s[1]) {
                return err;             /* "127.0.0.{id}." */
            }
            s++;
        }
    }
    return labels == 4 ? NULL : err;
}

/* Non-zero if id is a decimal number written the canonical way. */
static int canonical_decimal(const char *id)
{
    const char *c;

    if (!*id || (id[0] == '0' && id[1])) {
        return 0;
    }
    for (c = id; *c; c++) {
        if (!apr_isdigit(*c)) {
            return 0;
        }
    }
    return 1;
}

static char *lower(char *s)
{
    char *c;

    for (c = s; *c; c++) {
        *c = apr_tolower(*c);
    }
    return s;
}

/* Check a '{' at s: NULL if it starts the placeholder, else a sentence.
 * In the host, a '.' before the closing '}' means a placeholder that
 * spans labels. */
static const char *check_brace(apr_pool_t *p, const char *s, int in_host)
{
    const char *close;

    if (!strncmp(s, PH, PH_LEN)) {
        return NULL;
    }
    close = strchr(s, '}');
    if (in_host && close && memchr(s, '.', (apr_size_t)(close - s))) {
        return apr_psprintf(p, "the template's '%.*s' spans a dot: {id} "
                            "may only be (part of) one host label",
                            (int)(close - s + 1), s);
    }
    if (!close) {
        return "the template has a '{' without '}'; the only placeholder "
               "is {id}";
    }
    return apr_psprintf(p, "the template has an unknown placeholder "
                        "'%.*s'; the only placeholder is {id}",
                        (int)(close - s + 1), s);
}

/* Check the host name part [s, e): labels of letters, digits, '-' and
 * placeholders, one trailing dot allowed. Sets *ids to the number of
 * placeholders. */
static const char *check_host(apr_pool_t *p, const char *s, const char *e,
                              int *ids)
{
    apr_size_t label = 0, total = 0;
    int label_ids = 0, labels = 0;
    const char *err;

    *ids = 0;
    if (s == e) {
        return "the template has no host";
    }
    for (; s <= e; s++) {
        if (s == e || *s == '.') {
            if (!label && !label_ids) {
                if (s == e && labels > 0) {
                    break;              /* "a.b." is a rooted name */
                }
                return "the template's host has an empty label";
            }
            if (label > IDP_TEMPLATE_LABEL_MAX
                || (label_ids && label >= IDP_TEMPLATE_LABEL_MAX)) {
                return "the template's host has a label longer than 63 "
                       "characters";
            }
            labels++;
            label = 0;
            label_ids = 0;
            if (s == e) {
                break;
            }
            total++;
        }
        else if (*s == '{') {
            if ((err = check_brace(p, s, 1))) {
                return err;
            }
            label_ids++;
            (*ids)++;
            s += PH_LEN - 1;
        }
        else if (*s == '}') {
            return "the template has a '}' without '{'";
        }
        else if (apr_isalnum(*s) || *s == '-') {
            label++;
            total++;
        }
        else {
            return apr_psprintf(p, "the template's host may not contain "
                                "'%c' (only letters, digits, '-', '.' and "
                                "{id})", apr_isgraph(*s) ? *s : '?');
        }
    }
    if (total > IDP_TEMPLATE_HOST_MAX) {
        return "the template's host is longer than 253 characters";
    }
    return NULL;
}

static int hex(char c)
{
    return apr_isxdigit(c);
}

static const char *check_path(apr_pool_t *p, const char *s, int *ids)
{
    const char *err;

    *ids = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '{') {
            if ((err = check_brace(p, s, 0))) {
                return err;
            }
            (*ids)++;
            s += PH_LEN - 1;
        }
        else if (c == '}') {
            return "the template has a '}' without '{'";
        }
        else if (c == '%') {
            if (!hex(s[1]) || !hex(s[2])) {
                return "the template's path has a '%' that is not %XX";
            }
        }
        else if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`|", c)) {
            return apr_psprintf(p, "the template's path may not contain "
                                "'%c' (byte 0x%02x)", apr_isgraph(c) ? c
                                : '?', c);
        }
    }
    return NULL;
}

static const char *parse_port(const char *s, apr_port_t *port)
{
    long v = 0;

    if (!*s) {
        return "the template has an empty port";
    }
    for (; *s; s++) {
        if (!apr_isdigit(*s) || (v = v * 10 + (*s - '0')) > 65535) {
            return "the template's port must be a number from 1 to 65535";
        }
    }
    if (v < 1) {
        return "the template's port must be a number from 1 to 65535";
    }
    *port = (apr_port_t)v;
    return NULL;
}

/* s cut at its placeholders: *n of them, so *n + 1 pieces, holding
 * *fixed bytes in all. */
static idp_piece_t *split(apr_pool_t *p, const char *s, int *n,
                          apr_size_t *fixed)
{
    const char *c;
    idp_piece_t *pc;
    int i = 0;

    *n = 0;
    for (c = s; (c = strstr(c, PH)); c += PH_LEN) {
        (*n)++;
    }
    pc = apr_palloc(p, (apr_size_t)(*n + 1) * sizeof(*pc));
    *fixed = 0;
    for (;;) {
        c = strstr(s, PH);
        pc[i].s = s;
        pc[i].n = c ? (apr_size_t)(c - s) : strlen(s);
        *fixed += pc[i].n;
        if (!c) {
            return pc;
        }
        s = c + PH_LEN;
        i++;
    }
}

const char *idp_template_parse(apr_pool_t *p, const char *str,
                               idp_template_t **tpl)
{
    idp_template_t *t;
    const char *sep, *auth, *aend, *hend, *err;
    int host_ids = 0, path_ids = 0;

    *tpl = NULL;
    if (!str || !(sep = strstr(str, "://"))) {
        return "the template must be an absolute URL such as "
               "http://id-{id}.tenants.svc:8080/";
    }
    t = apr_pcalloc(p, sizeof(*t));
    t->scheme = lower(apr_pstrmemdup(p, str, (apr_size_t)(sep - str)));
    if (strcmp(t->scheme, "http") && strcmp(t->scheme, "https")
        && strcmp(t->scheme, "ws") && strcmp(t->scheme, "wss")) {
        return apr_psprintf(p, "the template's scheme '%s' is not http, "
                            "https, ws or wss", t->scheme);
    }
    if (strpbrk(str, "?#")) {
        return "the template may not contain a query or fragment ('?', '#')";
    }
    auth = sep + 3;
    aend = auth + strcspn(auth, "/");
    if (memchr(auth, '@', (apr_size_t)(aend - auth))) {
        return "the template may not contain userinfo ('@') before the host";
    }

    if (*auth == '[') {
        const char *c;

        hend = memchr(auth, ']', (apr_size_t)(aend - auth));
        if (!hend || hend == auth + 1) {
            return "the template's IPv6 address has no closing ']'";
        }
        for (c = auth + 1; c < hend; c++) {
            if (*c == '{') {
                return "the template may not put {id} inside an IPv6 "
                       "address";
            }
            if (!apr_isxdigit(*c) && *c != ':' && *c != '.') {
                return "the template's IPv6 address is not valid";
            }
        }
        hend++;
        if (hend != aend && *hend != ':') {
            return "the template has text after the IPv6 address";
        }
    }
    else {
        hend = memchr(auth, ':', (apr_size_t)(aend - auth));
        if (!hend) {
            hend = aend;
        }
        if ((err = check_host(p, auth, hend, &host_ids))) {
            return err;
        }
    }
    t->host = lower(apr_pstrmemdup(p, auth, (apr_size_t)(hend - auth)));

    if (hend < aend) {
        t->port_explicit = 1;
        err = parse_port(apr_pstrmemdup(p, hend + 1,
                                        (apr_size_t)(aend - hend - 1)),
                         &t->port);
        if (err) {
            return err;
        }
    }
    else {
        t->port = (!strcmp(t->scheme, "https") || !strcmp(t->scheme, "wss"))
                  ? 443 : 80;
    }

    t->path = apr_pstrdup(p, aend);
    if ((err = check_path(p, t->path, &path_ids))) {
        return err;
    }
    if (!host_ids && !path_ids) {
        return "the template must contain {id} in the host or the path";
    }
    t->id_in_host = host_ids > 0;
    t->path_has_id = path_ids > 0;
    /* formatted once: expansions run per request */
    t->port_len = (apr_size_t)apr_snprintf(t->port_str, sizeof(t->port_str),
                                           ":%u", (unsigned int)t->port);
    t->numeric_host = t->id_in_host && numeric_template(t->host);
    if (t->numeric_host && (err = check_numeric_host(t->host))) {
        return err;
    }
    t->hp = split(p, t->host, &t->hn, &t->hfixed);
    t->pp = split(p, t->path, &t->pn, &t->pfixed);
    t->scheme_len = strlen(t->scheme);
    *tpl = t;
    return NULL;
}

const char *idp_template_scheme(const idp_template_t *t)
{
    return t->scheme;
}

const char *idp_template_host(const idp_template_t *t)
{
    return t->host;
}

apr_port_t idp_template_port(const idp_template_t *t)
{
    return t->port;
}

int idp_template_port_explicit(const idp_template_t *t)
{
    return t->port_explicit;
}

const char *idp_template_path(const idp_template_t *t)
{
    return t->path;
}

int idp_template_id_in_host(const idp_template_t *t)
{
    return t->id_in_host;
}

int idp_template_bare_host(const idp_template_t *t)
{
    const char *s = t->host;

    if (!t->id_in_host) {
        return 0;
    }
    while (*s) {
        const char *dot = strchr(s, '.');
        apr_size_t n = dot ? (apr_size_t)(dot - s) : strlen(s);
        const char *ph = strstr(s, PH);

        if (n > 0 && (!ph || ph >= s + n)) {
            return 0;                   /* a label without {id} */
        }
        s += n + (dot != NULL);
    }
    return 1;
}

int idp_template_id_in_path(const idp_template_t *t)
{
    return t->path_has_id;
}

/* Non-zero if some piece of [s, e), split at '/' or '\\', is "." or ".."
 * once everything from its first ';' on is removed. */
static int has_dot_piece(const char *s, const char *e)
{
    while (s <= e) {
        const char *c = s;
        apr_size_t n;

        while (c < e && *c != '/' && *c != '\\') {
            c++;
        }
        n = (apr_size_t)(c - s);
        {
            const char *semi = memchr(s, ';', n);
            if (semi) {
                n = (apr_size_t)(semi - s);
            }
        }
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.'
                                        && s[1] == '.')) {
            return 1;
        }
        s = c + 1;
    }
    return 0;
}

static int xval(char c)
{
    return apr_isdigit(c) ? c - '0' : apr_tolower(c) - 'a' + 10;
}

int idp_path_has_dot_segment(apr_pool_t *p, const char *path)
{
    apr_size_t len = strlen(path);
    char *dec, *o;
    const char *s;

    if (has_dot_piece(path, path + len)) {
        return 1;
    }
    if (!strchr(path, '%')) {
        return 0;
    }
    /* One more decoding, as a lenient backend would do it. A '%' that is
     * not %XX, or %00, stays as it is. */
    o = dec = apr_palloc(p, len + 1);
    for (s = path; *s; s++) {
        if (s[0] == '%' && apr_isxdigit(s[1]) && apr_isxdigit(s[2])
            && (s[1] != '0' || s[2] != '0')) {
            *o++ = (char)(xval(s[1]) << 4 | xval(s[2]));
            s += 2;
        }
        else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return has_dot_piece(dec, o);
}

apr_size_t idp_path_prefix_match(const char *uri, const char *prefix)
{
    const char *a = prefix, *u = uri;
    const char *aend = prefix + strlen(prefix), *uend = uri + strlen(uri);

    if (a == aend) {
        return 0;
    }
    while (a < aend && u < uend) {
        if (*a == '/') {
            if (*u != '/') {
                return 0;
            }
            while (*a == '/') {
                a++;
            }
            while (*u == '/') {
                u++;
            }
        }
        else if (*u++ != *a++) {
            return 0;
        }
    }
    if (u == uend && a != aend) {
        return 0;
    }
    if (a[-1] != '/' && *u != '\0' && *u != '/') {
        return 0;
    }
    return (apr_size_t)(u - uri);
}

int idp_template_host_ok(const idp_template_t *t, const char *id,
                         const char *host, apr_size_t len)
{
    const char *s, *l;

    if (len && host[len - 1] == '.') {
        len--;
    }
    if (len > IDP_TEMPLATE_HOST_MAX) {
        return 0;
    }
    /* Octal ("010"), hex ("0x8") and zero-padded ("0008") spellings
     * would reach another tenant's address, or the same address under a
     * second cache key: in a numeric template only canonical decimal ids,
     * and only labels that are canonical octets, are let through. */
    if (t->numeric_host && !canonical_decimal(id)) {
        return 0;
    }
    for (s = l = host; ; s++) {
        if (*s == '.' || !*s) {
            apr_size_t n = (apr_size_t)(s - l);

            if (n > IDP_TEMPLATE_LABEL_MAX
                || (t->numeric_host && !canonical_octet(l, n))) {
                return 0;
            }
            if (!*s) {
                break;
            }
            l = s + 1;
        }
    }
    /* An id must not turn a host name into an address (SSRF): only a
     * template that is numeric already may expand to a literal. */
    return t->numeric_host || !ipv4_literal(host);
}

/* The pieces with id between them, written at o; returns the end. The
 * template's host is lower case already: only a host's id needs it. */
static char *join(char *o, const idp_piece_t *pc, int n, const char *id,
                  apr_size_t idlen, int lc)
{
    int i;
    apr_size_t k;

    memcpy(o, pc[0].s, pc[0].n);
    o += pc[0].n;
    for (i = 1; i <= n; i++) {
        if (lc) {
            for (k = 0; k < idlen; k++) {
                o[k] = apr_tolower(id[k]);
            }
        }
        else {
            memcpy(o, id, idlen);
        }
        o += idlen;
        memcpy(o, pc[i].s, pc[i].n);
        o += pc[i].n;
    }
    return o;
}

/* From the pieces cut at configuration time, in one allocation: this
 * runs on every request. The unit tests and fuzz_idp_url check it against
 * a plain substitution (tests/unit/idp_template_ref.c). */
int idp_template_expand_all(apr_pool_t *p, const idp_template_t *t,
                            const char *id, idp_expansion_t *out)
{
    apr_size_t idlen, hlen, klen, ulen;
    char *blk, *host, *o;

    /* The id reaches a URL only through here: refuse, never repair. */
    if (!idp_id_chars_ok(id)) {
        return -1;
    }
    idlen = strlen(id);
    hlen = t->hfixed + (apr_size_t)t->hn * idlen;
    klen = t->scheme_len + 3 + hlen + t->port_len;
    ulen = klen + t->pfixed + (apr_size_t)t->pn * idlen;
    /* host NUL key NUL url NUL */
    blk = apr_palloc(p, hlen + 1 + klen + 1 + ulen + 1);
    host = blk;
    o = join(host, t->hp, t->hn, id, idlen, 1);
    *o = '\0';
    if (t->id_in_host && !idp_template_host_ok(t, id, host, hlen)) {
        return -1;
    }
    o = blk + hlen + 1 + klen + 1;      /* the url */
    out->url = o;
    memcpy(o, t->scheme, t->scheme_len);
    o += t->scheme_len;
    memcpy(o, "://", 3);
    memcpy(o + 3, host, hlen);
    memcpy(o + 3 + hlen, t->port_str, t->port_len);
    o += 3 + hlen + t->port_len;
    o = join(o, t->pp, t->pn, id, idlen, 0);
    *o = '\0';
    out->key = blk + hlen + 1;
    memcpy(blk + hlen + 1, out->url, klen);
    blk[hlen + 1 + klen] = '\0';
    out->key_len = klen;
    out->host = host;
    return 0;
}
