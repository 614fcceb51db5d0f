/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact_private: what the ab_redact_*.c tokenizers share (the bounded
 * output writer, paths, decoders). Not for the glue: use ab_redact.h.
 */
#ifndef AB_REDACT_PRIVATE_H
#define AB_REDACT_PRIVATE_H

#include <string.h>

#include "ab_redact.h"
#include "cm_swar.h"

/* The output of one redactor call: writes past cap set overflow and are
 * dropped, so a tokenizer never checks after each byte; it checks
 * o->overflow once at the end. scratch (len bytes) holds decoded values
 * for the detectors and the HMAC. */
typedef struct {
    const ab_redact_cfg_t *cfg;
    ab_redact_report_t *rep;
    char *out;
    apr_size_t cap;
    apr_size_t len;
    int overflow;
    char *scratch;
    apr_size_t scap;
} abr_out_t;

void abr_out_init(abr_out_t *o, apr_pool_t *p, const ab_redact_cfg_t *cfg,
                  char *out, apr_size_t cap, ab_redact_report_t *rep,
                  apr_size_t scratch_len);

static APR_INLINE void abr_put(abr_out_t *o, const char *s, apr_size_t n)
{
    if (o->cap - o->len < n) {
        o->overflow = 1;
        return;
    }
    memcpy(o->out + o->len, s, n);
    o->len += n;
}

static APR_INLINE void abr_putc(abr_out_t *o, char c)
{
    if (o->len >= o->cap) {
        o->overflow = 1;
        return;
    }
    o->out[o->len++] = c;
}

/** Write the replacement of value[0..n), in double quotes if quoted. */
void abr_put_token(abr_out_t *o, const char *value, apr_size_t n,
                   int quoted);

/* A path being built, cut at AB_REDACT_PATH_MAX - 1 with "...". */
typedef struct {
    char b[AB_REDACT_PATH_MAX];
    apr_size_t n;
} abr_path_t;

void abr_path_add(abr_path_t *pa, const char *s, apr_size_t n);
void abr_path_num(abr_path_t *pa, apr_size_t v);

/** If no path can be kept any more, count one redaction (and one path
 *  left out) and return 1: the caller need not build the path. */
int abr_report_full(ab_redact_report_t *rep);

/** Count one redaction and keep its path while there is room. */
void abr_report(ab_redact_report_t *rep, const abr_path_t *pa);

/** Decode a JSON string body (no quotes) into dst, at most cap bytes
 *  (*cut set when more would follow). An incomplete escape at the end
 *  is dropped. */
apr_size_t abr_json_unescape(const char *s, apr_size_t n, char *dst,
                             apr_size_t cap, int *cut);

/** Percent-decode (and '+' to space when plus) into dst, at most cap. An
 *  invalid or incomplete %-sequence is kept as is, as servers do. */
apr_size_t abr_pct_decode(const char *s, apr_size_t n, int plus, char *dst,
                          apr_size_t cap, int *cut);

/** The first pat[0..pl) in s[0..n), or NULL (memmem is not C99). */
const char *abr_memmem(const char *s, apr_size_t n, const char *pat,
                       apr_size_t pl);

/* The per-thread memo of name answers (ab_redact_names.c): ABR_NMEMO
 * entries, in sets of two. Names up to ABR_NMEMO_KEY bytes are memoized;
 * (fa, fb, len) is the name itself up to 16 bytes, mid holds the rest. */
#define ABR_NMEMO 128               /* 56 bytes each: 7 KiB a thread */
#define ABR_NMEMO_KEY 40

typedef struct {
    apr_uint64_t serial;            /* the list's; 0: empty */
    apr_uint64_t fa, fb;
    unsigned char len;
    unsigned char match;
    char mid[ABR_NMEMO_KEY - 16];
} abr_nmemo_t;

/** This thread's memo, or NULL (no thread-local storage): fetch it once
 *  per redactor call, it is a function call in a shared object. */
abr_nmemo_t *abr_nmemo(void);

/** The list's serial (unique per build), or 0 for no list or an empty
 *  one: nothing matches then. */
apr_uint64_t abr_names_serial(const ab_redact_names_t *n);

/** A miss: ask the list, remember the answer in set[0] (set[0] moves to
 *  set[1]) and return it. */
int abr_nmemo_fill(abr_nmemo_t *set, const ab_redact_names_t *n,
                   apr_uint64_t serial, apr_uint64_t fa, apr_uint64_t fb,
                   const char *name, apr_size_t len);

static APR_INLINE int abr_nmemo_hit(const abr_nmemo_t *m,
                                    apr_uint64_t serial, apr_uint64_t fa,
                                    apr_uint64_t fb, const char *name,
                                    apr_size_t len)
{
    return m->serial == serial && m->fa == fa && m->fb == fb
           && m->len == len
           && (len <= 16 || !memcmp(m->mid, name + 8, len - 16));
}

/** ab_redact_name_match() through the memo: serial is
 *  abr_names_serial(n), memo abr_nmemo() (either fetched once). */
