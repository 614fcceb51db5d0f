/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact_detect: the value detectors (pan, jwt, bearer and the glue's
 * callback) and plain-text redaction with them. Each detector is a single
 * forward scan; text redaction remembers each detector's next match, so a
 * body is scanned about once per detector whatever the number of matches.
 */
#include <string.h>

#include <apr_strings.h>

#include "ab_redact_private.h"

/* ============================================================ detectors */

const char *ab_redact_detector_arg(const char *arg, unsigned *mask)
{
    if (!strcasecmp(arg, "pan")) {
        *mask |= AB_REDACT_DET_PAN;
    }
    else if (!strcasecmp(arg, "jwt")) {
        *mask |= AB_REDACT_DET_JWT;
    }
    else if (!strcasecmp(arg, "bearer")) {
        *mask |= AB_REDACT_DET_BEARER;
    }
    else if (!strcasecmp(arg, "none")) {
        *mask = 0;
    }
    else {
        return "not a built-in detector (pan, jwt, bearer or none)";
    }
    return NULL;
}

#define ISDIG(c) ((unsigned char)((c) - '0') < 10)

int ab_redact_luhn(const char *s, apr_size_t len)
{
    unsigned sum = 0, dbl = 0;
    apr_size_t i = len;

    while (i--) {
        if (ISDIG(s[i])) {
            unsigned d = (unsigned)(s[i] - '0');
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl ^= 1;
        }
    }
    return sum % 10 == 0;
}

/* Whether groups a..b (13-19 digits in all) are written as a card
 * number is: its issuer digit 2-6 (Mastercard 2 and 5, Amex, Diners and
 * JCB 3, Visa 4, Discover, UnionPay and Maestro 6), and either one group,
 * or a first group of 4 digits and then groups of 4 to 6 (the last may be
 * shorter: 4-4-4-1, 4-4-4-4-3) all after the same separator (4-4-4-4,
 * Amex 4-6-5). So ids, dates and pid-timestamp strings such as
 * "22197-1796598445" that happen to pass Luhn (one in ten) do not. */
static int pan_shape(const char *s, const apr_size_t *gs,
                     const apr_size_t *ge, int a, int b)
{
    int k;

    if (s[gs[a]] < '2' || s[gs[a]] > '6') {
        return 0;
    }
    if (a == b) {
        return 1;
    }
    if (ge[a] - gs[a] != 4) {
        return 0;
    }
    for (k = a + 1; k <= b; k++) {
        apr_size_t n = ge[k] - gs[k];

        if (s[gs[k] - 1] != s[gs[a + 1] - 1] || n > 6
            || (k < b && n < 4)) {
            return 0;
        }
    }
    return 1;
}

/* PAN: a run of digit groups separated by single spaces or dashes. Any
 * window of whole consecutive groups holding 13-19 digits, shaped as a
 * card number (pan_shape) and passing Luhn matches ("4111 1111 1111 1111
 * 12/25" and "card 4111-1111-1111-1111"); a single unseparated group must
 * itself hold 13-19 digits, so long ids do not match by accident. A run
 * reaching a cut with 8+ digits and an issuer digit matches whole (a PAN
 * prefix cannot be Luhn-checked). */
