/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for cm_json: UTF-8 validation, the text/base64 choice,
 * escaping, base64 and the bounded two-pass writer. */
#include <stdio.h>
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>

#include "test_common.h"
#include "cm_json.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* A small deterministic generator (numerical recipes LCG). */
static apr_uint32_t rnd_state;

static apr_uint32_t rnd(void)
{
    rnd_state = rnd_state * 1664525u + 1013904223u;
    return rnd_state >> 8;
}

/* Escape s (n bytes) into a NUL-terminated pool string, checking that
 * cm_json_escaped_len() predicted the length. */
static const char *esc(const char *s, apr_size_t n)
{
    apr_size_t want = cm_json_escaped_len(s, n);
    char *dst = apr_palloc(pool, want + 1);
    apr_size_t got = cm_json_escape(dst, s, n);

    ck_assert_uint_eq(got, want);
    dst[got] = '\0';
    return dst;
}

/* Run f twice, sizing then filling, and return the NUL-terminated output. */
#define OUT2(res, call) do {                                    \
        cm_out_t o_ = { NULL, 0, 0 };                           \
        cm_out_t *o = &o_;                                      \
        apr_size_t n_;                                          \
        call;                                                   \
        n_ = o_.len;                                            \
        o_.buf = apr_palloc(pool, n_ + 1);                      \
        o_.cap = n_;                                            \
        o_.len = 0;                                             \
        call;                                                   \
        ck_assert_uint_eq(o_.len, n_);                          \
        o_.buf[n_] = '\0';                                      \
        (res) = o_.buf;                                         \
    } while (0)

static cm_json_enc_e classify(const char *s, apr_size_t n, int cut,
                              apr_size_t *textlen)
{
    *textlen = 12345;
    return cm_json_classify(s, n, cut, textlen);
}

START_TEST(valid_multibyte)
{
    static const struct {
        const char *s;
        apr_size_t n;
    } ok[] = {
        { "", 0 },
        { "plain ascii", 11 },
        { "\xc2\x80", 2 },                  /* U+0080, lowest 2-byte */
        { "caf\xc3\xa9", 5 },               /* U+00E9 */
        { "\xdf\xbf", 2 },                  /* U+07FF */
        { "\xe0\xa0\x80", 3 },              /* U+0800, lowest 3-byte */
        { "\xe2\x82\xac", 3 },              /* U+20AC euro */
        { "\xed\x9f\xbf", 3 },              /* U+D7FF, below surrogates */
        { "\xee\x80\x80", 3 },              /* U+E000, above surrogates */
        { "\xef\xbf\xbf", 3 },              /* U+FFFF */
        { "\xf0\x90\x80\x80", 4 },          /* U+10000, lowest 4-byte */
        { "\xf0\x9f\x98\x80", 4 },          /* U+1F600 */
        { "\xf4\x8f\xbf\xbf", 4 },          /* U+10FFFF, the last */
        { "a\xf0\x9f\x98\x80z\xc3\xa9", 8 },
    };
    apr_size_t i, tl;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ck_assert_uint_eq(cm_utf8_valid_prefix(ok[i].s, ok[i].n), ok[i].n);
        ck_assert_int_eq(classify(ok[i].s, ok[i].n, 0, &tl), CM_JSON_TEXT);
        ck_assert_uint_eq(tl, ok[i].n);
        ck_assert_int_eq(classify(ok[i].s, ok[i].n, 1, &tl), CM_JSON_TEXT);
        ck_assert_uint_eq(tl, ok[i].n);
    }
    /* U+1F600 passes through the escaper untouched */
    ck_assert_str_eq(esc("\xf0\x9f\x98\x80", 4), "\xf0\x9f\x98\x80");
}
END_TEST

