/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_request_parsers: every parser that reads request data, each
 * compared with a small reference written here from its header's
 * contract. Input: NUL-separated strings "name\0args\0path\0header\0
 * cookie\0content-type\0other\0..." (missing ones are NULL). Properties:
 * - idp_id_from_query/path/header/cookie agree with the references on
 *   missing, repeated, badly encoded and the decoded value; a decoded id
 *   never holds a NUL; path's rest points at '/' or the end;
 * - idp_path_has_dot_segment agrees with a reference: some piece of the
 *   path or of the path decoded once more (split at '/' and '\\') is "."
 *   or ".." up to its first ';' (issue 11 #6);
 * - idp_id_chars_ok, idp_id_default_match and idp_id_validate agree
 *   with the allowlist, the default pattern and the length limit;
 * - ab_type_match with the default list agrees with a reference, and a
 *   capture decision of NULL implies an allowed, non-download type;
 * - cm_utf8_sanitize always writes valid UTF-8 (NUL allowed), as many
 *   bytes as it counted, and leaves valid input unchanged;
 *   cm_utf8_valid_prefix and cm_json_classify agree with the reference
 *   validator.
 */
#include "fuzz_util.h"
#include "fuzz_json.h"

#include <apr_lib.h>
#include <apr_strings.h>

#include "ab_types.h"
#include "cm_json.h"
#include "idp_id.h"
#include "idp_template.h"

#define NF 8

/* ------------------------------------------------------------ references */

static int ref_id_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~';
}

static int ref_hex(char c)
{
    return (c >= '0' && c <= '9') ? c - '0'
           : (c >= 'a' && c <= 'f') ? c - 'a' + 10
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* Strict percent-decoding of s[0..n) into out (room for n + 1); -1 on a
 * dangling or non-hex %XX and on %00. */
static int ref_decode(const char *s, size_t n, char *out, size_t *outlen)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        if (n - i < 3 || ref_hex(s[i + 1]) < 0 || ref_hex(s[i + 2]) < 0) {
            return -1;
        }
        out[o] = (char)(ref_hex(s[i + 1]) * 16 + ref_hex(s[i + 2]));
        if (!out[o++]) {
            return -1;
        }
        i += 2;
    }
    out[o] = '\0';
    *outlen = o;
    return 0;
}

static void check_query(apr_pool_t *p, const char *args, const char *name)
{
    const char *id = NULL;
    int rc = idp_id_from_query(p, args, name, &id);
    int count = 0, bad_name = 0, bad_value = 0;
    const char *s;
    char *val = NULL, *tmp;
    size_t n;

    if (!args || !name) {
        FUZZ_CHECK(rc == IDP_ID_MISSING, "query NULL: %d", rc);
        return;
    }
    tmp = apr_palloc(p, strlen(args) + 1);
    for (s = args; ; ) {
        size_t len = strcspn(s, "&");
        const char *eq = memchr(s, '=', len);
        size_t nlen = eq ? (size_t)(eq - s) : len;

        if (len) {
            if (ref_decode(s, nlen, tmp, &n)) {
                bad_name = 1;
            }
            else if (n == strlen(name) && !memcmp(tmp, name, n)) {
                if (!count++) {
                    val = apr_palloc(p, len + 1);
                    if (eq ? ref_decode(eq + 1, len - nlen - 1, val, &n)
                           : ref_decode("", 0, val, &n)) {
                        bad_value = 1;
                    }
                }
            }
        }
        if (!s[len]) {
            break;
        }
        s += len + 1;
    }
    switch (rc) {
    case IDP_ID_OK:
        FUZZ_CHECK(count == 1 && !bad_name && !bad_value
                   && !strcmp(id, val),
                   "query '%s' name '%s': got '%s'", args, name, id);
        break;
    case IDP_ID_MISSING:
        FUZZ_CHECK(count == 0 && !bad_name, "query '%s' name '%s': missing",
                   args, name);
        break;
    case IDP_ID_REPEATED:
        FUZZ_CHECK(count >= 2, "query '%s' name '%s': repeated", args, name);
        break;
    case IDP_ID_BAD_ENCODING:
        FUZZ_CHECK(bad_name || bad_value, "query '%s' name '%s': bad", args,
                   name);
        break;
    default:
        FUZZ_CHECK(0, "query rc %d", rc);
    }
}

