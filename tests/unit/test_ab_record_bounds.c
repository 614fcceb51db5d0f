/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for what bounds a record and what keeps it exact: the number
 * of header entries it holds (and counts as left out), header grouping
 * past the scan size, the exact bytes of a URI or header that is not
 * valid UTF-8 (uri_b64, headers_b64), bodies captured in segments, and
 * the memory a request takes: caps + the record's own size + 1 MiB,
 * measured by counting the memory APR's allocator maps. */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "test_common.h"
#include "cm_json.h"
#include "ab_capture.h"
#include "ab_record.h"

static apr_pool_t *pool;

/* The counting allocator: Debian's APR maps every allocator node with
 * mmap() (APR_ALLOCATOR_USES_MMAP), so mapping calls made while counting
 * is on are the memory pools take. These definitions take the place of
 * libc's for the whole test program (and work under valgrind, which
 * follows the system calls). */
static int mm_counting;
static apr_size_t mm_now, mm_peak;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *r = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);

    if (mm_counting && r != MAP_FAILED) {
        mm_now += len;
        if (mm_now > mm_peak) {
            mm_peak = mm_now;
        }
    }
    return r;
}

int munmap(void *addr, size_t len)
{
    if (mm_counting) {
        mm_now -= len;
    }
    return (int)syscall(SYS_munmap, addr, len);
}

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

#define HAS(line, frag) \
    ck_assert_msg(strstr((line), (frag)) != NULL, "missing %s in %.300s", \
                  (frag), (line))
#define LACKS(line, frag) \
    ck_assert_msg(strstr((line), (frag)) == NULL, "unexpected %s in %.300s", \
                  (frag), (line))

static void empty_record(ab_record_t *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->request.total = 0;
    rec->request.state = "none";
    rec->response.total = 0;
    rec->response.state = "none";
}

/* Occurrences of frag in s. */
static int count_of(const char *s, const char *frag)
{
    int n = 0;

    while ((s = strstr(s, frag)) != NULL) {
        n++;
        s += strlen(frag);
    }
    return n;
}

/* 20,000 response headers (10,000 names, one of them repeated 10,000
 * times): the record holds the first AB_RECORD_MAX_HEADERS entries and
 * says how many it left out; the request's few headers are all there. */
START_TEST(headers_bounded)
{
    apr_table_t *in = apr_table_make(pool, 2), *out;
    ab_record_t rec;
    apr_size_t len;
    const char *line, *resp;
    int i;

    out = apr_table_make(pool, 20000);
    for (i = 0; i < 10000; i++) {
        apr_table_addn(out, apr_psprintf(pool, "X-Many-%d", i), "v");
        apr_table_addn(out, "X-Rep", apr_psprintf(pool, "r%d", i));
    }
    apr_table_add(in, "Host", "example.com");
    empty_record(&rec);
    rec.request.headers = in;
    rec.response.headers = out;
    line = ab_record_format(pool, &rec, &len);
    ck_assert_uint_eq(strlen(line), len);
    HAS(line, "\"request\":{\"headers\":{\"Host\":\"example.com\"},"
              "\"headers_omitted\":0,");
    resp = strstr(line, "\"response\":");
    ck_assert_ptr_nonnull(resp);
    HAS(resp, "\"headers_omitted\":19744,");
    /* 128 names X-Many-0..127 and 128 values of X-Rep in one array */
    ck_assert_int_eq(count_of(resp, "\"X-Many-"), 128);
    HAS(resp, "\"X-Many-127\":\"v\"");
    LACKS(resp, "\"X-Many-128\"");
    ck_assert_int_eq(count_of(resp, "\"X-Rep\""), 1);
    HAS(resp, "\"X-Rep\":[\"r0\",\"r1\",");
    HAS(resp, ",\"r127\"]");
    LACKS(resp, "\"r128\"");
    ck_assert_uint_lt(len, 8192);
}
END_TEST