START_TEST(invalid_rejected)
{
    /* each is "ab" followed by a bad sequence and "cd": the valid prefix
     * is 2 and no allow_cut makes it text */
    static const struct {
        const char *s;
        apr_size_t n;
    } bad[] = {
        { "ab\xc0\x80" "cd", 6 },              /* overlong NUL */
        { "ab\xc1\xbf" "cd", 6 },              /* overlong U+007F */
        { "ab\xe0\x80\x80" "cd", 7 },          /* overlong 3-byte */
        { "ab\xe0\x9f\xbf" "cd", 7 },          /* overlong U+07FF */
        { "ab\xf0\x80\x80\x80" "cd", 8 },      /* overlong 4-byte */
        { "ab\xf0\x8f\xbf\xbf" "cd", 8 },      /* overlong U+FFFF */
        { "ab\xed\xa0\x80" "cd", 7 },          /* U+D800 surrogate */
        { "ab\xed\xbf\xbf" "cd", 7 },          /* U+DFFF surrogate */
        { "ab\xf4\x90\x80\x80" "cd", 8 },      /* U+110000 */
        { "ab\xf5\x80\x80\x80" "cd", 8 },      /* F5 lead */
        { "ab\xf8\x88\x80\x80\x80" "cd", 9 },  /* 5-byte form */
        { "ab\xff" "cd", 5 },
        { "ab\xfe" "cd", 5 },
        { "ab\x80" "cd", 5 },                  /* stray continuation */
        { "ab\xbf" "cd", 5 },
        { "ab\xc3" "cd", 5 },                  /* lead without tail */
        { "ab\xe2\x82" "cd", 6 },              /* cut inside, not at end */
        { "ab\xc3\xa9\xa9" "cd", 7 },          /* extra continuation */
        { "ab\0" "cd", 5 },                    /* NUL */
    };
    apr_size_t i, tl, expect;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        /* "ab\xc3\xa9\xa9": the e-acute itself is valid */
        expect = i == 17 ? 4 : 2;
        ck_assert_msg(cm_utf8_valid_prefix(bad[i].s, bad[i].n) == expect,
                      "case %u", (unsigned)i);
        ck_assert_int_eq(classify(bad[i].s, bad[i].n, 0, &tl),
                         CM_JSON_BASE64);
        ck_assert_uint_eq(tl, bad[i].n);
        ck_assert_int_eq(classify(bad[i].s, bad[i].n, 1, &tl),
                         CM_JSON_BASE64);
        ck_assert_uint_eq(tl, bad[i].n);
    }
}
END_TEST

START_TEST(nul_is_base64)
{
    apr_size_t tl;

    ck_assert_int_eq(classify("\0", 1, 0, &tl), CM_JSON_BASE64);
    ck_assert_int_eq(classify("\0", 1, 1, &tl), CM_JSON_BASE64);
    ck_assert_int_eq(classify("abc\0", 4, 1, &tl), CM_JSON_BASE64);
    ck_assert_uint_eq(tl, 4);
    ck_assert_uint_eq(cm_utf8_valid_prefix("abc\0def", 7), 3);
    ck_assert_uint_eq(cm_utf8_valid_prefix("\0", 1), 0);
}
END_TEST

START_TEST(cut_at_end)
{
    /* U+1F600 is F0 9F 98 80: cut after 1, 2 and 3 of its bytes */
    const char *s = "ab\xf0\x9f\x98\x80";
    apr_size_t cut, tl;

    for (cut = 3; cut <= 5; cut++) {
        ck_assert_uint_eq(cm_utf8_valid_prefix(s, cut), 2);
        ck_assert_int_eq(classify(s, cut, 1, &tl), CM_JSON_TEXT);
        ck_assert_uint_eq(tl, 2);
        ck_assert_int_eq(classify(s, cut, 0, &tl), CM_JSON_BASE64);
        ck_assert_uint_eq(tl, cut);
    }
    ck_assert_int_eq(classify(s, 6, 1, &tl), CM_JSON_TEXT);
    ck_assert_uint_eq(tl, 6);
    /* a cut 3-byte and 2-byte character */
    ck_assert_int_eq(classify("x\xe2\x82", 3, 1, &tl), CM_JSON_TEXT);
    ck_assert_uint_eq(tl, 1);
    ck_assert_int_eq(classify("x\xc3", 2, 1, &tl), CM_JSON_TEXT);
    ck_assert_uint_eq(tl, 1);
    /* only the partial character: empty text */
    ck_assert_int_eq(classify("\xf0\x9f", 2, 1, &tl), CM_JSON_TEXT);
    ck_assert_uint_eq(tl, 0);
    /* an invalid tail is not a cut: overlong, surrogate, above U+10FFFF,
     * a stray continuation and a lone F5 */
    ck_assert_int_eq(classify("x\xe0\x80", 3, 1, &tl), CM_JSON_BASE64);
    ck_assert_int_eq(classify("x\xed\xa0", 3, 1, &tl), CM_JSON_BASE64);
    ck_assert_int_eq(classify("x\xf4\x90", 3, 1, &tl), CM_JSON_BASE64);
    ck_assert_int_eq(classify("x\x80", 2, 1, &tl), CM_JSON_BASE64);
    ck_assert_int_eq(classify("x\xf5", 2, 1, &tl), CM_JSON_BASE64);
    ck_assert_int_eq(classify("x\xc0", 2, 1, &tl), CM_JSON_BASE64);
    ck_assert_uint_eq(tl, 2);
    /* an invalid byte before a valid cut still means base64 */
    ck_assert_int_eq(classify("\xff" "a\xf0\x9f", 4, 1, &tl),
                     CM_JSON_BASE64);
}
END_TEST

