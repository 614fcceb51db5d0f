/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_redact_json: the JSON redactor. One explicit state machine over the
 * captured prefix, a depth stack allocated once per call (fail closed past
 * cfg->max_depth), no recursion. The copy is written as the input is read;
 * a value under a redacted key is not written at all ("suppressed") until
 * it ends, then its token is; a string or number a detector matches is
 * rewound and replaced. Must never emit a byte of a suppressed value.
 */
#include "ab_redact_private.h"

#define KEEP_KEY 40             /* bytes of each key kept for paths */

typedef struct {
    char kind;                  /* '{' or '[' */
    unsigned char klen;         /* key bytes kept */
    unsigned char kcut;         /* key longer than KEEP_KEY */
    apr_size_t idx;             /* array element index */
    const char *kp;             /* the key (in the input, or key[]) */
    char key[KEEP_KEY];
} jlevel_t;

enum {
    J_VALUE, J_AFTER, J_OBJ_FIRST, J_OBJ_KEY, J_ARR_FIRST, J_COLON,
    J_STR, J_ESC, J_HEX, J_NUM, J_LIT
};

/* Number grammar states; the terminal ones may end the number. */
enum { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };
#define N_TERMINAL(n) ((n) == N_ZERO || (n) == N_INT || (n) == N_FRAC \
                       || (n) == N_EXP)

/* Bytes that end the fast copy inside a string. */
static const unsigned char jstop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1
};

#define ISWS(c) ((c) == ' ' || (c) == '\n' || (c) == '\r' || (c) == '\t')

typedef struct {
    abr_out_t *o;
    const char *in;
    const char *prefix;
    jlevel_t *lv;
    int d;
    int sup;                    /* depth of the suppressed value, or -1 */
    apr_size_t vstart;          /* where the suppressed value starts */
    apr_size_t cp;              /* input copied to the output up to here */
} jctx_t;

/* The output is the input with redacted spans replaced: bytes are copied
 * in runs, up to where a replacement starts, never byte by byte. */
static APR_INLINE void flush(jctx_t *j, apr_size_t upto)
{
    if (upto > j->cp) {
        abr_put(j->o, j->in + j->cp, upto - j->cp);
        j->cp = upto;
    }
}

static void build_path(const jctx_t *j, abr_path_t *pa)
{
    int l;

    pa->n = 0;
    if (j->prefix) {
        abr_path_add(pa, j->prefix, strlen(j->prefix));
    }
    for (l = 1; l <= j->d; l++) {
        const jlevel_t *v = &j->lv[l];

        if (v->kind == '{') {
            if (pa->n) {
                abr_path_add(pa, ".", 1);
            }
            abr_path_add(pa, v->kp, v->klen);
            if (v->kcut) {
                abr_path_add(pa, "...", 3);
            }
        }
        else {
            abr_path_add(pa, "[", 1);
            abr_path_num(pa, v->idx);
            abr_path_add(pa, "]", 1);
        }
    }
    if (!pa->n) {
        abr_path_add(pa, "$", 1);
    }
}

/* The token of the suppressed value in[vstart..end): a string is hashed
 * decoded, anything else as written. */
static void put_suppressed(jctx_t *j, apr_size_t end, int complete)
{
    abr_out_t *o = j->o;
    const char *v = j->in + j->vstart;
    apr_size_t n = end - j->vstart;

    if (*v == '"' && o->cfg->with == AB_REDACT_HMAC) {
        int cut;

        v++;
        n--;
        if (complete && n) {
            n--;
        }
        n = abr_json_unescape(v, n, o->scratch, o->scap, &cut);
        v = o->scratch;
    }
    abr_put_token(o, v, n, 1);           /* v is unused in mask mode */
    j->sup = -1;
    j->cp = end;
}

/* A string or number value in[vs..ve) with content in[s..e) (escaped
 * when esc): replace it if a detector matches. */
static void detect(jctx_t *j, apr_size_t s, apr_size_t e, int esc,
                   apr_size_t vs, apr_size_t ve, int at_cut)
{
    abr_out_t *o = j->o;
    const char *v = j->in + s;
    apr_size_t n = e - s, a, b;
    abr_path_t pa;

    if (esc) {
        int cut;
        n = abr_json_unescape(v, n, o->scratch, o->scap, &cut);
        v = o->scratch;
    }
    if (!ab_redact_detect(o->cfg, v, n, at_cut, &a, &b)) {
        return;
    }
    flush(j, vs);
    abr_put_token(o, v, n, 1);
    j->cp = ve;
    if (!abr_report_full(o->rep)) {
        build_path(j, &pa);
        abr_report(o->rep, &pa);
    }
}

#define ISDIGIT(c) ((unsigned char)((c) - '0') < 10)

