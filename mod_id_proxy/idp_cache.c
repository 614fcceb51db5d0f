/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_cache: fixed-size LRU table with refcounts, and the negative cache
 * (see idp_cache.h). Pure code, assumed to be mutex protected by the
 * caller. All memory is taken at creation; nothing here may allocate,
 * block or call apr_time_now() afterwards.
 */
#include <stdint.h>
#include <string.h>

#include "idp_cache.h"

struct idp_cache_t {
    idp_cache_entry_t *entries;      /* capacity slots */
    idp_cache_entry_t **buckets;     /* mask + 1 chains */
    apr_uint32_t mask;
    apr_uint32_t seed;
    idp_cache_entry_t *head;         /* most recently used */
    idp_cache_entry_t *tail;         /* least recently used */
    idp_cache_entry_t *free;         /* singly linked through next */
    idp_cache_entry_t *idle_head[2]; /* refs 0, newest last_used first: */
    idp_cache_entry_t *idle_tail[2]; /* [0] warm, [1] cool */
    int capacity;
    int count;
    idp_cache_stats_t stats;
};

/* FNV-1a. The seed (from the table's address) only makes chains harder
 * to predict; a chain is bounded by the capacity in any case. */
static apr_uint32_t hash_key(apr_uint32_t seed, const char *key)
{
    apr_uint32_t h = 2166136261u ^ seed;

    for (; *key; key++) {
        h ^= (unsigned char)*key;
        h *= 16777619u;
    }
    return h;
}

idp_cache_t *idp_cache_create(apr_pool_t *p, int capacity)
{
    idp_cache_t *c;
    apr_uint32_t n = 1;
    int i;

    if (capacity < 1 || capacity > IDP_CACHE_CAPACITY_MAX) {
        return NULL;
    }
    while (n < (apr_uint32_t)capacity) {
        n <<= 1;
    }
    c = apr_pcalloc(p, sizeof(*c));
    c->entries = apr_pcalloc(p, sizeof(*c->entries) * (apr_size_t)capacity);
    c->buckets = apr_pcalloc(p, sizeof(*c->buckets) * n);
    c->mask = n - 1;
    c->seed = (apr_uint32_t)(uintptr_t)c;
    c->capacity = capacity;
    for (i = capacity - 1; i >= 0; i--) {
        c->entries[i].next = c->free;
        c->free = &c->entries[i];
    }
    return c;
}

static idp_cache_entry_t *hash_find(const idp_cache_t *c, const char *key,
                                    apr_uint32_t h)
{
    idp_cache_entry_t *e;

    for (e = c->buckets[h & c->mask]; e; e = e->hnext) {
        if (e->hash == h && !strcmp(e->key, key)) {
            return e;
        }
    }
    return NULL;
}

static void hash_unlink(idp_cache_t *c, idp_cache_entry_t *e)
{
    idp_cache_entry_t **pp = &c->buckets[e->hash & c->mask];

    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == e) {
            *pp = e->hnext;
            break;
        }
    }
    e->hnext = NULL;
}

static void lru_unlink(idp_cache_t *c, idp_cache_entry_t *e)
{
    if (e->prev) {
        e->prev->next = e->next;
    }
    else {
        c->head = e->next;
    }
    if (e->next) {
        e->next->prev = e->prev;
    }
    else {
        c->tail = e->prev;
    }
    e->prev = e->next = NULL;
}

static void lru_push_front(idp_cache_t *c, idp_cache_entry_t *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head) {
        c->head->prev = e;
    }
    else {
        c->tail = e;
    }
    c->head = e;
}

/* The idle lists hold the entries with refs 0, sorted by last_used
 * (newest at the head), so that expiry and the sweep start from the
 * oldest and stop at the first entry that is too young: their cost is
 * what they find, not the size of the cache. An entry enters the warm
 * list when its last reference goes; idp_cache_cool() moves it to the
 * cool list. Insertion walks from the head, which is O(1) as long as
 * the clock does not go back. */
