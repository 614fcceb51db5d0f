/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * ab_hmac: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), pure C.
 *
 * APR has no SHA-256, and the redaction tokens ("hmac-sha256:<16 hex>")
 * must not pull OpenSSL into the pure library. Owns no memory; never
 * logs, never allocates. Checked against the FIPS 180-4 examples and the
 * RFC 4231 test vectors in tests/unit/test_ab_hmac.c.
 */
#ifndef AB_HMAC_H
#define AB_HMAC_H

#include <apr.h>

#define AB_SHA256_LEN   32
#define AB_SHA256_BLOCK 64

typedef struct {
    apr_uint32_t h[8];
    apr_uint64_t bytes;             /* message length so far */
    unsigned char buf[AB_SHA256_BLOCK];
    apr_size_t used;                /* bytes waiting in buf */
} ab_sha256_t;

void ab_sha256_init(ab_sha256_t *c);
void ab_sha256_update(ab_sha256_t *c, const void *data, apr_size_t len);
void ab_sha256_final(ab_sha256_t *c, unsigned char out[AB_SHA256_LEN]);

/** One-shot SHA-256. */
void ab_sha256(const void *data, apr_size_t len,
               unsigned char out[AB_SHA256_LEN]);

/** Incremental HMAC-SHA256: init with the key, update with the message,
 *  final gives the 32-byte tag. */
typedef struct {
    ab_sha256_t inner;
    unsigned char okey[AB_SHA256_BLOCK];
} ab_hmac_sha256_t;

void ab_hmac_sha256_init(ab_hmac_sha256_t *h, const void *key,
                         apr_size_t key_len);
void ab_hmac_sha256_update(ab_hmac_sha256_t *h, const void *data,
                           apr_size_t len);
void ab_hmac_sha256_final(ab_hmac_sha256_t *h,
                          unsigned char out[AB_SHA256_LEN]);

/** One-shot HMAC-SHA256. */
void ab_hmac_sha256(const void *key, apr_size_t key_len, const void *data,
                    apr_size_t len, unsigned char out[AB_SHA256_LEN]);

#endif /* AB_HMAC_H */
