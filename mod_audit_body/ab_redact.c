/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact: the name list, the value detectors, the replacement token,
 * the report, plain-text redaction, sniffing and the entry point by
 * content type. The tokenizers live in ab_redact_{json,form,xml,
 * multipart}.c. Pure: never logs, never allocates per token.
 */
#include <string.h>

#include <apr_strings.h>

#include "ab_hmac.h"
#include "ab_redact_private.h"

/* ============================================================ names */

/* Pattern shapes, so the common ones need no glob: exact, "*lit*",
 * "*lit", "lit*"; anything else goes through glob(). */
enum { P_EXACT, P_CONTAINS, P_SUFFIX, P_PREFIX, P_GLOB };

struct ab_redact_names {
    int n;
    const char **pat;       /* lower case */
    apr_size_t *plen;
    unsigned char *wild;    /* shape (P_*) */
    const char **lit;       /* the literal of a CONTAINS/SUFFIX/PREFIX */
    apr_size_t *llen;
    apr_uint32_t lenmask;   /* bit min(len,31) of every exact pattern */
    int *hash;              /* open addressing: exact pattern index + 1 */
    apr_uint32_t hmask;
    int nwild;              /* indexes of the other shapes */
    int *wilds;
    apr_uint32_t *need;     /* letters (c & 31) a wildcard literal needs */
};

/* FNV-1a over lower-cased bytes. */
static APR_INLINE apr_uint32_t fnv(apr_uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}

static int name_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    if (!*u || strlen(s) >= AB_REDACT_NAME_MAX) {
        return 0;
    }
    for (; *u; u++) {
        if (*u <= ' ' || *u == 0x7f) {
            return 0;
        }
    }
    return 1;
}

const char *ab_redact_names_arg(apr_pool_t *p, apr_array_header_t **ops,
                                const char *arg)
{
    ab_redact_op_t *op;
    char kind = '+';
    char *name, *c;

    if (!*ops) {
        *ops = apr_array_make(p, 8, sizeof(ab_redact_op_t));
    }
    if (!strcasecmp(arg, "none")) {
        op = apr_array_push(*ops);
        op->op = '0';
        op->name = NULL;
        return NULL;
    }
    if (*arg == '+' || *arg == '-') {
        kind = *arg++;
    }
    if (!name_ok(arg)) {
        return apr_psprintf(p, "AuditBodyRedact: '%s' is not a field name "
                            "(1 to %d bytes without spaces or control "
                            "characters, optionally with + or - in front, "
                            "or none)", arg, AB_REDACT_NAME_MAX - 1);
    }
    if (!strcasecmp(arg, "none")) {
        return "AuditBodyRedact: none takes no + or -";
    }
    name = apr_pstrdup(p, arg);
    for (c = name; *c; c++) {
        *c = (char)abr_lc((unsigned char)*c);
    }
    op = apr_array_push(*ops);
    op->op = kind;
    op->name = name;
    return NULL;
}

apr_array_header_t *ab_redact_names_merge(apr_pool_t *p,
                                          const apr_array_header_t *outer,
                                          const apr_array_header_t *inner)
{
    if (!outer && !inner) {
        return NULL;
    }
    if (!outer) {
        return apr_array_copy(p, inner);
    }
    if (!inner) {
        return apr_array_copy(p, outer);
    }
    return apr_array_append(p, outer, inner);
}

static void names_add(ab_redact_names_t *n, int cap, const char *s)
{
    int i;

    for (i = 0; i < n->n; i++) {
        if (!strcmp(n->pat[i], s)) {
            return;
        }
    }
    if (n->n < cap) {
        n->pat[n->n++] = s;
    }
}