static void idle_unlink(idp_cache_t *c, idp_cache_entry_t *e)
{
    int t = e->idle - 1;

    if (!e->idle) {
        return;
    }
    if (e->iprev) {
        e->iprev->inext = e->inext;
    }
    else {
        c->idle_head[t] = e->inext;
    }
    if (e->inext) {
        e->inext->iprev = e->iprev;
    }
    else {
        c->idle_tail[t] = e->iprev;
    }
    e->iprev = e->inext = NULL;
    e->idle = 0;
}

static void idle_insert(idp_cache_t *c, idp_cache_entry_t *e, int t)
{
    idp_cache_entry_t *at = c->idle_head[t];

    while (at && at->last_used > e->last_used) {
        at = at->inext;
    }
    /* insert before at (at the tail if at is NULL) */
    e->inext = at;
    e->iprev = at ? at->iprev : c->idle_tail[t];
    if (e->iprev) {
        e->iprev->inext = e;
    }
    else {
        c->idle_head[t] = e;
    }
    if (at) {
        at->iprev = e;
    }
    else {
        c->idle_tail[t] = e;
    }
    e->idle = t + 1;
}

/* Put a slot that is in neither the hash nor the LRU list back on the
 * free list and return the caller's data. */
static void *entry_free(idp_cache_t *c, idp_cache_entry_t *e)
{
    void *data = e->data;

    memset(e, 0, sizeof(*e));
    e->state = IDP_ENTRY_FREE;
    e->next = c->free;
    c->free = e;
    c->count--;
    return data;
}

/* Unlink a live entry and free it. */
static void *entry_take(idp_cache_t *c, idp_cache_entry_t *e)
{
    idle_unlink(c, e);
    hash_unlink(c, e);
    lru_unlink(c, e);
    return entry_free(c, e);
}

static int idle(const idp_cache_entry_t *e, idp_cache_evictable_fn *can_evict,
                void *baton)
{
    return e->refs == 0 && (!can_evict || can_evict(baton, e));
}

/* The idle entry that has been idle longest and that can_evict accepts,
 * cool ones (their connections already closed) first. */
static idp_cache_entry_t *find_victim(idp_cache_t *c,
                                      idp_cache_evictable_fn *can_evict,
                                      void *baton)
{
    idp_cache_entry_t *e;
    int t;

    for (t = 1; t >= 0; t--) {
        for (e = c->idle_tail[t]; e; e = e->iprev) {
            if (idle(e, can_evict, baton)) {
                return e;
            }
        }
    }
    return NULL;
}

idp_cache_entry_t *idp_cache_lookup(idp_cache_t *c, const char *key,
                                    apr_time_t now)
{
    idp_cache_entry_t *e = NULL;

    if (key && strlen(key) <= IDP_CACHE_KEY_MAX) {
        e = hash_find(c, key, hash_key(c->seed, key));
    }
    if (!e) {
        c->stats.misses++;
        return NULL;
    }
    c->stats.hits++;
    idle_unlink(c, e);
    if (c->head != e) {
        lru_unlink(c, e);
        lru_push_front(c, e);
    }
    e->refs++;
    e->requests++;
    e->last_used = now;
    return e;
}

