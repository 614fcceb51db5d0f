/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fuzz_idp_cache: the backend cache bookkeeping driven by a sequence of
 * operations read from the input (capacity byte, ttl byte, then opcode
 * and argument bytes), checked step by step against a plain model.
 * Properties: count <= capacity and equal to live plus doomed-but-held
 * entries; refs never negative and equal to the references handed out;
 * a key is found iff inserted and not removed, evicted or expired; an
 * insert into a full cache evicts exactly the idle entry the veto accepts
 * that has been idle longest, cool ones first, or fails; data comes back
 * exactly once, when its entry leaves; expire removes exactly the idle
 * entries past the timeout; idp_cache_idle_do walks exactly the warm idle
 * entries idle since the bound, longest idle first, and cooled entries
 * are not walked again until used; idp_cache_do walks the live entries,
 * most recent first. The
 * negative cache never reports a key it was not given within ttl, and
 * forgets nothing while it has room.
 */
#include "fuzz_util.h"

#include <apr_strings.h>
#include <apr_tables.h>

#include "idp_cache.h"

#define NKEYS 16
#define MAX_HANDLES 64

/* The model of one cache entry; its address is the entry's data. */
typedef struct {
    int key;
    int refs;
    int doomed;
    int gone;                   /* data handed back */
    apr_time_t last_used;
    unsigned long touch;        /* LRU order: larger is more recent */
    unsigned long idle_seq;     /* when refs last went to 0 */
    int cool;                   /* cooled since then */
    idp_cache_entry_t *e;
} ment_t;

typedef struct {
    idp_cache_t *c;
    int capacity;
    int count;                  /* live + doomed with refs */
    ment_t *by_key[NKEYS];      /* live entries */
    ment_t *handles[MAX_HANDLES];
    int nhandles;
    unsigned long clock;
    int veto;                   /* odd keys may not be evicted */
    apr_time_t now;
    apr_uint64_t lookups;
} model_t;

static const char *key_str(apr_pool_t *p, int k, int longkey)
{
    if (longkey) {
        char *s = apr_palloc(p, IDP_CACHE_KEY_MAX + 2);

        memset(s, 'k', IDP_CACHE_KEY_MAX + 1);
        s[IDP_CACHE_KEY_MAX + 1] = '\0';
        return s;
    }
    return apr_psprintf(p, "http://t%d.svc:8080", k);
}

static int can_evict(void *baton, const idp_cache_entry_t *e)
{
    const model_t *m = baton;
    const ment_t *me = e->data;

    FUZZ_CHECK(me && !me->gone && !me->doomed && me->refs == 0,
               "veto asked about a busy or dead entry");
    return !m->veto || !(me->key & 1);
}

/* The idle entry the veto accepts that has been idle longest, cool ones
 * first, by the model (the clock never goes back here, so the order in
 * which entries became idle is the order of their last_used). */
static ment_t *victim(const model_t *m)
{
    ment_t *best = NULL;
    int k;

    for (k = 0; k < NKEYS; k++) {
        ment_t *me = m->by_key[k];

        if (me && me->refs == 0 && (!m->veto || !(me->key & 1))
            && (!best || me->cool > best->cool
                || (me->cool == best->cool
                    && me->idle_seq < best->idle_seq))) {
            best = me;
        }
    }
    return best;
}

static void gone(model_t *m, ment_t *me)
{
    FUZZ_CHECK(!me->gone, "data of key %d handed back twice", me->key);
    me->gone = 1;
    if (!me->doomed) {
        m->by_key[me->key] = NULL;
    }
    m->count--;
}

static void push_handle(model_t *m, ment_t *me)
{
    m->handles[m->nhandles++] = me;
}

static ment_t *pop_handle(model_t *m, unsigned int i)
{
    ment_t *me;

    i %= (unsigned int)m->nhandles;
    me = m->handles[i];
    m->handles[i] = m->handles[--m->nhandles];
    return me;
}

typedef struct {
    const model_t *m;
    unsigned long last;
    int n;
} walk_t;