/* Exactly the cap: nothing omitted; one more: one omitted. */
START_TEST(headers_at_cap)
{
    ab_record_t rec;
    apr_size_t len;
    apr_table_t *out;
    const char *line;
    int i, extra;

    for (extra = 0; extra <= 1; extra++) {
        out = apr_table_make(pool, 300);
        for (i = 0; i < AB_RECORD_MAX_HEADERS + extra; i++) {
            apr_table_addn(out, apr_psprintf(pool, "H%d", i), "v");
        }
        empty_record(&rec);
        rec.response.headers = out;
        line = ab_record_format(pool, &rec, &len);
        HAS(line, extra ? "\"headers_omitted\":1," : "\"headers_omitted\":0,");
        ck_assert_int_eq(count_of(line, "\":\"v\""), AB_RECORD_MAX_HEADERS);
    }
}
END_TEST

/* More names than the scan handles: grouping goes through the hash table
 * and must group exactly as the scan does (case-insensitively, first
 * spelling wins, masked if any spelling is masked, in table order). */
START_TEST(headers_grouped_by_hash)
{
    apr_array_header_t *mask = apr_array_make(pool, 1, sizeof(char *));
    apr_table_t *out = apr_table_make(pool, 64);
    ab_record_t rec;
    apr_size_t len;
    const char *line;
    int i;

    *(const char **)apr_array_push(mask) = "x-secret";
    for (i = 0; i < 30; i++) {
        apr_table_addn(out, apr_psprintf(pool, "Name-%d", i),
                       apr_psprintf(pool, "a%d", i));
    }
    for (i = 0; i < 30; i++) {
        apr_table_addn(out, apr_psprintf(pool, "NAME-%d", i),
                       apr_psprintf(pool, "b%d", i));
    }
    apr_table_addn(out, "X-Secret", "s1");
    apr_table_addn(out, "x-SECRET", "s2");
    apr_table_addn(out, "Name-7", "c7");
    empty_record(&rec);
    rec.response.headers = out;
    rec.mask = mask;
    line = ab_record_format(pool, &rec, &len);
    for (i = 0; i < 30; i++) {
        HAS(line, apr_psprintf(pool, "\"Name-%d\":[\"a%d\",\"b%d\"%s]", i, i,
                               i, i == 7 ? ",\"c7\"" : ""));
    }
    LACKS(line, "\"NAME-");
    HAS(line, "\"X-Secret\":[\"***\",\"***\"]");
    LACKS(line, "s1");
    LACKS(line, "s2");
    LACKS(line, "x-SECRET");
    HAS(line, "\"headers_omitted\":0,");
}
END_TEST

/* The base64 string that follows key in line (e.g. "\"uri_b64\":\""),
 * decoded; *n receives its length. */
static char *b64_after(const char *line, const char *key, int *n)
{
    const char *at = strstr(line, key), *end;
    char *enc, *dec;

    ck_assert_msg(at != NULL, "missing %s in %.400s", key, line);
    at += strlen(key);
    end = strchr(at, '"');
    ck_assert_ptr_nonnull(end);
    enc = apr_pstrmemdup(pool, at, (apr_size_t)(end - at));
    dec = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(enc) + 1);
    *n = apr_base64_decode(dec, enc);
    return dec;
}

/* Bytes that are not UTF-8 in the URI and in header names and values are
 * shown as U+FFFD and kept exactly in base64 beside them; a masked
 * header's bytes never are; exact strings get no copy. */