ab_redact_names_t *ab_redact_names_build(apr_pool_t *p,
                                         const apr_array_header_t *ops)
{
    ab_redact_names_t *n = apr_pcalloc(p, sizeof(*n));
    char *defs = apr_pstrdup(p, AB_REDACT_DEFAULT_NAMES), *last, *tok;
    int cap = 64, i, j;

    if (ops) {
        cap += ops->nelts;
    }
    n->pat = apr_pcalloc(p, cap * sizeof(*n->pat));
    for (tok = apr_strtok(defs, " ", &last); tok;
         tok = apr_strtok(NULL, " ", &last)) {
        names_add(n, cap, tok);
    }
    for (i = 0; ops && i < ops->nelts; i++) {
        const ab_redact_op_t *op = &APR_ARRAY_IDX(ops, i, ab_redact_op_t);

        if (op->op == '0') {
            n->n = 0;
        }
        else if (op->op == '+') {
            names_add(n, cap, op->name);
        }
        else {
            for (j = 0; j < n->n; j++) {
                if (!strcmp(n->pat[j], op->name)) {
                    memmove(&n->pat[j], &n->pat[j + 1],
                            (n->n - j - 1) * sizeof(*n->pat));
                    n->n--;
                    break;
                }
            }
        }
    }
    n->plen = apr_pcalloc(p, (n->n + 1) * sizeof(*n->plen));
    n->wild = apr_pcalloc(p, n->n + 1);
    n->lit = apr_pcalloc(p, (n->n + 1) * sizeof(*n->lit));
    n->llen = apr_pcalloc(p, (n->n + 1) * sizeof(*n->llen));
    for (i = 0; i < n->n; i++) {
        const char *pt = n->pat[i], *star;
        apr_size_t pl = strlen(pt), stars = 0;

        n->plen[i] = pl;
        for (star = pt; (star = strchr(star, '*')) != NULL; star++) {
            stars++;
        }
        n->lit[i] = pt;
        n->llen[i] = pl;
        if (!stars) {
            n->wild[i] = P_EXACT;
            n->lenmask |= 1u << (pl < 31 ? pl : 31);
        }
        else if (stars == 2 && pl > 2 && pt[0] == '*' && pt[pl - 1] == '*') {
            n->wild[i] = P_CONTAINS;
            n->lit[i] = pt + 1;
            n->llen[i] = pl - 2;
        }
        else if (stars == 1 && pt[0] == '*') {
            n->wild[i] = P_SUFFIX;
            n->lit[i] = pt + 1;
            n->llen[i] = pl - 1;
        }
        else if (stars == 1 && pt[pl - 1] == '*') {
            n->wild[i] = P_PREFIX;
            n->llen[i] = pl - 1;
        }
        else {
            n->wild[i] = P_GLOB;
        }
    }
    /* Exact patterns in a hash table at most half full; the others in a
     * list tried one by one. */
    n->hmask = 63;
    while (n->hmask + 1 < (apr_uint32_t)(2 * n->n)) {
        n->hmask = n->hmask * 2 + 1;
    }
    n->hash = apr_pcalloc(p, (n->hmask + 1) * sizeof(*n->hash));
    n->wilds = apr_pcalloc(p, (n->n + 1) * sizeof(*n->wilds));
    n->need = apr_pcalloc(p, (n->n + 1) * sizeof(*n->need));
    for (i = 0; i < n->n; i++) {
        if (n->wild[i] == P_EXACT) {
            apr_uint32_t h = 2166136261u;
            const char *c;

            for (c = n->pat[i]; *c; c++) {
                h = fnv(h, (unsigned char)*c);
            }
            while (n->hash[h & n->hmask]) {
                h++;
            }
            n->hash[h & n->hmask] = i + 1;
        }
        else {
            const char *c;

            n->wilds[n->nwild++] = i;
            for (c = n->pat[i]; *c; c++) {
                if (*c != '*') {
                    n->need[i] |= 1u << (*c & 31);
                }
            }
        }
    }
    return n;
}

int ab_redact_names_count(const ab_redact_names_t *n)
{
    return n ? n->n : 0;
}