static int walk(void *baton, const idp_cache_entry_t *e)
{
    walk_t *w = baton;
    const ment_t *me = e->data;

    FUZZ_CHECK(me && !me->gone && !me->doomed && w->m->by_key[me->key] == me
               && me->e == e, "idp_cache_do: an entry the model lacks");
    FUZZ_CHECK(e->refs == me->refs && e->refs >= 0, "refs %d, model %d",
               e->refs, me->refs);
    FUZZ_CHECK(!w->n || me->touch < w->last, "idp_cache_do: not in LRU "
               "order");
    w->last = me->touch;
    w->n++;
    return 1;
}

static void invariants(const model_t *m)
{
    walk_t w = { m, 0, 0 };
    int k, live = 0, i;

    FUZZ_CHECK(idp_cache_count(m->c) == m->count, "count %d, model %d",
               idp_cache_count(m->c), m->count);
    FUZZ_CHECK(m->count <= m->capacity, "count %d above capacity %d",
               m->count, m->capacity);
    for (k = 0; k < NKEYS; k++) {
        live += m->by_key[k] != NULL;
    }
    FUZZ_CHECK(idp_cache_do(m->c, walk, &w) == live && w.n == live,
               "idp_cache_do visited %d of %d", w.n, live);
    for (i = 0; i < m->nhandles; i++) {
        FUZZ_CHECK(m->handles[i]->e->refs == m->handles[i]->refs
                   && m->handles[i]->refs > 0, "held entry refs %d, model "
                   "%d", m->handles[i]->e->refs, m->handles[i]->refs);
    }
}

static void op_insert(apr_pool_t *p, model_t *m, int k, int longkey,
                      int with_evicted)
{
    idp_cache_entry_t *e = (idp_cache_entry_t *)&e;
    void *evicted = (void *)&evicted;
    const char *key = key_str(p, k, longkey);
    ment_t *want = NULL;
    int rc;

    if (m->nhandles == MAX_HANDLES) {
        return;
    }
    rc = idp_cache_insert(m->c, key, "id", m->now, can_evict, m,
                          &e, with_evicted ? &evicted : NULL);
    if (longkey) {
        FUZZ_CHECK(rc == IDP_CACHE_KEY_TOO_LONG && !e, "long key: %d", rc);
        return;
    }
    if (m->by_key[k]) {
        FUZZ_CHECK(rc == IDP_CACHE_EXISTS && !e, "insert of a cached key: "
                   "%d", rc);
        return;
    }
    if (m->count == m->capacity) {
        want = with_evicted ? victim(m) : NULL;
        if (!want) {
            FUZZ_CHECK(rc == IDP_CACHE_FULL && !e
                       && (!with_evicted || !evicted),
                       "insert into a full cache: %d", rc);
            return;
        }
    }
    FUZZ_CHECK(rc == IDP_CACHE_OK && e, "insert: %d", rc);
    if (with_evicted) {
        FUZZ_CHECK(evicted == want, "evicted %p instead of %p", evicted,
                   (void *)want);
    }
    if (want) {
        gone(m, want);
    }
    FUZZ_CHECK(!strcmp(e->key, key) && !strcmp(e->id, "id") && e->refs == 1
               && e->state == IDP_ENTRY_NEW && !e->data
               && e->last_used == m->now, "new entry");
    want = apr_pcalloc(p, sizeof(*want));
    want->key = k;
    want->refs = 1;
    want->last_used = m->now;
    want->touch = ++m->clock;
    want->e = e;
    e->data = want;
    m->by_key[k] = want;
    m->count++;
    push_handle(m, want);
}

static void op_lookup(apr_pool_t *p, model_t *m, int k, int longkey)
{
    idp_cache_entry_t *e;
    ment_t *me = longkey ? NULL : m->by_key[k];
    idp_cache_stats_t st;

    if (m->nhandles == MAX_HANDLES) {
        return;
    }
    e = idp_cache_lookup(m->c, key_str(p, k, longkey), m->now);
    m->lookups++;
    idp_cache_stats(m->c, &st);
    FUZZ_CHECK(st.hits + st.misses == m->lookups, "lookup stats");
    FUZZ_CHECK(!e == !me, "key %d %s", k, e ? "found after it left"
                                            : "lost");
    if (!e) {
        return;
    }
    FUZZ_CHECK(e == me->e && e->data == me, "lookup returned another entry");
    me->refs++;
    me->touch = ++m->clock;
    me->last_used = m->now;
    me->cool = 0;
    push_handle(m, me);
}

