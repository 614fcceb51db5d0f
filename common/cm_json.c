/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * cm_json.c: UTF-8 validation, JSON string escaping, base64 and the
 * bounded cm_out_t writer (pure: APR and libc only).
 *
 * Every writer here is bounded by cm_out_t.cap and keeps counting past it,
 * so a sizing pass and a filling pass always agree on the length. Nothing
 * here allocates, and no input can produce invalid JSON.
 */
#include <string.h>

#include <apr_strings.h>

#include "cm_json.h"
#include "cm_swar.h"

/* The runs of bytes that need no work (see ascii_run() and
 * plain_ascii_run()) are found 16 bytes per step with SSE2 where the
 * compiler offers it (every x86-64), else 8 bytes per step in a 64-bit
 * word. CM_JSON_NO_SIMD selects the portable loop (the unit tests run
 * both). */
#if defined(__SSE2__) && defined(__GNUC__) && !defined(CM_JSON_NO_SIMD)
#include <emmintrin.h>
#define CM_SSE2 1
#endif

/* The bytes a plain (unescaped) run may hold: printable ASCII other than
 * '"' and '\\', and every byte >= 0x80 except 0xE2, which may start
 * U+2028/U+2029 and is looked at on its own. */
#define CM_PLAIN(c) ((c) >= 0x20 && (c) != '"' && (c) != '\\' \
                     && (c) != 0x7f && (c) != 0xe2)

/* U+FFFD REPLACEMENT CHARACTER, written raw (valid UTF-8 in JSON). */
#define CM_REPLACEMENT "\xef\xbf\xbd"

static const char cm_hex[] = "0123456789abcdef";

/* Word-at-a-time scanning: records are built for every request, and the
 * bodies in them are mostly plain ASCII, so the loops below look at eight
 * bytes per step and drop to the byte loop only near a byte that matters.
 * The macros are the classic "has a zero byte" / "has a byte below n"
 * tests on 64-bit words (exact for the flagged words we act on, since we
 * then re-check byte by byte). */
/* (The word tests are in cm_swar.h.) */

/* Length of the run at s (at most n bytes) of bytes 0x01..0x7f. */
static apr_size_t ascii_run(const unsigned char *s, apr_size_t n)
{
    apr_size_t i = 0;

#ifdef CM_SSE2
    /* signed compare: NUL and every byte >= 0x80 are "below 1" */
    const __m128i one = _mm_set1_epi8(1);

    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        int m = _mm_movemask_epi8(_mm_cmplt_epi8(v, one));
        if (m) {
            return i + (apr_size_t)__builtin_ctz((unsigned int)m);
        }
        i += 16;
    }
#endif
    while (i + 8 <= n) {
        apr_uint64_t v = cm_load64(s + i);
        if ((v & CM_HIGHS) || CM_HAS_ZERO(v)) {
            break;
        }
        i += 8;
    }
    while (i < n && s[i] >= 0x01 && s[i] < 0x80) {
        i++;
    }
    return i;
}

/* Length of the run at s (at most n bytes) of bytes that need no escape
 * (see CM_PLAIN). */
static apr_size_t plain_run(const unsigned char *s, apr_size_t n)
{
    apr_size_t i = 0;

    while (i + 8 <= n) {
        apr_uint64_t v = cm_load64(s + i);
        if (CM_HAS_LESS(v, 0x20) || CM_HAS_BYTE(v, 0x22)
            || CM_HAS_BYTE(v, 0x5c) || CM_HAS_BYTE(v, 0x7f)
            || CM_HAS_BYTE(v, 0xe2)) {
            break;
        }
        i += 8;
    }
    while (i < n && CM_PLAIN(s[i])) {
        i++;
    }
    return i;
}

/* Printable ASCII bytes that need no escape: 0x20..0x7e except '"' and
 * '\\' (one lookup per byte where a run ends). */
static const unsigned char cm_plain_ascii[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

#ifdef CM_SSE2
/* The 16 bytes at p: in *mc a bit for each byte that is not printable
 * ASCII (signed compare: controls and every byte >= 0x80 are below 0x20,
 * plus DEL), in *mq one for each '"' or '\\'. Returns the bytes. */
static APR_INLINE __m128i ascii_masks(const unsigned char *p,
                                      unsigned int *mc, unsigned int *mq)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

    *mc = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
        _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))));
    *mq = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
        _mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
        _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
    return v;
}
#endif

/* Length of the run at s (at most n bytes) of bytes cm_plain_ascii
 * allows. */
