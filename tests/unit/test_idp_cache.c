/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for idp_cache: LRU order, refcounts, eviction only of idle
 * entries the callback accepts, the capacity bound, idle expiry, deferred
 * removal, counters and the negative cache. Times are plain numbers. */
#include <string.h>

#include <apr_strings.h>

#include "test_common.h"
#include "idp_cache.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* A writable copy, for void * batons and data. */
static void *str(const char *s)
{
    return apr_pstrdup(pool, s);
}

/* Insert key (also used as id and data) and release it at once. */
static idp_cache_entry_t *put(idp_cache_t *c, const char *key,
                              apr_time_t now, void **evicted)
{
    idp_cache_entry_t *e = NULL;
    void *ev = NULL;
    int rc = idp_cache_insert(c, key, key, now, NULL, NULL, &e, &ev);

    ck_assert_msg(rc == IDP_CACHE_OK, "insert '%s': %d", key, rc);
    e->data = str(key);
    e->state = IDP_ENTRY_READY;
    ck_assert_ptr_null(idp_cache_release(c, e, now));
    if (evicted) {
        *evicted = ev;
    }
    return e;
}

/* Collect the entries into an array of pointers. */
static int collect_entry(void *baton, const idp_cache_entry_t *e)
{
    APR_ARRAY_PUSH((apr_array_header_t *)baton, const idp_cache_entry_t *)
        = e;
    return 1;
}

/* The keys, most recently used first, joined by ','. */
static int collect(void *baton, const idp_cache_entry_t *e)
{
    char **s = baton;

    *s = apr_pstrcat(pool, *s, **s ? "," : "", e->key, NULL);
    return 1;
}

static const char *order(const idp_cache_t *c)
{
    char *s = apr_pstrdup(pool, "");

    idp_cache_do(c, collect, &s);
    return s;
}

/* Veto: refuse the entry whose key is the baton. */
static int not_this(void *baton, const idp_cache_entry_t *e)
{
    return strcmp(e->key, baton) != 0;
}

static int never(void *baton, const idp_cache_entry_t *e)
{
    (void)baton;
    (void)e;
    return 0;
}

START_TEST(create_bounds)
{
    idp_cache_t *c;

    ck_assert_ptr_null(idp_cache_create(pool, 0));
    ck_assert_ptr_null(idp_cache_create(pool, -1));
    ck_assert_ptr_null(idp_cache_create(pool, IDP_CACHE_CAPACITY_MAX + 1));
    c = idp_cache_create(pool, 3);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(idp_cache_capacity(c), 3);
    ck_assert_int_eq(idp_cache_count(c), 0);
    ck_assert_str_eq(order(c), "");
}
END_TEST

START_TEST(insert_lookup_refs)
{
    idp_cache_t *c = idp_cache_create(pool, 4);
    idp_cache_entry_t *e = NULL, *f;
    void *ev = (void *)1;
    idp_cache_stats_t st;

    ck_assert_int_eq(idp_cache_insert(c, "http://a:80", "a", 100, NULL, NULL,
                                      &e, &ev), IDP_CACHE_OK);
    ck_assert_ptr_null(ev);
    ck_assert_str_eq(e->key, "http://a:80");
    ck_assert_str_eq(e->id, "a");
    ck_assert_int_eq(e->refs, 1);
    ck_assert_int_eq(e->state, IDP_ENTRY_NEW);
    ck_assert_int_eq(e->created, 100);
    ck_assert_int_eq(e->last_used, 100);
    ck_assert_int_eq(e->requests, 1);
    ck_assert_ptr_null(e->data);
    ck_assert_int_eq(idp_cache_insert(c, "http://a:80", "a", 101, NULL, NULL,
                                      &f, &ev), IDP_CACHE_EXISTS);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(idp_cache_count(c), 1);

    f = idp_cache_lookup(c, "http://a:80", 200);
    ck_assert_ptr_eq(f, e);
    ck_assert_int_eq(e->refs, 2);
    ck_assert_int_eq(e->requests, 2);
    ck_assert_int_eq(e->last_used, 200);
    ck_assert_ptr_null(idp_cache_lookup(c, "http://b:80", 200));
    ck_assert_ptr_null(idp_cache_lookup(c, "http://a:8", 200));
    ck_assert_ptr_null(idp_cache_release(c, e, 300));
    ck_assert_int_eq(e->refs, 1);
    ck_assert_int_eq(e->last_used, 300);
    ck_assert_ptr_null(idp_cache_release(c, e, 400));
    ck_assert_int_eq(e->refs, 0);
    ck_assert_ptr_null(idp_cache_release(c, e, 500));
    ck_assert_int_eq(e->refs, 0);
    ck_assert_int_eq(e->created, 100);

    idp_cache_stats(c, &st);
    ck_assert_int_eq(st.hits, 1);
    ck_assert_int_eq(st.misses, 2);
    ck_assert_int_eq(st.inserts, 1);
    ck_assert_int_eq(st.evictions, 0);
    ck_assert_int_eq(st.overflows, 0);
}
END_TEST

