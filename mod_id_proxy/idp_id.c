/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_id: id sources, strict decoding and validation (see idp_id.h).
 * Pure code: runs per request on strings the client controls, so every
 * parser here is strict and bounded, and nothing is logged; the glue
 * maps the result codes to 400 and an INFO line.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "idp_id.h"

/* RFC 3986 unreserved characters other than '.': the only bytes an id
 * may ever contain. Plain comparisons, so the locale cannot widen it. */
static int id_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~';
}

/* RFC 7230 tchar. */
static int token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decode the %XX at s (s[0] == '%', len bytes left including it) into
 * *out; -1 if it is dangling, not hex, or %00 (which would cut a C string
 * short and hide what follows from the checks). */
static int pct_byte(const char *s, apr_size_t len, unsigned char *out)
{
    int hi, lo;

    if (len < 3) {
        return -1;
    }
    hi = hexval((unsigned char)s[1]);
    lo = hexval((unsigned char)s[2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
        return -1;
    }
    *out = (unsigned char)(hi * 16 + lo);
    return 0;
}

/* Strictly percent-decode s[0..len) into a new string from p. '+' stays
 * '+'. Returns IDP_ID_OK or IDP_ID_BAD_ENCODING. */
static int pct_decode(apr_pool_t *p, const char *s, apr_size_t len,
                      const char **out)
{
    char *d = apr_palloc(p, len + 1);
    apr_size_t i, j = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '%') {
            unsigned char c;

            if (pct_byte(s + i, len - i, &c)) {
                return IDP_ID_BAD_ENCODING;
            }
            d[j++] = (char)c;
            i += 2;
        }
        else {
            d[j++] = s[i];
        }
    }
    d[j] = '\0';
    *out = d;
    return IDP_ID_OK;
}

/* Compare the percent-encoded s[0..len) with the plain want, decoding on
 * the fly (no allocation for the parameters that are not ours). Returns
 * 1 if equal, 0 if not, -1 if s is badly encoded. */
static int pct_name_eq(const char *s, apr_size_t len, const char *want)
{
    apr_size_t i;
    int eq = 1;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%') {
            if (pct_byte(s + i, len - i, &c)) {
                return -1;
            }
            i += 2;
        }
        /* keep scanning after a mismatch: a bad name is an error */
        if (eq && (*want == '\0' || (unsigned char)*want != c)) {
            eq = 0;
        }
        else if (eq) {
            want++;
        }
    }
    return eq && *want == '\0';
}

const char *idp_source_parse(apr_pool_t *p, const char *spec,
                             idp_source_t *out)
{
    const char *colon, *arg;
    apr_size_t klen, i;

    memset(out, 0, sizeof(*out));
    if (!spec || !(colon = strchr(spec, ':'))) {
        return apr_psprintf(p, "id source '%s' must be query:NAME, path:N, "
                            "header:NAME or cookie:NAME", spec ? spec : "");
    }
    klen = (apr_size_t)(colon - spec);
    arg = colon + 1;
    if (klen == 5 && !strncasecmp(spec, "query", 5)) {
        out->kind = IDP_SRC_QUERY;
    }
    else if (klen == 4 && !strncasecmp(spec, "path", 4)) {
        out->kind = IDP_SRC_PATH;
    }
    else if (klen == 6 && !strncasecmp(spec, "header", 6)) {
        out->kind = IDP_SRC_HEADER;
    }
    else if (klen == 6 && !strncasecmp(spec, "cookie", 6)) {
        out->kind = IDP_SRC_COOKIE;
    }
    else {
        return apr_psprintf(p, "id source '%s' has an unknown kind: use "
                            "query:NAME, path:N, header:NAME or cookie:NAME",
                            spec);
    }

    if (out->kind == IDP_SRC_PATH) {
        int n = 0;

        for (i = 0; arg[i]; i++) {
            if (!apr_isdigit(arg[i]) || n > IDP_SOURCE_PATH_MAX) {
                n = -1;
                break;
            }
            n = n * 10 + (arg[i] - '0');
        }
        if (n < 1 || n > IDP_SOURCE_PATH_MAX) {
            out->kind = 0;
            return apr_psprintf(p, "id source '%s': N in path:N must be a "
                                "number from 1 to %d", spec,
                                IDP_SOURCE_PATH_MAX);
        }
        out->segment = n;
        return NULL;
    }

    if (!*arg || strlen(arg) > IDP_SOURCE_NAME_MAX) {
        out->kind = 0;
        return apr_psprintf(p, "id source '%s' needs a name of 1 to %d "
                            "characters after the colon", spec,
                            IDP_SOURCE_NAME_MAX);
    }
    for (i = 0; arg[i]; i++) {
        unsigned char c = (unsigned char)arg[i];
        int query = out->kind == IDP_SRC_QUERY;

        if (query ? !(id_char(c) || c == '.') : !token_char(c)) {
            out->kind = 0;
            return apr_psprintf(p, "id source '%s': the name may not contain "
                                "'%c' (%s)", spec, apr_isgraph(c) ? c : '?',
                                query ? "query names are letters, digits, "
                                        "'-', '.', '_' and '~'"
                                      : "header and cookie names are HTTP "
                                        "tokens");
        }
    }
    out->name = apr_pstrdup(p, arg);
    return NULL;
}

