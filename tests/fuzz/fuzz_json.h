/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_json.h: a small strict JSON parser (RFC 8259) for the fuzz
 * targets, written independently of cm_json.c so that it can judge it.
 * It accepts exactly one value with optional whitespace around it, and
 * rejects invalid UTF-8, raw control characters in strings, unknown or
 * short escapes, unpaired surrogates (also as \u escapes: they cannot be
 * decoded to UTF-8), leading zeros, lone '-', trailing commas, duplicate
 * object keys and nesting deeper than 64. Strings are decoded to UTF-8
 * (possibly with NUL bytes) in the pool.
 */
#ifndef FUZZ_JSON_H
#define FUZZ_JSON_H

#include <string.h>

#include <apr_pools.h>
#include <apr_strings.h>

typedef enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ } jv_type_e;

typedef struct jv_t jv_t;
struct jv_t {
    jv_type_e type;
    const char *s;          /* JV_STR: decoded bytes; JV_NUM: the text */
    size_t len;             /* their length */
    int b;                  /* JV_BOOL */
    int n;                  /* JV_ARR, JV_OBJ: number of members */
    jv_t **v;               /* members */
    jv_t **k;               /* JV_OBJ: keys (JV_STR) */
};

typedef struct {
    apr_pool_t *p;
    const unsigned char *s, *e;
    int depth;
} jp_t;

static inline void jp_ws(jp_t *j)
{
    while (j->s < j->e && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n'
                           || *j->s == '\r')) {
        j->s++;
    }
}

/* Length of the valid UTF-8 character at s (RFC 3629 table), or 0. */
static inline size_t jp_utf8(const unsigned char *s, const unsigned char *e)
{
    unsigned int cp;
    size_t n, i;

    if (s[0] < 0x80) {
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        cp = s[0] & 0x1f;
    }
    else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        cp = s[0] & 0x0f;
    }
    else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        cp = s[0] & 0x07;
    }
    else {
        return 0;
    }
    if ((size_t)(e - s) < n) {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800)
        || (n == 4 && cp < 0x10000) || cp > 0x10ffff
        || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

static inline size_t jp_put_cp(char *d, unsigned int cp)
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

static inline int jp_hex4(jp_t *j, unsigned int *out)
{
    unsigned int v = 0;
    int i;

    if (j->e - j->s < 4) {
        return -1;
    }
    for (i = 0; i < 4; i++) {
        unsigned char c = j->s[i];

        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= c - '0';
        }
        else if (c >= 'a' && c <= 'f') {
            v |= c - 'a' + 10;
        }
        else if (c >= 'A' && c <= 'F') {
            v |= c - 'A' + 10;
        }
        else {
            return -1;
        }
    }
    j->s += 4;
    *out = v;
    return 0;
}

/* After the opening quote. */
static inline jv_t *jp_string(jp_t *j)
{
    /* decoded output is never longer than the source */
    char *d = apr_palloc(j->p, (size_t)(j->e - j->s) + 1);
    size_t n = 0, k;
    jv_t *v;

    for (;;) {
        if (j->s >= j->e || *j->s < 0x20) {
            return NULL;
        }
        if (*j->s == '"') {
            j->s++;
            break;
        }
        if (*j->s == '\\') {
            unsigned int cp, lo;

            if (++j->s >= j->e) {
                return NULL;
            }
            switch (*j->s++) {
            case '"':  d[n++] = '"';  break;
            case '\\': d[n++] = '\\'; break;
            case '/':  d[n++] = '/';  break;
            case 'b':  d[n++] = '\b'; break;
            case 'f':  d[n++] = '\f'; break;
            case 'n':  d[n++] = '\n'; break;
            case 'r':  d[n++] = '\r'; break;
            case 't':  d[n++] = '\t'; break;
            case 'u':
                if (jp_hex4(j, &cp)) {
                    return NULL;
                }
                if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return NULL;            /* lone low surrogate */
                }
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (j->e - j->s < 2 || j->s[0] != '\\' || j->s[1] != 'u') {
                        return NULL;
                    }
                    j->s += 2;
                    if (jp_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                        return NULL;
                    }
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                n += jp_put_cp(d + n, cp);
                break;
            default:
                return NULL;
            }
            continue;
        }
        if (!(k = jp_utf8(j->s, j->e))) {
            return NULL;
        }
        memcpy(d + n, j->s, k);
        n += k;
        j->s += k;
    }
    d[n] = '\0';
    v = apr_pcalloc(j->p, sizeof(*v));
    v->type = JV_STR;
    v->s = d;
    v->len = n;
    return v;
}

static inline int jp_digits(jp_t *j)
{
    const unsigned char *b = j->s;

    while (j->s < j->e && *j->s >= '0' && *j->s <= '9') {
        j->s++;
    }
    return j->s > b;
}

static inline jv_t *jp_number(jp_t *j)
{
    const unsigned char *b = j->s;
    jv_t *v;

    if (*j->s == '-') {
        j->s++;
    }
    if (j->s < j->e && *j->s == '0') {
        j->s++;
    }
    else if (!jp_digits(j)) {
        return NULL;
    }
    if (j->s < j->e && *j->s == '.') {
        j->s++;
        if (!jp_digits(j)) {
            return NULL;
        }
    }
    if (j->s < j->e && (*j->s == 'e' || *j->s == 'E')) {
        j->s++;
        if (j->s < j->e && (*j->s == '+' || *j->s == '-')) {
            j->s++;
        }
        if (!jp_digits(j)) {
            return NULL;
        }
    }
    v = apr_pcalloc(j->p, sizeof(*v));
    v->type = JV_NUM;
    v->s = apr_pstrmemdup(j->p, (const char *)b, (size_t)(j->s - b));
    v->len = (size_t)(j->s - b);
    return v;
}