static apr_size_t plain_ascii_run(const unsigned char *s, apr_size_t n)
{
    apr_size_t i = 0;

#ifdef CM_SSE2
    while (i + 16 <= n) {
        unsigned int mc, mq;

        ascii_masks(s + i, &mc, &mq);
        if (mc | mq) {
            return i + (apr_size_t)__builtin_ctz(mc | mq);
        }
        i += 16;
    }
#endif
    while (i + 8 <= n) {
        apr_uint64_t v = cm_load64(s + i);
        if ((v & CM_HIGHS) || CM_HAS_LESS(v, 0x20) || CM_HAS_BYTE(v, 0x22)
            || CM_HAS_BYTE(v, 0x5c) || CM_HAS_BYTE(v, 0x7f)) {
            break;
        }
        i += 8;
    }
    while (i < n && cm_plain_ascii[s[i]]) {
        i++;
    }
    return i;
}

static const char cm_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Decode one character at s (n > 0 bytes available). Returns its length
 * if it is a complete, valid, non-NUL UTF-8 character, else 0. *prefix
 * receives how many leading bytes are a valid start of a character: when
 * 0 is returned with *prefix == n, the character is only incomplete (cut
 * by the end of the buffer), not invalid. The second-byte ranges follow
 * RFC 3629 section 4, which excludes overlongs, surrogates and code
 * points above U+10FFFF.
 */
static apr_size_t utf8_char(const unsigned char *s, apr_size_t n,
                            apr_size_t *prefix)
{
    unsigned int c = s[0];
    unsigned int lo = 0x80, hi = 0xbf;
    apr_size_t need, i;

    *prefix = 0;
    if (c == 0) {
        return 0;
    }
    if (c < 0x80) {
        *prefix = 1;
        return 1;
    }
    if (c < 0xc2) {
        /* a stray continuation byte, or C0/C1 (always overlong) */
        return 0;
    }
    if (c < 0xe0) {
        need = 2;
    }
    else if (c < 0xf0) {
        need = 3;
        if (c == 0xe0) {
            lo = 0xa0;
        }
        else if (c == 0xed) {
            hi = 0x9f;
        }
    }
    else if (c < 0xf5) {
        need = 4;
        if (c == 0xf0) {
            lo = 0x90;
        }
        else if (c == 0xf4) {
            hi = 0x8f;
        }
    }
    else {
        return 0;
    }
    *prefix = 1;
    for (i = 1; i < need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            return 0;
        }
        lo = 0x80;
        hi = 0xbf;
        *prefix = i + 1;
    }
    return need;
}

apr_size_t cm_utf8_valid_prefix(const char *buf, apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    apr_size_t i = 0, n, prefix;

    while (i < len) {
        if (s[i] >= 0x01 && s[i] < 0x80) {
            i += ascii_run(s + i, len - i);
            continue;
        }
        n = utf8_char(s + i, len - i, &prefix);
        if (!n) {
            break;
        }
        i += n;
    }
    return i;
}

apr_size_t cm_utf8_sanitize(char *dst, const char *buf, apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    apr_size_t i = 0, w = 0, c, prefix;

    while (i < len) {
        if (s[i] < 0x80) {
            c = 1;
        }
        else if (!(c = utf8_char(s + i, len - i, &prefix))) {
            if (dst) {
                memcpy(dst + w, CM_REPLACEMENT, 3);
            }
            w += 3;
            i += prefix ? prefix : 1;
            continue;
        }
        if (dst) {
            memcpy(dst + w, buf + i, c);
        }
        w += c;
        i += c;
    }
    return w;
}

cm_json_enc_e cm_json_classify(const char *buf, apr_size_t len,
                               int allow_cut, apr_size_t *textlen)
{
    apr_size_t v = cm_utf8_valid_prefix(buf, len);
    apr_size_t prefix;

    *textlen = len;
    if (v == len) {
        return CM_JSON_TEXT;
    }
    if (allow_cut
        && !utf8_char((const unsigned char *)buf + v, len - v, &prefix)
        && prefix == len - v) {
        /* only an incomplete last character (at most 3 bytes) */
        *textlen = v;
        return CM_JSON_TEXT;
    }
    return CM_JSON_BASE64;
}

/* Copy n bytes to dst at offset at, as far as room allows. */
static void put(char *dst, apr_size_t room, apr_size_t at,
                const char *s, apr_size_t n)
{
    if (dst && at < room) {
        memcpy(dst + at, s, room - at < n ? room - at : n);
    }
}