int idp_id_from_query(apr_pool_t *p, const char *args, const char *name,
                      const char **id)
{
    const char *s = args, *val = NULL;
    apr_size_t vlen = 0;
    int found = 0;

    if (!args || !name) {
        return IDP_ID_MISSING;
    }
    while (*s) {
        const char *amp = strchr(s, '&');
        apr_size_t len = amp ? (apr_size_t)(amp - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        apr_size_t nlen = eq ? (apr_size_t)(eq - s) : len;

        if (len) {
            int m = pct_name_eq(s, nlen, name);

            if (m < 0) {
                return IDP_ID_BAD_ENCODING;
            }
            if (m) {
                if (found++) {
                    return IDP_ID_REPEATED;
                }
                val = eq ? eq + 1 : s + len;
                vlen = eq ? len - nlen - 1 : 0;
            }
        }
        if (!amp) {
            break;
        }
        s = amp + 1;
    }
    if (!found) {
        return IDP_ID_MISSING;
    }
    return pct_decode(p, val, vlen, id);
}

int idp_id_from_path(apr_pool_t *p, const char *path, int n,
                     const char **id, const char **rest)
{
    const char *s = path, *end;
    int i;

    if (!path || n < 1) {
        return IDP_ID_MISSING;
    }
    if (*s == '/') {
        s++;
    }
    for (i = 1; i < n; i++) {
        if (!(s = strchr(s, '/'))) {
            return IDP_ID_MISSING;
        }
        s++;
    }
    /* "/a" has one segment, "/a/" two (the second empty), "" none */
    if (!*s && (s == path || (s == path + 1 && *path == '/'))) {
        return IDP_ID_MISSING;
    }
    if (!(end = strchr(s, '/'))) {
        end = s + strlen(s);
    }
    if (rest) {
        *rest = end;
    }
    return pct_decode(p, s, (apr_size_t)(end - s), id);
}

int idp_id_from_header(const char *value, const char **id)
{
    if (!value) {
        return IDP_ID_MISSING;
    }
    if (strchr(value, ',')) {
        return IDP_ID_REPEATED;
    }
    *id = value;
    return IDP_ID_OK;
}

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

int idp_id_from_cookie(apr_pool_t *p, const char *cookie, const char *name,
                       const char **id)
{
    const char *s = cookie, *val = NULL;
    apr_size_t vlen = 0, want;
    int found = 0;

    if (!cookie || !name) {
        return IDP_ID_MISSING;
    }
    want = strlen(name);
    while (*s) {
        apr_size_t len = strcspn(s, ";,");
        const char *b = s, *e = s + len, *eq;

        while (b < e && ows(*b)) {
            b++;
        }
        eq = memchr(b, '=', (apr_size_t)(e - b));
        if (eq) {
            const char *ne = eq;

            while (ne > b && ows(ne[-1])) {
                ne--;
            }
            if ((apr_size_t)(ne - b) == want && !memcmp(b, name, want)) {
                const char *vb = eq + 1, *ve = e;

                if (found++) {
                    return IDP_ID_REPEATED;
                }
                while (vb < ve && ows(*vb)) {
                    vb++;
                }
                while (ve > vb && ows(ve[-1])) {
                    ve--;
                }
                if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
                    vb++;
                    ve--;
                }
                val = vb;
                vlen = (apr_size_t)(ve - vb);
            }
        }
        if (!s[len]) {
            break;
        }
        s += len + 1;
    }
    if (!found) {
        return IDP_ID_MISSING;
    }
    *id = apr_pstrmemdup(p, val, vlen);
    return IDP_ID_OK;
}