START_TEST(key_too_long)
{
    idp_cache_t *c = idp_cache_create(pool, 2);
    idp_cache_entry_t *e = NULL;
    void *ev;
    char key[IDP_CACHE_KEY_MAX + 2];

    memset(key, 'k', IDP_CACHE_KEY_MAX);
    key[IDP_CACHE_KEY_MAX] = '\0';
    ck_assert_int_eq(idp_cache_insert(c, key, "i", 1, NULL, NULL, &e, &ev),
                     IDP_CACHE_OK);
    ck_assert_str_eq(e->key, key);
    ck_assert_ptr_eq(idp_cache_lookup(c, key, 2), e);
    key[IDP_CACHE_KEY_MAX] = 'k';
    key[IDP_CACHE_KEY_MAX + 1] = '\0';
    ck_assert_int_eq(idp_cache_insert(c, key, "i", 1, NULL, NULL, &e, &ev),
                     IDP_CACHE_KEY_TOO_LONG);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(idp_cache_insert(c, "k", key, 1, NULL, NULL, &e, &ev),
                     IDP_CACHE_KEY_TOO_LONG);
    ck_assert_ptr_null(idp_cache_lookup(c, key, 2));
    ck_assert_int_eq(idp_cache_count(c), 1);
}
END_TEST

START_TEST(lru_order)
{
    idp_cache_t *c = idp_cache_create(pool, 3);
    idp_cache_entry_t *e;
    void *ev;

    put(c, "a", 1, NULL);
    put(c, "b", 2, NULL);
    put(c, "c", 3, NULL);
    ck_assert_str_eq(order(c), "c,b,a");
    e = idp_cache_lookup(c, "a", 4);
    ck_assert_str_eq(order(c), "a,c,b");
    idp_cache_release(c, e, 4);
    /* release does not reorder */
    e = idp_cache_lookup(c, "c", 5);
    idp_cache_release(c, e, 5);
    ck_assert_str_eq(order(c), "c,a,b");
    /* full: the least recently used ("b") goes */
    put(c, "d", 6, &ev);
    ck_assert_str_eq((char *)ev, "b");
    ck_assert_str_eq(order(c), "d,c,a");
    ck_assert_ptr_null(idp_cache_lookup(c, "b", 7));
    put(c, "e", 8, &ev);
    ck_assert_str_eq((char *)ev, "a");
    ck_assert_str_eq(order(c), "e,d,c");
    ck_assert_int_eq(idp_cache_count(c), 3);
}
END_TEST

START_TEST(busy_never_evicted)
{
    idp_cache_t *c = idp_cache_create(pool, 3);
    idp_cache_entry_t *a, *b, *x = NULL;
    void *ev;
    idp_cache_stats_t st;

    put(c, "a", 1, NULL);
    put(c, "b", 2, NULL);
    put(c, "c", 3, NULL);
    a = idp_cache_lookup(c, "a", 4);   /* a busy, then LRU again */
    b = idp_cache_lookup(c, "b", 5);
    ck_assert_ptr_nonnull(idp_cache_lookup(c, "c", 6));
    ck_assert_str_eq(order(c), "c,b,a");
    /* all busy: FULL, nothing changes */
    ck_assert_int_eq(idp_cache_insert(c, "d", "d", 7, NULL, NULL, &x, &ev),
                     IDP_CACHE_FULL);
    ck_assert_ptr_null(x);
    ck_assert_ptr_null(ev);
    ck_assert_str_eq(order(c), "c,b,a");
    /* b idle: b goes although a is older */
    idp_cache_release(c, b, 8);
    ck_assert_int_eq(idp_cache_insert(c, "d", "d", 9, NULL, NULL, &x, &ev),
                     IDP_CACHE_OK);
    ck_assert_str_eq((char *)ev, "b");
    ck_assert_str_eq(order(c), "d,c,a");
    ck_assert_int_eq(a->refs, 1);
    idp_cache_stats(c, &st);
    ck_assert_int_eq(st.overflows, 1);
    ck_assert_int_eq(st.evictions, 1);
}
END_TEST