/*
 * The escaper behind cm_json_escape() and cm_json_escaped_len(): writes
 * at most room bytes to dst (dst may be NULL with room 0) and returns the
 * full escaped length.
 */
static apr_size_t escape(char *dst, apr_size_t room, const char *buf,
                         apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    apr_size_t i = 0, n = 0, run;
    char tmp[6];
    const char *rep;
    apr_size_t k;

    while (i < len) {
        run = i + plain_run(s + i, len - i);
        if (run > i) {
            put(dst, room, n, buf + i, run - i);
            n += run - i;
            i = run;
            if (i == len) {
                break;
            }
        }
        rep = tmp;
        k = 2;
        tmp[0] = '\\';
        switch (s[i]) {
        case '"':  tmp[1] = '"';  break;
        case '\\': tmp[1] = '\\'; break;
        case '\b': tmp[1] = 'b';  break;
        case '\f': tmp[1] = 'f';  break;
        case '\n': tmp[1] = 'n';  break;
        case '\r': tmp[1] = 'r';  break;
        case '\t': tmp[1] = 't';  break;
        case 0xe2:
            if (i + 2 < len && s[i + 1] == 0x80
                && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
                rep = s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
                k = 6;
                i += 2;
            }
            else {
                rep = buf + i;
                k = 1;
            }
            break;
        default:
            /* other C0 controls and DEL */
            tmp[1] = 'u';
            tmp[2] = '0';
            tmp[3] = '0';
            tmp[4] = cm_hex[s[i] >> 4];
            tmp[5] = cm_hex[s[i] & 0xf];
            k = 6;
            break;
        }
        put(dst, room, n, rep, k);
        n += k;
        i++;
    }
    return n;
}

apr_size_t cm_json_escaped_len(const char *buf, apr_size_t len)
{
    return escape(NULL, 0, buf, len);
}

apr_size_t cm_json_escape(char *dst, const char *buf, apr_size_t len)
{
    return escape(dst, (apr_size_t)-1, buf, len);
}

/* Where the next byte of o goes, and how much room is left there. */
static char *out_at(cm_out_t *o, apr_size_t *room)
{
    if (!o->buf || o->len >= o->cap) {
        *room = 0;
        return NULL;
    }
    *room = o->cap - o->len;
    return o->buf + o->len;
}

void cm_out_raw_cut(cm_out_t *o, const char *s, apr_size_t n)
{
    apr_size_t room;
    char *dst = out_at(o, &room);

    put(dst, room, 0, s, n);
    o->len += n;
}

void cm_out_str(cm_out_t *o, const char *s)
{
    cm_out_raw(o, s, strlen(s));
}

/* Append the escape of one ASCII byte that cm_plain_ascii excludes. */
static void out_ascii_escape(cm_out_t *o, unsigned int c)
{
    char tmp[6];

    tmp[0] = '\\';
    switch (c) {
    case '"':  tmp[1] = '"';  break;
    case '\\': tmp[1] = '\\'; break;
    case '\b': tmp[1] = 'b';  break;
    case '\f': tmp[1] = 'f';  break;
    case '\n': tmp[1] = 'n';  break;
    case '\r': tmp[1] = 'r';  break;
    case '\t': tmp[1] = 't';  break;
    default:
        /* NUL, other C0 controls and DEL */
        tmp[1] = 'u';
        tmp[2] = '0';
        tmp[3] = '0';
        tmp[4] = cm_hex[c >> 4];
        tmp[5] = cm_hex[c & 0xf];
        cm_out_raw(o, tmp, 6);
        return;
    }
    cm_out_raw(o, tmp, 2);
}

/* 1 for the two printable bytes JSON escapes as a backslash and the byte
 * itself: '"' and '\\'. */
static const unsigned char cm_quote_or_bs[256] = {
    ['"'] = 1, ['\\'] = 1
};
#define PRINTABLE_ASCII(c) (cm_plain_ascii[c] || cm_quote_or_bs[c])

#ifdef CM_SSE2
/* Bits set in a 16-bit mask (no popcnt instruction in a baseline x86-64
 * build, and libgcc's __popcountdi2 is a call). */
static APR_INLINE unsigned int pop16(unsigned int m)
{
    m = m - ((m >> 1) & 0x5555);
    m = (m & 0x3333) + ((m >> 2) & 0x3333);
    m = (m + (m >> 4)) & 0x0f0f;
    return (m + (m >> 8)) & 0x1f;
}
#endif