int idp_id_extract(apr_pool_t *p, const idp_source_t *src,
                   const idp_id_input_t *in, const char **id,
                   const char **rest)
{
    if (rest) {
        *rest = NULL;
    }
    switch (src->kind) {
    case IDP_SRC_QUERY:
        return idp_id_from_query(p, in->args, src->name, id);
    case IDP_SRC_PATH:
        return idp_id_from_path(p, in->path, src->segment, id, rest);
    case IDP_SRC_HEADER:
        return idp_id_from_header(in->header, id);
    case IDP_SRC_COOKIE:
        return idp_id_from_cookie(p, in->cookie, src->name, id);
    }
    return IDP_ID_MISSING;
}

int idp_id_chars_ok(const char *id)
{
    const unsigned char *s = (const unsigned char *)id;

    if (!s || !*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!id_char(*s)) {
            return 0;
        }
    }
    return 1;
}

static int lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int idp_id_default_match(void *baton, const char *id)
{
    apr_size_t i, len;

    (void)baton;
    if (!id || !(len = strlen(id)) || len > 63) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!lower_alnum(id[i]) && (id[i] != '-' || i == 0 || i == len - 1)) {
            return 0;
        }
    }
    return 1;
}

int idp_id_validate(const idp_id_rules_t *rules, const char *id)
{
    apr_size_t max = rules && rules->max_len ? rules->max_len
                                             : IDP_ID_MAX_LEN_DEFAULT;

    /* The allowlist runs first, so a regex's '$' matching before a final
     * newline (PCRE) can never let "\n" through. */
    if (!idp_id_chars_ok(id)) {
        return IDP_ID_INVALID;
    }
    if (strlen(id) > max) {
        return IDP_ID_TOO_LONG;
    }
    if (rules && rules->match) {
        return rules->match(rules->baton, id) ? IDP_ID_OK : IDP_ID_INVALID;
    }
    return idp_id_default_match(NULL, id) ? IDP_ID_OK : IDP_ID_INVALID;
}

int idp_id_get(apr_pool_t *p, const idp_source_t *src,
               const idp_id_input_t *in, const idp_id_rules_t *rules,
               const char **id, const char **rest)
{
    const char *raw = NULL;
    int rc = idp_id_extract(p, src, in, &raw, rest);

    if (rc == IDP_ID_OK && (rc = idp_id_validate(rules, raw)) == IDP_ID_OK) {
        *id = raw;
    }
    return rc;
}

const char *idp_id_strerror(int rc)
{
    switch (rc) {
    case IDP_ID_OK:
        return "ok";
    case IDP_ID_MISSING:
        return "missing id";
    case IDP_ID_REPEATED:
        return "repeated id";
    case IDP_ID_BAD_ENCODING:
        return "badly percent-encoded id";
    case IDP_ID_INVALID:
        return "invalid id";
    case IDP_ID_TOO_LONG:
        return "id too long";
    }
    return "unknown id error";
}

/* ---------------------------------------------------------------------
 * idp_pattern_check: a small tokenizer over the regex source, refusing
 * whatever could match a byte outside id_char() or escape the anchors.
 */

static int posix_class_ok(const char *s, apr_size_t len)
{
    static const char *const ok[] = {
        "alnum", "alpha", "digit", "lower", "upper", NULL
    };
    int i;

    for (i = 0; ok[i]; i++) {
        if (strlen(ok[i]) == len && !memcmp(ok[i], s, len)) {
            return 1;
        }
    }
    return 0;
}

#define RANGE_FROM_ESCAPE "the id pattern's character class may not start " \
    "a range with an escape or a POSIX class (write \\- last, or ranges " \
    "within a-z, A-Z or 0-9)"

/* Check the class starting after '[' at *ps; on success *ps points past
 * the closing ']'. */