START_TEST(escape_controls)
{
    char b[2];
    char want[8];
    int c;

    ck_assert_str_eq(esc("\b\f\n\r\t", 5), "\\b\\f\\n\\r\\t");
    ck_assert_str_eq(esc("\x01", 1), "\\u0001");
    ck_assert_str_eq(esc("\x1b[0m", 4), "\\u001b[0m");
    ck_assert_str_eq(esc("\x1f", 1), "\\u001f");
    ck_assert_str_eq(esc("\x7f", 1), "\\u007f");
    ck_assert_str_eq(esc("\x0b", 1), "\\u000b");
    for (c = 1; c < 0x20; c++) {
        b[0] = (char)c;
        switch (c) {
        case '\b': strcpy(want, "\\b"); break;
        case '\f': strcpy(want, "\\f"); break;
        case '\n': strcpy(want, "\\n"); break;
        case '\r': strcpy(want, "\\r"); break;
        case '\t': strcpy(want, "\\t"); break;
        default: apr_snprintf(want, sizeof(want), "\\u%04x", c); break;
        }
        ck_assert_str_eq(esc(b, 1), want);
    }
    for (c = 0x20; c < 0x7f; c++) {
        b[0] = (char)c;
        b[1] = '\0';
        if (c == '"' || c == '\\') {
            continue;
        }
        ck_assert_str_eq(esc(b, 1), b);
    }
}
END_TEST

START_TEST(escape_quotes)
{
    ck_assert_str_eq(esc("say \"hi\"", 8), "say \\\"hi\\\"");
    ck_assert_str_eq(esc("C:\\dir\\", 7), "C:\\\\dir\\\\");
    ck_assert_str_eq(esc("\\\"", 2), "\\\\\\\"");
    ck_assert_str_eq(esc("/", 1), "/");
    ck_assert_str_eq(esc("", 0), "");
}
END_TEST

START_TEST(escape_line_separators)
{
    ck_assert_str_eq(esc("a\xe2\x80\xa8" "b", 5), "a\\u2028b");
    ck_assert_str_eq(esc("\xe2\x80\xa9", 3), "\\u2029");
    ck_assert_str_eq(esc("\xe2\x80\xa8\xe2\x80\xa9", 6), "\\u2028\\u2029");
    /* neighbours stay raw: U+2027, U+202A, U+20AC */
    ck_assert_str_eq(esc("\xe2\x80\xa7", 3), "\xe2\x80\xa7");
    ck_assert_str_eq(esc("\xe2\x80\xaa", 3), "\xe2\x80\xaa");
    ck_assert_str_eq(esc("\xe2\x82\xac", 3), "\xe2\x82\xac");
}
END_TEST

START_TEST(escaped_len_matches)
{
    char b[1], buf[300];
    char *dst;
    apr_size_t i, n, want, got, total = 0;
    int c, round;

    for (c = 0; c < 256; c++) {
        b[0] = (char)c;
        want = cm_json_escaped_len(b, 1);
        dst = apr_palloc(pool, want + 1);
        ck_assert_uint_eq(cm_json_escape(dst, b, 1), want);
        total += want;
    }
    /* 5 short escapes, 27 other C0 bytes (NUL too) and DEL as \u00XX,
     * '"' and '\\', 93 other printable ASCII bytes and 128 high bytes */
    ck_assert_uint_eq(total, 5 * 2 + 28 * 6 + 2 * 2 + 93 + 128);
    rnd_state = 42;
    for (round = 0; round < unit_rounds(2000); round++) {
        n = rnd() % sizeof(buf);
        for (i = 0; i < n; i++) {
            /* bias towards the bytes that matter */
            switch (rnd() % 6) {
            case 0: buf[i] = (char)(rnd() % 0x20); break;
            case 1: buf[i] = "\"\\\x7f\xe2\x80\xa8\xa9"[rnd() % 7]; break;
            default: buf[i] = (char)rnd(); break;
            }
        }
        want = cm_json_escaped_len(buf, n);
        dst = apr_palloc(pool, want + 1);
        dst[want] = 'X';
        got = cm_json_escape(dst, buf, n);
        ck_assert_uint_eq(got, want);
        ck_assert_int_eq(dst[want], 'X');
        for (i = 0; i < got; i++) {
            ck_assert_msg((unsigned char)dst[i] >= 0x20
                          && dst[i] != 0x7f, "raw control at %u",
                          (unsigned)i);
        }
    }
}
END_TEST