static int find_pan(const char *s, apr_size_t len, int at_cut,
                    apr_size_t *ms, apr_size_t *me)
{
    apr_size_t i = 0;

    while (i < len) {
        apr_size_t gs[20], ge[20], rs, total = 0;
        int ng = 0, a, b;

        if (!ISDIG(s[i])) {
            /* A PAN is 13+ bytes of digits and separators: if the byte 12
             * ahead is neither, none starts before it. */
            if (i + 12 < len && !ISDIG(s[i + 12]) && s[i + 12] != ' '
                && s[i + 12] != '-') {
                i += 13;
            }
            else {
                i++;
            }
            continue;
        }
        rs = i;
        for (;;) {
            apr_size_t st = i, sum = 0;

            while (i < len && ISDIG(s[i])) {
                i++;
            }
            total += i - st;
            if (ng == 20) {
                memmove(gs, gs + 1, 19 * sizeof(*gs));
                memmove(ge, ge + 1, 19 * sizeof(*ge));
                ng = 19;
            }
            gs[ng] = st;
            ge[ng] = i;
            b = ng++;
            for (a = b; a >= 0; a--) {
                sum += ge[a] - gs[a];
                if (sum > 19) {
                    break;
                }
                if (sum >= 13 && pan_shape(s, gs, ge, a, b)
                    && ab_redact_luhn(s + gs[a], ge[b] - gs[a])) {
                    *ms = gs[a];
                    *me = ge[b];
                    return 1;
                }
            }
            if (i + 1 < len && (s[i] == ' ' || s[i] == '-')
                && ISDIG(s[i + 1])) {
                i++;
                continue;
            }
            break;
        }
        if (at_cut && total >= 8 && s[rs] >= '2' && s[rs] <= '6'
            && (i == len || (i + 1 == len && (s[i] == ' ' || s[i] == '-')))) {
            *ms = rs;
            *me = len;
            return 1;
        }
    }
    return 0;
}

static const unsigned char b64u[256] = {
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['-'] = 1, ['_'] = 1
};
#define B64U(c) b64u[(unsigned char)(c)]

/* JWT: "eyJ" (base64url of '{"') not preceded by a base64url byte, then
 * base64url, '.', 1+ base64url, '.', base64url (may be empty: alg none).
 * Reaching a cut after "eyJ" matches (a cut token is still a secret). */
static int find_jwt(const char *s, apr_size_t len, int at_cut,
                    apr_size_t *ms, apr_size_t *me)
{
    const char *p = s + 2, *end = s + len;

    /* 'J' is rarer than 'e' in text: look for it, then back up. */
    while (p < end && (p = memchr(p, 'J', (apr_size_t)(end - p))) != NULL) {
        const char *q;
        int dots = 0, seg2 = 0;

        if (p[-1] != 'y' || p[-2] != 'e' || (p - 2 > s && B64U(p[-3]))) {
            p++;
            continue;
        }
        p -= 2;
        for (q = p + 3; q < end; q++) {
            if (B64U(*q)) {
                if (dots == 1) {
                    seg2++;
                }
            }
            else if (*q == '.' && dots < 2 && (dots == 0 || seg2)) {
                dots++;
            }
            else {
                break;
            }
        }
        if ((dots == 2) || (at_cut && q == end)) {
            *ms = (apr_size_t)(p - s);
            *me = (apr_size_t)(q - s);
            return 1;
        }
        p = q + 2;
    }
    return 0;
}

static int bearer_tok(unsigned char c)
{
    return B64U(c) || c == '.' || c == '~' || c == '+' || c == '/'
           || c == '=';
}

/* "Bearer" (any case, not inside a word), spaces, then a token of
 * base64/token68 bytes: the token is the match. */
static int find_bearer(const char *s, apr_size_t len, apr_size_t *ms,
                       apr_size_t *me)
{
    apr_size_t i;

    for (i = 0; i + 6 < len; i++) {
        apr_size_t j;

        if ((s[i] | 0x20) != 'b' || strncasecmp(s + i, "bearer", 6)
            || (i > 0 && B64U(s[i - 1]))) {
            continue;
        }
        j = i + 6;
        if (j >= len || (s[j] != ' ' && s[j] != '\t')) {
            continue;
        }
        while (j < len && (s[j] == ' ' || s[j] == '\t')) {
            j++;
        }
        if (j < len && bearer_tok((unsigned char)s[j])) {
            *ms = j;
            while (j < len && bearer_tok((unsigned char)s[j])) {
                j++;
            }
            *me = j;
            return 1;
        }
    }
    return 0;
}

