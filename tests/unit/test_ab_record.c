/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_record: the exact record line, header grouping and
 * masking, text and base64 bodies, cut characters and null fields.
 * With AB_RECORD_DUMP=file set, every record formatted here is appended to
 * that file, for tests/tools/validate_records.py and docs/record.schema.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>

#include "test_common.h"
#include "cm_json.h"
#include "ab_record.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* Format rec and check what every record line must be: one JSON object,
 * valid UTF-8, one '\n' at the end and no other raw control byte. */
static const char *fmt(const ab_record_t *rec)
{
    apr_size_t len = 0, i;
    const char *line = ab_record_format(pool, rec, &len);
    const char *dump = getenv("AB_RECORD_DUMP");

    ck_assert_ptr_nonnull(line);
    ck_assert_uint_eq(strlen(line), len);
    ck_assert_uint_ge(len, 3);
    ck_assert_int_eq(line[0], '{');
    ck_assert_int_eq(line[len - 2], '}');
    ck_assert_int_eq(line[len - 1], '\n');
    for (i = 0; i < len - 1; i++) {
        ck_assert_msg((unsigned char)line[i] >= 0x20,
                      "raw control 0x%02x at %u", (unsigned char)line[i],
                      (unsigned)i);
    }
    ck_assert_uint_eq(cm_utf8_valid_prefix(line, len - 1), len - 1);
    if (dump && *dump) {
        FILE *f = fopen(dump, "a");

        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(line, 1, len, f), len);
        ck_assert_int_eq(fclose(f), 0);
    }
    return line;
}

#define HAS(line, frag) \
    ck_assert_msg(strstr((line), (frag)) != NULL, "missing %s in %s", \
                  (frag), (line))
#define LACKS(line, frag) \
    ck_assert_msg(strstr((line), (frag)) == NULL, "unexpected %s in %s", \
                  (frag), (line))

static apr_array_header_t *mask_of(const char *a, const char *b)
{
    apr_array_header_t *m = apr_array_make(pool, 2, sizeof(const char *));

    if (a) {
        *(const char **)apr_array_push(m) = a;
    }
    if (b) {
        *(const char **)apr_array_push(m) = b;
    }
    return m;
}

/* A record with every field set; bodies are left to each test. */
static void full_record(ab_record_t *rec)
{
    apr_table_t *in = apr_table_make(pool, 4);
    apr_table_t *out = apr_table_make(pool, 4);
    static const char *req_body = "{\"a\":\"caf\xc3\xa9\"}";
    static const char *resp_body = "{\"id\":7}";

    memset(rec, 0, sizeof(*rec));
    rec->time = APR_INT64_C(1795282336123456); /* 2026-11-21T17:32:16Z */
    rec->id = "YWxpY2U";
    rec->host = "gw-1.example";
    rec->vhost = "www.example.com:443";
    rec->client_ip = "192.0.2.7";
    rec->client_port = 51234;
    rec->method = "POST";
    rec->uri = "/api/v1/items?x=1";
    rec->protocol = "HTTP/1.1";
    rec->status = 201;
    rec->user = "alice";
    rec->latency_us = 1500;
    rec->ttfb_us = 900;
    rec->bytes_received = 13;
    rec->bytes_sent = 321;
    rec->aborted = 0;
    rec->mask = mask_of("authorization", "Set-Cookie");

    apr_table_add(in, "Host", "www.example.com");
    apr_table_add(in, "Content-Type", "application/json");
    apr_table_add(in, "Authorization", "Basic Zm9vOmJhcg==");
    rec->request.headers = in;
    rec->request.content_type = "application/json";
    rec->request.body = req_body;
    rec->request.captured = strlen(req_body);
    rec->request.total = (apr_off_t)strlen(req_body);
    rec->request.state = "complete";

    apr_table_add(out, "Content-Type", "application/json");
    apr_table_add(out, "Set-Cookie", "a=1");
    apr_table_add(out, "set-cookie", "b=2");
    rec->response.headers = out;
    rec->response.content_type = "application/json";
    rec->response.content_encoding = "identity";
    rec->response.body = resp_body;
    rec->response.captured = strlen(resp_body);
    rec->response.total = (apr_off_t)strlen(resp_body);
    rec->response.state = "complete";
}