START_TEST(out_qstr)
{
    const char *r;

    OUT2(r, cm_out_qstr(o, NULL));
    ck_assert_str_eq(r, "null");
    OUT2(r, cm_out_qstr(o, ""));
    ck_assert_str_eq(r, "\"\"");
    OUT2(r, cm_out_qstr(o, "a\"b\\c\n"));
    ck_assert_str_eq(r, "\"a\\\"b\\\\c\\n\"");
    /* invalid bytes become U+FFFD, one per maximal invalid subpart */
    OUT2(r, cm_out_qstr(o, "a\xff" "b"));
    ck_assert_str_eq(r, "\"a\xef\xbf\xbd" "b\"");
    OUT2(r, cm_out_qstr(o, "\xe2\x82" "x\x80\x80"));
    ck_assert_str_eq(r, "\"\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd\"");
    OUT2(r, cm_out_qstr(o, "\xed\xa0\x80"));
    ck_assert_str_eq(r, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    OUT2(r, cm_out_qstr(o, "caf\xc3\xa9\xe2\x80\xa8"));
    ck_assert_str_eq(r, "\"caf\xc3\xa9\\u2028\"");
    OUT2(r, cm_out_qstr(o, "x\xf0\x9f\x98"));     /* cut at the end */
    ck_assert_str_eq(r, "\"x\xef\xbf\xbd\"");
    OUT2(r, cm_out_qmem(o, "a\0b", 3));
    ck_assert_str_eq(r, "\"a\\u0000b\"");
    OUT2(r, cm_out_qmem(o, NULL, 3));
    ck_assert_str_eq(r, "null");
    OUT2(r, cm_out_qmem(o, "abc", 2));
    ck_assert_str_eq(r, "\"ab\"");
}
END_TEST

START_TEST(sanitize)
{
    static const struct {
        const char *in;
        apr_size_t n;
        const char *want;
    } cases[] = {
        { "", 0, "" },
        { "plain", 5, "plain" },
        { "caf\xc3\xa9", 5, "caf\xc3\xa9" },
        { "a\xff" "b", 3, "a\xef\xbf\xbd" "b" },
        { "\xe2\x82" "x", 3, "\xef\xbf\xbdx" },
        { "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
        { "\xf0\x9f\x98", 3, "\xef\xbf\xbd" },
        { "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
        { "a\0b", 3, "a\0b" },
    };
    char dst[32];
    apr_size_t i, n, wn;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wn = i == 8 ? 3 : strlen(cases[i].want);
        n = cm_utf8_sanitize(NULL, cases[i].in, cases[i].n);
        ck_assert_uint_eq(n, wn);
        memset(dst, '#', sizeof(dst));
        ck_assert_uint_eq(cm_utf8_sanitize(dst, cases[i].in, cases[i].n),
                          wn);
        ck_assert(memcmp(dst, cases[i].want, wn) == 0);
        ck_assert_int_eq(dst[wn], '#');
        ck_assert_uint_eq(cm_utf8_valid_prefix(dst, wn), i == 8 ? 1 : wn);
    }
}
END_TEST

START_TEST(out_scalars)
{
    const char *r;

    OUT2(r, cm_out_int(o, 0));
    ck_assert_str_eq(r, "0");
    OUT2(r, cm_out_int(o, -1));
    ck_assert_str_eq(r, "-1");
    OUT2(r, cm_out_int(o, APR_INT64_MAX));
    ck_assert_str_eq(r, "9223372036854775807");
    OUT2(r, cm_out_int(o, APR_INT64_MIN));
    ck_assert_str_eq(r, "-9223372036854775808");
    OUT2(r, (cm_out_bool(o, 1), cm_out_raw(o, ",", 1),
             cm_out_bool(o, 0), cm_out_str(o, ",x")));
    ck_assert_str_eq(r, "true,false,x");
}
END_TEST

START_TEST(out_bounded)
{
    /* a short buffer: writes stop at cap, counting goes on */
    char buf[16];
    cm_out_t o = { NULL, 0, 0 };
    int i;

    o.buf = buf;
    o.cap = 5;
    memset(buf, '#', sizeof(buf));
    cm_out_qstr(&o, "abc\n\xe2\x80\xa8");
    ck_assert_uint_eq(o.len, 1 + 3 + 2 + 6 + 1);
    ck_assert(memcmp(buf, "\"abc\\", 5) == 0);
    for (i = 5; i < (int)sizeof(buf); i++) {
        ck_assert_int_eq(buf[i], '#');
    }
    cm_out_base64(&o, "foobar", 6);
    cm_out_int(&o, 12345);
    ck_assert_uint_eq(o.len, 13 + 10 + 5);
    for (i = 5; i < (int)sizeof(buf); i++) {
        ck_assert_int_eq(buf[i], '#');
    }
    /* exactly at the cap */
    memset(buf, '#', sizeof(buf));
    o.len = 0;
    o.cap = 10;
    cm_out_base64(&o, "foobar", 6);
    ck_assert_uint_eq(o.len, 10);
    ck_assert(memcmp(buf, "\"Zm9vYmFy\"#", 11) == 0);
    /* base64 cut in the middle of a quantum */
    memset(buf, '#', sizeof(buf));
    o.len = 0;
    o.cap = 3;
    cm_out_base64(&o, "foobar", 6);
    ck_assert_uint_eq(o.len, 10);
    ck_assert(memcmp(buf, "\"Zm#", 4) == 0);
}
END_TEST

START_TEST(base64_vectors)
{
    /* RFC 4648 section 10 */
    static const char *const want[] = {
        "\"\"", "\"Zg==\"", "\"Zm8=\"", "\"Zm9v\"", "\"Zm9vYg==\"",
        "\"Zm9vYmE=\"", "\"Zm9vYmFy\""
    };
    const char *r;
    apr_size_t n;

    for (n = 0; n <= 6; n++) {
        OUT2(r, cm_out_base64(o, "foobar", n));
        ck_assert_str_eq(r, want[n]);
    }
    OUT2(r, cm_out_base64(o, "\0\xff\xfe", 3));
    ck_assert_str_eq(r, "\"AP/+\"");
    OUT2(r, cm_out_base64(o, "\xfb\xff", 2));
    ck_assert_str_eq(r, "\"+/8=\"");
}
END_TEST

START_TEST(base64_round_trip)
{
    char src[1000];
    char *dec;
    unsigned char *out;
    const char *r;
    apr_size_t n, i, elen;
    int dlen, round;

    rnd_state = 7;
    for (round = 0; round < 64 + unit_rounds(236); round++) {
        n = round < 64 ? (apr_size_t)round : rnd() % sizeof(src);
        for (i = 0; i < n; i++) {
            src[i] = (char)rnd();
        }
        OUT2(r, cm_out_base64(o, src, n));
        elen = strlen(r);
        ck_assert_uint_eq(elen, 2 + (n + 2) / 3 * 4);
        ck_assert_int_eq(r[0], '"');
        ck_assert_int_eq(r[elen - 1], '"');
        ck_assert_uint_eq(strspn(r + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "abcdefghijklmnopqrstuvwxyz0123456789+/="),
                          elen - 2);
        dec = apr_pstrmemdup(pool, r + 1, elen - 2);
        out = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(dec));
        dlen = apr_base64_decode_binary(out, dec);
        ck_assert_int_eq(dlen, (int)n);
        ck_assert(memcmp(out, src, n) == 0);
    }
}
END_TEST

/* The word-at-a-time scans must find a special byte at every position of
 * a word, and across word boundaries: compare with a byte-by-byte model. */
static apr_size_t model_escape(char *dst, const unsigned char *s,
                               apr_size_t n)
{
    apr_size_t i, o = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        }
        else if (c == '\n') {
            memcpy(dst + o, "\\n", 2);
            o += 2;
        }
        else if (c < 0x20 || c == 0x7f) {
            const char *e = c == '\b' ? "\\b" : c == '\f' ? "\\f"
                          : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            if (e) {
                memcpy(dst + o, e, 2);
                o += 2;
            }
            else {
                sprintf(dst + o, "\\u%04x", c);
                o += 6;
            }
        }
        else {
            dst[o++] = (char)c;
        }
    }
    return o;
}