static APR_INLINE int abr_name_match_fast(abr_nmemo_t *memo,
                                          const ab_redact_names_t *n,
                                          apr_uint64_t serial,
                                          const char *name, apr_size_t len)
{
    apr_uint64_t fa, fb;
    abr_nmemo_t *set;

    if (!serial) {
        return 0;
    }
    if (!memo || len == 0 || len > ABR_NMEMO_KEY) {
        return ab_redact_name_match(n, name, len);
    }
    /* overlapping loads of the first and last bytes: with len, the
     * whole name up to 16 bytes */
    if (len >= 8) {
        fa = cm_load64(name);
        fb = cm_load64(name + len - 8);
    }
    else if (len >= 4) {
        fa = cm_load32(name);
        fb = cm_load32(name + len - 4);
    }
    else {
        fa = (unsigned char)name[0]
             | (apr_uint64_t)(unsigned char)name[len / 2] << 8
             | (apr_uint64_t)(unsigned char)name[len - 1] << 16;
        fb = 0;
    }
    set = memo + 2 * ((((fa ^ (fb * 0x9e3779b97f4a7c15ULL) ^ serial)
                        * 0xff51afd7ed558ccdULL) >> 56 ^ len)
                      & (ABR_NMEMO / 2 - 1));
    if (abr_nmemo_hit(&set[0], serial, fa, fb, name, len)) {
        return set[0].match;
    }
    if (abr_nmemo_hit(&set[1], serial, fa, fb, name, len)) {
        return set[1].match;
    }
    return abr_nmemo_fill(set, n, serial, fa, fb, name, len);
}

/** The same, fetching memo and serial itself (one name now and then). */
int abr_name_match_memo(const ab_redact_names_t *n, const char *name,
                        apr_size_t len);

/** A form or multipart field name: the whole name, or any segment of
 *  it split at '[', ']' and '.' (Rails/PHP user[password], user.password)
 *  matches. */
int abr_field_match(const ab_redact_names_t *n, const char *name,
                    apr_size_t len);

/** Lower-case ASCII. */
static APR_INLINE unsigned char abr_lc(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* The tokenizers on a shared writer (multipart nests JSON and forms). */
ab_redact_status_e abr_json_run(abr_out_t *o, apr_pool_t *p, const char *in,
                                apr_size_t len, int truncated,
                                const char *prefix);
ab_redact_status_e abr_form_run(abr_out_t *o, const char *in, apr_size_t len,
                                int truncated, const char *tag, char sep2);
ab_redact_status_e abr_text_run(abr_out_t *o, const char *in, apr_size_t len,
                                int truncated, const char *path);

/**
 * The built-in detectors of det (AB_REDACT_DET_*) that may match s[0..len),
 * from what each needs at the least, counted in one pass of eight bytes a
 * step: a PAN 13 digits (8 at a cut), a JWT a 'J' (of "eyJ"), a bearer
 * token a 'b' or 'B'. So a value none can match (most values) costs this
 * scan, not a call per detector. Over-counting is harmless (the detector
 * then runs and decides): the last, partial step reads the last eight
 * bytes again.
 */
static APR_INLINE unsigned abr_detect_census(const char *s, apr_size_t len,
                                             int at_cut, unsigned det)
{
    apr_size_t i = 0, digits = 0;
    apr_uint64_t js = 0, bs = 0, v;

    if (len < 13 && !at_cut) {
        det &= ~(unsigned)AB_REDACT_DET_PAN;    /* too short for 13 digits */
    }

    for (;;) {
        apr_uint64_t t, ge10, x;

        if (i + 8 <= len) {
            v = cm_load64(s + i);
            i += 8;
        }
        else if (i < len) {
            if (len >= 8) {
                v = cm_load64(s + len - 8);
            }
            else {
                v = 0;                  /* zero bytes count as nothing */
                memcpy(&v, s, len);
            }
            i = len;
        }
        else {
            break;
        }
        if (det & AB_REDACT_DET_PAN) {
            /* digits: c ^ '0' below 10 */
            t = v ^ (CM_ONES * '0');
            ge10 = (((t & ~CM_HIGHS) + CM_ONES * (0x80 - 10)) | t)
                   & CM_HIGHS;
            digits += (((~ge10 & CM_HIGHS) >> 7) * CM_ONES) >> 56;
        }
        x = v ^ (CM_ONES * 'J');
        js |= CM_HAS_ZERO(x);
        if (det & AB_REDACT_DET_BEARER) {
            x = (v | (CM_ONES * 0x20)) ^ (CM_ONES * 'b');
            bs |= CM_HAS_ZERO(x);
        }
    }
    if (digits < (at_cut ? 8u : 13u)) {
        det &= ~(unsigned)AB_REDACT_DET_PAN;
    }
    if (!js) {
        det &= ~(unsigned)AB_REDACT_DET_JWT;
    }
    if (!bs) {
        det &= ~(unsigned)AB_REDACT_DET_BEARER;
    }
    return det;
}

/** Replace the whole value v[0..n) (already written at out[ostart..]) when
 *  a detector matches it; returns 1 if it did. */
int abr_detect_value(abr_out_t *o, apr_size_t ostart, const char *v,
                     apr_size_t n, int at_cut, int quoted,
                     const abr_path_t *pa);

#endif /* AB_REDACT_PRIVATE_H */