static void op_release(model_t *m, unsigned int i)
{
    ment_t *me;
    void *data;

    if (!m->nhandles) {
        return;
    }
    me = pop_handle(m, i);
    data = idp_cache_release(m->c, me->e, m->now);
    me->refs--;
    me->last_used = m->now;
    if (me->doomed && me->refs == 0) {
        FUZZ_CHECK(data == me, "last release of a doomed entry");
        gone(m, me);
    }
    else {
        FUZZ_CHECK(!data, "release returned data");
        FUZZ_CHECK(me->e->refs == me->refs, "refs after release");
        if (me->refs == 0 && !me->doomed) {
            me->idle_seq = ++m->clock;
            me->cool = 0;
        }
    }
}

static void op_remove(model_t *m, int k, unsigned int i, int held)
{
    ment_t *me;
    void *data = (void *)&data;
    int rc;

    if (held) {
        if (!m->nhandles) {
            return;
        }
        me = m->handles[i % (unsigned int)m->nhandles];
    }
    else if (!(me = m->by_key[k])) {
        return;
    }
    rc = idp_cache_remove(m->c, me->e, &data);
    if (me->doomed || me->refs > 0) {
        FUZZ_CHECK(rc == IDP_CACHE_BUSY && !data, "remove of a busy entry:"
                   " %d", rc);
        if (!me->doomed) {
            m->by_key[me->key] = NULL;
            me->doomed = 1;
        }
        FUZZ_CHECK(me->e->state == IDP_ENTRY_DOOMED, "not doomed");
        return;
    }
    FUZZ_CHECK(rc == IDP_CACHE_OK && data == me, "remove: %d", rc);
    gone(m, me);
}

typedef struct {
    const model_t *m;
    apr_array_header_t *seen;
    apr_time_t before;
} idle_walk_t;

static int idle_one(void *baton, const idp_cache_entry_t *e)
{
    idle_walk_t *w = baton;
    const ment_t *me = e->data;

    FUZZ_CHECK(me && !me->gone && !me->doomed && me->refs == 0 && !me->cool
               && me->last_used <= w->before,
               "idp_cache_idle_do: an entry that is busy, cool or too young");
    FUZZ_CHECK(!w->seen->nelts
               || APR_ARRAY_IDX(w->seen, w->seen->nelts - 1, ment_t *)
                  ->idle_seq < me->idle_seq,
               "idp_cache_idle_do: not longest idle first");
    APR_ARRAY_PUSH(w->seen, const ment_t *) = me;
    return 1;
}

/* Walk the warm idle entries idle since before, then cool them all. */
static void op_cool(apr_pool_t *p, model_t *m, apr_time_t before)
{
    idle_walk_t w;
    int k, want = 0, i, n;

    w.m = m;
    w.seen = apr_array_make(p, 4, sizeof(ment_t *));
    w.before = before;
    n = idp_cache_idle_do(m->c, before, idle_one, &w);
    for (k = 0; k < NKEYS; k++) {
        const ment_t *me = m->by_key[k];

        want += me && me->refs == 0 && !me->cool && me->last_used <= before;
    }
    FUZZ_CHECK(n == want && w.seen->nelts == want,
               "idp_cache_idle_do walked %d of %d", n, want);
    for (i = 0; i < w.seen->nelts; i++) {
        ment_t *me = APR_ARRAY_IDX(w.seen, i, ment_t *);

        idp_cache_cool(m->c, me->e);
        me->cool = 1;
    }
}

static void op_expire(apr_pool_t *p, model_t *m, apr_interval_time_t idle)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(void *));
    int n = idp_cache_expire(m->c, m->now, idle, can_evict, m, out), k, i;
    int want = 0;

    FUZZ_CHECK(n == out->nelts, "expire count");
    for (k = 0; k < NKEYS; k++) {
        ment_t *me = m->by_key[k];

        if (me && idle > 0 && me->refs == 0
            && m->now - me->last_used > idle && (!m->veto || !(k & 1))) {
            for (i = 0; i < out->nelts; i++) {
                if (APR_ARRAY_IDX(out, i, void *) == me) {
                    break;
                }
            }
            FUZZ_CHECK(i < out->nelts, "key %d not expired", k);
            gone(m, me);
            want++;
        }
    }
    FUZZ_CHECK(want == n, "expired %d instead of %d", n, want);
}