START_TEST(word_scan_every_position)
{
    static const unsigned char special[] = {
        '"', '\\', 0x01, 0x1f, '\n', '\t', 0x7f, 0xc3
    };
    unsigned char buf[40];
    char got[256], want[256];
    apr_size_t i, pos, n, m;

    for (i = 0; i < sizeof(special); i++) {
        for (pos = 0; pos < 33; pos++) {
            memset(buf, 'a', sizeof(buf));
            buf[pos] = special[i];
            if (special[i] == 0xc3) {
                buf[pos + 1] = 0xa9;                /* U+00E9, stays raw */
            }
            n = cm_json_escape(got, (const char *)buf, 34);
            m = model_escape(want, buf, 34);
            ck_assert_uint_eq(n, m);
            ck_assert(memcmp(got, want, n) == 0);
            ck_assert_uint_eq(cm_json_escaped_len((const char *)buf, 34), m);
            /* ASCII scan: a NUL or a high byte stops the valid prefix */
            buf[pos] = special[i] == 0xc3 ? 0xff : 0x00;
            ck_assert_uint_eq(cm_utf8_valid_prefix((const char *)buf, 34),
                              pos);
        }
    }
}
END_TEST

/* What cm_out_qmem() must write for buf: sanitized first, escaped
 * second, between quotes (NUL-terminated; *len: its length). */
