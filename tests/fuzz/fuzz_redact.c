/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_redact: the security claim of ab_redact (issue 12).
 * Input: a mode byte, a cut byte, then the rest.
 * - Planted mode (mode & 1): the rest drives a generator that writes a
 *   JSON, form, XML or multipart document in which every value under a
 *   redacted name (any default name, spelled in any case, with JSON \u
 *   escapes or form %-escapes, XML namespace prefixes, at any depth, in
 *   arrays, duplicated) is a "secret" made of the bytes of SECRET, which
 *   nothing else in the document contains. The document is redacted whole
 *   and cut at the cut byte. Properties: the status is OK; no byte of
 *   SECRET is in the copy; the copy is valid up to the cut (the same
 *   redactor accepts it with nothing to redact, unchanged for JSON, forms
 *   and XML); uncut, every non-secret value ("v" + number) is still there.
 * - Raw mode: the rest, as is, through every redactor (truncated or not):
 *   the output never passes its capacity, a status is one of the three,
 *   and an OK copy is itself accepted (valid output).
 */
#include "fuzz_util.h"

#include <apr_strings.h>

#include "ab_redact.h"

#define SECRET "^`|~"
#define DOC_MAX 8192

typedef struct {
    const uint8_t *d;
    size_t n;
    char doc[DOC_MAX];
    size_t len;
    int full;
    char markers[64][8];
    int nmarkers;
    int counter;
    unsigned nsecrets;
} gen_t;

static unsigned take(gen_t *g)
{
    if (!g->n) {
        return 0;
    }
    g->n--;
    return *g->d++;
}

static void put(gen_t *g, const char *s, size_t n)
{
    if (g->len + n + 64 > DOC_MAX) {
        g->full = 1;
        return;
    }
    memcpy(g->doc + g->len, s, n);
    g->len += n;
}

static void puts_(gen_t *g, const char *s)
{
    put(g, s, strlen(s));
}

static const char *redacted[] = {
    "password", "passwd", "pwd", "pass", "secret", "client_secret",
    "token", "access_token", "api_key", "apikey", "x-api-key",
    "authorization", "auth", "private_key", "session", "sessionid",
    "cookie", "set-cookie", "card_number", "cardnumber", "cc_number", "cvv",
    "cvc", "pin", "ssn", "refresh_token_v2", "my_secret"
};
static const char *safe[] = {
    "user", "id", "note", "items", "data", "name", "value", "list", "kind"
};
#define NRED (sizeof(redacted) / sizeof(redacted[0]))
#define NSAFE (sizeof(safe) / sizeof(safe[0]))

/* A name spelled with random case and, per syntax, random escapes. */
static void spell(gen_t *g, const char *name, int syntax)
{
    const char *c;
    char buf[16];

    for (c = name; *c; c++) {
        unsigned r = take(g);
        char ch = *c;

        if (r & 1) {
            ch = (char)((ch >= 'a' && ch <= 'z') ? ch - 32 : ch);
        }
        if (syntax == 'j' && (r & 6) == 6) {
            snprintf(buf, sizeof(buf), (r & 8) ? "\\u%04X" : "\\u%04x",
                     (unsigned char)ch);
            puts_(g, buf);
        }
        else if (syntax == 'f' && (r & 6) == 6) {
            snprintf(buf, sizeof(buf), (r & 8) ? "%%%02X" : "%%%02x",
                     (unsigned char)ch);
            puts_(g, buf);
        }
        else if (syntax == 'f' && ch == ' ') {
            puts_(g, "+");
        }
        else {
            put(g, &ch, 1);
        }
    }
}

static void secret(gen_t *g)
{
    unsigned n = 1 + take(g) % 6, i;

    g->nsecrets++;
    for (i = 0; i < n; i++) {
        put(g, &SECRET[take(g) % 4], 1);
    }
}

static void marker(gen_t *g)
{
    char m[8];

    snprintf(m, sizeof(m), "v%d", g->counter++ % 10000);
    puts_(g, m);
    if (g->nmarkers < 64) {
        strcpy(g->markers[g->nmarkers++], m);
    }
}