int idp_cache_insert(idp_cache_t *c, const char *key, const char *id,
                     apr_time_t now, idp_cache_evictable_fn *can_evict,
                     void *baton, idp_cache_entry_t **entry,
                     void **evicted)
{
    idp_cache_entry_t *e;
    apr_uint32_t h;

    *entry = NULL;
    if (evicted) {
        *evicted = NULL;
    }
    if (!key || !id || strlen(key) > IDP_CACHE_KEY_MAX
        || strlen(id) > IDP_CACHE_KEY_MAX) {
        return IDP_CACHE_KEY_TOO_LONG;
    }
    h = hash_key(c->seed, key);
    if (hash_find(c, key, h)) {
        return IDP_CACHE_EXISTS;
    }
    if (!c->free) {
        /* Without evicted, the data of a victim would leak: refuse. */
        if (!evicted || !(e = find_victim(c, can_evict, baton))) {
            c->stats.overflows++;
            return IDP_CACHE_FULL;
        }
        *evicted = entry_take(c, e);
        c->stats.evictions++;
    }
    e = c->free;
    c->free = e->next;
    memset(e, 0, sizeof(*e));
    strcpy(e->key, key);
    strcpy(e->id, id);
    e->hash = h;
    e->state = IDP_ENTRY_NEW;
    e->refs = 1;
    e->requests = 1;
    e->created = e->last_used = now;
    e->hnext = c->buckets[h & c->mask];
    c->buckets[h & c->mask] = e;
    lru_push_front(c, e);
    c->count++;
    c->stats.inserts++;
    *entry = e;
    return IDP_CACHE_OK;
}

void *idp_cache_release(idp_cache_t *c, idp_cache_entry_t *e,
                        apr_time_t now)
{
    if (e->refs > 0) {
        e->refs--;
    }
    e->last_used = now;
    if (e->refs == 0) {
        if (e->state == IDP_ENTRY_DOOMED) {
            return entry_free(c, e);
        }
        idle_unlink(c, e);
        idle_insert(c, e, 0);
    }
    return NULL;
}

int idp_cache_expire(idp_cache_t *c, apr_time_t now,
                     apr_interval_time_t idle_timeout,
                     idp_cache_evictable_fn *can_evict, void *baton,
                     apr_array_header_t *out)
{
    idp_cache_entry_t *e, *prev;
    int n = 0, t;

    if (idle_timeout <= 0) {
        return 0;
    }
    /* Oldest first; the first entry idle for less ends each list. */
    for (t = 1; t >= 0; t--) {
        for (e = c->idle_tail[t]; e; e = prev) {
            prev = e->iprev;
            c->stats.sweep_visits++;
            if (now - e->last_used <= idle_timeout) {
                break;
            }
            if (idle(e, can_evict, baton)) {
                APR_ARRAY_PUSH(out, void *) = entry_take(c, e);
                c->stats.expirations++;
                n++;
            }
        }
    }
    return n;
}

int idp_cache_idle_do(idp_cache_t *c, apr_time_t before,
                      idp_cache_do_fn *fn, void *baton)
{
    idp_cache_entry_t *e;
    int n = 0;

    for (e = c->idle_tail[0]; e; e = e->iprev) {
        c->stats.sweep_visits++;
        if (e->last_used > before) {
            break;
        }
        n++;
        if (!fn(baton, e)) {
            break;
        }
    }
    return n;
}

void idp_cache_cool(idp_cache_t *c, idp_cache_entry_t *e)
{
    if (e->idle == 1) {
        idle_unlink(c, e);
        idle_insert(c, e, 1);
    }
}

int idp_cache_remove(idp_cache_t *c, idp_cache_entry_t *e, void **data)
{
    *data = NULL;
    if (e->state == IDP_ENTRY_FREE) {
        return IDP_CACHE_NONE;
    }
    if (e->state == IDP_ENTRY_DOOMED) {
        return IDP_CACHE_BUSY;              /* already pending */
    }
    if (e->refs == 0) {
        *data = entry_take(c, e);
        return IDP_CACHE_OK;
    }
    hash_unlink(c, e);
    lru_unlink(c, e);
    e->state = IDP_ENTRY_DOOMED;
    return IDP_CACHE_BUSY;
}

int idp_cache_do(const idp_cache_t *c, idp_cache_do_fn *fn, void *baton)
{
    const idp_cache_entry_t *e;
    int n = 0;

    for (e = c->head; e; e = e->next) {
        n++;
        if (!fn(baton, e)) {
            break;
        }
    }
    return n;
}

