/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * cm_swar: word-at-a-time byte tests on 64-bit words, shared by the record
 * formatter (cm_json.c) and the redactors (ab_redact_*.c). The classic
 * "has a zero byte" / "has a byte below n" tests: CM_HAS_ZERO is exact
 * (a borrow only runs up from a real zero byte, which is flagged too), so
 * its flags may be counted or located; the others are exact for words of
 * bytes below 0x80 and callers re-check byte by byte where it matters.
 */
#ifndef CM_SWAR_H
#define CM_SWAR_H

#include <string.h>

#include <apr.h>

#define CM_ONES  APR_UINT64_C(0x0101010101010101)
#define CM_HIGHS APR_UINT64_C(0x8080808080808080)
#define CM_HAS_ZERO(v) (((v) - CM_ONES) & ~(v) & CM_HIGHS)
#define CM_HAS_LESS(v, n) (((v) - CM_ONES * (n)) & ~(v) & CM_HIGHS)
#define CM_HAS_BYTE(v, c) CM_HAS_ZERO((v) ^ (CM_ONES * (c)))

/** Eight bytes at s, in memory order, from any alignment. */
static APR_INLINE apr_uint64_t cm_load64(const void *s)
{
    apr_uint64_t v;

    memcpy(&v, s, sizeof(v));
    return v;
}

/** Four bytes at s, from any alignment. */
static APR_INLINE apr_uint32_t cm_load32(const void *s)
{
    apr_uint32_t v;

    memcpy(&v, s, sizeof(v));
    return v;
}

#endif /* CM_SWAR_H */