const char *ab_redact_names_str(apr_pool_t *p, const ab_redact_names_t *n)
{
    char *s = "";
    int i;

    for (i = 0; n && i < n->n; i++) {
        s = apr_pstrcat(p, s, i ? " " : "", n->pat[i], NULL);
    }
    return s;
}

/* Iterative glob ('*' only) on lower-cased name: the classic two-pointer
 * match with one backtrack point, O(len * plen) at worst, no recursion. */
static int glob(const char *pat, apr_size_t pl, const char *s, apr_size_t sl)
{
    apr_size_t pi = 0, si = 0, star = (apr_size_t)-1, mark = 0;

    while (si < sl) {
        if (pi < pl && pat[pi] == '*') {
            star = pi++;
            mark = si;
        }
        else if (pi < pl && pat[pi] == s[si]) {
            pi++;
            si++;
        }
        else if (star != (apr_size_t)-1) {
            pi = star + 1;
            si = ++mark;
        }
        else {
            return 0;
        }
    }
    while (pi < pl && pat[pi] == '*') {
        pi++;
    }
    return pi == pl;
}

int ab_redact_name_match(const ab_redact_names_t *n, const char *name,
                         apr_size_t len)
{
    char lc[AB_REDACT_NAME_MAX];
    apr_size_t i;
    apr_uint32_t h, have = 0;
    int k, w;

    if (!n || !n->n) {
        return 0;
    }
    if (len >= AB_REDACT_NAME_MAX) {
        return 1;                       /* fail closed */
    }
    h = 2166136261u;
    for (i = 0; i < len; i++) {
        lc[i] = (char)abr_lc((unsigned char)name[i]);
        h = fnv(h, (unsigned char)lc[i]);
        have |= 1u << (lc[i] & 31);
    }
    if ((n->lenmask >> (len < 31 ? len : 31)) & 1) {
        int e;

        while ((e = n->hash[h & n->hmask]) != 0) {
            if (n->plen[e - 1] == len && !memcmp(n->pat[e - 1], lc, len)) {
                return 1;
            }
            h++;
        }
    }
    for (w = 0; w < n->nwild; w++) {
        apr_size_t ll;

        k = n->wilds[w];
        ll = n->llen[k];
        if ((n->need[k] & have) != n->need[k] || ll > len) {
            continue;               /* a letter it needs is missing */
        }
        switch (n->wild[k]) {
        case P_CONTAINS: {
            apr_size_t at;
            const char *lit = n->lit[k];

            for (at = 0; at + ll <= len; at++) {
                apr_size_t m = 0;

                while (m < ll && lc[at + m] == lit[m]) {
                    m++;
                }
                if (m == ll) {
                    return 1;
                }
            }
            break;
        }
        case P_SUFFIX:
            if (ll <= len && !memcmp(lc + len - ll, n->lit[k], ll)) {
                return 1;
            }
            break;
        case P_PREFIX:
            if (ll <= len && !memcmp(lc, n->lit[k], ll)) {
                return 1;
            }
            break;
        default:
            if (glob(n->pat[k], n->plen[k], lc, len)) {
                return 1;
            }
            break;
        }
    }
    return 0;
}

int abr_field_match(const ab_redact_names_t *n, const char *name,
                    apr_size_t len)
{
    apr_size_t i, st = 0;

    if (ab_redact_name_match(n, name, len)) {
        return 1;
    }
    if (len >= AB_REDACT_NAME_MAX) {
        return 0;                       /* matched above unless empty list */
    }
    for (i = 0; i <= len; i++) {
        if (i == len || name[i] == '[' || name[i] == ']' || name[i] == '.') {
            if (i > st && (st > 0 || i < len)
                && ab_redact_name_match(n, name + st, i - st)) {
                return 1;
            }
            st = i + 1;
        }
    }
    return 0;
}

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