static void check_path(apr_pool_t *p, const char *path, int n)
{
    const char *id = NULL, *rest = NULL, *s, *seg;
    int rc = idp_id_from_path(p, path, n, &id, &rest);
    int segs, i;
    char *val;
    size_t len, vlen;

    if (!path) {
        FUZZ_CHECK(rc == IDP_ID_MISSING, "path NULL");
        return;
    }
    s = *path == '/' ? path + 1 : path;
    segs = *s ? 1 : (s == path ? 0 : (*path == '/' && !path[1]) ? 0 : 1);
    for (seg = s; *seg; seg++) {
        segs += *seg == '/';
    }
    if (segs < n) {
        FUZZ_CHECK(rc == IDP_ID_MISSING, "path '%s' has %d < %d segments: "
                   "rc %d", path, segs, n, rc);
        return;
    }
    for (seg = s, i = 1; i < n; i++) {
        seg = strchr(seg, '/') + 1;
    }
    len = strcspn(seg, "/");
    val = apr_palloc(p, len + 1);
    if (ref_decode(seg, len, val, &vlen)) {
        FUZZ_CHECK(rc == IDP_ID_BAD_ENCODING, "path '%s' %d: rc %d", path,
                   n, rc);
        return;
    }
    FUZZ_CHECK(rc == IDP_ID_OK && !strcmp(id, val) && rest == seg + len,
               "path '%s' segment %d: rc %d, '%s' instead of '%s'", path, n,
               rc, id ? id : "(null)", val);
}

static int ows(char c)
{
    return c == ' ' || c == '\t';
}

static void check_cookie(apr_pool_t *p, const char *cookie, const char *name)
{
    const char *id = NULL, *s;
    int rc = idp_id_from_cookie(p, cookie, name, &id);
    int count = 0;
    char *val = NULL;

    if (!cookie || !name) {
        FUZZ_CHECK(rc == IDP_ID_MISSING, "cookie NULL");
        return;
    }
    for (s = cookie; ; ) {
        size_t len = strcspn(s, ";,");
        const char *eq = memchr(s, '=', len);

        if (eq) {
            const char *nb = s, *ne = eq, *vb = eq + 1, *ve = s + len;

            while (nb < ne && ows(*nb)) {
                nb++;
            }
            while (ne > nb && ows(ne[-1])) {
                ne--;
            }
            while (vb < ve && ows(*vb)) {
                vb++;
            }
            while (ve > vb && ows(ve[-1])) {
                ve--;
            }
            if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
                vb++;
                ve--;
            }
            if ((size_t)(ne - nb) == strlen(name)
                && !memcmp(nb, name, strlen(name)) && !count++) {
                val = apr_pstrmemdup(p, vb, (size_t)(ve - vb));
            }
        }
        if (!s[len]) {
            break;
        }
        s += len + 1;
    }
    if (count == 0) {
        FUZZ_CHECK(rc == IDP_ID_MISSING, "cookie '%s' '%s': rc %d", cookie,
                   name, rc);
    }
    else if (count > 1) {
        FUZZ_CHECK(rc == IDP_ID_REPEATED, "cookie '%s' '%s': rc %d", cookie,
                   name, rc);
    }
    else {
        FUZZ_CHECK(rc == IDP_ID_OK && !strcmp(id, val), "cookie '%s' '%s': "
                   "rc %d '%s' instead of '%s'", cookie, name, rc,
                   id ? id : "(null)", val);
    }
}

static void check_validation(const char *id, size_t max)
{
    size_t len, i;
    int chars = 1, dflt = 1, rc;
    idp_id_rules_t rules = { 0, NULL, NULL };

    if (!id) {
        FUZZ_CHECK(!idp_id_chars_ok(id) && !idp_id_default_match(NULL, id)
                   && idp_id_validate(NULL, id) == IDP_ID_INVALID, "NULL");
        return;
    }
    len = strlen(id);
    for (i = 0; i < len; i++) {
        chars &= ref_id_char((unsigned char)id[i]);
        dflt &= (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0'
                                                   && id[i] <= '9')
                || (id[i] == '-' && i && i + 1 < len);
    }
    chars &= len > 0;
    dflt &= len > 0 && len <= 63;
    FUZZ_CHECK(!idp_id_chars_ok(id) == !chars, "chars_ok('%s')", id);
    FUZZ_CHECK(!idp_id_default_match(NULL, id) == !dflt, "default('%s')",
               id);
    rules.max_len = max;
    rc = idp_id_validate(&rules, id);
    if (!max) {
        max = IDP_ID_MAX_LEN_DEFAULT;
    }
    FUZZ_CHECK(rc == (!chars ? IDP_ID_INVALID : len > max ? IDP_ID_TOO_LONG
                      : dflt ? IDP_ID_OK : IDP_ID_INVALID),
               "validate('%s', %zu) = %d", id, max, rc);
}