/* ------------------------------------------------------------ negcache */

typedef struct {
    idp_negcache_t *n;
    int capacity;
    apr_interval_time_t ttl;
    apr_time_t added[NKEYS];    /* 0: never */
    int distinct;               /* keys inserted since the start */
} negmodel_t;

static void op_neg(apr_pool_t *p, negmodel_t *nm, apr_time_t now, int k,
                   int insert)
{
    const char *key = key_str(p, k, 0);
    int hit;

    if (insert) {
        FUZZ_CHECK(idp_negcache_insert(nm->n, key, now) == IDP_CACHE_OK,
                   "negcache insert");
        nm->distinct += !nm->added[k];
        nm->added[k] = now;
    }
    else {
        hit = idp_negcache_check(nm->n, key, now);
        FUZZ_CHECK(!hit || (nm->added[k] && now - nm->added[k] < nm->ttl),
                   "negcache reports key %d it was not given", k);
        if (nm->distinct <= nm->capacity) {
            FUZZ_CHECK(hit == (nm->added[k] && now - nm->added[k] < nm->ttl),
                       "negcache forgot key %d", k);
        }
    }
    FUZZ_CHECK(idp_negcache_count(nm->n) >= 0
               && idp_negcache_count(nm->n) <= nm->capacity,
               "negcache count %d", idp_negcache_count(nm->n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    model_t m;
    negmodel_t nm;
    size_t i;

    if (size < 2) {
        return 0;
    }
    memset(&m, 0, sizeof(m));
    m.capacity = 1 + data[0] % 12;
    m.c = idp_cache_create(p, m.capacity);
    m.now = 1000000;
    memset(&nm, 0, sizeof(nm));
    nm.capacity = 1 + (data[0] >> 4) % 6;
    nm.ttl = (apr_interval_time_t)(1 + data[1]) * 1000;
    nm.n = idp_negcache_create(p, nm.capacity, nm.ttl);
    FUZZ_CHECK(m.c && nm.n && !idp_cache_create(p, 0)
               && !idp_cache_create(p, IDP_CACHE_CAPACITY_MAX + 1),
               "create");

    for (i = 2; i + 1 < size; i += 2) {
        unsigned int op = data[i] & 15, arg = data[i + 1];
        int k = (int)(arg % NKEYS);
        int longkey = (data[i] & 0xf0) == 0xf0;

        switch (op) {
        case 0:
        case 1:
            op_lookup(p, &m, k, longkey);
            break;
        case 2:
        case 3:
            op_insert(p, &m, k, longkey, op == 2 || (data[i] & 0x10));
            break;
        case 4:
        case 5:
            op_release(&m, arg);
            break;
        case 6:
            op_remove(&m, k, arg, data[i] & 0x10);
            break;
        case 7:
            op_cool(p, &m, m.now - (apr_time_t)(arg % 64) * 1000);
            break;
        case 8:
            op_expire(p, &m, (apr_interval_time_t)(arg % 64) * 1000
                             - ((data[i] & 0x10) ? 1000 : 0));
            break;
        case 9:
        case 10:
            m.now += (apr_time_t)arg * 500;
            break;
        case 11:
            m.veto = arg & 1;
            break;
        case 12:
            if (m.nhandles) {
                ment_t *me = m.handles[arg % (unsigned int)m.nhandles];

                if (me->e->state == IDP_ENTRY_NEW) {
                    me->e->state = IDP_ENTRY_READY;
                }
            }
            break;
        default:
            op_neg(p, &nm, m.now, k, op == 13);
            break;
        }
        invariants(&m);
    }
    /* release everything: every entry's data comes back exactly once */
    while (m.nhandles) {
        op_release(&m, 0);
        invariants(&m);
    }
    m.veto = 0;
    m.now += APR_INT64_C(1000000000);
    op_expire(p, &m, 1);
    invariants(&m);
    FUZZ_CHECK(m.count == 0, "%d entries left after expiring all", m.count);
    return 0;
}
