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

/** Replace the whole value v[0..n) (already written at out[ostart..]) when
 *  a detector matches it; returns 1 if it did. */
int abr_detect_value(abr_out_t *o, apr_size_t ostart, const char *v,
                     apr_size_t n, int at_cut, int quoted,
                     const abr_path_t *pa);

#endif /* AB_REDACT_PRIVATE_H */