START_TEST(callback_veto)
{
    idp_cache_t *c = idp_cache_create(pool, 2);
    idp_cache_entry_t *x = NULL;
    void *ev;

    put(c, "a", 1, NULL);
    put(c, "b", 2, NULL);
    /* "a" is LRU but vetoed (connections still acquired): "b" goes */
    ck_assert_int_eq(idp_cache_insert(c, "c", "c", 3, not_this, str("a"), &x,
                                      &ev), IDP_CACHE_OK);
    ck_assert_str_eq((char *)ev, "b");
    x->data = str("c");
    idp_cache_release(c, x, 3);
    ck_assert_str_eq(order(c), "c,a");
    /* every entry vetoed: FULL */
    ck_assert_int_eq(idp_cache_insert(c, "d", "d", 4, never, NULL, &x, &ev),
                     IDP_CACHE_FULL);
    ck_assert_str_eq(order(c), "c,a");
    /* no place to hand the victim back: never evicts */
    ck_assert_int_eq(idp_cache_insert(c, "d", "d", 4, NULL, NULL, &x, NULL),
                     IDP_CACHE_FULL);
    ck_assert_str_eq(order(c), "c,a");
    ck_assert_int_eq(idp_cache_count(c), 2);
}
END_TEST

START_TEST(capacity_never_exceeded)
{
    idp_cache_t *c = idp_cache_create(pool, 8);
    idp_cache_entry_t *held[3];
    int i, evicted = 0;

    /* three held entries are never evicted */
    for (i = 0; i < 3; i++) {
        void *ev;
        const char *k = apr_psprintf(pool, "held-%d", i);

        ck_assert_int_eq(idp_cache_insert(c, k, k, i, NULL, NULL, &held[i],
                                          &ev), IDP_CACHE_OK);
    }
    /* 10x the capacity in distinct keys */
    for (i = 0; i < 80; i++) {
        idp_cache_entry_t *e;
        void *ev = NULL;
        const char *k = apr_psprintf(pool, "k-%d", i);

        put(c, k, 100 + i, &ev);
        evicted += ev != NULL;
        ck_assert_int_le(idp_cache_count(c), 8);
        ck_assert_ptr_nonnull(e = idp_cache_lookup(c, k, 100 + i));
        idp_cache_release(c, e, 100 + i);
    }
    ck_assert_int_eq(idp_cache_count(c), 8);
    ck_assert_int_eq(evicted, 80 - 5);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(held[i]->refs, 1);
        ck_assert_str_eq(held[i]->key, apr_psprintf(pool, "held-%d", i));
        ck_assert_ptr_eq(idp_cache_lookup(c, held[i]->key, 200), held[i]);
    }
    ck_assert_str_eq(order(c), "held-2,held-1,held-0,k-79,k-78,k-77,k-76,"
                     "k-75");
}
END_TEST

/* No allocation from the cache's pool after creation: two small blocks
 * taken before and after a flood of distinct keys are adjacent. */
START_TEST(flood_no_growth)
{
    apr_pool_t *cp;
    idp_cache_t *c;
    idp_negcache_t *n;
    char *before, *after;
    int i;

    apr_pool_create(&cp, pool);
    c = idp_cache_create(cp, 16);
    n = idp_negcache_create(cp, 16, 1000);
    before = apr_palloc(cp, 8);
    for (i = 0; i < 5000; i++) {
        idp_cache_entry_t *e;
        void *ev;
        char k[32];

        apr_snprintf(k, sizeof(k), "http://t-%d:80", i);
        ck_assert_int_eq(idp_cache_insert(c, k, k + 7, i, NULL, NULL, &e,
                                          &ev), IDP_CACHE_OK);
        idp_cache_release(c, e, i);
        ck_assert_int_eq(idp_negcache_insert(n, k, i), IDP_CACHE_OK);
    }
    after = apr_palloc(cp, 8);
    ck_assert_int_eq(idp_cache_count(c), 16);
    ck_assert_int_eq(idp_negcache_count(n), 16);
    ck_assert_ptr_eq(after, before + 8);
}
END_TEST