START_TEST(raw_bytes_recoverable)
{
    static const char uri[] = "/a\xff%20b?q=\xc3\x28&r=\xe2\x82";
    static const char val[] = "a\xff" "b\x80";
    apr_array_header_t *mask = apr_array_make(pool, 1, sizeof(char *));
    apr_table_t *in = apr_table_make(pool, 8);
    ab_record_t rec;
    apr_size_t len;
    const char *line, *req;
    char *dec;
    int n;

    *(const char **)apr_array_push(mask) = "X-Secret";
    apr_table_addn(in, "Host", "example.com");
    apr_table_addn(in, "X-Raw", val);
    apr_table_addn(in, "X-N\xfe", "plain");
    apr_table_addn(in, "X-Secret", "s\xff");
    apr_table_addn(in, "X-Utf8", "caf\xc3\xa9");
    empty_record(&rec);
    rec.uri = uri;
    rec.mask = mask;
    rec.request.headers = in;
    line = ab_record_format(pool, &rec, &len);
    ck_assert_uint_eq(cm_utf8_valid_prefix(line, len), len);

    HAS(line, "\"uri\":\"/a\xef\xbf\xbd%20b?q=\xef\xbf\xbd(&r=\xef\xbf\xbd\"");
    dec = b64_after(line, "\"uri_b64\":\"", &n);
    ck_assert_int_eq(n, (int)strlen(uri));
    ck_assert(!memcmp(dec, uri, strlen(uri)));

    req = strstr(line, "\"request\":");
    HAS(req, "\"X-Raw\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");
    HAS(req, "\"X-Secret\":\"***\"");
    /* pairs in table order: X-Raw, then X-N\xfe; not X-Secret nor X-Utf8 */
    dec = b64_after(req, "\"headers_b64\":[[\"", &n);
    ck_assert_int_eq(n, 5);
    ck_assert(!memcmp(dec, "X-Raw", 5));
    dec = b64_after(req, "\"headers_b64\":[[\"WC1SYXc=\",\"", &n);
    ck_assert_int_eq(n, (int)strlen(val));
    ck_assert(!memcmp(dec, val, strlen(val)));
    dec = b64_after(req, "\"],[\"", &n);
    ck_assert_int_eq(n, 4);
    ck_assert(!memcmp(dec, "X-N\xfe", 4));
    HAS(req, "\",\"cGxhaW4=\"]],\"content_type\"");
    LACKS(line, "czE=");        /* "s\xff" of the masked header */
    ck_assert_int_eq(count_of(req, "],["), 1);
    HAS(strstr(line, "\"response\":"), "\"headers_b64\":null,");

    /* all exact: no copies */
    rec.uri = "/caf\xc3\xa9?x=1";
    apr_table_unset(in, "X-Raw");
    apr_table_unset(in, "X-N\xfe");
    line = ab_record_format(pool, &rec, &len);
    HAS(line, "\"uri_b64\":null,");
    HAS(line, "\"headers_omitted\":0,\"headers_b64\":null,");
}
END_TEST

/* Capture n bytes of gen(i) in chunks of 8000 bytes (as HTTP_IN hands
 * them out) under cap, with Content-Length hint. */
static void capture(ab_capture_t *c, apr_pool_t *p, apr_size_t cap,
                    apr_off_t hint, apr_size_t n, char (*gen)(apr_size_t))
{
    char chunk[8000];
    apr_size_t done = 0, k;

    ab_capture_init(c, cap, hint);
    while (done < n) {
        apr_size_t m = n - done < sizeof(chunk) ? n - done : sizeof(chunk);

        for (k = 0; k < m; k++) {
            chunk[k] = gen(done + k);
        }
        ab_capture_add(c, p, chunk, m);
        done += m;
    }
}

static char gen_binary(apr_size_t i)
{
    return (char)(i * 7 + (i >> 8));
}

/* "é€😀a" repeated: 2-, 3-, 4- and 1-byte characters (10 bytes), so
 * segment ends fall inside characters of every length. */
static char gen_utf8(apr_size_t i)
{
    static const char pat[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "a";

    return pat[i % 10];
}

static char gen_quotes(apr_size_t i)
{
    return "ab\"\\\n\x01" "cd\xe2\x80\xa8"[i % 11];
}

/* A record with body b captured in segments formats exactly as the same
 * bytes given whole. */
static void same_as_whole(const ab_capture_t *c, int truncated)
{
    cm_seg_t segs[AB_CAPTURE_SEGS];
    ab_record_t rec;
    apr_size_t len1, len2, at = 0;
    const char *l1, *l2;
    char *whole = apr_palloc(pool, c->len + 1);
    int i, n = ab_capture_segments(c, segs);

    for (i = 0; i < n; i++) {
        memcpy(whole + at, segs[i].p, segs[i].n);
        at += segs[i].n;
    }
    empty_record(&rec);
    rec.response.body = whole;
    rec.response.captured = c->len;
    rec.response.total = c->total;
    rec.response.truncated = truncated;
    l1 = ab_record_format(pool, &rec, &len1);
    rec.response.body = "";
    rec.response.segs = segs;
    rec.response.nsegs = n;
    l2 = ab_record_format(pool, &rec, &len2);
    ck_assert_uint_eq(len1, len2);
    ck_assert_msg(!memcmp(l1, l2, len1), "segments format differently");
}

START_TEST(segments_format_as_whole)
{
    static const apr_off_t hints[] = { -1, 1, 3, 5000 };
    static char (*const gens[])(apr_size_t) = { gen_binary, gen_utf8,
                                                gen_quotes };
    static const apr_size_t sizes[] = { 1, 8191, 8193, 30011, 70000 };
    ab_capture_t c;
    apr_size_t h, g, z;

    for (h = 0; h < sizeof(hints) / sizeof(hints[0]); h++) {
        for (g = 0; g < sizeof(gens) / sizeof(gens[0]); g++) {
            for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
                /* whole, and truncated by a cap that cuts characters */
                capture(&c, pool, 100000, hints[h], sizes[z], gens[g]);
                same_as_whole(&c, 0);
                capture(&c, pool, sizes[z] - sizes[z] / 3, hints[h],
                        sizes[z], gens[g]);
                same_as_whole(&c, 1);
            }
        }
    }
}
END_TEST