static inline jv_t *jp_value(jp_t *j);

/* Members of an array or object, after the opening bracket. */
static inline jv_t *jp_members(jp_t *j, int obj)
{
    jv_t *v = apr_pcalloc(j->p, sizeof(*v));
    int cap = 0, i;
    char close = obj ? '}' : ']';

    v->type = obj ? JV_OBJ : JV_ARR;
    if (++j->depth > 64) {
        return NULL;
    }
    jp_ws(j);
    if (j->s < j->e && *j->s == close) {
        j->s++;
        j->depth--;
        return v;
    }
    for (;;) {
        jv_t *key = NULL, *m;

        if (obj) {
            jp_ws(j);
            if (j->s >= j->e || *j->s != '"') {
                return NULL;
            }
            j->s++;
            if (!(key = jp_string(j))) {
                return NULL;
            }
            for (i = 0; i < v->n; i++) {
                if (v->k[i]->len == key->len
                    && !memcmp(v->k[i]->s, key->s, key->len)) {
                    return NULL;            /* duplicate key */
                }
            }
            jp_ws(j);
            if (j->s >= j->e || *j->s != ':') {
                return NULL;
            }
            j->s++;
        }
        if (!(m = jp_value(j))) {
            return NULL;
        }
        if (v->n == cap) {
            jv_t **nv, **nk;

            cap = cap ? cap * 2 : 8;
            nv = apr_palloc(j->p, sizeof(*nv) * (size_t)cap);
            nk = apr_palloc(j->p, sizeof(*nk) * (size_t)cap);
            if (v->n) {
                memcpy(nv, v->v, sizeof(*nv) * (size_t)v->n);
                memcpy(nk, v->k, sizeof(*nk) * (size_t)v->n);
            }
            v->v = nv;
            v->k = nk;
        }
        v->k[v->n] = key;
        v->v[v->n++] = m;
        jp_ws(j);
        if (j->s < j->e && *j->s == ',') {
            j->s++;
            continue;
        }
        if (j->s < j->e && *j->s == close) {
            j->s++;
            j->depth--;
            return v;
        }
        return NULL;
    }
}

static inline jv_t *jp_value(jp_t *j)
{
    static const char *const lit[] = { "null", "true", "false" };
    int i;

    jp_ws(j);
    if (j->s >= j->e) {
        return NULL;
    }
    switch (*j->s) {
    case '{':
        j->s++;
        return jp_members(j, 1);
    case '[':
        j->s++;
        return jp_members(j, 0);
    case '"':
        j->s++;
        return jp_string(j);
    }
    if (*j->s == '-' || (*j->s >= '0' && *j->s <= '9')) {
        return jp_number(j);
    }
    for (i = 0; i < 3; i++) {
        size_t n = strlen(lit[i]);

        if ((size_t)(j->e - j->s) >= n && !memcmp(j->s, lit[i], n)) {
            jv_t *v = apr_pcalloc(j->p, sizeof(*v));

            j->s += n;
            v->type = i ? JV_BOOL : JV_NULL;
            v->b = i == 1;
            return v;
        }
    }
    return NULL;
}

/** Parse buf[0..len) as one JSON text, or NULL. */
static inline jv_t *json_parse(apr_pool_t *p, const char *buf, size_t len)
{
    jp_t j;
    jv_t *v;

    j.p = p;
    j.s = (const unsigned char *)buf;
    j.e = j.s + len;
    j.depth = 0;
    if (!(v = jp_value(&j))) {
        return NULL;
    }
    jp_ws(&j);
    return j.s == j.e ? v : NULL;
}

/** The member named key of object o, or NULL. */
static inline jv_t *json_get(const jv_t *o, const char *key)
{
    int i;

    if (!o || o->type != JV_OBJ) {
        return NULL;
    }
    for (i = 0; i < o->n; i++) {
        if (o->k[i]->len == strlen(key) && !memcmp(o->k[i]->s, key,
                                                   o->k[i]->len)) {
            return o->v[i];
        }
    }
    return NULL;
}

/** Decode standard padded base64, or return -1. out needs len/4*3. */
static inline int b64_decode(const char *s, size_t len, unsigned char *out,
                      size_t *outlen)
{
    size_t i, n = 0;
    int k;

    if (len % 4) {
        return -1;
    }
    for (i = 0; i < len; i += 4) {
        unsigned int q = 0;
        int pad = 0;

        for (k = 0; k < 4; k++) {
            char c = s[i + k];
            unsigned int v;

            if (c >= 'A' && c <= 'Z') {
                v = (unsigned int)(c - 'A');
            }
            else if (c >= 'a' && c <= 'z') {
                v = (unsigned int)(c - 'a' + 26);
            }
            else if (c >= '0' && c <= '9') {
                v = (unsigned int)(c - '0' + 52);
            }
            else if (c == '+') {
                v = 62;
            }
            else if (c == '/') {
                v = 63;
            }
            else if (c == '=' && i + 4 == len && k >= 2
                     && (k == 3 || s[i + 3] == '=')) {
                v = 0;
                pad++;
            }
            else {
                return -1;
            }
            if (pad && c != '=') {
                return -1;
            }
            q = (q << 6) | v;
        }
        /* canonical: the bits dropped by the padding are zero */
        if ((pad == 1 && (q & 0xff)) || (pad == 2 && (q & 0xffff))) {
            return -1;
        }
        out[n++] = (unsigned char)(q >> 16);
        if (pad < 2) {
            out[n++] = (unsigned char)(q >> 8);
        }
        if (pad < 1) {
            out[n++] = (unsigned char)q;
        }
    }
    *outlen = n;
    return 0;
}

#endif /* FUZZ_JSON_H */