int idp_cache_count(const idp_cache_t *c)
{
    return c->count;
}

int idp_cache_capacity(const idp_cache_t *c)
{
    return c->capacity;
}

void idp_cache_stats(const idp_cache_t *c, idp_cache_stats_t *stats)
{
    *stats = c->stats;
}

/* --------------------------------------------------------------------- */

typedef struct neg_slot_t neg_slot_t;
struct neg_slot_t {
    char key[IDP_CACHE_KEY_MAX + 1];
    apr_uint32_t hash;
    int used;
    apr_time_t added;
    neg_slot_t *hnext;               /* hash chain */
    neg_slot_t *prev, *next;         /* by added, oldest first; free list */
};

/* One ttl for every key: the list in order of (re)insertion is also the
 * order of expiry, so the oldest is at its head; lookups go through a
 * chained hash over the fixed slots. */
struct idp_negcache_t {
    neg_slot_t *slots;
    neg_slot_t **buckets;
    apr_uint32_t mask;
    neg_slot_t *oldest, *newest;
    neg_slot_t *free;
    int capacity;
    int count;
    apr_interval_time_t ttl;
    apr_uint64_t probes;
};

idp_negcache_t *idp_negcache_create(apr_pool_t *p, int capacity,
                                    apr_interval_time_t ttl)
{
    idp_negcache_t *n;
    apr_uint32_t b = 1;
    int i;

    if (capacity < 1 || capacity > IDP_CACHE_CAPACITY_MAX || ttl <= 0) {
        return NULL;
    }
    while (b < (apr_uint32_t)capacity) {
        b <<= 1;
    }
    n = apr_pcalloc(p, sizeof(*n));
    n->slots = apr_pcalloc(p, sizeof(*n->slots) * (apr_size_t)capacity);
    n->buckets = apr_pcalloc(p, sizeof(*n->buckets) * b);
    n->mask = b - 1;
    n->capacity = capacity;
    n->ttl = ttl;
    for (i = capacity - 1; i >= 0; i--) {
        n->slots[i].next = n->free;
        n->free = &n->slots[i];
    }
    return n;
}

static neg_slot_t *neg_find(idp_negcache_t *n, const char *key,
                            apr_uint32_t h)
{
    neg_slot_t *s;

    for (s = n->buckets[h & n->mask]; s; s = s->hnext) {
        n->probes++;
        if (s->hash == h && !strcmp(s->key, key)) {
            return s;
        }
    }
    return NULL;
}

static void neg_list_unlink(idp_negcache_t *n, neg_slot_t *s)
{
    if (s->prev) {
        s->prev->next = s->next;
    }
    else {
        n->oldest = s->next;
    }
    if (s->next) {
        s->next->prev = s->prev;
    }
    else {
        n->newest = s->prev;
    }
    s->prev = s->next = NULL;
}

static void neg_list_append(idp_negcache_t *n, neg_slot_t *s)
{
    s->next = NULL;
    s->prev = n->newest;
    if (n->newest) {
        n->newest->next = s;
    }
    else {
        n->oldest = s;
    }
    n->newest = s;
}

/* Unlink a used slot from the hash and the list, put it on the free
 * list. */
static void neg_drop(idp_negcache_t *n, neg_slot_t *s)
{
    neg_slot_t **pp = &n->buckets[s->hash & n->mask];

    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == s) {
            *pp = s->hnext;
            break;
        }
    }
    neg_list_unlink(n, s);
    memset(s, 0, sizeof(*s));
    s->next = n->free;
    n->free = s;
    n->count--;
}