/* Peak memory of one request's capture and record: a binary body of
 * unknown length in both directions, caps at 16 MiB (4 MiB under
 * UNIT_QUICK, for valgrind). The pool's mapped memory at its peak must
 * stay within both caps + the record's own size + 1 MiB: no doubling
 * garbage, no second formatting pass. */
static void memory_bound(char (*gen)(apr_size_t), apr_size_t body_extra)
{
    apr_size_t cap = getenv("UNIT_QUICK") ? 4 * 1024 * 1024
                                          : 16 * 1024 * 1024;
    apr_allocator_t *al;
    apr_pool_t *p;
    ab_capture_t req, resp;
    cm_seg_t rs[AB_CAPTURE_SEGS], ps[AB_CAPTURE_SEGS];
    ab_record_t rec;
    apr_size_t len, bound;

    ck_assert_int_eq(apr_allocator_create(&al), APR_SUCCESS);
    mm_now = mm_peak = 0;
    mm_counting = 1;
    ck_assert_int_eq(apr_pool_create_ex(&p, NULL, NULL, al), APR_SUCCESS);
    capture(&req, p, cap, -1, cap + body_extra, gen);
    capture(&resp, p, cap, -1, cap + body_extra, gen);
    empty_record(&rec);
    rec.uri = "/upload";
    rec.request.segs = rs;
    rec.request.nsegs = ab_capture_segments(&req, rs);
    rec.request.body = "";
    rec.request.captured = req.len;
    rec.request.total = req.total;
    rec.request.truncated = ab_capture_truncated(&req);
    rec.response.segs = ps;
    rec.response.nsegs = ab_capture_segments(&resp, ps);
    rec.response.body = "";
    rec.response.captured = resp.len;
    rec.response.total = resp.total;
    rec.response.truncated = ab_capture_truncated(&resp);
    ab_record_format(p, &rec, &len);
    mm_counting = 0;
    bound = 2 * cap + len + 1024 * 1024;
    fprintf(stderr, "# memory: caps 2 x %lu, record %lu, peak mapped %lu "
            "(bound %lu, %.2f x caps)\n", (unsigned long)cap,
            (unsigned long)len, (unsigned long)mm_peak,
            (unsigned long)bound, (double)mm_peak / (double)(2 * cap));
    ck_assert_msg(mm_peak >= 2 * cap, "the counter saw %lu bytes: does APR "
                  "map its memory with mmap here?", (unsigned long)mm_peak);
    ck_assert_msg(mm_peak <= bound, "peak %lu > caps + record + 1 MiB = %lu",
                  (unsigned long)mm_peak, (unsigned long)bound);
    apr_pool_destroy(p);
    apr_allocator_destroy(al);
}

START_TEST(memory_binary_body)
{
    memory_bound(gen_binary, 0);
}
END_TEST

START_TEST(memory_text_body_truncated)
{
    memory_bound(gen_quotes, 100000);
}
END_TEST

Suite *ab_record_bounds_suite(void)
{
    Suite *s = suite_create("ab_record_bounds");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, headers_bounded);
    tcase_add_test(tc, headers_at_cap);
    tcase_add_test(tc, headers_grouped_by_hash);
    tcase_add_test(tc, raw_bytes_recoverable);
    tcase_add_test(tc, segments_format_as_whole);
    tcase_add_test(tc, memory_binary_body);
    tcase_add_test(tc, memory_text_body_truncated);
    suite_add_tcase(s, tc);
    return s;
}