/* The default AuditBodyTypes list, matched by hand. */
static int ref_type_match(const char *ct)
{
    const char *s = ct, *sl;
    size_t n, i;
    char mt[256];

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    n = strcspn(s, ";, \t");
    if (!n || n >= sizeof(mt)) {
        return n >= sizeof(mt) ? -1 : 0;        /* -1: not judged */
    }
    for (i = 0; i < n; i++) {
        mt[i] = (char)apr_tolower(s[i]);
    }
    mt[n] = '\0';
    if (!(sl = strchr(mt, '/'))) {
        return 0;
    }
    if (!strcmp(mt, "application/json") || !strcmp(mt, "application/xml")
        || !strcmp(mt, "application/x-www-form-urlencoded")) {
        return 1;
    }
    if (!strncmp(mt, "text/", 5) && n > 5) {
        return 1;
    }
    /* a structured suffix after the (first) slash */
    if ((strlen(sl + 1) >= 5 && !strcmp(mt + n - 5, "+json"))
        || (strlen(sl + 1) >= 4 && !strcmp(mt + n - 4, "+xml"))) {
        return 1;
    }
    return 0;
}

static void check_types(apr_pool_t *p, const char *ct, const char *other,
                        unsigned int bits)
{
    const apr_array_header_t *dflt = ab_types_default(p);
    static const char *const reasons[] = {
        AB_SKIP_UPGRADE, AB_SKIP_EVENT_STREAM, AB_SKIP_ATTACHMENT,
        AB_SKIP_OCTET_STREAM, AB_SKIP_TYPE, AB_SKIP_NO_BODY,
        AB_SKIP_LIMIT_ZERO, AB_SKIP_NO_TYPE, NULL
    };
    ab_resp_facts_t rf;
    ab_req_facts_t qf;
    const char *why;
    int m, ref, i;

    if (ct) {
        m = ab_type_match(dflt, ct);
        ref = ref_type_match(ct);
        FUZZ_CHECK(ref < 0 || m == ref, "type '%s': %d, expected %d", ct, m,
                   ref);
    }
    memset(&rf, 0, sizeof(rf));
    rf.header_only = bits & 1;
    rf.status = (bits & 2) ? 200 : (int)(bits >> 2) % 600;
    rf.content_type = ct;
    rf.content_disposition = (bits & 16) ? other : NULL;
    rf.limit = (bits & 32) ? 0 : 100;
    why = ab_skip_response(dflt, &rf);
    for (i = 0; why && reasons[i] && strcmp(why, reasons[i]); i++) {
    }
    FUZZ_CHECK(!why || reasons[i], "unknown reason '%s'", why);
    /* Only what the response does skips it: an upgrade is a 101. */
    FUZZ_CHECK((rf.status == 101) == (why && !strcmp(why, AB_SKIP_UPGRADE)),
               "upgrade skip with status %d", rf.status);
    if (!why) {
        FUZZ_CHECK(!rf.header_only && rf.status >= 200 && rf.status != 204
                   && rf.status != 304 && rf.limit != 0
                   && ab_type_match(dflt, ct)
                   && !ab_type_is(ct, "application/octet-stream")
                   && !ab_type_is(ct, "text/event-stream"),
                   "response captured: status %d type '%s'", rf.status,
                   ct ? ct : "(null)");
    }

    memset(&qf, 0, sizeof(qf));
    qf.content_type = ct;
    qf.limit = (bits & 32) ? 0 : 100;
    why = ab_skip_request(dflt, &qf);
    for (i = 0; why && reasons[i] && strcmp(why, reasons[i]); i++) {
    }
    FUZZ_CHECK(!why || reasons[i], "unknown reason '%s'", why);
    /* No request header but the body's own type decides. */
    FUZZ_CHECK(!why || (strcmp(why, AB_SKIP_UPGRADE)
                        && strcmp(why, AB_SKIP_ATTACHMENT)
                        && strcmp(why, AB_SKIP_EVENT_STREAM)),
               "request skipped for '%s'", why);
    if (!why) {
        FUZZ_CHECK(qf.limit != 0 && ab_type_match(dflt, ct)
                   && !ab_type_is(ct, "application/octet-stream"),
                   "request captured: type '%s'", ct ? ct : "(null)");
    }
}