static char *qmem_model(const unsigned char *buf, apr_size_t n,
                        apr_size_t *len)
{
    apr_size_t clean = cm_utf8_sanitize(NULL, (const char *)buf, n), want;
    char *san = apr_palloc(pool, clean + 1), *esc_buf;

    cm_utf8_sanitize(san, (const char *)buf, n);
    want = cm_json_escaped_len(san, clean);
    esc_buf = apr_palloc(pool, want + 1);
    cm_json_escape(esc_buf, san, clean);
    esc_buf[want] = '\0';
    *len = want + 2;
    return apr_pstrcat(pool, "\"", esc_buf, "\"", NULL);
}

/* cm_out_qmem() validates and escapes in one scan; it must write exactly
 * what sanitizing first and escaping second writes, for any bytes. */
START_TEST(qmem_matches_model)
{
    static const char *const tokens[] = {
        "\xe2\x80\xa8", "\xe2\x80\xa9", "\xc3\xa9", "\xf0\x9f\x98\x80",
        "\xed\xa0\x80", "\xe2\x82\xac"
    };
    unsigned char buf[96];
    apr_size_t i, n, mlen;
    char *model;
    const char *got;
    int round;

    rnd_state = 99;
    for (round = 0; round < 92 + unit_rounds(4908); round++) {
        n = round < 92 ? (apr_size_t)round : rnd() % (sizeof(buf) - 4);
        for (i = 0; i < n; i++) {
            const char *tok;

            switch (rnd() % 9) {
            case 8:
                /* whole sequences: U+2028, U+2029, valid, surrogate */
                tok = tokens[rnd() % 6];
                memcpy(buf + i, tok, strlen(tok));
                i += strlen(tok) - 1;
                break;
            case 0: buf[i] = (unsigned char)(rnd() % 0x20); break;
            case 1: buf[i] = (unsigned char)"\"\\\x7f\xe2\x80\xa8\xa9\xc3"
                                   [rnd() % 8]; break;
            case 2: buf[i] = (unsigned char)(0x80 + rnd() % 0x80); break;
            case 3: buf[i] = (unsigned char)rnd(); break;
            default: buf[i] = (unsigned char)(0x20 + rnd() % 0x5f); break;
            }
        }
        model = qmem_model(buf, n, &mlen);
        OUT2(got, cm_out_qmem(o, (const char *)buf, n));
        ck_assert_msg(strcmp(got, model) == 0, "round %d: %s vs %s", round,
                      got, model);
        /* the NUL-terminated entry point (plain fast path or not) */
        if (!memchr(buf, 0, n)) {
            char *z = apr_pstrmemdup(pool, (const char *)buf, n);

            OUT2(got, cm_out_qstr(o, z));
            ck_assert_msg(strcmp(got, model) == 0, "qstr round %d", round);
        }
    }
}
END_TEST

/* JSON inside JSON puts a quote every few bytes: the quote-dense path
 * (escapes written inside a run, 16 bytes a step) must write what the
 * model writes, count the same length when it has no buffer, and stop
 * exactly at any cap, with the count going on. */
