/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact_names: the AuditBodyRedact name list (defaults, add, remove,
 * none, merge) and matching a decoded name against it: a hash table for
 * exact names, the common wildcard shapes without a glob, an iterative
 * glob for the rest. Immutable once built: shared by threads read-only.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_strings.h>

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
    apr_uint64_t serial;    /* unique per build, for the key memo */
};

/* Every list built gets the next serial, never 0, never reused for the
 * life of the process (2^64 builds), so a list built at the address of a
 * freed one is never taken for it. */
static volatile apr_uint64_t names_serial;

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
    n->serial = apr_atomic_inc64(&names_serial) + 1;
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

/* ============================================================ key memo
 *
 * Matching a name costs about 180 instructions (lower-casing, hashing,
 * trying the wildcards) and bodies repeat their names, across records too:
 * an API has a bounded vocabulary of keys. Each thread keeps a small
 * two-way memo of answers for exact name bytes under one list, named by
 * the list's serial (abr_name_match_fast() in ab_redact_private.h). It is
 * only a cache: an entry is used when serial, length and every byte agree,
 * so it says exactly what the list would; anything else asks the list.
 * Thread-local storage needs no lock and is freed with the thread
 * (mod_http2's workers come and go); without compiler support there is
 * no memo. */
#if defined(__GNUC__) && !defined(AB_REDACT_NO_TLS)
static __thread abr_nmemo_t nmemo[ABR_NMEMO];

abr_nmemo_t *abr_nmemo(void)
{
    return nmemo;
}
#else
abr_nmemo_t *abr_nmemo(void)
{
    return NULL;
}
#endif

apr_uint64_t abr_names_serial(const ab_redact_names_t *n)
{
    return n && n->n ? n->serial : 0;
}

int abr_nmemo_fill(abr_nmemo_t *set, const ab_redact_names_t *n,
                   apr_uint64_t serial, apr_uint64_t fa, apr_uint64_t fb,
                   const char *name, apr_size_t len)
{
    int match = ab_redact_name_match(n, name, len);

    set[1] = set[0];                    /* the older answer moves over */
    set[0].serial = serial;
    set[0].fa = fa;
    set[0].fb = fb;
    set[0].len = (unsigned char)len;
    set[0].match = (unsigned char)match;
    if (len > 16) {
        memcpy(set[0].mid, name + 8, len - 16);
    }
    return match;
}

int abr_name_match_memo(const ab_redact_names_t *n, const char *name,
                        apr_size_t len)
{
    return abr_name_match_fast(abr_nmemo(), n, abr_names_serial(n), name,
                               len);
}

int abr_field_match(const ab_redact_names_t *n, const char *name,
                    apr_size_t len)
{
    apr_size_t i, st = 0;

    if (abr_name_match_memo(n, name, len)) {
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