/* Where the JSON number starting at in[i] ends, when it is complete and
 * valid and something follows it in the buffer; else 0, and the byte by
 * byte grammar (J_NUM) decides: a number cut by the end, or invalid. It
 * ends where J_NUM's would: at the first byte the grammar cannot take. */
static APR_INLINE apr_size_t num_end(const char *in, apr_size_t i,
                                     apr_size_t len)
{
    if (in[i] == '-') {
        i++;
    }
    if (i >= len || !ISDIGIT(in[i])) {
        return 0;
    }
    if (in[i] == '0') {
        i++;
    }
    else {
        do {
            i++;
        } while (i < len && ISDIGIT(in[i]));
    }
    if (i < len && in[i] == '.') {
        if (++i >= len || !ISDIGIT(in[i])) {
            return 0;
        }
        do {
            i++;
        } while (i < len && ISDIGIT(in[i]));
    }
    if (i < len && (in[i] == 'e' || in[i] == 'E')) {
        if (++i < len && (in[i] == '+' || in[i] == '-')) {
            i++;
        }
        if (i >= len || !ISDIGIT(in[i])) {
            return 0;
        }
        do {
            i++;
        } while (i < len && ISDIGIT(in[i]));
    }
    return i < len ? i : 0;
}

ab_redact_status_e abr_json_run(abr_out_t *o, apr_pool_t *p, const char *in,
                                apr_size_t len, int truncated,
                                const char *prefix)
{
    const ab_redact_cfg_t *cfg = o->cfg;
    int maxd = cfg->max_depth > 0 ? cfg->max_depth : AB_REDACT_DEPTH_DEFAULT;
    int st = J_VALUE, in_key = 0, esc = 0, hexn = 0, nst = N_INT;
    int pending = 0;
    const char *lit = NULL;
    apr_size_t i = 0, sstart = 0, nstart = 0;
    jctx_t j;
    char kbuf[AB_REDACT_NAME_MAX];
    abr_nmemo_t *memo = abr_nmemo();
    apr_uint64_t serial = abr_names_serial(cfg->names);

    if (maxd > AB_REDACT_DEPTH_MAX) {
        maxd = AB_REDACT_DEPTH_MAX;
    }
    j.o = o;
    j.in = in;
    j.prefix = prefix;
    j.lv = apr_palloc(p, (maxd + 1) * sizeof(jlevel_t));
    j.d = 0;
    j.sup = -1;
    j.vstart = 0;
    j.cp = 0;

#define FAIL(why) do { o->rep->reason = (why); o->rep->offset = i; \
                       return AB_REDACT_UNPARSEABLE; } while (0)
/* A value ended at in[..end) at depth j.d. */
#define VALUE_DONE(end) do { if (j.sup == j.d) put_suppressed(&j, (end), 1); \
                             st = J_AFTER; } while (0)
/* After a value: the usual ',' and ',"' handled here, not by a trip
 * round the loop per byte (the same transitions as J_AFTER and
 * J_OBJ_KEY below). */
#define AFTER_FAST() do { \
        if (i < len && in[i] == ',' && j.d > 0) { \
            if (j.lv[j.d].kind == '{') { \
                if (i + 1 < len && in[i + 1] == '"') { \
                    in_key = 1; esc = 0; sstart = i + 2; st = J_STR; \
                    i += 2; \
                } \
                else { \
                    st = J_OBJ_KEY; i++; \
                } \
            } \
            else { \
                j.lv[j.d].idx++; st = J_VALUE; i++; \
            } \
        } \
    } while (0)