START_TEST(golden_record)
{
    ab_record_t rec;

    full_record(&rec);
    ck_assert_str_eq(fmt(&rec),
        "{\"time\":\"2026-11-21T17:32:16.123456Z\",\"id\":\"YWxpY2U\",\"phase\":\"final\","
        "\"host\":\"gw-1.example\",\"vhost\":\"www.example.com:443\","
        "\"client\":{\"ip\":\"192.0.2.7\",\"port\":51234},"
        "\"method\":\"POST\",\"uri\":\"/api/v1/items?x=1\",\"uri_b64\":null,"
        "\"protocol\":\"HTTP/1.1\",\"status\":201,\"user\":\"alice\","
        "\"latency_us\":1500,\"ttfb_us\":900,\"bytes_received\":13,"
        "\"bytes_sent\":321,\"aborted\":false,\"trace\":null,\"correlation\":{},"
        "\"request\":{\"headers\":{\"Host\":\"www.example.com\","
        "\"Content-Type\":\"application/json\",\"Authorization\":\"***\"},"
        "\"headers_omitted\":0,\"headers_b64\":null,"
        "\"content_type\":\"application/json\",\"content_encoding\":null,"
        "\"encoded_bytes\":null,\"decoded\":null,"
        "\"state\":\"complete\",\"skip_reason\":null,\"error\":null,"
        "\"captured_bytes\":13,"
        "\"total_bytes\":13,\"truncated\":false,"
        "\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],"
        "\"redacted_fields_omitted\":0,\"body_encoding\":\"text\","
        "\"body\":\"{\\\"a\\\":\\\"caf\xc3\xa9\\\"}\"},"
        "\"response\":{\"headers\":{\"Content-Type\":\"application/json\","
        "\"Set-Cookie\":[\"***\",\"***\"]},"
        "\"headers_omitted\":0,\"headers_b64\":null,"
        "\"content_type\":\"application/json\","
        "\"content_encoding\":\"identity\",\"encoded_bytes\":null,"
        "\"decoded\":null,\"state\":\"complete\","
        "\"skip_reason\":null,\"error\":null,\"captured_bytes\":8,"
        "\"total_bytes\":8,"
        "\"truncated\":false,"
        "\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],"
        "\"redacted_fields_omitted\":0,\"body_encoding\":\"text\","
        "\"body\":\"{\\\"id\\\":7}\"}}\n");
}
END_TEST

/* A decoded direction says how many encoded bytes the decoder took and
 * how decoding ended; "unsupported" has no encoded_bytes. */
START_TEST(decoded_fields)
{
    ab_record_t rec;
    const char *line;

    memset(&rec, 0, sizeof(rec));
    rec.request.content_encoding = "gzip";
    rec.request.decoded = "complete";
    rec.request.encoded_bytes = 31;
    rec.request.body = "{}";
    rec.request.captured = 2;
    rec.request.total = 31;
    rec.response.content_encoding = "compress";
    rec.response.decoded = "unsupported";
    rec.response.encoded_bytes = 5;
    line = fmt(&rec);
    ck_assert_ptr_nonnull(strstr(line, "\"request\":{"));
    ck_assert_ptr_nonnull(strstr(line,
        "\"content_encoding\":\"gzip\",\"encoded_bytes\":31,"
        "\"decoded\":\"complete\",\"state\":"));
    ck_assert_ptr_nonnull(strstr(line, "\"total_bytes\":31,"));
    ck_assert_ptr_nonnull(strstr(line,
        "\"content_encoding\":\"compress\",\"encoded_bytes\":null,"
        "\"decoded\":\"unsupported\",\"state\":"));
    rec.request.decoded = "cap";
    rec.request.encoded_bytes = 0;
    line = fmt(&rec);
    ck_assert_ptr_nonnull(strstr(line,
        "\"encoded_bytes\":0,\"decoded\":\"cap\","));
}
END_TEST

START_TEST(null_fields)
{
    ab_record_t rec;

    memset(&rec, 0, sizeof(rec));
    rec.ttfb_us = -1;
    rec.request.total = -1;
    rec.response.total = 0;
    rec.response.state = "skipped";
    rec.response.skip_reason = "type";
    ck_assert_str_eq(fmt(&rec),
        "{\"time\":\"1970-01-01T00:00:00.000000Z\",\"id\":null,\"phase\":\"final\","
        "\"host\":null,\"vhost\":null,\"client\":{\"ip\":null,\"port\":0},"
        "\"method\":null,\"uri\":null,\"uri_b64\":null,"
        "\"protocol\":null,\"status\":0,"
        "\"user\":null,\"latency_us\":0,\"ttfb_us\":null,"
        "\"bytes_received\":0,\"bytes_sent\":0,\"aborted\":false,\"trace\":null,\"correlation\":{},"
        "\"request\":{\"headers\":{},"
        "\"headers_omitted\":0,\"headers_b64\":null,"
        "\"content_type\":null,"
        "\"content_encoding\":null,"
        "\"encoded_bytes\":null,\"decoded\":null,"
        "\"state\":\"none\",\"skip_reason\":null,"
        "\"error\":null,"
        "\"captured_bytes\":0,\"total_bytes\":null,\"truncated\":false,"
        "\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],"
        "\"redacted_fields_omitted\":0,"
        "\"body_encoding\":null,\"body\":null},"
        "\"response\":{\"headers\":{},"
        "\"headers_omitted\":0,\"headers_b64\":null,"
        "\"content_type\":null,"
        "\"content_encoding\":null,"
        "\"encoded_bytes\":null,\"decoded\":null,\"state\":\"skipped\","
        "\"skip_reason\":\"type\",\"error\":null,\"captured_bytes\":0,"
        "\"total_bytes\":0,"
        "\"truncated\":false,"
        "\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],"
        "\"redacted_fields_omitted\":0,"
        "\"body_encoding\":null,\"body\":null}}\n");
}
END_TEST