int idp_negcache_insert(idp_negcache_t *n, const char *key, apr_time_t now)
{
    neg_slot_t *s;
    apr_uint32_t h;

    if (!key || strlen(key) > IDP_CACHE_KEY_MAX) {
        return IDP_CACHE_KEY_TOO_LONG;
    }
    h = hash_key(0, key);
    if ((s = neg_find(n, key, h))) {
        s->added = now;
        neg_list_unlink(n, s);
        neg_list_append(n, s);
        return IDP_CACHE_OK;
    }
    /* expired slots go first; when full, the oldest is replaced */
    while (n->oldest && now - n->oldest->added >= n->ttl) {
        neg_drop(n, n->oldest);
    }
    if (!n->free) {
        neg_drop(n, n->oldest);
    }
    s = n->free;
    n->free = s->next;
    memset(s, 0, sizeof(*s));
    strcpy(s->key, key);
    s->hash = h;
    s->used = 1;
    s->added = now;
    s->hnext = n->buckets[h & n->mask];
    n->buckets[h & n->mask] = s;
    neg_list_append(n, s);
    n->count++;
    return IDP_CACHE_OK;
}

int idp_negcache_check(idp_negcache_t *n, const char *key, apr_time_t now)
{
    neg_slot_t *s;

    if (!key || strlen(key) > IDP_CACHE_KEY_MAX
        || !(s = neg_find(n, key, hash_key(0, key)))) {
        return 0;
    }
    if (now - s->added < n->ttl) {
        return 1;
    }
    neg_drop(n, s);
    return 0;
}

int idp_negcache_count(const idp_negcache_t *n)
{
    return n->count;
}

apr_uint64_t idp_negcache_probes(const idp_negcache_t *n)
{
    return n->probes;
}

/* --------------------------------------------------------------------- */

struct idp_admit_t {
    idp_admission_t *slots;
    int capacity;
    int active;
};

idp_admit_t *idp_admit_create(apr_pool_t *p, int capacity)
{
    idp_admit_t *a;

    if (capacity < 1 || capacity > IDP_CACHE_CAPACITY_MAX) {
        return NULL;
    }
    a = apr_pcalloc(p, sizeof(*a));
    a->slots = apr_pcalloc(p, sizeof(*a->slots) * (apr_size_t)capacity);
    a->capacity = capacity;
    return a;
}

int idp_admit_begin(idp_admit_t *a, const char *key, idp_admission_t **adm)
{
    idp_admission_t *spare = NULL;
    int i;

    *adm = NULL;
    if (!key || strlen(key) > IDP_CACHE_KEY_MAX) {
        return IDP_ADMIT_KEY_TOO_LONG;
    }
    /* The table is as small as the cap on concurrent admissions: a scan
     * is cheaper than a hash here. */
    for (i = 0; i < a->capacity; i++) {
        idp_admission_t *s = &a->slots[i];

        if (!s->used) {
            if (!spare) {
                spare = s;
            }
        }
        else if (!s->done && !strcmp(s->key, key)) {
            s->waiters++;
            *adm = s;
            return IDP_ADMIT_WAIT;
        }
    }
    if (!spare) {
        return IDP_ADMIT_FULL;
    }
    memset(spare, 0, sizeof(*spare));
    strcpy(spare->key, key);
    spare->used = 1;
    a->active++;
    *adm = spare;
    return IDP_ADMIT_LEADER;
}

static void admit_free(idp_admit_t *a, idp_admission_t *s)
{
    if (s->done && s->waiters == 0 && s->used) {
        memset(s, 0, sizeof(*s));
        a->active--;
    }
}

void idp_admit_end(idp_admit_t *a, idp_admission_t *adm, int result)
{
    adm->done = 1;
    adm->result = result;
    admit_free(a, adm);
}

int idp_admit_leave(idp_admit_t *a, idp_admission_t *adm)
{
    int result = adm->done ? adm->result : IDP_ADMIT_PENDING;

    if (adm->waiters > 0) {
        adm->waiters--;
    }
    if (adm->done) {
        admit_free(a, adm);
    }
    return result;
}

int idp_admit_active(const idp_admit_t *a)
{
    return a->active;
}