/*
 * Appends u[i..j) escaped, for the longest j where u[i..j) is printable
 * ASCII, and returns j; '"' and '\\', the escapes of JSON inside JSON
 * (a quote every few bytes), are handled in the run instead of ending it.
 * Counts only when o has no buffer left; writes straight into the buffer
 * while it has room for twice the next block. Returns i when it could do
 * neither (the caller escapes the byte at i the slow way).
 */
static apr_size_t out_ascii_stretch(cm_out_t *o, const unsigned char *u,
                                    apr_size_t n, apr_size_t i)
{
    if (!o->buf || o->len >= o->cap) {
        apr_size_t add = 0;

#ifdef CM_SSE2
        while (i + 16 <= n) {
            unsigned int mc, mq;

            ascii_masks(u + i, &mc, &mq);
            if (mc) {
                unsigned int k = (unsigned int)__builtin_ctz(mc);

                add += k + pop16(mq & ((1u << k) - 1));
                o->len += add;
                return i + k;
            }
            add += 16 + pop16(mq);
            i += 16;
        }
#endif
        while (i < n && PRINTABLE_ASCII(u[i])) {
            add += 1 + cm_quote_or_bs[u[i]];
            i++;
        }
        o->len += add;
        return i;
    }
    else {
        char *d = o->buf + o->len, *end = o->buf + o->cap;

#ifdef CM_SSE2
        while (i + 16 <= n && end - d >= 32) {
            unsigned int mc, mq, k, lim;
            __m128i v = ascii_masks(u + i, &mc, &mq);

            if (!(mc | mq)) {
                _mm_storeu_si128((__m128i *)(void *)d, v);
                d += 16;
                i += 16;
                continue;
            }
            lim = mc ? (unsigned int)__builtin_ctz(mc) : 16;
            for (k = 0; k < lim; k++) {
                unsigned int c = u[i + k];

                *d = '\\';
                d += cm_quote_or_bs[c];
                *d++ = (char)c;
            }
            i += lim;
            if (mc) {
                o->len = (apr_size_t)(d - o->buf);
                return i;
            }
        }
#endif
        while (i < n && end - d >= 2 && PRINTABLE_ASCII(u[i])) {
            *d = '\\';
            d += cm_quote_or_bs[u[i]];
            *d++ = (char)u[i++];
        }
        o->len = (apr_size_t)(d - o->buf);
        return i;
    }
}

/*
 * One scan per string: runs of printable ASCII and of valid multi-byte
 * characters are copied as they are (one copy per run), and the scan
 * stops only at a byte to escape, U+2028/U+2029 or an invalid sequence.
 * Validation and escaping are the same pass, so a string is read once.
 * With strict set, an invalid sequence or a NUL ends the scan instead of
 * being replaced or escaped, and 0 is returned (the caller discards what
 * was written); otherwise, and when all of s was written, 1.
 */
static int out_escaped(cm_out_t *o, const char *s, apr_size_t n,
                       apr_size_t i, int strict)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t start = 0, c = 0, prefix = 0;

    /* the first i bytes are known to need no escape */
    while (i < n) {
        i += plain_ascii_run(u + i, n - i);
        if (i == n) {
            break;
        }
        if (cm_quote_or_bs[u[i]]) {
            apr_size_t j;

            cm_out_raw(o, s + start, i - start);
            j = out_ascii_stretch(o, u, n, i);
            if (j == i) {
                out_ascii_escape(o, u[i]);
                j = i + 1;
            }
            i = start = j;
            continue;
        }
        if (u[i] >= 0x80) {
            c = utf8_char(u + i, n - i, &prefix);
            if (c && !(c == 3 && u[i] == 0xe2 && u[i + 1] == 0x80
                       && (u[i + 2] == 0xa8 || u[i + 2] == 0xa9))) {
                i += c;
                continue;
            }
            if (!c && strict) {
                return 0;
            }
        }
        else if (!u[i] && strict) {
            return 0;
        }
        cm_out_raw(o, s + start, i - start);
        if (u[i] < 0x80) {
            out_ascii_escape(o, u[i]);
            i++;
        }
        else if (c) {
            cm_out_raw(o, u[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
            i += 3;
        }
        else {
            /* One U+FFFD per maximal invalid subpart (Unicode 3.9). */
            cm_out_raw(o, CM_REPLACEMENT, 3);
            i += prefix ? prefix : 1;
        }
        start = i;
    }
    cm_out_raw(o, s + start, i - start);
    return 1;
}

/* out_escaped() between quotes; a string with nothing to escape (most
 * strings) is one copy. */
static int out_qmem(cm_out_t *o, const char *s, apr_size_t n, int strict)
{
    apr_size_t i = plain_ascii_run((const unsigned char *)s, n);

    if (i == n) {
        cm_out_qplain(o, s, n);
        return 1;
    }
    cm_out_raw(o, "\"", 1);
    if (!out_escaped(o, s, n, i, strict)) {
        return 0;
    }
    cm_out_raw(o, "\"", 1);
    return 1;
}

void cm_out_qmem(cm_out_t *o, const char *s, apr_size_t n)
{
    if (!s) {
        cm_out_raw(o, "null", 4);
        return;
    }
    out_qmem(o, s, n, 0);
}

int cm_out_qtext(cm_out_t *o, const char *s, apr_size_t n)
{
    return out_qmem(o, s, n, 1);
}

apr_size_t cm_utf8_cut_len(const char *buf, apr_size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    apr_size_t k, prefix;

    /* The last character starts at most 3 bytes from the end; walk back
     * over continuation bytes to its first byte. */
    for (k = 1; k <= 3 && k <= len; k++) {
        unsigned int c = s[len - k];

        if (c >= 0x80 && c < 0xc0) {
            continue;
        }
        if (c >= 0xc0 && !utf8_char(s + len - k, k, &prefix)
            && prefix == k) {
            return len - k;
        }
        break;
    }
    return len;
}

apr_size_t cm_plain_len(const char *s, int *plain)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;

    /* NUL is not plain, so this loop stops at the end of s at the latest */
    while (cm_plain_ascii[u[i]]) {
        i++;
    }
    *plain = !u[i];
    return u[i] ? i + strlen(s + i) : i;
}