/* The redaction fields of a direction: paths escaped like any string. */
START_TEST(redaction_fields)
{
    ab_record_t rec;
    static const char *const paths[] = {
        "user.password", "form:pa\"ss", "query:\xff"
    };
    const char *out;

    memset(&rec, 0, sizeof(rec));
    rec.ttfb_us = -1;
    rec.request.state = "complete";
    rec.request.body = "{\"password\":\"***\"}";
    rec.request.captured = strlen(rec.request.body);
    rec.request.redaction = "on";
    rec.request.redacted = 40;
    rec.request.redacted_fields = paths;
    rec.request.nredacted_fields = 3;
    rec.request.redacted_fields_omitted = 37;
    rec.response.redaction = "unparseable";
    out = fmt(&rec);
    ck_assert_ptr_nonnull(strstr(out,
        "\"truncated\":false,\"redaction\":\"on\",\"redacted\":40,"
        "\"redacted_fields\":[\"user.password\",\"form:pa\\\"ss\","
        "\"query:\xef\xbf\xbd\"],\"redacted_fields_omitted\":37,"
        "\"body_encoding\":\"text\",\"body\":\"{\\\"password\\\":"
        "\\\"***\\\"}\"}"));
    ck_assert_ptr_nonnull(strstr(out,
        "\"redaction\":\"unparseable\",\"redacted\":0,"
        "\"redacted_fields\":[],\"redacted_fields_omitted\":0,"
        "\"body_encoding\":null"));
}
END_TEST

/* The trace object and the correlation headers (a masked one "***"). */
START_TEST(trace_and_correlation)
{
    ab_record_t rec;
    static const char *const names[] = { "X-Request-ID", "Authorization" };
    static const char *const values[] = { "req-\"1\"", "Bearer s3cret" };
    const char *out;

    memset(&rec, 0, sizeof(rec));
    rec.ttfb_us = -1;
    rec.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    rec.parent_id = "00f067aa0ba902b7";
    rec.trace_sampled = 1;
    rec.corr_names = names;
    rec.corr_values = values;
    rec.ncorr = 2;
    rec.mask = mask_of("authorization", NULL);
    out = fmt(&rec);
    ck_assert_ptr_nonnull(strstr(out,
        "\"aborted\":false,\"trace\":{\"trace_id\":"
        "\"4bf92f3577b34da6a3ce929d0e0e4736\",\"parent_id\":"
        "\"00f067aa0ba902b7\",\"sampled\":true},\"correlation\":"
        "{\"X-Request-ID\":\"req-\\\"1\\\"\",\"Authorization\":\"***\"},"
        "\"request\":"));
    ck_assert_ptr_null(strstr(out, "s3cret"));
}
END_TEST

START_TEST(error_field)
{
    ab_record_t rec;

    memset(&rec, 0, sizeof(rec));
    rec.request.state = "error";
    rec.request.error = "too-large";
    rec.request.total = 4;
    ck_assert_ptr_nonnull(strstr(fmt(&rec),
        "\"request\":{\"headers\":{},\"headers_omitted\":0,"
        "\"headers_b64\":null,\"content_type\":null,"
        "\"content_encoding\":null,"
        "\"encoded_bytes\":null,\"decoded\":null,"
        "\"state\":\"error\",\"skip_reason\":null,"
        "\"error\":\"too-large\",\"captured_bytes\":0,\"total_bytes\":4,"));
}
END_TEST

START_TEST(ttfb_and_total)
{
    ab_record_t rec;
    const char *line;

    full_record(&rec);
    rec.ttfb_us = 0;
    rec.request.total = -1;
    rec.response.total = APR_INT64_C(5000000000);
    rec.response.truncated = 1;
    rec.bytes_sent = APR_INT64_C(5000000123);
    rec.aborted = 1;
    line = fmt(&rec);
    HAS(line, "\"ttfb_us\":0,");
    HAS(line, "\"captured_bytes\":13,\"total_bytes\":null,"
              "\"truncated\":false,");
    HAS(line, "\"captured_bytes\":8,\"total_bytes\":5000000000,"
              "\"truncated\":true,");
    HAS(line, "\"bytes_sent\":5000000123,\"aborted\":true,");

    rec.ttfb_us = -1;
    HAS(fmt(&rec), "\"ttfb_us\":null,");
    rec.ttfb_us = APR_INT64_C(123456789012);
    HAS(fmt(&rec), "\"ttfb_us\":123456789012,");
}
END_TEST

