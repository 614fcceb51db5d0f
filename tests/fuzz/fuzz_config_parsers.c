/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_config_parsers: the directive value parsers, which see what an
 * administrator (or a generated config) writes. Input: "value\0probe";
 * every parser reads value. Properties:
 * - idp_source_parse: accepted specs have a known kind, a segment of
 *   1-32 that is the number written, or the name as written (1-128
 *   allowed characters); refused ones leave kind 0;
 * - idp_template_parse: an accepted template has no userinfo, query,
 *   fragment, whitespace, control or non-ASCII byte, and every expansion
 *   of a valid id passes the URL check of fuzz_url.h against the parts
 *   read from the template string here;
 * - idp_pattern_check: with PCRE2 (as httpd compiles IdProxyPattern), an
 *   accepted pattern never matches a string holding a byte outside
 *   [A-Za-z0-9_~-] (probes: forbidden bytes around probe and "a");
 * - idp_params_set and idp_params_duration agree with references on
 *   accepted values, ranges and units, and leave the struct untouched on
 *   error;
 * - ab_conf_parse_limit agrees with a reference (digits, K or M, at most
 *   16 MiB); ab_conf_mask_arg keeps the mask list consistent;
 * - ab_conf_parse_decode_ratio agrees with a reference (0 or 1..100000,
 *   digits only); ab_conf_parse_decode, on value and probe as two
 *   arguments, accepts exactly the words gzip, x-gzip, deflate, br (any
 *   case) or none alone, sets just their bits, and leaves *out untouched
 *   on error;
 * - ab_type_pattern normalizes idempotently, and the normalized pattern
 *   matches a content type built from it.
 */
#include "fuzz_util.h"
#include "fuzz_url.h"

#include "ab_conf.h"
#include "ab_types.h"
#include "idp_id.h"
#include "idp_params.h"
#include "idp_template_ref.h"

#ifdef FUZZ_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

static void check_source(apr_pool_t *p, const char *spec)
{
    idp_source_t src;
    const char *err = idp_source_parse(p, spec, &src);
    const char *colon = strchr(spec, ':'), *arg, *s;

    if (err) {
        FUZZ_CHECK(src.kind == 0, "refused '%s' with kind %d", spec,
                   src.kind);
        return;
    }
    FUZZ_CHECK(colon, "accepted '%s' without a colon", spec);
    arg = colon + 1;
    switch (src.kind) {
    case IDP_SRC_PATH:
        FUZZ_CHECK(!strncasecmp(spec, "path:", 5) && !src.name
                   && src.segment >= 1 && src.segment <= 32
                   && strspn(arg, "0123456789") == strlen(arg)
                   && strtol(arg, NULL, 10) == src.segment,
                   "path source '%s' -> %d", spec, src.segment);
        return;
    case IDP_SRC_QUERY:
        FUZZ_CHECK(!strncasecmp(spec, "query:", 6), "'%s'", spec);
        for (s = arg; *s; s++) {
            FUZZ_CHECK(id_char((unsigned char)*s) || *s == '.',
                       "query name '%s'", arg);
        }
        break;
    case IDP_SRC_HEADER:
    case IDP_SRC_COOKIE:
        FUZZ_CHECK(!strncasecmp(spec, src.kind == IDP_SRC_HEADER
                                ? "header:" : "cookie:", 7), "'%s'", spec);
        for (s = arg; *s; s++) {
            FUZZ_CHECK(apr_isalnum(*s) || strchr("!#$%&'*+-.^_`|~", *s),
                       "token '%s'", arg);
        }
        break;
    default:
        FUZZ_CHECK(0, "kind %d for '%s'", src.kind, spec);
    }
    FUZZ_CHECK(src.name && !strcmp(src.name, arg) && *arg
               && strlen(arg) <= 128 && src.segment == 0, "name of '%s'",
               spec);
}