/* JSON with an explicit stack (kinds of open containers). */
static void gen_json(gen_t *g)
{
    char stack[12];
    int d = 0, first[12] = {1};
    unsigned steps = 0;

    stack[0] = '{';
    puts_(g, "{");
    while (!g->full && steps++ < 200) {
        unsigned r = take(g);
        int in_obj = stack[d] == '{';

        if (r % 7 == 0 || !g->n) {              /* close */
            puts_(g, in_obj ? "}" : "]");
            if (d-- == 0) {
                return;
            }
            first[d] = 0;
            continue;
        }
        if (!first[d]) {
            puts_(g, ",");
        }
        first[d] = 0;
        if (in_obj) {
            puts_(g, "\"");
            if (r % 3 == 0) {                   /* a secret member */
                spell(g, redacted[take(g) % NRED], 'j');
                puts_(g, "\":");
                switch (take(g) % 4) {
                case 0: puts_(g, "\""); secret(g); puts_(g, "\""); break;
                case 1: puts_(g, "{\"a\":[\""); secret(g);
                        puts_(g, "\",1]}"); break;
                case 2: puts_(g, "[\""); secret(g); puts_(g, "\"]"); break;
                default: puts_(g, "{\"user\":\""); secret(g);
                         puts_(g, "\"}"); break;
                }
                continue;
            }
            spell(g, safe[take(g) % NSAFE], 'j');
            puts_(g, "\":");
        }
        switch (r % 5) {
        case 0:
        case 1:
            if (d < 10) {
                d++;
                stack[d] = (r & 8) ? '{' : '[';
                first[d] = 1;
                puts_(g, stack[d] == '{' ? "{" : "[");
                break;
            }
            /* fall through */
        case 2: puts_(g, "\""); marker(g); puts_(g, "\""); break;
        case 3: puts_(g, (r & 16) ? "true" : "-12.5e3"); break;
        default: puts_(g, "null"); break;
        }
    }
    while (d >= 0) {
        puts_(g, stack[d--] == '{' ? "}" : "]");
    }
}

static void gen_form(gen_t *g)
{
    unsigned n = 1 + take(g) % 12, i;

    for (i = 0; i < n && !g->full; i++) {
        if (i) {
            puts_(g, "&");
        }
        if (take(g) % 2) {
            spell(g, redacted[take(g) % NRED], 'f');
            puts_(g, "=");
            secret(g);
        }
        else {
            spell(g, safe[take(g) % NSAFE], 'f');
            puts_(g, "=");
            marker(g);
        }
    }
}

static void gen_xml(gen_t *g)
{
    const char *open[12];
    int d = 0;
    unsigned steps = 0;

    puts_(g, "<?xml version=\"1.0\"?><root>");
    while (!g->full && steps++ < 100) {
        unsigned r = take(g);
        char buf[64];

        if (r % 6 == 0 || !g->n) {
            if (d == 0) {
                break;
            }
            snprintf(buf, sizeof(buf), "</%s>", open[--d]);
            puts_(g, buf);
            continue;
        }
        switch (r % 6) {
        case 1: {                              /* a secret element */
            const char *nm = redacted[take(g) % NRED];
            const char *pfx = (r & 8) ? "wsse:" : "";
            char tag[64];
            size_t ns, nl;

            snprintf(buf, sizeof(buf), "<%s", pfx);
            puts_(g, buf);
            ns = g->len;
            spell(g, nm, 'x');
            nl = g->len - ns;
            if (nl > 40) {
                nl = 40;
            }
            memcpy(tag, g->doc + ns, nl);
            tag[nl] = '\0';
            puts_(g, ">");
            if (r & 16) {
                puts_(g, "<a>");
                secret(g);
                puts_(g, "</a><![CDATA[");
                secret(g);
                g->nsecrets--;          /* one element, one redaction */
                puts_(g, "]]>");
            }
            else {
                secret(g);
            }
            snprintf(buf, sizeof(buf), "</%s%s>", pfx, tag);
            puts_(g, buf);
            continue;
        }
        case 2:                                 /* a secret attribute */
            puts_(g, "<e x:");
            puts_(g, redacted[take(g) % NRED]);
            puts_(g, "='");
            secret(g);
            puts_(g, "' id=\"");
            marker(g);
            puts_(g, "\"/>");
            continue;
        case 3:
            if (d < 12) {
                open[d++] = safe[take(g) % NSAFE];
                snprintf(buf, sizeof(buf), "<%s>", open[d - 1]);
                puts_(g, buf);
                continue;
            }
            /* fall through */
        default:
            puts_(g, "<note>");
            marker(g);
            puts_(g, "</note><!-- c -->");
            continue;
        }
    }
    while (d > 0) {
        char buf[64];
        snprintf(buf, sizeof(buf), "</%s>", open[--d]);
        puts_(g, buf);
    }
    puts_(g, "</root>");
}