/* PAN: a run of digit groups separated by single spaces or dashes. Any
 * window of whole consecutive groups holding 13-19 digits that passes Luhn
 * matches ("4111 1111 1111 1111 12/25" and "card 4111-1111-1111-1111"); a
 * single unseparated group must itself hold 13-19 digits, so long ids do
 * not match by accident. A run reaching a cut with 8+ digits matches
 * whole (a PAN prefix cannot be Luhn-checked). */
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
                if (sum >= 13 && ab_redact_luhn(s + gs[a], ge[b] - gs[a])) {
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
        if (at_cut && total >= 8
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

    /* Shortest matches: 13 digits (8 at a cut), "eyJ" + ".x." (eyJ at a
     * cut), "bearer x". */
    if (!cfg->extra && (len < 3 || (len < 8 && !at_cut))) {
        return 0;                       /* the glue's regexes see all */
    }
    if ((cfg->detectors & AB_REDACT_DET_PAN) && (len >= 13 || at_cut)
        && find_pan(s, len, at_cut, &a, &b)) {
        bs = a;
        be = b;
    }
    if ((cfg->detectors & AB_REDACT_DET_JWT)
        && find_jwt(s, len, at_cut, &a, &b) && a < bs) {
        bs = a;
        be = b;
    }
    if ((cfg->detectors & AB_REDACT_DET_BEARER)
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

/* ============================================================ token */

apr_size_t ab_redact_token(const ab_redact_cfg_t *cfg, const char *value,
                           apr_size_t len, char buf[AB_REDACT_TOKEN_MAX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[AB_SHA256_LEN];
    int i;

    if (cfg->with != AB_REDACT_HMAC) {
        memcpy(buf, "***", 4);
        return 3;
    }
    ab_hmac_sha256(cfg->key, cfg->key_len, value, len, mac);
    memcpy(buf, "hmac-sha256:", 12);
    for (i = 0; i < 8; i++) {
        buf[12 + 2 * i] = hex[mac[i] >> 4];
        buf[13 + 2 * i] = hex[mac[i] & 15];
    }
    buf[28] = '\0';
    return 28;
}

void abr_put_token(abr_out_t *o, const char *value, apr_size_t n,
                   int quoted)
{
    char buf[AB_REDACT_TOKEN_MAX];
    apr_size_t k = ab_redact_token(o->cfg, value, n, buf);

    if (quoted) {
        abr_putc(o, '"');
    }
    abr_put(o, buf, k);
    if (quoted) {
        abr_putc(o, '"');
    }
}

/* ============================================================ report */

void ab_redact_report_init(ab_redact_report_t *rep)
{
    rep->count = 0;
    rep->npaths = 0;
    rep->left_out = 0;
    rep->reason = NULL;
    rep->offset = 0;
}

void abr_path_add(abr_path_t *pa, const char *s, apr_size_t n)
{
    apr_size_t room = AB_REDACT_PATH_MAX - 1 - pa->n;

    if (pa->n >= AB_REDACT_PATH_MAX - 1) {
        return;
    }
    if (n > room) {
        memcpy(pa->b + pa->n, s, room);
        pa->n = AB_REDACT_PATH_MAX - 1;
        memcpy(pa->b + pa->n - 3, "...", 3);
        return;
    }
    memcpy(pa->b + pa->n, s, n);
    pa->n += n;
}

void abr_path_num(abr_path_t *pa, apr_size_t v)
{
    char buf[24], *e = buf + sizeof(buf), *q = e;

    do {
        *--q = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    abr_path_add(pa, q, (apr_size_t)(e - q));
}

int abr_report_full(ab_redact_report_t *rep)
{
    if (rep->npaths < AB_REDACT_MAX_PATHS) {
        return 0;
    }
    rep->count++;
    rep->left_out++;
    return 1;
}

void abr_report(ab_redact_report_t *rep, const abr_path_t *pa)
{
    rep->count++;
    if (rep->npaths < AB_REDACT_MAX_PATHS) {
        memcpy(rep->paths[rep->npaths], pa->b, pa->n);
        rep->paths[rep->npaths][pa->n] = '\0';
        rep->npaths++;
    }
    else {
        rep->left_out++;
    }
}

/* ============================================================ output */

void abr_out_init(abr_out_t *o, apr_pool_t *p, const ab_redact_cfg_t *cfg,
                  char *out, apr_size_t cap, ab_redact_report_t *rep,
                  apr_size_t scratch_len)
{
    o->cfg = cfg;
    o->rep = rep;
    o->out = out;
    o->cap = cap;
    o->len = 0;
    o->overflow = 0;
    o->scap = scratch_len;
    o->scratch = apr_palloc(p, scratch_len + 1);
}

apr_size_t ab_redact_out_size(apr_size_t len)
{
    return 2 * len + 256;
}

apr_size_t ab_redact_out_max(apr_size_t len)
{
    return 16 * len + 256;
}

int abr_detect_value(abr_out_t *o, apr_size_t ostart, const char *v,
                     apr_size_t n, int at_cut, int quoted,
                     const abr_path_t *pa)
{
    apr_size_t a, b;

    if (!ab_redact_detect(o->cfg, v, n, at_cut, &a, &b)) {
        return 0;
    }
    if (ostart <= o->len) {
        o->len = ostart;
    }
    abr_put_token(o, v, n, quoted);
    abr_report(o->rep, pa);
    return 1;
}

const char *abr_memmem(const char *s, apr_size_t n, const char *pat,
                       apr_size_t pl)
{
    const char *end = s + n, *c = s;

    if (!pl) {
        return s;
    }
    while ((apr_size_t)(end - c) >= pl
           && (c = memchr(c, pat[0], (apr_size_t)(end - c) - pl + 1))) {
        if (!memcmp(c, pat, pl)) {
            return c;
        }
        c++;
    }
    return NULL;
}

/* ============================================================ decoders */

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = abr_lc(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static apr_size_t utf8(unsigned long cp, char *d)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xc0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int hex4(const char *s, unsigned long *v)
{
    int i, h;

    *v = 0;
    for (i = 0; i < 4; i++) {
        if ((h = hexval((unsigned char)s[i])) < 0) {
            return 0;
        }
        *v = (*v << 4) | (unsigned long)h;
    }
    return 1;
}

apr_size_t abr_json_unescape(const char *s, apr_size_t n, char *dst,
                             apr_size_t cap, int *cut)
{
    apr_size_t i = 0, k = 0;

    *cut = 0;
    while (i < n) {
        char tmp[4];
        apr_size_t t = 1;

        if (s[i] != '\\') {
            tmp[0] = s[i++];
        }
        else {
            if (i + 1 >= n) {
                break;
            }
            switch (s[i + 1]) {
            case 'b': tmp[0] = '\b'; break;
            case 'f': tmp[0] = '\f'; break;
            case 'n': tmp[0] = '\n'; break;
            case 'r': tmp[0] = '\r'; break;
            case 't': tmp[0] = '\t'; break;
            case 'u': {
                unsigned long cp, lo;

                if (i + 6 > n || !hex4(s + i + 2, &cp)) {
                    i = n;
                    continue;
                }
                i += 4;
                if (cp >= 0xd800 && cp < 0xdc00 && i + 8 <= n
                    && s[i + 2] == '\\' && s[i + 3] == 'u'
                    && hex4(s + i + 4, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
                else if (cp >= 0xd800 && cp < 0xe000) {
                    cp = 0xfffd;
                }
                t = utf8(cp, tmp);
                break;
            }
            default: tmp[0] = s[i + 1]; break;
            }
            i += 2;
        }
        if (k + t > cap) {
            *cut = 1;
            return k;
        }
        memcpy(dst + k, tmp, t);
        k += t;
    }
    return k;
}

apr_size_t abr_pct_decode(const char *s, apr_size_t n, int plus, char *dst,
                          apr_size_t cap, int *cut)
{
    apr_size_t i = 0, k = 0;

    *cut = 0;
    while (i < n) {
        char c = s[i];
        int h, l;

        if (c == '%' && i + 3 <= n
            && (h = hexval((unsigned char)s[i + 1])) >= 0
            && (l = hexval((unsigned char)s[i + 2])) >= 0) {
            c = (char)(h * 16 + l);
            i += 3;
        }
        else {
            if (plus && c == '+') {
                c = ' ';
            }
            i++;
        }
        if (k >= cap) {
            *cut = 1;
            return k;
        }
        dst[k++] = c;
    }
    return k;
}

/* ============================================================ text */

/* The next match of detector k (0 pan, 1 jwt, 2 bearer, 3 extra) in
 * s[0..len). */
static int detect_one(const ab_redact_cfg_t *cfg, int k, const char *s,
                      apr_size_t len, int at_cut, apr_size_t *a,
                      apr_size_t *b)
{
    switch (k) {
    case 0: return find_pan(s, len, at_cut, a, b);
    case 1: return find_jwt(s, len, at_cut, a, b);
    case 2: return find_bearer(s, len, a, b);
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
    apr_size_t pos = 0, ma[4], mb[4];
    int state[4], k;                    /* 0 unknown, 1 match, 2 none */
    abr_path_t pa;

    pa.n = 0;
    abr_path_add(&pa, path, strlen(path));
    state[0] = (cfg->detectors & AB_REDACT_DET_PAN) ? 0 : 2;
    state[1] = (cfg->detectors & AB_REDACT_DET_JWT) ? 0 : 2;
    state[2] = (cfg->detectors & AB_REDACT_DET_BEARER) ? 0 : 2;
    state[3] = cfg->extra ? 0 : 2;
    while (pos < len) {
        int best = -1;

        for (k = 0; k < 4; k++) {
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

static ab_redact_status_e finish(abr_out_t *o, ab_redact_status_e rv,
                                 apr_size_t *out_len)
{
    if (rv == AB_REDACT_OK && o->overflow) {
        rv = AB_REDACT_OVERFLOW;
        o->rep->reason = "redacted copy larger than its buffer";
    }
    *out_len = (rv == AB_REDACT_OK) ? o->len : 0;
    return rv;
}

ab_redact_status_e ab_redact_text(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep)
{
    abr_out_t o;

    abr_out_init(&o, p, cfg, out, out_cap, rep, 0);
    return finish(&o, abr_text_run(&o, in, len, truncated, "text"),
                  out_len);
}

ab_redact_status_e ab_redact_json(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep)
{
    abr_out_t o;

    abr_out_init(&o, p, cfg, out, out_cap, rep, len);
    return finish(&o, abr_json_run(&o, p, in, len, truncated, NULL),
                  out_len);
}

ab_redact_status_e ab_redact_form(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep)
{
    abr_out_t o;
    ab_redact_status_e rv;

    abr_out_init(&o, p, cfg, out, out_cap, rep, len);
    if (ab_redact_sniff(in, len) == AB_REDACT_KIND_JSON) {
        rv = abr_json_run(&o, p, in, len, truncated, NULL);
    }
    else {
        rv = abr_form_run(&o, in, len, truncated, "form:", 0);
    }
    return finish(&o, rv, out_len);
}

ab_redact_status_e ab_redact_query(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                   const char *in, apr_size_t len,
                                   char *out, apr_size_t out_cap,
                                   apr_size_t *out_len,
                                   ab_redact_report_t *rep)
{
    abr_out_t o;

    abr_out_init(&o, p, cfg, out, out_cap, rep, len);
    return finish(&o, abr_form_run(&o, in, len, 0, "query:", 0), out_len);
}

/* ============================================================ sniffing */

static const unsigned char formname[256] = {
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
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['-'] = 1, ['_'] = 1,
    ['.'] = 1, ['~'] = 1, ['%'] = 1, ['+'] = 1, ['*'] = 1, ['['] = 1,
    [']'] = 1
};

ab_redact_kind_e ab_redact_sniff(const char *in, apr_size_t len)
{
    apr_size_t i = 0, j;

    if (len >= 3 && !memcmp(in, "\xef\xbb\xbf", 3)) {
        i = 3;
    }
    while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r'
                       || in[i] == '\n')) {
        i++;
    }
    if (i < len && (in[i] == '{' || in[i] == '[')) {
        return AB_REDACT_KIND_JSON;
    }
    for (j = i; j < len && formname[(unsigned char)in[j]]; j++) {
    }
    if (j > i && j < len && in[j] == '=') {
        return AB_REDACT_KIND_FORM;
    }
    return AB_REDACT_KIND_TEXT;
}

/* Does the media type t (up to ';') equal s or end with the suffix? */
static int type_is(const char *t, apr_size_t tl, const char *s)
{
    apr_size_t sl = strlen(s);

    if (*s == '+') {
        return tl > sl && !strncasecmp(t + tl - sl, s, sl);
    }
    return tl == sl && !strncasecmp(t, s, sl);
}

ab_redact_kind_e ab_redact_kind_of(const char *ct)
{
    apr_size_t tl;

    if (!ct) {
        return AB_REDACT_KIND_TEXT;
    }
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    for (tl = 0; ct[tl] && ct[tl] != ';' && ct[tl] != ' ' && ct[tl] != '\t';
         tl++) {
    }
    if (type_is(ct, tl, "application/json") || type_is(ct, tl, "+json")) {
        return AB_REDACT_KIND_JSON;
    }
    if (type_is(ct, tl, "application/x-www-form-urlencoded")) {
        return AB_REDACT_KIND_FORM;
    }
    if (type_is(ct, tl, "application/xml") || type_is(ct, tl, "text/xml")
        || type_is(ct, tl, "+xml")) {
        return AB_REDACT_KIND_XML;
    }
    if (type_is(ct, tl, "multipart/form-data")) {
        return AB_REDACT_KIND_MULTIPART;
    }
    return AB_REDACT_KIND_TEXT;
}

ab_redact_status_e ab_redact_body(apr_pool_t *p, const ab_redact_cfg_t *cfg,
                                  const char *content_type,
                                  const char *in, apr_size_t len,
                                  int truncated, char *out,
                                  apr_size_t out_cap, apr_size_t *out_len,
                                  ab_redact_report_t *rep)
{
    ab_redact_kind_e k = ab_redact_kind_of(content_type);
    const char *b;
    apr_size_t bl;

    if (k == AB_REDACT_KIND_TEXT) {
        k = ab_redact_sniff(in, len);
    }
    switch (k) {
    case AB_REDACT_KIND_JSON:
        return ab_redact_json(p, cfg, in, len, truncated, out, out_cap,
                              out_len, rep);
    case AB_REDACT_KIND_FORM:
        return ab_redact_form(p, cfg, in, len, truncated, out, out_cap,
                              out_len, rep);
    case AB_REDACT_KIND_XML:
        return ab_redact_xml(p, cfg, in, len, truncated, out, out_cap,
                             out_len, rep);
    case AB_REDACT_KIND_MULTIPART:
        if (!ab_redact_multipart_boundary(content_type, &b, &bl)) {
            rep->reason = "multipart body without a boundary";
            *out_len = 0;
            return AB_REDACT_UNPARSEABLE;
        }
        return ab_redact_multipart(p, cfg, b, bl, in, len, truncated, out,
                                   out_cap, out_len, rep);
    default:
        return ab_redact_text(p, cfg, in, len, truncated, out, out_cap,
                              out_len, rep);
    }
}