START_TEST(qmem_quote_dense)
{
    static const char pieces[] = "\"\\ab{}:,0 \x01\x7f\xc3\xa9\xe2\x80\xa8";
    unsigned char buf[300];
    char *model, *out;
    apr_size_t i, n, mlen, cap;
    int round;

    rnd_state = 4242;
    for (round = 0; round < 40 + unit_rounds(400); round++) {
        n = 16 + rnd() % (sizeof(buf) - 16);
        for (i = 0; i < n; i++) {
            unsigned int r = rnd() % 100;

            /* mostly printable ASCII and quotes; rarely anything else */
            buf[i] = r < 30 ? '"' : r < 35 ? '\\'
                     : r < 97 ? (unsigned char)(0x20 + rnd() % 0x5f)
                     : (unsigned char)pieces[rnd() % (sizeof(pieces) - 1)];
        }
        model = qmem_model(buf, n, &mlen);
        for (cap = 0; cap <= mlen + 40; cap += 1 + rnd() % 7) {
            cm_out_t o = { NULL, 0, 0 };

            out = malloc(cap + 64);
            ck_assert_ptr_nonnull(out);
            memset(out, '#', cap + 64);
            o.buf = out;
            o.cap = cap;
            cm_out_qmem(&o, (const char *)buf, n);
            ck_assert_uint_eq(o.len, mlen);
            ck_assert_msg(memcmp(out, model, cap < mlen ? cap : mlen) == 0,
                          "round %d cap %lu", round, (unsigned long)cap);
            for (i = cap < mlen ? cap : mlen; i < cap + 64; i++) {
                ck_assert_msg(out[i] == '#', "round %d cap %lu: wrote "
                              "byte %lu", round, (unsigned long)cap,
                              (unsigned long)i);
            }
            free(out);
        }
        {
            cm_out_t o = { NULL, 0, 0 };

            cm_out_qmem(&o, (const char *)buf, n);
            ck_assert_uint_eq(o.len, mlen);
        }
    }
}
END_TEST

START_TEST(plain_len)
{
    static const struct {
        const char *s;
        apr_size_t len;
        int plain;
    } cases[] = {
        { "", 0, 1 }, { "application/json", 16, 1 }, { " ~!#", 4, 1 },
        { "a\"b", 3, 0 }, { "a\\b", 3, 0 }, { "tab\there", 8, 0 },
        { "del\x7f", 4, 0 }, { "caf\xc3\xa9", 5, 0 }, { "\xff", 1, 0 },
    };
    apr_size_t i;
    int plain;
    const char *r;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        plain = -1;
        ck_assert_uint_eq(cm_plain_len(cases[i].s, &plain), cases[i].len);
        ck_assert_int_eq(plain, cases[i].plain);
    }
    /* every length through the vector, word and byte loops, with one
     * byte that needs escaping (or none) at every position */
    {
        static const unsigned char bad[] = { '"', '\\', 0x01, 0x1f, 0x7f,
                                             0x80, 0xe2, 0xff };
        char buf[48];
        apr_size_t n, at, k;

        for (n = 0; n < 40; n++) {
            for (at = 0; at <= n; at++) {
                for (k = 0; k < sizeof(bad); k++) {
                    memset(buf, 'a' + (int)(n % 26), n);
                    if (at < n) {
                        buf[at] = (char)bad[k];
                    }
                    buf[n] = '\0';
                    plain = -1;
                    ck_assert_uint_eq(cm_plain_len(buf, &plain), n);
                    ck_assert_int_eq(plain, at == n);
                }
            }
        }
    }
    OUT2(r, cm_out_qplain(o, "text/plain", 10));
    ck_assert_str_eq(r, "\"text/plain\"");
    OUT2(r, cm_out_qplain(o, "", 0));
    ck_assert_str_eq(r, "\"\"");
}
END_TEST

START_TEST(out_int_edges)
{
    static const struct {
        apr_int64_t v;
        const char *want;
    } cases[] = {
        { 0, "0" }, { 7, "7" }, { -1, "-1" }, { 10, "10" },
        { 1234567890, "1234567890" },
        { APR_INT64_MAX, "9223372036854775807" },
        { APR_INT64_MIN, "-9223372036854775808" },
    };
    const char *r;
    apr_size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        OUT2(r, cm_out_int(o, cases[i].v));
        ck_assert_str_eq(r, cases[i].want);
    }
}
END_TEST

