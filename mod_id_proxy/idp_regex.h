/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_regex: IdProxyIdPattern compiled once more, by PCRE2's JIT (pure:
 * PCRE2 and APR only).
 *
 * httpd's ap_regexec() interprets the pattern: about 1,100 instructions
 * for a short id, a quarter of what the module costs per request. The same
 * pattern compiled with the same options as ap_regcomp() and run by the
 * JIT answers the same, in a few hundred. It is an accelerator only: the
 * caller keeps its ap_regex_t, and uses it whenever this one is missing
 * (no JIT on the platform, or executable memory refused) or gives no
 * answer (idp_regex_match() returns -1: e.g. the JIT's stack ran out),
 * so the answer is always ap_regexec()'s.
 *
 * The JIT may read a few bytes past a subject's end (aligned, never
 * across a page; the result does not depend on them). Valgrind reports
 * that as a use of uninitialised memory when those bytes were never
 * written: the unit tests zero their buffers.
 */
#ifndef IDP_REGEX_H
#define IDP_REGEX_H

#include <apr_pools.h>

typedef struct idp_regex_t idp_regex_t;

/* Options as ap_regcomp() maps them (ap_regex.h's AP_REG_* values). */
#define IDP_REGEX_ICASE          0x01
#define IDP_REGEX_NEWLINE        0x02
#define IDP_REGEX_DOTALL         0x40
#define IDP_REGEX_DOLLAR_ENDONLY 0x200

/* pattern compiled and JIT-compiled with the options ap_regcomp() would
 * use for cflags (AP_REG_* bits, the defaults already added), freed with
 * p; NULL when PCRE2 or its JIT is not available or refuses it. */
idp_regex_t *idp_regex_compile(apr_pool_t *p, const char *pattern,
                               int cflags);

/* 1 if s[0..len) matches, 0 if not, -1 if the JIT gave no answer. The
 * match's data (a few dozen bytes) is allocated from p. */
int idp_regex_match(const idp_regex_t *re, const char *s, apr_size_t len,
                    apr_pool_t *p);

/* The answer ap_regexec() gives, through its caller: non-zero for a
 * match. */
typedef int (*idp_regex_fallback_fn)(void *baton, const char *s);

/* 1 if s (NUL-terminated at len) matches, else 0: re's answer when re is
 * not NULL and gives one, else fallback's (the caller's ap_regexec()), so
 * the JIT can only ever be faster, never answer differently. */
int idp_regex_match_or(const idp_regex_t *re, const char *s, apr_size_t len,
                       apr_pool_t *p, idp_regex_fallback_fn fallback,
                       void *baton);

/* Whether this build has PCRE2 (so idp_regex_compile() can succeed). */
int idp_regex_available(void);

#endif /* IDP_REGEX_H */