START_TEST(repeated_headers)
{
    ab_record_t rec;
    apr_table_t *out = apr_table_make(pool, 8);
    const char *line;

    full_record(&rec);
    apr_table_add(out, "Set-Cookie", "a=1");
    apr_table_add(out, "X-A", "1");
    apr_table_add(out, "set-cookie", "b=2");
    apr_table_add(out, "Vary", "Accept");
    apr_table_add(out, "SET-COOKIE", "c=3; Path=/");
    apr_table_add(out, "x-a", "2");
    rec.response.headers = out;

    rec.mask = NULL;
    line = fmt(&rec);
    HAS(line, "\"response\":{\"headers\":{"
              "\"Set-Cookie\":[\"a=1\",\"b=2\",\"c=3; Path=/\"],"
              "\"X-A\":[\"1\",\"2\"],\"Vary\":\"Accept\"},");
    LACKS(line, "\"set-cookie\"");
    LACKS(line, "\"x-a\"");

    rec.mask = mask_of("SET-cookie", NULL);
    line = fmt(&rec);
    HAS(line, "\"response\":{\"headers\":{"
              "\"Set-Cookie\":[\"***\",\"***\",\"***\"],"
              "\"X-A\":[\"1\",\"2\"],\"Vary\":\"Accept\"},");
    LACKS(line, "a=1");
    LACKS(line, "b=2");
    LACKS(line, "c=3");
    /* the request's Authorization is not masked by this list */
    HAS(line, "\"Authorization\":\"Basic Zm9vOmJhcg==\"");
}
END_TEST

START_TEST(masked_authorization)
{
    ab_record_t rec;
    apr_table_t *in = apr_table_make(pool, 4);
    const char *line;
    apr_array_header_t *m = mask_of("AUTHORIZATION", "Proxy-Authorization");

    full_record(&rec);
    apr_table_add(in, "authorization", "Bearer s3cr3t");
    apr_table_add(in, "Proxy-authorization", "Basic cHJveHk=");
    apr_table_add(in, "X-Authorization-Hint", "visible");
    rec.request.headers = in;
    rec.mask = m;
    line = fmt(&rec);
    HAS(line, "\"request\":{\"headers\":{\"authorization\":\"***\","
              "\"Proxy-authorization\":\"***\","
              "\"X-Authorization-Hint\":\"visible\"},");
    LACKS(line, "s3cr3t");
    LACKS(line, "cHJveHk=");

    ck_assert_int_eq(ab_header_masked(m, "Authorization"), 1);
    ck_assert_int_eq(ab_header_masked(m, "authorization"), 1);
    ck_assert_int_eq(ab_header_masked(m, "PROXY-AUTHORIZATION"), 1);
    ck_assert_int_eq(ab_header_masked(m, "Authorizatio"), 0);
    ck_assert_int_eq(ab_header_masked(m, "Authorization2"), 0);
    ck_assert_int_eq(ab_header_masked(m, ""), 0);
    ck_assert_int_eq(ab_header_masked(m, NULL), 0);
    ck_assert_int_eq(ab_header_masked(NULL, "Authorization"), 0);
    ck_assert_int_eq(ab_header_masked(mask_of(NULL, NULL), "a"), 0);
}
END_TEST

START_TEST(body_cut_truncated)
{
    ab_record_t rec;
    const char *line;

    full_record(&rec);
    /* "ab" then the first 3 bytes of U+1F600 */
    rec.response.body = "ab\xf0\x9f\x98";
    rec.response.captured = 5;
    rec.response.total = 100;
    rec.response.truncated = 1;
    rec.response.state = "truncated";
    line = fmt(&rec);
    HAS(line, "\"state\":\"truncated\",\"skip_reason\":null,\"error\":null,"
              "\"captured_bytes\":2,\"total_bytes\":100,\"truncated\":true,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,"
              "\"body_encoding\":\"text\",\"body\":\"ab\"}}\n");

    /* the whole character fits: all of it is kept */
    rec.response.body = "ab\xf0\x9f\x98\x80";
    rec.response.captured = 6;
    line = fmt(&rec);
    HAS(line, "\"captured_bytes\":6,\"total_bytes\":100,\"truncated\":true,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,"
              "\"body_encoding\":\"text\",\"body\":\"ab\xf0\x9f\x98\x80\"}");
}
END_TEST

START_TEST(body_cut_not_truncated)
{
    ab_record_t rec;
    const char *line;

    full_record(&rec);
    rec.response.body = "ab\xf0\x9f\x98";
    rec.response.captured = 5;
    rec.response.total = 5;
    rec.response.truncated = 0;
    rec.response.state = "incomplete";
    line = fmt(&rec);
    HAS(line, "\"state\":\"incomplete\",\"skip_reason\":null,\"error\":null,"
              "\"captured_bytes\":5,\"total_bytes\":5,\"truncated\":false,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,"
              "\"body_encoding\":\"base64\",\"body\":\"YWLwn5g=\"}}\n");

    rec.response.total = -1;
    HAS(fmt(&rec), "\"captured_bytes\":5,\"total_bytes\":null,"
                   "\"truncated\":false,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,\"body_encoding\":\"base64\"");
}
END_TEST