/* cm_out_int() against snprintf() over every value with up to five
 * digits and both signs (each digit-pair step and the odd last digit). */
START_TEST(out_int_sweep)
{
    char want[32];
    const char *r;
    apr_int64_t v;
    apr_int64_t far = 490 / unit_rounds(70);   /* 7; under valgrind 70 */

    for (v = -100000; v <= 100000; v += (v > -1000 && v < 1000) ? 1 : far) {
        OUT2(r, cm_out_int(o, v));
        snprintf(want, sizeof(want), "%" APR_INT64_T_FMT, v);
        ck_assert_str_eq(r, want);
    }
}
END_TEST

/* One case of qtext_matches_classify. */
static void qtext_case(const char *s, apr_size_t n, int cut)
{
    apr_size_t textlen, t;
    cm_json_enc_e enc = classify(s, n, cut, &textlen);
    cm_out_t probe = { NULL, 0, 0 };
    const char *a, *b;
    int ok;

    t = cut ? cm_utf8_cut_len(s, n) : n;
    ck_assert_uint_le(n - t, 3);
    ok = cm_out_qtext(&probe, s, t);
    ck_assert_int_eq(ok, enc == CM_JSON_TEXT);
    if (!ok) {
        return;
    }
    ck_assert_uint_eq(t, textlen);
    OUT2(a, cm_out_qtext(o, s, t));
    OUT2(b, cm_out_qmem(o, s, t));
    ck_assert_str_eq(a, b);
}

/* cm_utf8_cut_len() + cm_out_qtext() (one scan) decide exactly as
 * cm_json_classify() + cm_out_qmem() (two scans), with and without a cut
 * allowed: every string of up to 3 bytes over an alphabet of the bytes
 * that matter (NUL, ASCII, escapes, continuations, every kind of lead
 * byte, E2 80 A8), then random strings of 4 to 8 of them; each alone and
 * after 20 ASCII bytes (the SIMD path). */
START_TEST(qtext_matches_classify)
{
    static const unsigned char alpha[] = {
        0x00, 'a', '"', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xa8, 0xbf,
        0xc0, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff
    };
    const apr_size_t na = sizeof(alpha);
    unsigned char buf[40];
    apr_size_t len, pre, k, idx, total;
    int cut, r;

    for (pre = 0; pre <= 20; pre += 20) {
        memset(buf, 'x', pre);
        for (len = 0; len <= 3; len++) {
            total = 1;
            for (k = 0; k < len; k++) {
                total *= na;
            }
            for (idx = 0; idx < total; idx++) {
                apr_size_t rest = idx;

                for (k = 0; k < len; k++) {
                    buf[pre + k] = alpha[rest % na];
                    rest /= na;
                }
                for (cut = 0; cut <= 1; cut++) {
                    qtext_case((const char *)buf, pre + len, cut);
                }
            }
        }
        rnd_state = 2028;
        for (r = 0; r < unit_rounds(20000); r++) {
            len = 4 + rnd() % 5;
            for (k = 0; k < len; k++) {
                buf[pre + k] = alpha[rnd() % na];
            }
            for (cut = 0; cut <= 1; cut++) {
                qtext_case((const char *)buf, pre + len, cut);
            }
        }
    }
}
END_TEST

Suite *cm_json_suite(void)
{
    Suite *s = suite_create("cm_json");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, valid_multibyte);
    tcase_add_test(tc, word_scan_every_position);
    tcase_add_test(tc, invalid_rejected);
    tcase_add_test(tc, nul_is_base64);
    tcase_add_test(tc, cut_at_end);
    tcase_add_test(tc, escape_controls);
    tcase_add_test(tc, escape_quotes);
    tcase_add_test(tc, escape_line_separators);
    tcase_add_test(tc, escaped_len_matches);
    tcase_add_test(tc, out_qstr);
    tcase_add_test(tc, qmem_matches_model);
    tcase_add_test(tc, qmem_quote_dense);
    tcase_add_test(tc, plain_len);
    tcase_add_test(tc, out_int_edges);
    tcase_add_test(tc, out_int_sweep);
    tcase_add_test(tc, qtext_matches_classify);
    tcase_add_test(tc, sanitize);
    tcase_add_test(tc, out_scalars);
    tcase_add_test(tc, out_bounded);
    tcase_add_test(tc, base64_vectors);
    tcase_add_test(tc, base64_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