int ab_redact_detect(const ab_redact_cfg_t *cfg, const char *s,
                     apr_size_t len, int at_cut, apr_size_t *start,
                     apr_size_t *end)
{
    apr_size_t bs = (apr_size_t)-1, be = 0, a, b;
    unsigned det;

    /* Shortest matches: 13 digits (8 at a cut), "eyJ" + ".x." (eyJ at a
     * cut), "bearer x". */
    if (!cfg->extra && (len < 3 || (len < 8 && !at_cut))) {
        return 0;                       /* the glue's regexes see all */
    }
    det = cfg->detectors ? abr_detect_census(s, len, at_cut, cfg->detectors)
                         : 0;
    if (!det && !cfg->extra) {
        return 0;
    }
    if ((det & AB_REDACT_DET_PAN) && (len >= 13 || at_cut)
        && find_pan(s, len, at_cut, &a, &b)) {
        bs = a;
        be = b;
    }
    if ((det & AB_REDACT_DET_JWT)
        && find_jwt(s, len, at_cut, &a, &b) && a < bs) {
        bs = a;
        be = b;
    }
    if ((det & AB_REDACT_DET_BEARER)
        && find_bearer(s, len, &a, &b) && a < bs) {
        bs = a;
        be = b;
    }
    if (cfg->extra && cfg->extra(cfg->extra_baton, s, len, at_cut, &a, &b)
        && a < bs && b > a && b <= len) {
        bs = a;
        be = b;
    }
    if (bs == (apr_size_t)-1) {
        return 0;
    }
    *start = bs;
    *end = be;
    return 1;
}

/* ============================================================ text */

static int pair_name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
           || c == '~' || c == '%' || c == '+' || c == '[' || c == ']';
}

static int pair_value_end(unsigned char c)
{
    return c == '&' || c == ';' || c == '#' || c == '<' || c == '>'
           || c == '"' || c == '\'' || c == ' ' || c == '\t' || c == '\r'
           || c == '\n' || c == ',' || c == ')';
}

static int hexdig(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
         : -1;
}

/* Whether the name s[0..n), percent- and '+'-decoded, is redacted. In
 * free text a run longer than any name is not one (a base64 blob before
 * its padding). */