START_TEST(full_when_all_busy)
{
    idp_cache_t *c = idp_cache_create(pool, 4);
    idp_cache_entry_t *e;
    idp_cache_stats_t st;
    void *ev;
    int i;

    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(idp_cache_insert(c, apr_itoa(pool, i), "x", i, NULL,
                                          NULL, &e, &ev), IDP_CACHE_OK);
    }
    for (i = 0; i < 10; i++) {
        ck_assert_int_eq(idp_cache_insert(c, "new", "x", 9, NULL, NULL, &e,
                                          &ev), IDP_CACHE_FULL);
        ck_assert_ptr_null(e);
    }
    ck_assert_int_eq(idp_cache_count(c), 4);
    idp_cache_stats(c, &st);
    ck_assert_int_eq(st.overflows, 10);
    ck_assert_int_eq(st.evictions, 0);
}
END_TEST

START_TEST(expire_idle)
{
    idp_cache_t *c = idp_cache_create(pool, 8);
    apr_array_header_t *out = apr_array_make(pool, 1, sizeof(void *));
    idp_cache_entry_t *b;
    idp_cache_stats_t st;

    put(c, "a", 1000, NULL);
    put(c, "b", 1000, NULL);
    put(c, "c", 1500, NULL);
    put(c, "d", 1000, NULL);
    put(c, "e", 1000, NULL);
    b = idp_cache_lookup(c, "b", 1000);        /* busy */
    ck_assert_int_eq(idp_cache_expire(c, 2000, 0, NULL, NULL, out), 0);
    ck_assert_int_eq(idp_cache_expire(c, 2000, 1000, NULL, NULL, out), 0);
    ck_assert_int_eq(out->nelts, 0);
    /* idle > 1000 at 2001: a, d, e (b busy, c recent), d vetoed */
    ck_assert_int_eq(idp_cache_expire(c, 2001, 1000, not_this, str("d"),
                                      out), 2);
    ck_assert_int_eq(out->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(out, 0, char *), "a");
    ck_assert_str_eq(APR_ARRAY_IDX(out, 1, char *), "e");
    ck_assert_str_eq(order(c), "b,d,c");
    ck_assert_int_eq(idp_cache_count(c), 3);
    idp_cache_release(c, b, 2001);
    out->nelts = 0;
    /* at 2600: d (idle 1600) and c (idle 1100), longest idle first */
    ck_assert_int_eq(idp_cache_expire(c, 2600, 1000, NULL, NULL, out), 2);
    ck_assert_str_eq(APR_ARRAY_IDX(out, 0, char *), "d");
    ck_assert_str_eq(APR_ARRAY_IDX(out, 1, char *), "c");
    ck_assert_str_eq(order(c), "b");
    /* b was released at 2001: idle exactly 1000 is not "longer than" */
    ck_assert_int_eq(idp_cache_expire(c, 3001, 1000, NULL, NULL, out), 0);
    ck_assert_int_eq(idp_cache_expire(c, 3002, 1000, NULL, NULL, out), 1);
    ck_assert_str_eq(APR_ARRAY_IDX(out, 2, char *), "b");
    ck_assert_int_eq(idp_cache_count(c), 0);
    ck_assert_str_eq(order(c), "");
    idp_cache_stats(c, &st);
    ck_assert_int_eq(st.expirations, 5);
    /* the freed slots are reused */
    put(c, "f", 4000, NULL);
    ck_assert_str_eq(order(c), "f");
}
END_TEST

/* The sweep's cost is what it finds (issue 11): with 1000 idle entries
 * of which 3 have expired, expiry looks at 3 + 1 (the one that ends the
 * list), and the idle walk at the entries older than its bound + 1. */