/* Longest valid UTF-8 prefix without NUL, by the reference validator. */
static size_t ref_valid_prefix(const char *buf, size_t len, int allow_nul)
{
    const unsigned char *s = (const unsigned char *)buf, *e = s + len;
    size_t i = 0, k;

    while (i < len) {
        if (!s[i] && !allow_nul) {
            break;
        }
        if (!(k = jp_utf8(s + i, e))) {
            break;
        }
        i += k;
    }
    return i;
}

static void check_utf8(apr_pool_t *p, const char *buf, size_t len)
{
    size_t n = cm_utf8_sanitize(NULL, buf, len), v, textlen;
    char *out = apr_palloc(p, n + 1);
    cm_json_enc_e enc;

    FUZZ_CHECK(cm_utf8_sanitize(out, buf, len) == n, "sanitize count");
    FUZZ_CHECK(ref_valid_prefix(out, n, 1) == n, "sanitize output is not "
               "valid UTF-8");
    FUZZ_CHECK(n <= 3 * len, "sanitize grew %zu to %zu", len, n);
    if (ref_valid_prefix(buf, len, 1) == len) {
        FUZZ_CHECK(n == len && !memcmp(out, buf, len), "sanitize changed "
                   "valid input");
    }
    v = ref_valid_prefix(buf, len, 0);
    FUZZ_CHECK(cm_utf8_valid_prefix(buf, len) == v, "valid_prefix %zu, "
               "expected %zu", cm_utf8_valid_prefix(buf, len), v);
    enc = cm_json_classify(buf, len, 1, &textlen);
    if (v == len) {
        FUZZ_CHECK(enc == CM_JSON_TEXT && textlen == len, "classify");
    }
    else if (enc == CM_JSON_TEXT) {
        /* only an incomplete last character may be cut: completing it
         * with continuation bytes must be able to make it valid */
        FUZZ_CHECK(textlen == v && len - v <= 3 && (unsigned char)buf[v]
                   >= 0xc2, "classify cut %zu of %zu", textlen, len);
    }
    else {
        FUZZ_CHECK(textlen == len, "classify base64 textlen");
    }
}

/* Reference for idp_path_has_dot_segment(): whether a piece of s (split
 * at '/' and '\\', cut at its first ';') is "." or "..". */
static int ref_dot_piece(char *s)
{
    char *save = NULL, *t;

    for (t = strtok_r(s, "/\\", &save); t; t = strtok_r(NULL, "/\\", &save)) {
        char *semi = strchr(t, ';');
        if (semi) {
            *semi = '\0';
        }
        if (!strcmp(t, ".") || !strcmp(t, "..")) {
            return 1;
        }
    }
    return 0;
}

static void check_dot_segments(apr_pool_t *p, const char *path)
{
    char *raw, *dec;
    size_t i, o = 0, n;
    int want;

    if (!path) {
        return;
    }
    n = strlen(path);
    raw = apr_pstrdup(p, path);
    dec = apr_palloc(p, n + 1);
    for (i = 0; i < n; i++) {
        int hi = i + 2 < n + 1 && path[i] == '%' ? ref_hex(path[i + 1]) : -1;
        int lo = hi >= 0 ? ref_hex(path[i + 2]) : -1;
        if (lo >= 0 && (hi || lo)) {
            dec[o++] = (char)(hi * 16 + lo);
            i += 2;
        }
        else {
            dec[o++] = path[i];
        }
    }
    dec[o] = '\0';
    want = ref_dot_piece(raw) || ref_dot_piece(dec);
    FUZZ_CHECK(idp_path_has_dot_segment(p, path) == want,
               "dot-segment of '%s': expected %d", path, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *f[NF];
    const char *id = NULL;
    int n;

    fuzz_split(p, data, size, f, NF);
    check_utf8(p, (const char *)data, size);

    check_query(p, f[1], f[0]);
    check_query(p, f[1], "id");
    for (n = 1; n <= 4; n++) {
        check_path(p, f[2], n);
    }
    if (idp_id_from_header(f[3], &id) == IDP_ID_OK) {
        FUZZ_CHECK(f[3] && id == f[3] && !strchr(id, ','), "header");
    }
    else {
        FUZZ_CHECK(!f[3] || strchr(f[3], ','), "header refused");
    }
    check_dot_segments(p, f[2]);
    check_cookie(p, f[4], f[0]);
    check_cookie(p, f[4], "tenant");
    check_validation(f[0], size % 70);
    check_validation(f[3], 0);
    check_types(p, f[5], f[6], size ? data[0] : 0);
    return 0;
}