static const char *check_class(const char **ps)
{
    const char *s = *ps;

    if (*s == '^') {
        return "the id pattern may not use a negated character class "
               "([^...]), which matches '.', '/', ':' and more";
    }
    if (*s == ']') {
        return "the id pattern's character class may not contain ']'";
    }
    while (*s && *s != ']') {
        if (s[0] == '[' && s[1] == ':') {
            const char *e = strstr(s + 2, ":]");

            if (!e || !posix_class_ok(s + 2, (apr_size_t)(e - s - 2))) {
                return "the id pattern may only use the POSIX classes "
                       "[:alnum:] [:alpha:] [:digit:] [:lower:] [:upper:]";
            }
            s = e + 2;
            if (s[0] == '-' && s[1] && s[1] != ']') {
                return RANGE_FROM_ESCAPE;
            }
        }
        else if (*s == '\\') {
            if (!s[1] || !strchr("dw-", s[1])) {
                return "the id pattern's character class may only use the "
                       "escapes \\d \\w and \\-";
            }
            s += 2;
            /* "\\--9" is the range from '-' to '9', which holds '.'
             * and '/' (found by fuzz_config_parsers) */
            if (s[0] == '-' && s[1] && s[1] != ']') {
                return RANGE_FROM_ESCAPE;
            }
        }
        else if (s[1] == '-' && s[2] && s[2] != ']') {
            char lo = s[0], hi = s[2];
            int same = (lo >= 'a' && hi <= 'z' && lo <= hi)
                       || (lo >= 'A' && hi <= 'Z' && lo <= hi)
                       || (lo >= '0' && hi <= '9' && lo <= hi);

            if (!same || !apr_isalnum(lo) || !apr_isalnum(hi)) {
                return "the id pattern's character ranges must stay within "
                       "a-z, A-Z or 0-9";
            }
            s += 3;
        }
        else if (id_char((unsigned char)*s)) {
            s++;
        }
        else {
            return "the id pattern's character class may only contain "
                   "letters, digits, '-', '_' and '~'";
        }
    }
    if (*s != ']') {
        return "the id pattern has an unterminated character class";
    }
    *ps = s + 1;
    return NULL;
}

const char *idp_pattern_check(const char *regex_src)
{
    const char *s = regex_src, *end;
    int depth = 0;

    if (!s || s[0] != '^') {
        return "the id pattern must start with '^'";
    }
    end = s + strlen(s);
    /* the last '$' must not be escaped: count the backslashes before it */
    if (end - s < 2 || end[-1] != '$') {
        return "the id pattern must end with '$'";
    }
    if (end - s == 2) {
        return "the id pattern '^$' matches only the empty id";
    }
    else {
        const char *b = end - 1;

        while (b > s && b[-1] == '\\') {
            b--;
        }
        if ((end - 1 - b) % 2) {
            return "the id pattern must end with an unescaped '$'";
        }
    }
    for (s++; s < end - 1; ) {
        const char *err;
        char c = *s;

        switch (c) {
        case '\\':
            if (!s[1] || !strchr("dwbB-_~", s[1])) {
                return "the id pattern may only use the escapes \\d \\w \\b "
                       "\\B \\- \\_ and \\~ (not \\S \\W \\D \\s \\x \\Q "
                       "or backreferences)";
            }
            s += 2;
            break;
        case '.':
            return "the id pattern may not contain an unescaped '.', which "
                   "matches any character";
        case '[':
            s++;
            if ((err = check_class(&s))) {
                return err;
            }
            break;
        case '(':
            if (s[1] == '?' && s[2] == ':') {
                s += 3;
            }
            else if (s[1] == '?' || s[1] == '*') {
                return "the id pattern may only use plain groups '(' and "
                       "'(?:'";
            }
            else {
                s++;
            }
            depth++;
            break;
        case ')':
            if (--depth < 0) {
                return "the id pattern has an unbalanced ')'";
            }
            s++;
            break;
        case '|':
            if (!depth) {
                return "the id pattern may not use '|' outside a group; "
                       "write ^(a|b)$ so that every branch is anchored";
            }
            s++;
            break;
        case '*':
        case '+':
        case '?':
            s++;
            break;
        case '{':
            s++;
            if (!apr_isdigit(*s)) {
                return "the id pattern has a '{' that is not a {n,m} "
                       "quantifier";
            }
            while (apr_isdigit(*s)) {
                s++;
            }
            if (*s == ',') {
                s++;
                while (apr_isdigit(*s)) {
                    s++;
                }
            }
            if (*s != '}') {
                return "the id pattern has a '{' that is not a {n,m} "
                       "quantifier";
            }
            s++;
            break;
        case '^':
        case '$':
            return "the id pattern may only use '^' at the start and '$' at "
                   "the end";
        default:
            if (!id_char((unsigned char)c)) {
                return "the id pattern may only match letters, digits, '-', "
                       "'_' and '~' (never '.', '/', ':', '@', '%' or "
                       "whitespace)";
            }
            s++;
        }
    }
    if (s != end - 1) {
        /* an escape or class ran over the final '$' */
        return "the id pattern must end with an unescaped '$'";
    }
    if (depth) {
        return "the id pattern has an unbalanced '('";
    }
    return NULL;
}