static void gen_multipart(gen_t *g)
{
    unsigned n = 1 + take(g) % 6, i;

    for (i = 0; i < n && !g->full; i++) {
        unsigned r = take(g);

        puts_(g, "--BB\r\nContent-Disposition: form-data; name=\"");
        if (r % 3 == 0) {
            spell(g, redacted[take(g) % NRED], 'x');
            puts_(g, "\"\r\n\r\n");
            secret(g);
        }
        else if (r % 3 == 1) {
            puts_(g, "meta\"\r\nContent-Type: application/json\r\n\r\n"
                     "{\"");
            spell(g, redacted[take(g) % NRED], 'j');
            puts_(g, "\":\"");
            secret(g);
            puts_(g, "\",\"id\":\"");
            marker(g);
            puts_(g, "\"}");
        }
        else {
            spell(g, safe[take(g) % NSAFE], 'x');
            puts_(g, "\"\r\n\r\n");
            marker(g);
        }
        puts_(g, "\r\n");
    }
    puts_(g, "--BB--\r\n");
}

static ab_redact_status_e redact_cap(apr_pool_t *p, int kind,
                                     const ab_redact_cfg_t *cfg,
                                     const char *in, size_t len, int trunc,
                                     char **out, apr_size_t *olen,
                                     ab_redact_report_t *rep, apr_size_t cap);

/* Redact with the usual capacity, and on AB_REDACT_OVERFLOW again with
 * ab_redact_out_max(), as the glue is told to: that must never overflow. */
static ab_redact_status_e redact(apr_pool_t *p, int kind,
                                 const ab_redact_cfg_t *cfg, const char *in,
                                 size_t len, int trunc, char **out,
                                 apr_size_t *olen, ab_redact_report_t *rep)
{
    apr_size_t cap = ab_redact_out_size(len);
    ab_redact_status_e rv;
    int again;

    for (again = 0; ; again++) {
        rv = redact_cap(p, kind, cfg, in, len, trunc, out, olen, rep, cap);
        if (rv != AB_REDACT_OVERFLOW) {
            return rv;
        }
        FUZZ_CHECK(!again, "%c: overflow with ab_redact_out_max()", kind);
        cap = ab_redact_out_max(len);
    }
}