/* Read the parts of an accepted template from the string, by hand. */
static void case_from_template(apr_pool_t *p, const char *str,
                               url_case_t *c)
{
    const char *sep = strstr(str, "://"), *auth, *aend, *hend;
    char *s;

    s = apr_pstrmemdup(p, str, (size_t)(sep - str));
    for (c->scheme = s; *s; s++) {
        *s = (char)apr_tolower(*s);
    }
    auth = sep + 3;
    aend = auth + strcspn(auth, "/");
    if (*auth == '[') {
        hend = strchr(auth, ']') + 1;
    }
    else if (!(hend = memchr(auth, ':', (size_t)(aend - auth)))) {
        hend = aend;
    }
    s = apr_pstrmemdup(p, auth, (size_t)(hend - auth));
    for (c->host = s; *s; s++) {
        *s = (char)apr_tolower(*s);
    }
    if (hend < aend) {
        c->port = (unsigned int)strtoul(hend + 1, NULL, 10);
    }
    else {
        c->port = !strcmp(c->scheme, "https") || !strcmp(c->scheme, "wss")
                  ? 443 : 80;
    }
    c->path = aend;
}

static void check_template(apr_pool_t *p, const char *str)
{
    static const char *const ids[] = {
        "a", "0", "Z9_~-", "tenant-42",
        "x123456789012345678901234567890123456789012345678901234567890",
        NULL
    };
    idp_template_t *t;
    url_case_t c;
    const char *s;
    int i;

    if (idp_template_parse(p, str, &t)) {
        FUZZ_CHECK(!t, "refused template returned");
        return;
    }
    for (s = str; *s; s++) {
        FUZZ_CHECK((unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f
                   && !strchr("?#\"<>\\^`|", *s), "template '%s' accepted "
                   "with 0x%02x", str, (unsigned char)*s);
    }
    case_from_template(p, str, &c);
    s = strstr(str, "://") + 3;
    FUZZ_CHECK(!memchr(s, '@', strcspn(s, "/")), "template '%s' has "
               "userinfo", str);
    FUZZ_CHECK(!strcmp(c.scheme, idp_template_scheme(t))
               && !strcmp(c.host, idp_template_host(t))
               && c.port == idp_template_port(t)
               && !strcmp(c.path, idp_template_path(t))
               && c.port >= 1 && c.port <= 65535
               && (!strcmp(c.scheme, "http") || !strcmp(c.scheme, "https")
                   || !strcmp(c.scheme, "ws") || !strcmp(c.scheme, "wss"))
               && (!*c.path || *c.path == '/')
               && !idp_template_id_in_host(t) == !strstr(c.host, "{id}")
               && (strstr(c.host, "{id}") || strstr(c.path, "{id}")),
               "template '%s' parts", str);
    for (i = 0; ids[i]; i++) {
        idp_expansion_t x;

        if (idp_template_expand_all(p, t, ids[i], &x)) {
            FUZZ_CHECK(!fits(&c, ids[i]), "'%s' refused for '%s'", ids[i],
                       str);
            continue;
        }
        FUZZ_CHECK(fits(&c, ids[i]), "'%s' too long for '%s'", ids[i], str);
        check_url(&c, ids[i], x.url);
        FUZZ_CHECK(!strcmp(x.url, idp_ref_expand(p, t, ids[i])),
                   "expand");
    }
}

#ifdef FUZZ_HAVE_PCRE2
static void check_pattern_regex(apr_pool_t *p, const char *pat,
                                const char *probe)
{
    static const char forbidden[] = "./:@% \t\r\n\v\f?#[]\\+|{}()*^$,=&\"'"
                                    "\x01\x7f\x80\xc3\xff";
    static pcre2_match_context *mctx;
    pcre2_code *re;
    pcre2_match_data *md;
    int err;
    PCRE2_SIZE off;
    size_t i, plen = strlen(probe);

    if (!mctx) {
        mctx = pcre2_match_context_create(NULL);
        pcre2_set_match_limit(mctx, 100000);
        pcre2_set_depth_limit(mctx, 1000);
    }
    /* httpd's ap_regcomp with the default RegexDefaultOptions */
    re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                       PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY, &err, &off,
                       NULL);
    if (!re) {
        return;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
    for (i = 0; forbidden[i]; i++) {
        char b = forbidden[i];
        const char *subj[8];
        int k;

        subj[0] = apr_psprintf(p, "%c", b);
        subj[1] = apr_psprintf(p, "a%c", b);
        subj[2] = apr_psprintf(p, "%ca", b);
        subj[3] = apr_psprintf(p, "%s%c", probe, b);
        subj[4] = apr_psprintf(p, "%c%s", b, probe);
        subj[5] = apr_psprintf(p, "%.*s%c%s", (int)(plen / 2),
                               probe, b, probe + plen / 2);
        subj[6] = apr_psprintf(p, "%c%c", b, b);
        subj[7] = probe;
        for (k = 0; k < 8; k++) {
            const char *c;

            if (pcre2_match(re, (PCRE2_SPTR)subj[k], strlen(subj[k]), 0, 0,
                            md, mctx) < 0) {
                continue;
            }
            for (c = subj[k]; *c; c++) {
                FUZZ_CHECK(id_char((unsigned char)*c), "accepted pattern "
                           "'%s' matches '%s'", pat, subj[k]);
            }
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
}
#endif

static void check_pattern(apr_pool_t *p, const char *pat,
                          const char *probe)
{
    if (idp_pattern_check(pat)) {
        return;
    }
    FUZZ_CHECK(pat[0] == '^' && pat[strlen(pat) - 1] == '$',
               "'%s' accepted without anchors", pat);
#ifdef FUZZ_HAVE_PCRE2
    check_pattern_regex(p, pat, probe ? probe : "");
#else
    (void)p;
    (void)probe;
#endif
}

/* Reference for idp_params_duration: -1 or the value in microseconds. */
static long long ref_duration(const char *val, const char *dflt)
{
    size_t digits = strspn(val, "0123456789");
    const char *unit = val[digits] ? val + digits : dflt;
    long long n;

    if (!digits || digits > 9) {
        return -1;
    }
    n = strtoll(val, NULL, 10);
    if (!strcasecmp(unit, "ms")) {
        return n * 1000;
    }
    if (!strcasecmp(unit, "s")) {
        return n * 1000000;
    }
    if (!strcasecmp(unit, "mi")) {
        return n * 60000000;
    }
    if (!strcasecmp(unit, "h")) {
        return n * 3600000000LL;
    }
    return -1;
}

static long ref_uint(const char *s)
{
    size_t n = strspn(s, "0123456789");

    return n && n <= 9 && !s[n] ? strtol(s, NULL, 10) : -1;
}

static void check_params(apr_pool_t *p, const char *arg)
{
    idp_params_t prm, before;
    const char *err, *eq = strchr(arg, '='), *val;
    char *key;
    long long d;
    apr_interval_time_t t;
    long n;

    /* durations on their own first */
    d = ref_duration(arg, "s");
    FUZZ_CHECK((idp_params_duration(arg, "s", &t) == 0) == (d >= 0)
               && (d < 0 || t == d), "duration '%s'", arg);
    d = ref_duration(arg, "ms");
    FUZZ_CHECK((idp_params_duration(arg, "ms", &t) == 0) == (d >= 0)
               && (d < 0 || t == d), "duration '%s' ms", arg);

    memset(&prm, 0x5a, sizeof(prm));
    prm.set = 0;
    before = prm;
    err = idp_params_set(p, &prm, arg);
    if (err) {
        FUZZ_CHECK(!memcmp(&prm, &before, sizeof(prm)), "'%s' refused, but "
                   "changed the parameters", arg);
        return;
    }
    FUZZ_CHECK(eq && eq > arg && prm.set && !(prm.set & (prm.set - 1)),
               "'%s' accepted, set 0x%x", arg, prm.set);
    key = apr_pstrmemdup(p, arg, (size_t)(eq - arg));
    val = eq + 1;
    n = ref_uint(val);
    if (!strcasecmp(key, "timeout") || !strcasecmp(key, "ttl")) {
        FUZZ_CHECK(n >= 1 && (prm.set & (IDP_P_TIMEOUT | IDP_P_TTL))
                   && (prm.set == IDP_P_TIMEOUT ? prm.timeout : prm.ttl)
                      == (apr_interval_time_t)n * 1000000, "'%s'", arg);
    }
    else if (!strcasecmp(key, "connectiontimeout")
             || !strcasecmp(key, "ping") || !strcasecmp(key, "acquire")) {
        d = ref_duration(val, strcasecmp(key, "acquire") ? "s" : "ms");
        t = prm.set == IDP_P_CONN_TIMEOUT ? prm.conn_timeout
            : prm.set == IDP_P_PING ? prm.ping : prm.acquire;
        FUZZ_CHECK(d >= 1000 && t == d, "'%s'", arg);
    }
    else if (!strcasecmp(key, "min") || !strcasecmp(key, "max")
             || !strcasecmp(key, "smax")) {
        int v = prm.set == IDP_P_MIN ? prm.min : prm.set == IDP_P_HMAX
                ? prm.hmax : prm.smax;

        FUZZ_CHECK(n >= 0 && n <= 100000 && v == n, "'%s'", arg);
    }
    else if (!strcasecmp(key, "flushwait")) {
        FUZZ_CHECK(n >= 0 && n <= 1000
                   && prm.flush_wait == (n ? n * 1000 : 10000), "'%s'", arg);
    }
    else if (!strcasecmp(key, "iobuffersize")
             || !strcasecmp(key, "receivebuffersize")) {
        apr_size_t v = prm.set == IDP_P_IO_BUFFER ? prm.io_buffer_size
                                                  : prm.recv_buffer_size;

        FUZZ_CHECK(n == 0 || n >= 512, "'%s'", arg);
        FUZZ_CHECK(v == (apr_size_t)n || (n == 0 && v == 8192), "'%s'", arg);
    }
    else if (!strcasecmp(key, "upgrade")) {
        size_t len = strnlen(prm.upgrade, sizeof(prm.upgrade));

        FUZZ_CHECK(len >= 1 && len <= IDP_UPGRADE_MAX
                   && (!strcmp(prm.upgrade, val)
                       || (!strcmp(prm.upgrade, "*")
                           && !strcasecmp(val, "ANY"))), "'%s'", arg);
    }
    else if (!strcasecmp(key, "addressttl")) {
        d = ref_duration(val, "s");
        FUZZ_CHECK(prm.address_ttl == -1 ? !strcmp(val, "-1")
                   : d >= 0 && d % 1000000 == 0
                     && d / 1000000 == prm.address_ttl, "'%s'", arg);
    }
    else {
        FUZZ_CHECK(!strcasecmp(key, "keepalive")
                   || !strcasecmp(key, "disablereuse")
                   || !strcasecmp(key, "enablereuse")
                   || !strcasecmp(key, "flushpackets")
                   || !strcasecmp(key, "responsefieldsize"),
                   "unknown key accepted: '%s'", arg);
    }
}

static void check_limit(apr_pool_t *p, const char *arg)
{
    apr_off_t v = -7;
    const char *err = ab_conf_parse_limit(p, arg, &v);
    size_t digits = strspn(arg, "0123456789");
    long long want = -1;

    if (digits && digits <= 12) {
        const char *u = arg + digits;

        want = strtoll(arg, NULL, 10);
        if (!*u) {
        }
        else if ((*u == 'k' || *u == 'K') && !u[1]) {
            want *= 1024;
        }
        else if ((*u == 'm' || *u == 'M') && !u[1]) {
            want *= 1024 * 1024;
        }
        else {
            want = -1;
        }
        if (want > AB_MAX_LIMIT) {
            want = -1;
        }
    }
    else if (digits > 12) {
        /* too many digits to be a limit, unless they are leading zeros */
        return;
    }
    FUZZ_CHECK(err ? want < 0 && v == -7 : want >= 0 && v == want,
               "limit '%s': %s, %lld instead of %lld", arg,
               err ? err : "ok", (long long)v, want);
}

static void check_decode_ratio(apr_pool_t *p, const char *arg)
{
    int v = -7;
    const char *err = ab_conf_parse_decode_ratio(p, arg, &v);
    size_t digits = strspn(arg, "0123456789");
    long long want = -1;

    if (digits && !arg[digits]) {
        size_t z = strspn(arg, "0");
        /* leading zeros do not make a value long */
        if (digits - z <= 7) {
            want = strtoll(arg, NULL, 10);
        }
        else {
            want = AB_MAX_DECODE_RATIO + 1LL;
        }
        if (want > AB_MAX_DECODE_RATIO) {
            want = -1;
        }
    }
    FUZZ_CHECK(err ? want < 0 && v == -7 : want >= 0 && v == want,
               "ratio '%s': %s, %d instead of %lld", arg, err ? err : "ok",
               v, want);
}

static int coding_word(const char *w)
{
    if (!strcasecmp(w, "gzip") || !strcasecmp(w, "x-gzip")) {
        return AB_CODING_GZIP;
    }
    if (!strcasecmp(w, "deflate")) {
        return AB_CODING_DEFLATE;
    }
    if (!strcasecmp(w, "br")) {
        return AB_CODING_BR;
    }
    return strcasecmp(w, "none") ? -1 : 0;
}

static void check_decode(apr_pool_t *p, const char *a, const char *b)
{
    char *argv[2];
    int n = b ? 2 : 1, v = -7, ca = coding_word(a), cb, want;
    const char *err;

    argv[0] = (char *)a;
    argv[1] = (char *)b;
    err = ab_conf_parse_decode(p, n, argv, &v);
    cb = b ? coding_word(b) : -2;
    if (ca < 0 || cb == -1 || (b && (ca == 0 || cb == 0))) {
        want = -1;
    }
    else {
        want = ca | (cb > 0 ? cb : 0);
    }
    FUZZ_CHECK(err ? want < 0 && v == -7 : want >= 0 && v == want,
               "decode '%s' '%s': %s, %d instead of %d", a, b ? b : "",
               err ? err : "ok", v, want);
}

static void check_mask(apr_pool_t *p, const char *arg)
{
    ab_dir_conf_t *c = ab_dir_conf_create(p);
    const apr_array_header_t *m;
    const char *name = *arg == '-' ? arg + 1 : arg;
    int i, found = 0;

    if (ab_conf_mask_arg(p, c, arg)) {
        return;
    }
    m = ab_conf_mask(c);
    for (i = 0; i < m->nelts; i++) {
        found += !strcasecmp(APR_ARRAY_IDX(m, i, const char *), name);
    }
    FUZZ_CHECK(*arg == '-' ? found == 0 : found == 1, "mask '%s'", arg);
}

static void check_type_pattern(apr_pool_t *p, const char *pat)
{
    const char *norm = NULL, *again = NULL, *ct, *s;
    apr_array_header_t *a;

    if (ab_type_pattern(p, pat, &norm)) {
        return;
    }
    FUZZ_CHECK(!ab_type_pattern(p, norm, &again) && !strcmp(norm, again),
               "'%s' -> '%s' -> '%s'", pat, norm, again ? again : "");
    for (s = norm; *s; s++) {
        FUZZ_CHECK(!apr_isupper(*s), "'%s' not lower case", norm);
    }
    a = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(a, const char *) = norm;
    if (norm[0] == '+') {
        ct = apr_pstrcat(p, "Application/X", norm, "; q=1", NULL);
    }
    else if (!strcmp(norm + strlen(norm) - 2, "/*")) {
        ct = apr_pstrcat(p, apr_pstrndup(p, norm, strlen(norm) - 1), "x",
                         NULL);
    }
    else {
        ct = apr_pstrcat(p, " ", norm, ";charset=utf-8", NULL);
    }
    FUZZ_CHECK(ab_type_match(a, ct), "'%s' does not match '%s'", norm, ct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *f[2];

    if (!fuzz_split(p, data, size, f, 2)) {
        return 0;
    }
    check_source(p, f[0]);
    check_template(p, f[0]);
    check_pattern(p, f[0], f[1]);
    check_params(p, f[0]);
    check_limit(p, f[0]);
    check_decode_ratio(p, f[0]);
    check_decode(p, f[0], NULL);
    check_decode(p, f[0], f[1]);
    check_mask(p, f[0]);
    check_type_pattern(p, f[0]);
    return 0;
}
