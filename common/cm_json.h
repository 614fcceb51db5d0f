/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * cm_json: JSON text building shared by both modules (pure: APR only).
 *
 * Owns string escaping, UTF-8 validation and the base64 fallback, and a
 * bounded writer that keeps counting past its end, so a buffer that turns
 * out too small can be sized exactly and filled again. It never
 * allocates per byte and never emits raw control characters, so any input
 * yields valid JSON.
 */
#ifndef CM_JSON_H
#define CM_JSON_H

#include <string.h>

#include <apr_pools.h>

/** Encoding chosen for a byte string placed in a JSON record. */
typedef enum {
    CM_JSON_TEXT = 0,     /**< valid UTF-8, no NUL: emitted as a JSON string */
    CM_JSON_BASE64 = 1    /**< anything else: emitted as a base64 string */
} cm_json_enc_e;

/**
 * Length of the longest prefix of buf that is complete, valid UTF-8
 * (no overlongs, no surrogates, nothing above U+10FFFF) and contains no NUL.
 */
apr_size_t cm_utf8_valid_prefix(const char *buf, apr_size_t len);

/**
 * Copy buf to dst with each maximal invalid UTF-8 subpart replaced by
 * U+FFFD, as cm_out_qmem() does (NUL bytes are copied). With dst NULL it
 * only counts. Returns the number of bytes written (no NUL terminator).
 */
apr_size_t cm_utf8_sanitize(char *dst, const char *buf, apr_size_t len);

/**
 * Choose how to encode buf: CM_JSON_TEXT if the whole buffer is valid UTF-8
 * without NUL. When allow_cut is non-zero (the data was truncated), a buffer
 * whose only flaw is an incomplete multi-byte sequence in its last 3 bytes
 * is still TEXT, and *textlen is set to the length without that partial
 * character. Otherwise *textlen = len. The record decides the same in its
 * one scan (cm_utf8_cut_len() + cm_out_qtext()); this two-scan form is the
 * definition the unit tests and the fuzzer hold that decision to.
 */
cm_json_enc_e cm_json_classify(const char *buf, apr_size_t len,
                               int allow_cut, apr_size_t *textlen);

/**
 * Exact number of bytes cm_json_escape() writes for buf (without quotes).
 * buf must be valid UTF-8 (cm_json_classify() said TEXT); NUL-free.
 */
apr_size_t cm_json_escaped_len(const char *buf, apr_size_t len);

/**
 * Escape buf into dst (no quotes added, no terminating NUL): '"', '\\',
 * control characters (\b \f \n \r \t, others \u00XX), DEL as \u007f and
 * U+2028/U+2029 as \u2028/\u2029. Returns the number of bytes written,
 * equal to cm_json_escaped_len().
 */
apr_size_t cm_json_escape(char *dst, const char *buf, apr_size_t len);

/**
 * A bounded output buffer: with buf == NULL it only counts; with buf !=
 * NULL it writes, never past cap. len always counts every byte appended,
 * so len > cap after a pass means the output was cut and len is the
 * exact size a second pass needs.
 */
typedef struct {
    char *buf;          /**< NULL during the sizing pass */
    apr_size_t len;     /**< bytes written (or counted) so far */
    apr_size_t cap;     /**< capacity of buf */
} cm_out_t;

/** cm_out_raw() when the bytes may not fit (use cm_out_raw()). */
void cm_out_raw_cut(cm_out_t *o, const char *s, apr_size_t n);

/** Append raw bytes (already valid JSON syntax). Inline: a record is
 *  mostly short literals, and the common case is one small memcpy. */
static APR_INLINE void cm_out_raw(cm_out_t *o, const char *s, apr_size_t n)
{
    if (o->buf && o->len <= o->cap && n <= o->cap - o->len) {
        memcpy(o->buf + o->len, s, n);
        o->len += n;
    }
    else {
        cm_out_raw_cut(o, s, n);
    }
}
/** Append a NUL-terminated raw string. */
void cm_out_str(cm_out_t *o, const char *s);
/** Append a string literal (its length is known at compile time). */
#define CM_OUT_LIT(o, lit) cm_out_raw((o), "" lit, sizeof(lit) - 1)
/**
 * strlen(s), and in *plain whether every byte of s is printable ASCII
 * that needs no escape (then cm_out_qplain() may write it). One pass.
 */
apr_size_t cm_plain_len(const char *s, int *plain);
/** Append s (n bytes, all plain as cm_plain_len() says) between quotes,
 *  without looking at it. */
void cm_out_qplain(cm_out_t *o, const char *s, apr_size_t n);
/** Append a quoted, escaped JSON string; s may be NULL (emits null).
 *  Invalid UTF-8 bytes are replaced by U+FFFD so metadata is always valid. */
void cm_out_qstr(cm_out_t *o, const char *s);
/** Same as cm_out_qstr for a counted buffer. */
void cm_out_qmem(cm_out_t *o, const char *s, apr_size_t n);
/**
 * Append s (n bytes) as a quoted, escaped JSON string if it is valid UTF-8
 * without NUL, as cm_out_qmem() would, and return 1. Otherwise return 0
 * as soon as the first invalid sequence or NUL is found; what was
 * appended by then is garbage that the caller discards by restoring
 * o->len. One scan, where cm_json_classify() + cm_out_qmem() take two.
 */
int cm_out_qtext(cm_out_t *o, const char *s, apr_size_t n);
/**
 * len, less an incomplete last character: if the last 1 to 3 bytes of buf
 * are the valid start of a multi-byte character that the end cuts, the
 * offset where it starts, else len. Looks at no more than 3 bytes.
 * cm_out_qtext() over the result succeeds exactly when
 * cm_json_classify(buf, len, 1, ...) says TEXT, with that textlen.
 */
apr_size_t cm_utf8_cut_len(const char *buf, apr_size_t len);
/** Append a signed 64-bit integer. */
void cm_out_int(cm_out_t *o, apr_int64_t v);
/** Append true/false. */
void cm_out_bool(cm_out_t *o, int v);
/** Append buf as a quoted base64 string (standard alphabet, padded). */
void cm_out_base64(cm_out_t *o, const char *buf, apr_size_t len);

/** One piece of a byte string held in several buffers. */
typedef struct {
    const char *p;      /**< the bytes */
    apr_size_t n;       /**< how many */
} cm_seg_t;

/**
 * cm_out_qtext() for the first len bytes of the string made of nseg
 * segments in order (a character may span segments): 1 when written, 0
 * as soon as it is not valid UTF-8 without NUL (the caller discards the
 * output by restoring o->len).
 */
int cm_out_qtext_segs(cm_out_t *o, const cm_seg_t *s, int nseg,
                      apr_size_t len);
/** cm_out_base64() for the first len bytes of nseg segments in order. */
void cm_out_base64_segs(cm_out_t *o, const cm_seg_t *s, int nseg,
                        apr_size_t len);
/** cm_utf8_cut_len() for the first len bytes of nseg segments. */
apr_size_t cm_utf8_cut_len_segs(const cm_seg_t *s, int nseg,
                                apr_size_t len);

#endif /* CM_JSON_H */