START_TEST(body_binary)
{
    ab_record_t rec;
    const char *line;

    full_record(&rec);
    rec.request.body = "a\0b";
    rec.request.captured = 3;
    rec.request.total = 3;
    rec.response.body = "\xff\xfe";
    rec.response.captured = 2;
    rec.response.total = 2;
    line = fmt(&rec);
    HAS(line, "\"captured_bytes\":3,\"total_bytes\":3,\"truncated\":false,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,"
              "\"body_encoding\":\"base64\",\"body\":\"YQBi\"},"
              "\"response\":");
    HAS(line, "\"captured_bytes\":2,\"total_bytes\":2,\"truncated\":false,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,"
              "\"body_encoding\":\"base64\",\"body\":\"//4=\"}}\n");

    /* NUL and invalid bytes are never cut away, even when truncated */
    rec.response.body = "abc\0";
    rec.response.captured = 4;
    rec.response.total = 10;
    rec.response.truncated = 1;
    HAS(fmt(&rec), "\"captured_bytes\":4,\"total_bytes\":10,"
                   "\"truncated\":true,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,\"body_encoding\":\"base64\","
                   "\"body\":\"YWJjAA==\"}}\n");
}
END_TEST

START_TEST(body_text_escaped)
{
    ab_record_t rec;
    const char *body = "l1\nl2\r\n\tt\x01\x1f\x7f\"q\"\\ \xe2\x80\xa8"
                       "\xe2\x80\xa9 \xf0\x9f\x98\x80";
    const char *line;

    full_record(&rec);
    rec.request.body = body;
    rec.request.captured = strlen(body);
    rec.request.total = (apr_off_t)strlen(body);
    line = fmt(&rec);
    HAS(line, "\"body_encoding\":\"text\",\"body\":\"l1\\nl2\\r\\n\\tt"
              "\\u0001\\u001f\\u007f\\\"q\\\"\\\\ \\u2028\\u2029 "
              "\xf0\x9f\x98\x80\"},\"response\":");
    HAS(line, "\"captured_bytes\":28,\"total_bytes\":28,");
    ck_assert_uint_eq(strlen(body), 28);
}
END_TEST

START_TEST(body_empty_and_flags)
{
    ab_record_t rec;

    full_record(&rec);
    rec.response.body = "";
    rec.response.captured = 0;
    rec.response.total = 0;
    HAS(fmt(&rec), "\"captured_bytes\":0,\"total_bytes\":0,"
                   "\"truncated\":false,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,\"body_encoding\":\"text\","
                   "\"body\":\"\"}}\n");
    /* truncated without a cut character keeps every byte */
    rec.response.body = "abcd";
    rec.response.captured = 4;
    rec.response.total = 10;
    rec.response.truncated = 1;
    HAS(fmt(&rec), "\"captured_bytes\":4,\"total_bytes\":10,"
                   "\"truncated\":true,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,\"body_encoding\":\"text\","
                   "\"body\":\"abcd\"}}\n");
    /* body NULL: captured is reported as 0 whatever the caller said */
    rec.response.body = NULL;
    rec.response.captured = 4;
    rec.response.state = "skipped";
    rec.response.skip_reason = "octet-stream";
    HAS(fmt(&rec), "\"state\":\"skipped\",\"skip_reason\":\"octet-stream\","
                   "\"error\":null,"
                   "\"captured_bytes\":0,\"total_bytes\":10,"
                   "\"truncated\":true,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,\"body_encoding\":null,"
                   "\"body\":null}}\n");
}
END_TEST

START_TEST(invalid_utf8_metadata)
{
    ab_record_t rec;
    apr_table_t *in = apr_table_make(pool, 2);
    const char *line;

    full_record(&rec);
    rec.uri = "/a\xff?q=\"x\"";
    rec.user = "\x80";
    rec.id = "tab\there";
    apr_table_add(in, "X-\xc0", "\xed\xa0\x80" "ok\n");
    rec.request.headers = in;
    rec.request.content_type = "text/plain; charset=\"\xfe\"";
    line = fmt(&rec);
    HAS(line, "\"uri\":\"/a\xef\xbf\xbd?q=\\\"x\\\"\",");
    HAS(line, "\"user\":\"\xef\xbf\xbd\",");
    HAS(line, "\"id\":\"tab\\there\",");
    HAS(line, "\"headers\":{\"X-\xef\xbf\xbd\":\"\xef\xbf\xbd\xef\xbf\xbd"
              "\xef\xbf\xbdok\\n\"},");
    HAS(line, "\"content_type\":\"text/plain; charset=\\\"\xef\xbf\xbd"
              "\\\"\",");

    /* names that differ only in invalid bytes are one JSON key */
    in = apr_table_make(pool, 2);
    apr_table_add(in, "X-\x80", "1");
    apr_table_add(in, "x-\xfe", "2");
    apr_table_add(in, "X-\xc3\xa9", "3");
    rec.request.headers = in;
    HAS(fmt(&rec), "\"headers\":{\"X-\xef\xbf\xbd\":[\"1\",\"2\"],"
                   "\"X-\xc3\xa9\":\"3\"},");
}
END_TEST