static ab_redact_status_e redact_cap(apr_pool_t *p, int kind,
                                     const ab_redact_cfg_t *cfg,
                                     const char *in, size_t len, int trunc,
                                     char **out, apr_size_t *olen,
                                     ab_redact_report_t *rep, apr_size_t cap)
{
    char *o = apr_palloc(p, cap + 1);
    ab_redact_status_e rv = AB_REDACT_UNPARSEABLE;

    ab_redact_report_init(rep);
    switch (kind) {
    case 'j': rv = ab_redact_json(p, cfg, in, len, trunc, o, cap, olen, rep);
              break;
    case 'f': rv = ab_redact_form(p, cfg, in, len, trunc, o, cap, olen, rep);
              break;
    case 'x': rv = ab_redact_xml(p, cfg, in, len, trunc, o, cap, olen, rep);
              break;
    case 'm': rv = ab_redact_multipart(p, cfg, "BB", 2, in, len, trunc, o,
                                       cap, olen, rep);
              break;
    case 't': rv = ab_redact_text(p, cfg, in, len, trunc, o, cap, olen, rep);
              break;
    case 'u': rv = ab_redact_url(p, cfg, in, len, o, cap, olen, rep);
              break;
    case 'q': rv = ab_redact_query(p, cfg, in, len, o, cap, olen, rep);
              break;
    }
    FUZZ_CHECK(*olen <= cap, "%c: output %zu > capacity %zu", kind,
               (size_t)*olen, (size_t)cap);
    FUZZ_CHECK(rv == AB_REDACT_OK || rv == AB_REDACT_UNPARSEABLE
               || rv == AB_REDACT_OVERFLOW, "%c: status %d", kind, rv);
    FUZZ_CHECK(rv == AB_REDACT_OK || (*olen == 0 && rep->reason),
               "%c: failed without a reason or with output", kind);
    o[*olen] = '\0';
    *out = o;
    return rv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    static ab_redact_cfg_t cfg, plain;
    static gen_t g;
    ab_redact_report_t rep;
    unsigned mode, cutb;
    char *out, *out2;
    apr_size_t ol, ol2;
    ab_redact_status_e rv;

    if (size < 2) {
        return 0;
    }
    if (!cfg.names) {
        static apr_pool_t *cp;
        apr_pool_create(&cp, NULL);
        cfg.names = ab_redact_names_build(cp, NULL);
        cfg.detectors = AB_REDACT_DET_PAN | AB_REDACT_DET_JWT
                        | AB_REDACT_DET_BEARER;
    }
    mode = data[0];
    cutb = data[1];
    data += 2;
    size -= 2;
    cfg.with = (mode & 0x80) ? AB_REDACT_HMAC : AB_REDACT_MASK;
    cfg.key = (const unsigned char *)"k";
    cfg.key_len = 1;

    if (mode & 1) {
        static const char kinds[] = "jfxm";
        int kind = kinds[(mode >> 1) & 3];
        size_t cut;
        int trunc, i;

        memset(&g, 0, sizeof(g));
        g.d = data;
        g.n = size;
        switch (kind) {
        case 'j': gen_json(&g); break;
        case 'f': gen_form(&g); break;
        case 'x': gen_xml(&g); break;
        default: gen_multipart(&g); break;
        }
        g.doc[g.len] = '\0';
        cut = (cutb == 255) ? g.len : g.len * cutb / 255;
        trunc = cut < g.len;
        rv = redact(p, kind, &cfg, g.doc, cut, trunc, &out, &ol, &rep);
        FUZZ_CHECK(rv == AB_REDACT_OK, "%c: status %d (%s at %zu) on %.*s",
                   kind, rv, rep.reason, (size_t)rep.offset, (int)cut,
                   g.doc);
        FUZZ_CHECK(trunc || g.full || rep.count == g.nsecrets,
                   "%c: %zu redactions for %u secrets in %s", kind,
                   (size_t)rep.count, g.nsecrets, g.doc);
        FUZZ_CHECK(strcspn(out, SECRET) == ol, "%c: a secret survives in "
                   "%s\nfrom %.*s", kind, out, (int)cut, g.doc);
        rv = redact(p, kind, &plain, out, ol, trunc, &out2, &ol2, &rep);
        FUZZ_CHECK(rv == AB_REDACT_OK, "%c: redacted copy invalid (%s): %s",
                   kind, rep.reason, out);
        FUZZ_CHECK(kind == 'm' || (ol2 == ol && !memcmp(out, out2, ol)),
                   "%c: copy changed again: %s", kind, out);
        for (i = 0; !trunc && i < g.nmarkers; i++) {
            FUZZ_CHECK(strstr(out, g.markers[i]) != NULL,
                       "%c: non-secret %s lost: %s\nfrom %s", kind,
                       g.markers[i], out, g.doc);
        }
        return 0;
    }

    {
        static const char kinds[] = "jfxmtuq";
        const char *k;
        char *in = apr_pmemdup(p, data, size);

        for (k = kinds; *k; k++) {
            int trunc = (mode >> 1) & 1;

            rv = redact(p, *k, &cfg, in, size, trunc, &out, &ol, &rep);
            if (rv == AB_REDACT_OK && (*k == 'j' || *k == 'f' || *k == 'x')) {
                rv = redact(p, *k, &plain, out, ol, trunc, &out2, &ol2,
                            &rep);
                FUZZ_CHECK(rv == AB_REDACT_OK, "%c: redacted copy invalid "
                           "(%s at %zu)", *k, rep.reason,
                           (size_t)rep.offset);
            }
        }
    }
    return 0;
}
