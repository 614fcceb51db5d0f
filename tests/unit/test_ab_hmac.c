/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for ab_hmac: the FIPS 180-4 SHA-256 examples and the RFC 4231
 * HMAC-SHA256 test vectors. */
#include <stdio.h>
#include <string.h>

#include "test_common.h"
#include "ab_hmac.h"

static const char *hex(const unsigned char *d, int n)
{
    static char buf[2 * AB_SHA256_LEN + 1];
    int i;

    for (i = 0; i < n; i++) {
        sprintf(buf + 2 * i, "%02x", d[i]);
    }
    buf[2 * n] = '\0';
    return buf;
}

static void unhex(const char *h, unsigned char *d, apr_size_t *n)
{
    *n = 0;
    while (h[0] && h[1]) {
        unsigned v;
        sscanf(h, "%2x", &v);
        d[(*n)++] = (unsigned char)v;
        h += 2;
    }
}

START_TEST(sha256_fips)
{
    unsigned char md[AB_SHA256_LEN];
    ab_sha256_t c;
    int i;
    const char *two =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

    ab_sha256("abc", 3, md);
    ck_assert_str_eq(hex(md, 32), "ba7816bf8f01cfea414140de5dae2223"
                                  "b00361a396177a9cb410ff61f20015ad");
    ab_sha256("", 0, md);
    ck_assert_str_eq(hex(md, 32), "e3b0c44298fc1c149afbf4c8996fb924"
                                  "27ae41e4649b934ca495991b7852b855");
    ab_sha256(two, strlen(two), md);
    ck_assert_str_eq(hex(md, 32), "248d6a61d20638b8e5c026930c3e6039"
                                  "a33ce45964ff2167f6ecedd419db06c1");
    /* One million 'a', fed in odd-sized pieces (buffer edge cases). */
    ab_sha256_init(&c);
    for (i = 0; i < 1000000; ) {
        static const char a[997] = { [0 ... 996] = 'a' };
        int n = 1000000 - i < 997 ? 1000000 - i : 1 + i % 997;
        ab_sha256_update(&c, a, (apr_size_t)n);
        i += n;
    }
    ab_sha256_final(&c, md);
    ck_assert_str_eq(hex(md, 32), "cdc76e5c9914fb9281a1c7e284d73e67"
                                  "f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(hmac_rfc4231)
{
    static const struct {
        const char *key, *data, *mac;
        int trunc;
    } v[] = {
        /* 1 */ { "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
                  "4869205468657265",
                  "b0344c61d8db38535ca8afceaf0bf12b"
                  "881dc200c9833da726e9376c2e32cff7", 32 },
        /* 2 */ { "4a656665",
                  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
                  "5bdcc146bf60754e6a042426089575c7"
                  "5a003f089d2739839dec58b964ec3843", 32 },
        /* 3 */ { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
                  "dddddddddddddddddddddddddddddddddddddddddddd",
                  "773ea91e36800e46854db8ebd09181a7"
                  "2959098b3ef8c122d9635514ced565fe", 32 },
        /* 4 */ { "0102030405060708090a0b0c0d0e0f10111213141516171819",
                  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
                  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
                  "82558a389a443c0ea4cc819899f2083a"
                  "85f0faa3e578f8077a2e3ff46729665b", 32 },
        /* 5: truncated to 128 bits */
                { "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
                  "546573742057697468205472756e636174696f6e",
                  "a3b6167473100ee06e0c796c2955552b", 16 },
        /* 6: key longer than a block */
                { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                  "aaaaaaaaaaaaaaaaaaaaaa",
                  "54657374205573696e67204c6172676572205468616e20426c6f636b2d"
                  "53697a65204b6579202d2048617368204b6579204669727374",
                  "60e431591ee0b67f0d8a26aacbf5b77f"
                  "8e0bc6213728c5140546040f0ee37f54", 32 },
    };
    unsigned i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        unsigned char key[200], data[200], md[AB_SHA256_LEN];
        apr_size_t kl, dl;
        ab_hmac_sha256_t h;

        unhex(v[i].key, key, &kl);
        unhex(v[i].data, data, &dl);
        ab_hmac_sha256(key, kl, data, dl, md);
        ck_assert_msg(!strcmp(hex(md, v[i].trunc), v[i].mac),
                      "RFC 4231 case %u: %s", i + 1, hex(md, v[i].trunc));
        /* incremental, byte by byte */
        ab_hmac_sha256_init(&h, key, kl);
        {
            apr_size_t k;
            for (k = 0; k < dl; k++) {
                ab_hmac_sha256_update(&h, data + k, 1);
            }
        }
        ab_hmac_sha256_final(&h, md);
        ck_assert_str_eq(hex(md, v[i].trunc), v[i].mac);
    }
}
END_TEST

Suite *ab_hmac_suite(void)
{
    Suite *s = suite_create("ab_hmac");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, sha256_fips);
    tcase_add_test(tc, hmac_rfc4231);
    suite_add_tcase(s, tc);
    return s;
}