START_TEST(time_format)
{
    static const struct {
        apr_time_t t;
        const char *want;
    } cases[] = {
        { APR_INT64_C(0), "1970-01-01T00:00:00.000000Z" },
        { APR_INT64_C(1795282336000001), "2026-11-21T17:32:16.000001Z" },
        { APR_INT64_C(946684799999999), "1999-12-31T23:59:59.999999Z" },
        { APR_INT64_C(951782400500000), "2000-02-29T00:00:00.500000Z" },
    };
    ab_record_t rec;
    char want[64];
    apr_size_t i;

    memset(&rec, 0, sizeof(rec));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rec.time = cases[i].t;
        apr_snprintf(want, sizeof(want), "{\"time\":\"%s\",\"id\":",
                     cases[i].want);
        ck_assert(strncmp(fmt(&rec), want, strlen(want)) == 0);
    }
}
END_TEST

/* The time stamp is computed without gmtime_r(): compare it with
 * apr_time_exp_gmt() over leap days, century years and random times. */
START_TEST(time_format_sweep)
{
    static const apr_time_t fixed[] = {
        APR_INT64_C(1709164800000000),            /* 2024-02-29 */
        APR_INT64_C(4107542400000000),            /* 2100-03-01 */
        APR_INT64_C(4107456000000000),            /* 2100-02-28 */
        APR_INT64_C(13574563200000000),           /* 2400-02-29 */
        APR_INT64_C(253402300799999999),          /* 9999-12-31 end */
        APR_INT64_C(253402300800000000),          /* 10000: fallback */
    };
    ab_record_t rec;
    apr_time_exp_t tm;
    char want[96];
    apr_uint32_t x = 5;
    int i;

    memset(&rec, 0, sizeof(rec));
    for (i = 0; i < unit_rounds(2000) + (int)(sizeof(fixed) / sizeof(fixed[0])); i++) {
        if (i < (int)(sizeof(fixed) / sizeof(fixed[0]))) {
            rec.time = fixed[i];
        }
        else {
            x = x * 1664525u + 1013904223u;
            rec.time = (apr_time_t)x * APR_INT64_C(1000003)
                       + (apr_time_t)(x >> 7) * APR_INT64_C(1000000000);
        }
        memset(&tm, 0, sizeof(tm));
        apr_time_exp_gmt(&tm, rec.time);
        apr_snprintf(want, sizeof(want), "{\"time\":\"%04d-%02d-%02dT"
                     "%02d:%02d:%02d.%06dZ\",\"id\":", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, tm.tm_usec);
        ck_assert_msg(strncmp(fmt(&rec), want, strlen(want)) == 0,
                      "time %" APR_INT64_T_FMT ": want %s", rec.time, want);
    }
    /* before 1970 (apr_time_exp_gmt() gets the microseconds wrong) */
    rec.time = -1;
    HAS(fmt(&rec), "\"1969-12-31T23:59:59.999999Z\"");
    rec.time = APR_INT64_C(-62167219200000000);
    HAS(fmt(&rec), "\"0000-01-01T00:00:00.000000Z\"");
}
END_TEST

/* Bodies and headers that escaping grows far past the size estimate are
 * formatted a second time, exactly. */
START_TEST(escape_outgrows_estimate)
{
    ab_record_t rec;
    apr_table_t *h = apr_table_make(pool, 2);
    char *ctl = apr_palloc(pool, 4001), *quotes = apr_palloc(pool, 301);
    char *want;
    const char *line;
    apr_size_t i;

    memset(ctl, 0x01, 4000);
    ctl[4000] = '\0';
    memset(quotes, '"', 300);
    quotes[300] = '\0';
    full_record(&rec);
    apr_table_add(h, "X-Q", quotes);
    rec.request.headers = h;
    rec.request.body = ctl;
    rec.request.captured = 4000;
    rec.request.total = 4000;
    line = fmt(&rec);
    want = apr_palloc(pool, 6 * 4000 + 1);
    for (i = 0; i < 4000; i++) {
        memcpy(want + 6 * i, "\\u0001", 6);
    }
    want[6 * 4000] = '\0';
    HAS(line, apr_pstrcat(pool, "\"body\":\"", want, "\"},", NULL));
    want = apr_palloc(pool, 2 * 300 + 1);
    for (i = 0; i < 300; i++) {
        memcpy(want + 2 * i, "\\\"", 2);
    }
    want[600] = '\0';
    HAS(line, apr_pstrcat(pool, "{\"X-Q\":\"", want, "\"}", NULL));
    ck_assert_uint_gt(strlen(line), 6 * 4000 + 600);
}
END_TEST