static int pair_name_match(const ab_redact_cfg_t *cfg, const char *s,
                           apr_size_t n)
{
    char buf[AB_REDACT_NAME_MAX];
    apr_size_t i, k = 0;
    int h, l;

    if (n > AB_REDACT_NAME_MAX) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n
            && (h = hexdig((unsigned char)s[i + 1])) >= 0
            && (l = hexdig((unsigned char)s[i + 2])) >= 0) {
            buf[k++] = (char)(h * 16 + l);
            i += 2;
        }
        else {
            buf[k++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    return abr_field_match(cfg->names, buf, k);
}

/*
 * A pair whose name is redacted, in free text (an HTML page with a link,
 * a log line, a script holding JSON): name=value (the name made of
 * form-name bytes, percent-decoded; the value up to & ; # < > quotes,
 * comma, parenthesis or whitespace), or "name": value (a quoted key; the
 * value a quoted string or a bare token). The value's span, or 0. Each
 * '=' or ':' looks back at most AB_REDACT_NAME_MAX bytes: linear.
 */
static int find_pair(const ab_redact_cfg_t *cfg, const char *s,
                     apr_size_t len, apr_size_t *a, apr_size_t *b)
{
    apr_size_t i;

    for (i = 0; i < len; i++) {
        apr_size_t ns, ne, v, e;

        if (s[i] == '=') {
            ne = i;
            for (ns = ne; ns > 0 && ne - ns <= AB_REDACT_NAME_MAX
                          && pair_name_byte((unsigned char)s[ns - 1]);
                 ns--) {
            }
            if (ns == ne) {
                continue;
            }
            for (v = e = i + 1;
                 e < len && !pair_value_end((unsigned char)s[e]); e++) {
            }
        }
        else if (s[i] == ':') {
            char q;

            for (ne = i; ne > 0 && (s[ne - 1] == ' ' || s[ne - 1] == '\t');
                 ne--) {
            }
            if (ne < 2 || (s[ne - 1] != '"' && s[ne - 1] != '\'')) {
                continue;
            }
            q = s[--ne];
            for (ns = ne; ns > 0 && ne - ns <= AB_REDACT_NAME_MAX
                          && s[ns - 1] != q && s[ns - 1] != '\n';
                 ns--) {
            }
            if (ns == 0 || s[ns - 1] != q || ns == ne) {
                continue;
            }
            for (v = i + 1; v < len && (s[v] == ' ' || s[v] == '\t'); v++) {
            }
            if (v < len && (s[v] == '"' || s[v] == '\'')) {
                q = s[v++];
                for (e = v; e < len && s[e] != q; e++) {
                    if (s[e] == '\\' && e + 1 < len) {
                        e++;
                    }
                }
                if (e > len) {
                    e = len;
                }
            }
            else {
                for (e = v; e < len && s[e] != ',' && s[e] != '}'
                            && s[e] != ']' && s[e] != '\n' && s[e] != '\r'
                            && s[e] != ' ' && s[e] != '<'; e++) {
                }
            }
        }
        else {
            continue;
        }
        if (e > v && pair_name_match(cfg, s + ns, ne - ns)) {
            *a = v;
            *b = e;
            return 1;
        }
    }
    return 0;
}

/* The next match of detector k (0 pan, 1 jwt, 2 bearer, 3 extra, 4 a
 * redacted name=value pair) in s[0..len). */
static int detect_one(const ab_redact_cfg_t *cfg, int k, const char *s,
                      apr_size_t len, int at_cut, apr_size_t *a,
                      apr_size_t *b)
{
    switch (k) {
    case 0: return find_pan(s, len, at_cut, a, b);
    case 1: return find_jwt(s, len, at_cut, a, b);
    case 2: return find_bearer(s, len, a, b);
    case 4: return find_pair(cfg, s, len, a, b);
    default:
        return cfg->extra(cfg->extra_baton, s, len, at_cut, a, b)
               && *b > *a && *b <= len;
    }
}

/* Each detector's next match is remembered, and searched again only once
 * the copy has passed its start: every detector scans the text about
 * once, so a text full of matches of one kind stays linear. */
ab_redact_status_e abr_text_run(abr_out_t *o, const char *in, apr_size_t len,
                                int truncated, const char *path)
{
    const ab_redact_cfg_t *cfg = o->cfg;
    apr_size_t pos = 0, ma[5], mb[5];
    int state[5], k;                    /* 0 unknown, 1 match, 2 none */
    abr_path_t pa;

    pa.n = 0;
    abr_path_add(&pa, path, strlen(path));
    state[0] = (cfg->detectors & AB_REDACT_DET_PAN) ? 0 : 2;
    state[1] = (cfg->detectors & AB_REDACT_DET_JWT) ? 0 : 2;
    state[2] = (cfg->detectors & AB_REDACT_DET_BEARER) ? 0 : 2;
    state[3] = cfg->extra ? 0 : 2;
    state[4] = cfg->names && ab_redact_names_count(cfg->names) ? 0 : 2;
    while (pos < len) {
        int best = -1;

        for (k = 0; k < 5; k++) {
            if (state[k] == 0 || (state[k] == 1 && ma[k] < pos)) {
                apr_size_t a, b;

                if (detect_one(cfg, k, in + pos, len - pos, truncated, &a,
                               &b)) {
                    ma[k] = pos + a;
                    mb[k] = pos + b;
                    state[k] = 1;
                }
                else {
                    state[k] = 2;
                }
            }
            if (state[k] == 1 && (best < 0 || ma[k] < ma[best])) {
                best = k;
            }
        }
        if (best < 0) {
            break;
        }
        abr_put(o, in + pos, ma[best] - pos);
        abr_put_token(o, in + ma[best], mb[best] - ma[best], 0);
        abr_report(o->rep, &pa);
        pos = mb[best] > ma[best] ? mb[best] : ma[best] + 1;
        if (pos > len) {
            pos = len;
        }
    }
    abr_put(o, in + pos, len - pos);
    return AB_REDACT_OK;
}