#define PUSH(k) do { if (j.d >= maxd) FAIL("JSON nested deeper than the " \
                                           "limit"); \
                     j.d++; j.lv[j.d].kind = (k); j.lv[j.d].idx = 0; \
                     j.lv[j.d].klen = 0; j.lv[j.d].kcut = 0; } while (0)

    while (i < len) {
        char c = in[i];

        switch (st) {
        case J_STR: {
            apr_size_t k = i;

            /* Eight bytes at a time while none is '"', '\\' or < 0x20. */
            while (len - k >= 8) {
                apr_uint64_t v, q, b;

                memcpy(&v, in + k, 8);
                q = v ^ 0x2222222222222222ULL;
                b = v ^ 0x5c5c5c5c5c5c5c5cULL;
                v = ((v - 0x2020202020202020ULL) | (q - 0x0101010101010101ULL)
                     | (b - 0x0101010101010101ULL)) & ~v
                    & 0x8080808080808080ULL;
                if (v) {
#if !APR_IS_BIGENDIAN && defined(__GNUC__)
                    /* the lowest flag is the first stop byte: borrows
                     * only run upwards from a real one */
                    k += (apr_size_t)__builtin_ctzll(v) >> 3;
                    goto stopped;
#else
                    break;
#endif
                }
                k += 8;
            }
            while (k < len && !jstop[(unsigned char)in[k]]) {
                k++;
            }
#if !APR_IS_BIGENDIAN && defined(__GNUC__)
        stopped:
#endif
            if (k > i) {
                /* the byte that stopped the run is handled right away */
                i = k;
                if (i == len) {
                    continue;
                }
                c = in[i];
            }
            if (c == '\\') {
                esc = 1;
                st = J_ESC;
                i++;
                continue;
            }
            if (c != '"') {
                FAIL("control character in a JSON string");
            }
            if (in_key) {
                const char *key = in + sstart;
                apr_size_t kl = i - sstart, keep;
                jlevel_t *v = &j.lv[j.d];

                if (esc) {
                    int cut;
                    kl = abr_json_unescape(key, kl, kbuf, sizeof(kbuf), &cut);
                    key = kbuf;
                    if (cut) {
                        kl = AB_REDACT_NAME_MAX;       /* fail closed */
                    }
                }
                keep = kl < KEEP_KEY ? kl : KEEP_KEY;
                if (esc) {
                    memcpy(v->key, key, keep);  /* kbuf is reused */
                    v->kp = v->key;
                }
                else {
                    v->kp = key;                /* the input stays */
                }
                v->klen = (unsigned char)keep;
                v->kcut = kl > KEEP_KEY;
                pending = j.sup < 0
                          && abr_name_match_fast(memo, cfg->names, serial,
                                                 key, kl);
                i++;
                /* the usual '":' and '":"' (the same transitions as
                 * J_COLON and J_VALUE below) */
                if (i < len && in[i] == ':') {
                    i++;
                    st = J_VALUE;
                    if (!pending && i < len && in[i] == '"') {
                        in_key = 0;
                        esc = 0;
                        sstart = i + 1;
                        st = J_STR;
                        i++;
                    }
                }
                else {
                    st = J_COLON;
                }
                continue;
            }
            /* a plain string no detector can match (most) costs the
             * census only: the same test ab_redact_detect() starts with */
            if (j.sup < 0
                && (cfg->extra
                    || (cfg->detectors
                        && (esc || (i - sstart >= 8
                                    && abr_detect_census(in + sstart,
                                                         i - sstart, 0,
                                                         cfg->detectors)))))) {
                detect(&j, sstart, i, esc, sstart - 1, i + 1, 0);
            }
            i++;
            VALUE_DONE(i);
            AFTER_FAST();
            continue;
        }
        case J_ESC:
            if (c == 'u') {
                hexn = 4;
                st = J_HEX;
            }
            else if (c == '"' || c == '\\' || c == '/' || c == 'b'
                     || c == 'f' || c == 'n' || c == 'r' || c == 't') {
                st = J_STR;
            }
            else {
                FAIL("invalid escape in a JSON string");
            }
            i++;
            continue;
        case J_HEX:
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                  || (c >= 'A' && c <= 'F'))) {
                FAIL("invalid \\u escape in a JSON string");
            }
            if (--hexn == 0) {
                st = J_STR;
            }
            i++;
            continue;
        case J_NUM: {
            int next = -1;

            if (c >= '0' && c <= '9' && (nst == N_INT || nst == N_FRAC
                                         || nst == N_EXP)) {
                do {
                    i++;
                } while (i < len && in[i] >= '0' && in[i] <= '9');
                continue;
            }
            if (c >= '0' && c <= '9') {
                switch (nst) {
                case N_MINUS: next = (c == '0') ? N_ZERO : N_INT; break;
                case N_INT: next = N_INT; break;
                case N_DOT: case N_FRAC: next = N_FRAC; break;
                case N_E: case N_ESIGN: case N_EXP: next = N_EXP; break;
                default: break;             /* N_ZERO then digit */
                }
            }
            else if (c == '.' && (nst == N_ZERO || nst == N_INT)) {
                next = N_DOT;
            }
            else if ((c == 'e' || c == 'E')
                     && (nst == N_ZERO || nst == N_INT || nst == N_FRAC)) {
                next = N_E;
            }
            else if ((c == '+' || c == '-') && nst == N_E) {
                next = N_ESIGN;
            }
            if (next >= 0) {
                nst = next;
                i++;
                continue;
            }
            if (!N_TERMINAL(nst)) {
                FAIL("invalid JSON number");
            }
            if (j.sup < 0 && i - nstart >= 13 && (cfg->detectors
                                                  || cfg->extra)) {
                detect(&j, nstart, i, 0, nstart, i, 0);
            }
            VALUE_DONE(i);
            AFTER_FAST();
            continue;                       /* c is read again */
        }
        case J_LIT:
            if (c != *lit) {
                FAIL("invalid JSON literal");
            }
            i++;
            if (!*++lit) {
                VALUE_DONE(i);
                AFTER_FAST();
            }
            continue;
        default:
            break;
        }

        /* Structural states: whitespace is copied as is. */
        if (ISWS(c)) {
            do {
                i++;
            } while (i < len && ISWS(in[i]));
            continue;
        }
        switch (st) {
        case J_ARR_FIRST:
            if (c == ']') {
                j.d--;
                i++;
                VALUE_DONE(i);
                AFTER_FAST();
                continue;
            }
            /* fall through */
        case J_VALUE:
            if (pending) {
                abr_path_t pa;

                pending = 0;
                flush(&j, i);
                j.sup = j.d;
                j.vstart = i;
                if (!abr_report_full(o->rep)) {
                    build_path(&j, &pa);
                    abr_report(o->rep, &pa);
                }
            }
            if (c == '{') {
                PUSH('{');
                st = J_OBJ_FIRST;
            }
            else if (c == '[') {
                PUSH('[');
                st = J_ARR_FIRST;
            }
            else if (c == '"') {
                in_key = 0;
                esc = 0;
                sstart = i + 1;
                st = J_STR;
            }
            else if (c == '-' || (c >= '0' && c <= '9')) {
                apr_size_t e = num_end(in, i, len);

                if (e) {
                    /* the whole number is here: no trip round the loop
                     * per part (J_NUM below does the same, byte by byte) */
                    if (j.sup < 0 && e - i >= 13 && (cfg->detectors
                                                     || cfg->extra)) {
                        detect(&j, i, e, 0, i, e, 0);
                    }
                    i = e;
                    VALUE_DONE(i);
                    AFTER_FAST();
                    continue;
                }
                nst = (c == '-') ? N_MINUS : (c == '0') ? N_ZERO : N_INT;
                nstart = i;
                st = J_NUM;
            }
            else if (c == 't' || c == 'f' || c == 'n') {
                lit = (c == 't') ? "rue" : (c == 'f') ? "alse" : "ull";
                st = J_LIT;
            }
            else {
                FAIL("invalid JSON value");
            }
            i++;
            continue;
        case J_AFTER:
            if (j.d == 0) {
                st = J_VALUE;               /* another top-level value */
                continue;
            }
            if (c == ',') {
                if (j.lv[j.d].kind == '{') {
                    st = J_OBJ_KEY;
                }
                else {
                    j.lv[j.d].idx++;
                    st = J_VALUE;
                }
                i++;
                continue;
            }
            if ((c == '}' && j.lv[j.d].kind == '{')
                || (c == ']' && j.lv[j.d].kind == '[')) {
                j.d--;
                i++;
                VALUE_DONE(i);
                AFTER_FAST();
                continue;
            }
            FAIL("expected , or a closing bracket in JSON");
        case J_OBJ_FIRST:
            if (c == '}') {
                j.d--;
                i++;
                VALUE_DONE(i);
                AFTER_FAST();
                continue;
            }
            /* fall through */
        case J_OBJ_KEY:
            if (c != '"') {
                FAIL("expected a JSON object key");
            }
            in_key = 1;
            esc = 0;
            sstart = i + 1;
            st = J_STR;
            i++;
            continue;
        case J_COLON:
            if (c != ':') {
                FAIL("expected : after a JSON object key");
            }
            st = J_VALUE;
            i++;
            continue;
        default:
            FAIL("JSON tokenizer state");
        }
    }

    /* The end of the capture. */
    if (truncated) {
        if (j.sup >= 0) {
            put_suppressed(&j, len, 0);        /* cut value: redacted whole */
        }
        else if ((st == J_STR || st == J_ESC || st == J_HEX) && !in_key) {
            if (cfg->detectors || cfg->extra) {
                detect(&j, sstart, len, esc, sstart - 1, len, 1);
            }
        }
        else if (st == J_NUM && (cfg->detectors || cfg->extra)) {
            detect(&j, nstart, len, 0, nstart, len, 1);
        }
        flush(&j, len);
        return AB_REDACT_OK;
    }
    if (st == J_NUM && N_TERMINAL(nst)) {
        if (j.sup < 0 && i - nstart >= 13 && (cfg->detectors || cfg->extra)) {
            detect(&j, nstart, i, 0, nstart, i, 0);
        }
        VALUE_DONE(i);
    }
    if (j.d != 0 || (st != J_AFTER && st != J_VALUE) || pending) {
        FAIL("JSON ends before its last value does");
    }
    flush(&j, len);
    return AB_REDACT_OK;
#undef FAIL
#undef VALUE_DONE
#undef AFTER_FAST
#undef PUSH
}