START_TEST(expire_cost)
{
    idp_cache_t *c = idp_cache_create(pool, 1000);
    apr_array_header_t *out = apr_array_make(pool, 1, sizeof(void *));
    apr_array_header_t *seen = apr_array_make(pool, 1, sizeof(void *));
    idp_cache_stats_t st;
    int i;

    for (i = 0; i < 1000; i++) {
        put(c, apr_psprintf(pool, "k-%d", i), i < 3 ? 100 : 5000 + i, NULL);
    }
    ck_assert_int_eq(idp_cache_expire(c, 6000, 1000, NULL, NULL, out), 3);
    idp_cache_stats(c, &st);
    ck_assert_int_eq(st.sweep_visits, 4);
    ck_assert_int_eq(idp_cache_expire(c, 6000, 1000, NULL, NULL, out), 0);
    idp_cache_stats(c, &st);
    ck_assert_int_eq(st.sweep_visits, 5);
    /* idle since 5003..5012: 10 entries, 11 visits */
    ck_assert_int_eq(idp_cache_idle_do(c, 5012, collect_entry, seen), 10);
    idp_cache_stats(c, &st);
    ck_assert_int_eq(st.sweep_visits, 16);
    ck_assert_str_eq(APR_ARRAY_IDX(seen, 0, idp_cache_entry_t *)->key, "k-3");
    /* cooled, they are not walked again */
    for (i = 0; i < seen->nelts; i++) {
        idp_cache_cool(c, APR_ARRAY_IDX(seen, i, idp_cache_entry_t *));
    }
    seen->nelts = 0;
    ck_assert_int_eq(idp_cache_idle_do(c, 5012, collect_entry, seen), 0);
    idp_cache_stats(c, &st);
    ck_assert_int_eq(st.sweep_visits, 17);
}
END_TEST

/* Cool entries are evicted first, and a use makes an entry warm again. */
START_TEST(cool_evicted_first)
{
    idp_cache_t *c = idp_cache_create(pool, 3);
    apr_array_header_t *seen = apr_array_make(pool, 1, sizeof(void *));
    idp_cache_entry_t *e;
    void *ev;

    put(c, "a", 1, NULL);
    put(c, "b", 2, NULL);
    put(c, "c", 3, NULL);
    ck_assert_int_eq(idp_cache_idle_do(c, 2, collect_entry, seen), 2);
    idp_cache_cool(c, APR_ARRAY_IDX(seen, 1, idp_cache_entry_t *)); /* b */
    put(c, "d", 4, &ev);
    ck_assert_str_eq((char *)ev, "b");
    /* a is used again: warm, and no longer the longest idle */
    e = idp_cache_lookup(c, "a", 5);
    idp_cache_release(c, e, 5);
    put(c, "e", 6, &ev);
    ck_assert_str_eq((char *)ev, "c");
    ck_assert_str_eq(order(c), "e,a,d");
}
END_TEST

/* The negative cache is a hashed lookup (issue 11): in a full cache of
 * 10,000 keys, a lookup compares about one slot, not all of them. */
START_TEST(negcache_hashed)
{
    idp_negcache_t *n = idp_negcache_create(pool, 10000, 1000000);
    apr_uint64_t before;
    int i;

    for (i = 0; i < 10000; i++) {
        idp_negcache_insert(n, apr_psprintf(pool, "http://t-%d:80", i), i);
    }
    ck_assert_int_eq(idp_negcache_count(n), 10000);
    before = idp_negcache_probes(n);
    for (i = 0; i < 10000; i++) {
        ck_assert(idp_negcache_check(n, apr_psprintf(pool, "http://t-%d:80",
                                                     i), 20000));
        ck_assert(!idp_negcache_check(n, apr_psprintf(pool, "http://u-%d:80",
                                                      i), 20000));
    }
    /* 20,000 lookups over 10,000 chains: a few probes each on average */
    ck_assert_uint_lt(idp_negcache_probes(n) - before, 20000 * 4);
    /* full: the oldest goes, in O(1) */
    idp_negcache_insert(n, "new", 30000);
    ck_assert(!idp_negcache_check(n, "http://t-0:80", 30000));
    ck_assert(idp_negcache_check(n, "http://t-1:80", 30000));
    ck_assert(idp_negcache_check(n, "new", 30000));
    ck_assert_int_eq(idp_negcache_count(n), 10000);
}
END_TEST

/* One admission per key: the first is the leader, later ones wait for
 * its result; the table caps concurrent admissions. */
