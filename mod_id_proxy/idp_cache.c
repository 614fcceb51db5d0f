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

typedef struct {
    char key[IDP_CACHE_KEY_MAX + 1];
    apr_uint32_t hash;
    int used;
    apr_time_t added;
} neg_slot_t;

struct idp_negcache_t {
    neg_slot_t *slots;
    int capacity;
    int count;
    apr_interval_time_t ttl;
};

idp_negcache_t *idp_negcache_create(apr_pool_t *p, int capacity,
                                    apr_interval_time_t ttl)
{
    idp_negcache_t *n;

    if (capacity < 1 || capacity > IDP_CACHE_CAPACITY_MAX || ttl <= 0) {
        return NULL;
    }
    n = apr_pcalloc(p, sizeof(*n));
    n->slots = apr_pcalloc(p, sizeof(*n->slots) * (apr_size_t)capacity);
    n->capacity = capacity;
    n->ttl = ttl;
    return n;
}

static neg_slot_t *neg_find(idp_negcache_t *n, const char *key,
                            apr_uint32_t h)
{
    int i;

    for (i = 0; i < n->capacity; i++) {
        neg_slot_t *s = &n->slots[i];

        if (s->used && s->hash == h && !strcmp(s->key, key)) {
            return s;
        }
    }
    return NULL;
}

int idp_negcache_insert(idp_negcache_t *n, const char *key, apr_time_t now)
{
    neg_slot_t *s, *spare = NULL, *oldest = NULL;
    apr_uint32_t h;
    int i;

    if (!key || strlen(key) > IDP_CACHE_KEY_MAX) {
        return IDP_CACHE_KEY_TOO_LONG;
    }
    h = hash_key(0, key);
    if ((s = neg_find(n, key, h))) {
        s->added = now;
        return IDP_CACHE_OK;
    }
    /* a free slot, else the oldest (expired ones first: one ttl for all) */
    for (i = 0; i < n->capacity && !spare; i++) {
        s = &n->slots[i];
        if (!s->used) {
            spare = s;
        }
        else if (!oldest || s->added < oldest->added) {
            oldest = s;
        }
    }
    if (!spare) {
        spare = oldest;
    }
    else {
        n->count++;
    }
    strcpy(spare->key, key);
    spare->hash = h;
    spare->used = 1;
    spare->added = now;
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
    s->used = 0;
    n->count--;
    return 0;
}

int idp_negcache_count(const idp_negcache_t *n)
{
    return n->count;
}
