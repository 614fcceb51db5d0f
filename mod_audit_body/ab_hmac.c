/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_hmac: SHA-256 and HMAC-SHA256, written from FIPS 180-4 section 6.2
 * and RFC 2104. Portable (big-endian loads by shifts, no alignment
 * assumptions); speed matters little, tokens are computed only for
 * redacted values.
 */
#include <string.h>

#include "ab_hmac.h"

static const apr_uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(apr_uint32_t h[8], const unsigned char *p)
{
    apr_uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
    int i;

    for (i = 0; i < 16; i++) {
        w[i] = ((apr_uint32_t)p[4 * i] << 24) | ((apr_uint32_t)p[4 * i + 1] << 16)
             | ((apr_uint32_t)p[4 * i + 2] << 8) | (apr_uint32_t)p[4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
        apr_uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18)
                        ^ (w[i - 15] >> 3);
        apr_uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19)
                        ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0]; b = h[1]; c = h[2]; d = h[3];
    e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (i = 0; i < 64; i++) {
        t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g))
           + K[i] + w[i];
        t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22))
           + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void ab_sha256_init(ab_sha256_t *c)
{
    static const apr_uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    };
    memcpy(c->h, iv, sizeof(iv));
    c->bytes = 0;
    c->used = 0;
}

void ab_sha256_update(ab_sha256_t *c, const void *data, apr_size_t len)
{
    const unsigned char *p = data;

    c->bytes += len;
    if (c->used) {
        apr_size_t n = AB_SHA256_BLOCK - c->used;
        if (n > len) {
            n = len;
        }
        memcpy(c->buf + c->used, p, n);
        c->used += n;
        p += n;
        len -= n;
        if (c->used < AB_SHA256_BLOCK) {
            return;
        }
        compress(c->h, c->buf);
        c->used = 0;
    }
    while (len >= AB_SHA256_BLOCK) {
        compress(c->h, p);
        p += AB_SHA256_BLOCK;
        len -= AB_SHA256_BLOCK;
    }
    if (len) {
        memcpy(c->buf, p, len);
        c->used = len;
    }
}

void ab_sha256_final(ab_sha256_t *c, unsigned char out[AB_SHA256_LEN])
{
    apr_uint64_t bits = c->bytes * 8;
    int i;

    c->buf[c->used++] = 0x80;
    if (c->used > AB_SHA256_BLOCK - 8) {
        memset(c->buf + c->used, 0, AB_SHA256_BLOCK - c->used);
        compress(c->h, c->buf);
        c->used = 0;
    }
    memset(c->buf + c->used, 0, AB_SHA256_BLOCK - 8 - c->used);
    for (i = 0; i < 8; i++) {
        c->buf[AB_SHA256_BLOCK - 1 - i] = (unsigned char)(bits >> (8 * i));
    }
    compress(c->h, c->buf);
    for (i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
    memset(c, 0, sizeof(*c));
}

void ab_sha256(const void *data, apr_size_t len,
               unsigned char out[AB_SHA256_LEN])
{
    ab_sha256_t c;

    ab_sha256_init(&c);
    ab_sha256_update(&c, data, len);
    ab_sha256_final(&c, out);
}

void ab_hmac_sha256_init(ab_hmac_sha256_t *h, const void *key,
                         apr_size_t key_len)
{
    unsigned char k[AB_SHA256_BLOCK], ipad[AB_SHA256_BLOCK];
    int i;

    memset(k, 0, sizeof(k));
    if (key_len > AB_SHA256_BLOCK) {
        ab_sha256(key, key_len, k);      /* RFC 2104: hash long keys */
    }
    else if (key_len) {
        memcpy(k, key, key_len);
    }
    for (i = 0; i < AB_SHA256_BLOCK; i++) {
        ipad[i] = k[i] ^ 0x36;
        h->okey[i] = k[i] ^ 0x5c;
    }
    ab_sha256_init(&h->inner);
    ab_sha256_update(&h->inner, ipad, sizeof(ipad));
    memset(k, 0, sizeof(k));
    memset(ipad, 0, sizeof(ipad));
}

void ab_hmac_sha256_update(ab_hmac_sha256_t *h, const void *data,
                           apr_size_t len)
{
    ab_sha256_update(&h->inner, data, len);
}

void ab_hmac_sha256_final(ab_hmac_sha256_t *h,
                          unsigned char out[AB_SHA256_LEN])
{
    unsigned char ih[AB_SHA256_LEN];
    ab_sha256_t outer;

    ab_sha256_final(&h->inner, ih);
    ab_sha256_init(&outer);
    ab_sha256_update(&outer, h->okey, sizeof(h->okey));
    ab_sha256_update(&outer, ih, sizeof(ih));
    ab_sha256_final(&outer, out);
    memset(h, 0, sizeof(*h));
    memset(ih, 0, sizeof(ih));
}

void ab_hmac_sha256(const void *key, apr_size_t key_len, const void *data,
                    apr_size_t len, unsigned char out[AB_SHA256_LEN])
{
    ab_hmac_sha256_t h;

    ab_hmac_sha256_init(&h, key, key_len);
    ab_hmac_sha256_update(&h, data, len);
    ab_hmac_sha256_final(&h, out);
}