START_TEST(admit_one_per_key)
{
    idp_admit_t *a = idp_admit_create(pool, 2);
    idp_admission_t *l1, *w1, *w2, *l2, *x;

    ck_assert_ptr_null(idp_admit_create(pool, 0));
    ck_assert_int_eq(idp_admit_begin(a, "k1", &l1), IDP_ADMIT_LEADER);
    ck_assert_int_eq(idp_admit_begin(a, "k1", &w1), IDP_ADMIT_WAIT);
    ck_assert_ptr_eq(w1, l1);
    ck_assert_int_eq(idp_admit_begin(a, "k1", &w2), IDP_ADMIT_WAIT);
    ck_assert_int_eq(l1->waiters, 2);
    ck_assert_int_eq(idp_admit_begin(a, "k2", &l2), IDP_ADMIT_LEADER);
    /* cap reached: a third key is refused, the known ones still join */
    ck_assert_int_eq(idp_admit_begin(a, "k3", &x), IDP_ADMIT_FULL);
    ck_assert_ptr_null(x);
    ck_assert_int_eq(idp_admit_begin(a, "k2", &x), IDP_ADMIT_WAIT);
    ck_assert_int_eq(idp_admit_leave(a, x), IDP_ADMIT_PENDING); /* timeout */
    ck_assert_int_eq(l2->waiters, 0);
    ck_assert_int_eq(idp_admit_active(a), 2);
    /* k1's leader ends: waiters get its result, the last frees the slot */
    idp_admit_end(a, l1, 7);
    ck_assert_int_eq(idp_admit_active(a), 2);
    /* a new arrival does not join an ended admission */
    ck_assert_int_eq(idp_admit_begin(a, "k1", &x), IDP_ADMIT_FULL);
    ck_assert_int_eq(idp_admit_leave(a, w1), 7);
    ck_assert_int_eq(idp_admit_active(a), 2);
    ck_assert_int_eq(idp_admit_leave(a, w2), 7);
    ck_assert_int_eq(idp_admit_active(a), 1);
    /* without waiters the slot is freed at the end */
    idp_admit_end(a, l2, 0);
    ck_assert_int_eq(idp_admit_active(a), 0);
    ck_assert_int_eq(idp_admit_begin(a, "k3", &x), IDP_ADMIT_LEADER);
    ck_assert_str_eq(x->key, "k3");
}
END_TEST

START_TEST(remove_deferred)
{
    idp_cache_t *c = idp_cache_create(pool, 2);
    idp_cache_entry_t *a, *a2, *b;
    void *data = (void *)1, *ev;

    a = put(c, "a", 1, NULL);
    ck_assert_int_eq(idp_cache_remove(c, a, &data), IDP_CACHE_OK);
    ck_assert_str_eq((char *)data, "a");
    ck_assert_int_eq(idp_cache_count(c), 0);

    put(c, "a", 2, NULL);
    a = idp_cache_lookup(c, "a", 3);
    ck_assert_int_eq(idp_cache_remove(c, a, &data), IDP_CACHE_BUSY);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(a->state, IDP_ENTRY_DOOMED);
    ck_assert_int_eq(idp_cache_remove(c, a, &data), IDP_CACHE_BUSY);
    ck_assert_ptr_null(idp_cache_lookup(c, "a", 4));
    ck_assert_str_eq(order(c), "");
    /* the doomed entry keeps its slot: one left */
    ck_assert_int_eq(idp_cache_count(c), 1);
    a2 = put(c, "a", 5, NULL);
    ck_assert_ptr_ne(a2, a);
    ck_assert_int_eq(idp_cache_insert(c, "b", "b", 6, NULL, NULL, &b, &ev),
                     IDP_CACHE_OK);
    ck_assert_str_eq((char *)ev, "a");          /* a2, not the doomed a */
    ck_assert_int_eq(idp_cache_insert(c, "c", "c", 6, NULL, NULL, &b, &ev),
                     IDP_CACHE_FULL);
    ck_assert_str_eq((char *)idp_cache_release(c, a, 7), "a");
    ck_assert_int_eq(a->state, IDP_ENTRY_FREE);
    ck_assert_int_eq(idp_cache_remove(c, a, &data), IDP_CACHE_NONE);
    ck_assert_int_eq(idp_cache_count(c), 1);
    ck_assert_int_eq(idp_cache_insert(c, "c", "c", 8, NULL, NULL, &b, &ev),
                     IDP_CACHE_OK);
    ck_assert_ptr_null(ev);
}
END_TEST