/* A body that looks like text until its last byte: the record is laid
 * out for text and falls back to base64 when the scan reaches that byte.
 * Small, the base64 fits the estimate and what was written as text is
 * overwritten in place; large (4/3 of the body outgrows the estimate),
 * the record is formatted again at its exact size, with the same
 * decision. */
START_TEST(base64_fallback)
{
    static const apr_size_t sizes[] = { 40, 30000 };
    apr_size_t k;

    for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        ab_record_t rec;
        apr_size_t n = sizes[k], got;
        char *body = apr_palloc(pool, n), *enc, *want, *num;
        const char *line;

        memset(body, 'a', n);
        body[n - 1] = (char)0xff;
        full_record(&rec);
        rec.response.body = body;
        rec.response.captured = n;
        rec.response.total = (apr_off_t)n;
        line = fmt(&rec);
        enc = apr_palloc(pool, (apr_size_t)apr_base64_encode_len((int)n));
        got = (apr_size_t)apr_base64_encode_binary(
            enc, (const unsigned char *)body, (int)n);
        ck_assert_uint_gt(got, 1);
        num = apr_psprintf(pool, "%" APR_SIZE_T_FMT, n);
        want = apr_pstrcat(pool, "\"captured_bytes\":", num,
                           ",\"total_bytes\":", num, ",\"truncated\":false,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,"
                           "\"body_encoding\":\"base64\",\"body\":\"", enc,
                           "\"}}\n", NULL);
        ck_assert_uint_ge(strlen(line), strlen(want));
        ck_assert_str_eq(line + strlen(line) - strlen(want), want);
        /* nothing written of the direction as text is left behind: the
         * response follows its key once, and only the request body is
         * text */
        HAS(line, apr_pstrcat(pool, "\"response\":{\"headers\":{"
                              "\"Content-Type\":\"application/json\","
                              "\"Set-Cookie\":[\"***\",\"***\"]},"
                              "\"headers_omitted\":0,\"headers_b64\":null,"
                              "\"content_type\":\"application/json\","
                              "\"content_encoding\":\"identity\","
                              "\"encoded_bytes\":null,\"decoded\":null,"
                              "\"state\":\"complete\",\"skip_reason\":null,"
                              "\"error\":null,\"captured_bytes\":", num, ",", NULL));
        LACKS(strstr(line, "\"response\":{\"headers\":") + 13,
              "\"headers\":{\"Content-Type\":\"application/json\",\"Set");
        LACKS(strstr(line, "\"body_encoding\":\"text\"") + 1,
              "\"body_encoding\":\"text\"");
    }
}
END_TEST

/* More mask names than fit on the stack, names of equal length that
 * differ, and names equal ignoring case. */
START_TEST(mask_many_names)
{
    ab_record_t rec;
    apr_table_t *in = apr_table_make(pool, 4);
    apr_array_header_t *m = apr_array_make(pool, 40, sizeof(const char *));
    const char *line;
    int i;

    for (i = 0; i < 39; i++) {
        APR_ARRAY_PUSH(m, const char *) = apr_psprintf(pool, "X-Key-%02d", i);
    }
    APR_ARRAY_PUSH(m, const char *) = "x-secret";
    full_record(&rec);
    apr_table_add(in, "X-Key-38", "hidden1");
    apr_table_add(in, "X-Key-39", "shown1");
    apr_table_add(in, "X-SECRET", "hidden2");
    apr_table_add(in, "X-Secreu", "shown2");
    apr_table_add(in, "x-key-00", "hidden3");
    apr_table_add(in, "X-Key-3", "shown3");     /* a prefix of mask names */
    rec.request.headers = in;
    rec.mask = m;
    line = fmt(&rec);
    HAS(line, "{\"X-Key-38\":\"***\",\"X-Key-39\":\"shown1\","
              "\"X-SECRET\":\"***\",\"X-Secreu\":\"shown2\","
              "\"x-key-00\":\"***\",\"X-Key-3\":\"shown3\"}");
    LACKS(line, "hidden");
}
END_TEST