void cm_out_qplain(cm_out_t *o, const char *s, apr_size_t n)
{
    if (o->buf && o->len <= o->cap && n + 2 <= o->cap - o->len) {
        char *d = o->buf + o->len;

        d[0] = '"';
        memcpy(d + 1, s, n);
        d[n + 1] = '"';
        o->len += n + 2;
        return;
    }
    cm_out_raw(o, "\"", 1);
    cm_out_raw(o, s, n);
    cm_out_raw(o, "\"", 1);
}

void cm_out_qstr(cm_out_t *o, const char *s)
{
    apr_size_t n;
    int plain;

    if (!s) {
        cm_out_raw(o, "null", 4);
        return;
    }
    n = cm_plain_len(s, &plain);
    if (plain) {
        cm_out_qplain(o, s, n);
    }
    else {
        cm_out_qmem(o, s, n);
    }
}

/* "00" to "99": two digits per division in cm_out_int(). */
static const char cm_digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

void cm_out_int(cm_out_t *o, apr_int64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof(tmp), *p = end;
    apr_uint64_t u = v < 0 ? (apr_uint64_t)0 - (apr_uint64_t)v
                           : (apr_uint64_t)v;

    while (u >= 100) {
        unsigned int d = (unsigned int)(u % 100) * 2;

        u /= 100;
        p -= 2;
        p[0] = cm_digits2[d];
        p[1] = cm_digits2[d + 1];
    }
    if (u >= 10) {
        p -= 2;
        p[0] = cm_digits2[u * 2];
        p[1] = cm_digits2[u * 2 + 1];
    }
    else {
        *--p = (char)('0' + (int)u);
    }
    if (v < 0) {
        *--p = '-';
    }
    cm_out_raw(o, p, (apr_size_t)(end - p));
}

void cm_out_bool(cm_out_t *o, int v)
{
    if (v) {
        cm_out_raw(o, "true", 4);
    }
    else {
        cm_out_raw(o, "false", 5);
    }
}

/* Append the base64 of buf (len bytes, padded at the end), no quotes. */
static void b64_run(cm_out_t *o, const unsigned char *s, apr_size_t len)
{
    apr_size_t i, room, at = 0;
    char *dst;
    char q[4];

    if (!o->buf) {
        /* a sizing pass: the length is known without encoding */
        o->len += (len + 2) / 3 * 4;
        return;
    }
    dst = out_at(o, &room);
    for (i = 0; i + 2 < len; i += 3) {
        q[0] = cm_b64[s[i] >> 2];
        q[1] = cm_b64[((s[i] & 0x03) << 4) | (s[i + 1] >> 4)];
        q[2] = cm_b64[((s[i + 1] & 0x0f) << 2) | (s[i + 2] >> 6)];
        q[3] = cm_b64[s[i + 2] & 0x3f];
        put(dst, room, at, q, 4);
        at += 4;
    }
    if (i < len) {
        q[0] = cm_b64[s[i] >> 2];
        if (i + 1 < len) {
            q[1] = cm_b64[((s[i] & 0x03) << 4) | (s[i + 1] >> 4)];
            q[2] = cm_b64[(s[i + 1] & 0x0f) << 2];
        }
        else {
            q[1] = cm_b64[(s[i] & 0x03) << 4];
            q[2] = '=';
        }
        q[3] = '=';
        put(dst, room, at, q, 4);
        at += 4;
    }
    o->len += at;
}