static int stop_after_two(void *baton, const idp_cache_entry_t *e)
{
    (void)e;
    return ++*(int *)baton < 2;
}

START_TEST(iterate_stop)
{
    idp_cache_t *c = idp_cache_create(pool, 4);
    int n = 0;

    put(c, "a", 1, NULL);
    put(c, "b", 2, NULL);
    put(c, "c", 3, NULL);
    ck_assert_int_eq(idp_cache_do(c, stop_after_two, &n), 2);
    ck_assert_int_eq(n, 2);
}
END_TEST

START_TEST(negcache_ttl)
{
    idp_negcache_t *n = idp_negcache_create(pool, 4, 100);
    char key[IDP_CACHE_KEY_MAX + 2];

    ck_assert_ptr_null(idp_negcache_create(pool, 0, 100));
    ck_assert_ptr_null(idp_negcache_create(pool, 4, 0));
    ck_assert(!idp_negcache_check(n, "x", 0));
    ck_assert_int_eq(idp_negcache_insert(n, "x", 1000), IDP_CACHE_OK);
    ck_assert(idp_negcache_check(n, "x", 1000));
    ck_assert(idp_negcache_check(n, "x", 1099));
    ck_assert(!idp_negcache_check(n, "y", 1050));
    ck_assert(!idp_negcache_check(n, "x", 1100));
    /* the expired key was dropped */
    ck_assert_int_eq(idp_negcache_count(n), 0);
    ck_assert(!idp_negcache_check(n, "x", 1000));
    /* a refresh restarts the ttl */
    idp_negcache_insert(n, "x", 2000);
    idp_negcache_insert(n, "x", 2080);
    ck_assert_int_eq(idp_negcache_count(n), 1);
    ck_assert(idp_negcache_check(n, "x", 2150));
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    ck_assert_int_eq(idp_negcache_insert(n, key, 1), IDP_CACHE_KEY_TOO_LONG);
    ck_assert(!idp_negcache_check(n, key, 1));
}
END_TEST

START_TEST(negcache_bound)
{
    idp_negcache_t *n = idp_negcache_create(pool, 3, 1000);

    idp_negcache_insert(n, "a", 10);
    idp_negcache_insert(n, "b", 20);
    idp_negcache_insert(n, "c", 30);
    ck_assert_int_eq(idp_negcache_count(n), 3);
    /* full: the oldest ("a") is replaced */
    idp_negcache_insert(n, "d", 40);
    ck_assert_int_eq(idp_negcache_count(n), 3);
    ck_assert(!idp_negcache_check(n, "a", 50));
    ck_assert(idp_negcache_check(n, "b", 50));
    ck_assert(idp_negcache_check(n, "c", 50));
    ck_assert(idp_negcache_check(n, "d", 50));
    /* refreshed "b" is no longer the oldest: "c" goes */
    idp_negcache_insert(n, "b", 60);
    idp_negcache_insert(n, "e", 70);
    ck_assert(!idp_negcache_check(n, "c", 80));
    ck_assert(idp_negcache_check(n, "b", 80));
    ck_assert(idp_negcache_check(n, "d", 80));
    ck_assert(idp_negcache_check(n, "e", 80));
    ck_assert_int_eq(idp_negcache_count(n), 3);
}
END_TEST

Suite *idp_cache_suite(void)
{
    Suite *s = suite_create("idp_cache");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_bounds);
    tcase_add_test(tc, insert_lookup_refs);
    tcase_add_test(tc, key_too_long);
    tcase_add_test(tc, lru_order);
    tcase_add_test(tc, busy_never_evicted);
    tcase_add_test(tc, callback_veto);
    tcase_add_test(tc, capacity_never_exceeded);
    tcase_add_test(tc, flood_no_growth);
    tcase_add_test(tc, full_when_all_busy);
    tcase_add_test(tc, expire_idle);
    tcase_add_test(tc, expire_cost);
    tcase_add_test(tc, cool_evicted_first);
    tcase_add_test(tc, remove_deferred);
    tcase_add_test(tc, iterate_stop);
    tcase_add_test(tc, negcache_ttl);
    tcase_add_test(tc, negcache_bound);
    tcase_add_test(tc, negcache_hashed);
    tcase_add_test(tc, admit_one_per_key);
    suite_add_tcase(s, tc);
    return s;
}