START_TEST(large_bodies)
{
    ab_record_t rec;
    apr_size_t n = (apr_size_t)unit_rounds(16) * 65536 + 1, i;
    char *bin = apr_palloc(pool, n);
    char *txt = apr_palloc(pool, n);
    unsigned char *dec;
    const char *line, *b64, *end;
    apr_uint32_t x = 1;

    for (i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        bin[i] = (char)(x >> 24);
        txt[i] = "abc \"\\\n"[(x >> 24) % 7];
    }
    bin[0] = '\0';
    full_record(&rec);
    rec.request.body = txt;
    rec.request.captured = n;
    rec.request.total = (apr_off_t)n;
    rec.response.body = bin;
    rec.response.captured = n;
    rec.response.total = (apr_off_t)n * 2;
    rec.response.truncated = 1;
    line = fmt(&rec);
    HAS(line, apr_psprintf(pool, "\"captured_bytes\":%lu,\"total_bytes\":%lu,"
                           "\"truncated\":false,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,\"body_encoding\":\"text\"",
                           (unsigned long)n, (unsigned long)n));
    HAS(line, apr_psprintf(pool, "\"captured_bytes\":%lu,\"total_bytes\":%lu,"
                           "\"truncated\":true,\"redaction\":null,\"redacted\":0,\"redacted_fields\":[],\"redacted_fields_omitted\":0,\"body_encoding\":\"base64\"",
                           (unsigned long)n, (unsigned long)n * 2));
    b64 = strstr(line, "\"body_encoding\":\"base64\",\"body\":\"");
    ck_assert_ptr_nonnull(b64);
    b64 += strlen("\"body_encoding\":\"base64\",\"body\":\"");
    end = strchr(b64, '"');
    ck_assert_ptr_nonnull(end);
    ck_assert_uint_eq((apr_size_t)(end - b64), (n + 2) / 3 * 4);
    ck_assert_str_eq(end, "\"}}\n");
    b64 = apr_pstrmemdup(pool, b64, (apr_size_t)(end - b64));
    dec = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(b64));
    ck_assert_int_eq(apr_base64_decode_binary(dec, b64), (int)n);
    ck_assert(memcmp(dec, bin, n) == 0);
}
END_TEST

/* Random bytes in every string, header and body: the line is always
 * one valid UTF-8 JSON object, and bodies keep their sizes. */
static char *rnd_str(apr_uint32_t *x, apr_size_t max, apr_size_t *n)
{
    apr_size_t i, len;
    char *s;

    *x = *x * 1664525u + 1013904223u;
    len = (*x >> 8) % (max + 1);
    s = apr_palloc(pool, len + 1);
    for (i = 0; i < len; i++) {
        *x = *x * 1664525u + 1013904223u;
        /* mostly ASCII, some controls, UTF-8 lead and tail bytes */
        switch ((*x >> 28) & 3) {
        case 0: s[i] = (char)(0x80 + ((*x >> 8) & 0x7f)); break;
        case 1: s[i] = (char)((*x >> 8) & 0x1f); break;
        default: s[i] = (char)(0x20 + ((*x >> 8) % 0x60)); break;
        }
    }
    s[len] = '\0';
    if (n) {
        *n = len;
    }
    return s;
}

START_TEST(random_records)
{
    ab_record_t rec;
    apr_uint32_t x = 2024;
    apr_size_t len;
    int round, i;

    for (round = 0; round < unit_rounds(300); round++) {
        apr_table_t *h = apr_table_make(pool, 4);

        memset(&rec, 0, sizeof(rec));
        rec.time = (apr_time_t)x * 1000;
        rec.id = rnd_str(&x, 10, NULL);
        rec.uri = rnd_str(&x, 40, NULL);
        rec.user = rnd_str(&x, 5, NULL);
        rec.ttfb_us = (x & 1) ? -1 : (apr_int64_t)x;
        for (i = 0; i < 6; i++) {
            /* short names so that some of them repeat */
            const char *name = rnd_str(&x, 2, NULL);

            apr_table_add(h, *name ? name : "a", rnd_str(&x, 12, NULL));
        }
        rec.request.headers = h;
        rec.response.headers = h;
        rec.mask = mask_of("a", NULL);
        rec.request.body = rnd_str(&x, 64, &rec.request.captured);
        rec.request.total = (apr_off_t)rec.request.captured;
        rec.request.truncated = (int)(x & 1);
        rec.request.state = "complete";
        rec.response.body = (x & 2) ? rnd_str(&x, 8, &len) : NULL;
        rec.response.captured = rec.response.body ? len : 0;
        rec.response.total = -1;
        rec.response.state = "aborted";
        HAS(fmt(&rec), "\"state\":\"aborted\"");
    }
}
END_TEST

Suite *ab_record_suite(void)
{
    Suite *s = suite_create("ab_record");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, golden_record);
    tcase_add_test(tc, null_fields);
    tcase_add_test(tc, decoded_fields);
    tcase_add_test(tc, ttfb_and_total);
    tcase_add_test(tc, error_field);
    tcase_add_test(tc, redaction_fields);
    tcase_add_test(tc, trace_and_correlation);
    tcase_add_test(tc, repeated_headers);
    tcase_add_test(tc, masked_authorization);
    tcase_add_test(tc, body_cut_truncated);
    tcase_add_test(tc, body_cut_not_truncated);
    tcase_add_test(tc, body_binary);
    tcase_add_test(tc, body_text_escaped);
    tcase_add_test(tc, body_empty_and_flags);
    tcase_add_test(tc, invalid_utf8_metadata);
    tcase_add_test(tc, time_format);
    tcase_add_test(tc, time_format_sweep);
    tcase_add_test(tc, escape_outgrows_estimate);
    tcase_add_test(tc, large_bodies);
    tcase_add_test(tc, base64_fallback);
    tcase_add_test(tc, mask_many_names);
    tcase_add_test(tc, random_records);
    suite_add_tcase(s, tc);
    return s;
}