void cm_out_base64(cm_out_t *o, const char *buf, apr_size_t len)
{
    cm_out_raw(o, "\"", 1);
    b64_run(o, (const unsigned char *)buf, len);
    cm_out_raw(o, "\"", 1);
}

/* Bytes a UTF-8 character that starts with lead byte c takes (c is the
 * valid start of a multi-byte character). */
static apr_size_t utf8_need(unsigned int c)
{
    return c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

int cm_out_qtext_segs(cm_out_t *o, const cm_seg_t *s, int nseg,
                      apr_size_t len)
{
    unsigned char carry[4];
    apr_size_t nc = 0, left = len;
    int k;

    if (nseg == 1) {
        return cm_out_qtext(o, s[0].p, len < s[0].n ? len : s[0].n);
    }
    cm_out_raw(o, "\"", 1);
    for (k = 0; k < nseg && left; k++) {
        const char *d = s[k].p;
        apr_size_t n = s[k].n < left ? s[k].n : left, i = 0, cut;

        left -= n;
        if (nc) {
            /* the character the previous segment cut */
            apr_size_t need = utf8_need(carry[0]);

            while (nc < need && i < n) {
                carry[nc++] = (unsigned char)d[i++];
            }
            if (nc < need) {
                continue;
            }
            if (!out_escaped(o, (const char *)carry, nc, 0, 1)) {
                return 0;
            }
            nc = 0;
        }
        /* hold back a character this segment cuts (never at the end:
         * there an incomplete character is invalid) */
        cut = left ? i + cm_utf8_cut_len(d + i, n - i) : n;
        if (!out_escaped(o, d + i, cut - i, 0, 1)) {
            return 0;
        }
        while (cut < n) {
            carry[nc++] = (unsigned char)d[cut++];
        }
    }
    if (nc) {
        return 0;
    }
    cm_out_raw(o, "\"", 1);
    return 1;
}

void cm_out_base64_segs(cm_out_t *o, const cm_seg_t *s, int nseg,
                        apr_size_t len)
{
    unsigned char carry[3];
    apr_size_t nc = 0, left = len;
    int k;

    if (nseg == 1) {
        cm_out_base64(o, s[0].p, len < s[0].n ? len : s[0].n);
        return;
    }
    cm_out_raw(o, "\"", 1);
    for (k = 0; k < nseg && left; k++) {
        const unsigned char *d = (const unsigned char *)s[k].p;
        apr_size_t n = s[k].n < left ? s[k].n : left, i = 0, whole;

        left -= n;
        if (nc) {
            /* complete the group of 3 the previous segment began */
            while (nc < 3 && i < n) {
                carry[nc++] = d[i++];
            }
            if (nc < 3) {
                continue;
            }
            b64_run(o, carry, 3);
            nc = 0;
        }
        whole = (n - i) / 3 * 3;
        b64_run(o, d + i, whole);
        for (i += whole; i < n; i++) {
            carry[nc++] = d[i];
        }
    }
    if (nc) {
        b64_run(o, carry, nc);
    }
    cm_out_raw(o, "\"", 1);
}

apr_size_t cm_utf8_cut_len_segs(const cm_seg_t *s, int nseg,
                                apr_size_t len)
{
    char tail[3];
    apr_size_t pos = 0, want, t = 0;
    int k;

    if (nseg == 1) {
        return cm_utf8_cut_len(s[0].p, len < s[0].n ? len : s[0].n);
    }
    /* the last (up to) 3 bytes decide, wherever they are */
    want = len < 3 ? 0 : len - 3;
    for (k = 0; k < nseg && pos < len; k++) {
        apr_size_t n = s[k].n < len - pos ? s[k].n : len - pos, i;

        for (i = want > pos ? want - pos : 0; i < n; i++) {
            tail[t++] = s[k].p[i];
        }
        pos += n;
    }
    return len - t + cm_utf8_cut_len(tail, t);
}
