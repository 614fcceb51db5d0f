/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_topn.c: see idp_topn.h. A row is: cell 0 the sequence number (odd
 * while the writer copies), cell 1 the number of items, then per item
 * KEY_CELLS cells of key (NUL-padded) and two counts. Every cell is read
 * and written with the compiler's atomic builtins, as in cm_metrics.c.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "idp_topn.h"

#define KEY_CELLS ((IDP_TOPN_KEY_MAX + 1 + 7) / 8)
#define ITEM_CELLS (KEY_CELLS + 2)
#define HEAD_CELLS 2
#define READ_TRIES 100

typedef struct {
    char key[KEY_CELLS * 8];
    apr_uint64_t requests, errors;
    apr_uint32_t hash;
    int hnext;                  /* next slot in the chain, -1: none */
} slot_t;

struct idp_topn_t {
    int capacity, count;
    int nbuckets;               /* a power of two */
    int *buckets;               /* first slot of each chain, -1: none */
    slot_t *slots;
};

static apr_uint32_t hash_key(const char *k)
{
    apr_uint32_t h = 2166136261u;          /* FNV-1a */

    while (*k) {
        h ^= (unsigned char)*k++;
        h *= 16777619u;
    }
    return h;
}

idp_topn_t *idp_topn_create(apr_pool_t *p, int capacity)
{
    idp_topn_t *t;
    int i;

    if (capacity < 1 || capacity > IDP_TOPN_CAPACITY_MAX) {
        return NULL;
    }
    t = apr_pcalloc(p, sizeof(*t));
    t->capacity = capacity;
    for (t->nbuckets = 1; t->nbuckets < 2 * capacity; t->nbuckets <<= 1) {
    }
    t->buckets = apr_palloc(p, sizeof(int) * (apr_size_t)t->nbuckets);
    for (i = 0; i < t->nbuckets; i++) {
        t->buckets[i] = -1;
    }
    t->slots = apr_pcalloc(p, sizeof(slot_t) * (apr_size_t)capacity);
    return t;
}

static int find(const idp_topn_t *t, const char *key, apr_uint32_t h)
{
    int i;

    for (i = t->buckets[h & (apr_uint32_t)(t->nbuckets - 1)]; i >= 0;
         i = t->slots[i].hnext) {
        if (t->slots[i].hash == h && strcmp(t->slots[i].key, key) == 0) {
            return i;
        }
    }
    return -1;
}

static void unlink_slot(idp_topn_t *t, int i)
{
    int *pp = &t->buckets[t->slots[i].hash & (apr_uint32_t)(t->nbuckets - 1)];

    while (*pp >= 0 && *pp != i) {
        pp = &t->slots[*pp].hnext;
    }
    if (*pp == i) {
        *pp = t->slots[i].hnext;
    }
}

/* A slot for key, new (counts 0): a free one, or the least busy one. */
static int take(idp_topn_t *t, const char *key, apr_uint32_t h)
{
    int i, m;

    if (t->count < t->capacity) {
        i = t->count++;
    }
    else {
        for (i = 0, m = 1; m < t->capacity; m++) {
            if (t->slots[m].requests < t->slots[i].requests) {
                i = m;
            }
        }
        unlink_slot(t, i);
    }
    memset(&t->slots[i], 0, sizeof(t->slots[i]));
    strcpy(t->slots[i].key, key);
    t->slots[i].hash = h;
    t->slots[i].hnext = t->buckets[h & (apr_uint32_t)(t->nbuckets - 1)];
    t->buckets[h & (apr_uint32_t)(t->nbuckets - 1)] = i;
    return i;
}

void idp_topn_add(idp_topn_t *t, const char *key, apr_uint64_t requests,
                  apr_uint64_t errors)
{
    apr_uint32_t h;
    int i;

    if (!t || !key || strlen(key) > IDP_TOPN_KEY_MAX) {
        return;
    }
    h = hash_key(key);
    i = find(t, key, h);
    if (i < 0) {
        i = take(t, key, h);
    }
    t->slots[i].requests += requests;
    t->slots[i].errors += errors;
}

int idp_topn_count(const idp_topn_t *t)
{
    return t ? t->count : 0;
}

apr_size_t idp_topn_cells(int capacity)
{
    return HEAD_CELLS + (apr_size_t)capacity * ITEM_CELLS;
}

static void put(apr_uint64_t *c, apr_uint64_t v)
{
    __atomic_store_n(c, v, __ATOMIC_RELAXED);
}

static apr_uint64_t get(const apr_uint64_t *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void idp_topn_publish(const idp_topn_t *t, apr_uint64_t *cells)
{
    apr_uint64_t seq = get(&cells[0]);
    int i, k;

    put(&cells[0], seq | 1);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    put(&cells[1], (apr_uint64_t)t->count);
    for (i = 0; i < t->count; i++) {
        apr_uint64_t *item = cells + HEAD_CELLS + (apr_size_t)i * ITEM_CELLS;
        const slot_t *s = &t->slots[i];

        for (k = 0; k < KEY_CELLS; k++) {
            apr_uint64_t v;
            memcpy(&v, s->key + k * 8, 8);
            put(&item[k], v);
        }
        put(&item[KEY_CELLS], s->requests);
        put(&item[KEY_CELLS + 1], s->errors);
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    put(&cells[0], (seq | 1) + 1);
}

static void read_item(const apr_uint64_t *cells, int i, slot_t *s)
{
    const apr_uint64_t *item = cells + HEAD_CELLS + (apr_size_t)i * ITEM_CELLS;
    int k;

    for (k = 0; k < KEY_CELLS; k++) {
        apr_uint64_t v = get(&item[k]);
        memcpy(s->key + k * 8, &v, 8);
    }
    s->key[sizeof(s->key) - 1] = '\0';
    s->requests = get(&item[KEY_CELLS]);
    s->errors = get(&item[KEY_CELLS + 1]);
}

/* One consistent copy of a row's items into slots (capacity of them);
 * the number copied, or -1 if the row kept changing. */
static int snapshot(const apr_uint64_t *cells, int capacity, slot_t *slots)
{
    int tries, i, n;

    for (tries = 0; tries < READ_TRIES; tries++) {
        apr_uint64_t s1 = __atomic_load_n(&cells[0], __ATOMIC_ACQUIRE);

        if (s1 & 1) {
            continue;
        }
        n = (int)get(&cells[1]);
        if (n > capacity) {
            n = capacity;
        }
        for (i = 0; i < n; i++) {
            read_item(cells, i, &slots[i]);
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (get(&cells[0]) == s1) {
            return n;
        }
    }
    return -1;
}

void idp_topn_load(idp_topn_t *t, const apr_uint64_t *cells)
{
    slot_t one;
    apr_uint64_t n = get(&cells[1]);
    int i;

    /* The row's last writer is gone: nothing races this copy. */
    for (i = 0; i < t->capacity && (apr_uint64_t)i < n; i++) {
        read_item(cells, i, &one);
        if (one.key[0]) {
            idp_topn_add(t, one.key, one.requests, one.errors);
        }
    }
}

int idp_topn_read(const apr_uint64_t *cells, int capacity, apr_pool_t *p,
                  apr_array_header_t *out)
{
    slot_t *slots;
    int i, n;

    if (capacity < 1 || capacity > IDP_TOPN_CAPACITY_MAX) {
        return 0;
    }
    slots = apr_palloc(p, sizeof(slot_t) * (apr_size_t)capacity);
    n = snapshot(cells, capacity, slots);
    if (n < 0) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        idp_topn_item_t *it;

        if (!slots[i].key[0]) {
            continue;
        }
        it = apr_array_push(out);
        it->key = apr_pstrdup(p, slots[i].key);
        it->requests = slots[i].requests;
        it->errors = slots[i].errors;
    }
    return 1;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const idp_topn_item_t *)a)->key,
                  ((const idp_topn_item_t *)b)->key);
}

static int by_requests(const void *a, const void *b)
{
    const idp_topn_item_t *x = a, *y = b;

    if (x->requests != y->requests) {
        return x->requests > y->requests ? -1 : 1;
    }
    return strcmp(x->key, y->key);
}

apr_array_header_t *idp_topn_merge(apr_pool_t *p,
                                   const apr_array_header_t *items, int n)
{
    apr_array_header_t *sum = apr_array_copy(p, items);
    idp_topn_item_t *it = (idp_topn_item_t *)sum->elts;
    int i, w = 0;

    if (sum->nelts > 1) {
        qsort(it, (size_t)sum->nelts, sizeof(*it), by_key);
    }
    for (i = 0; i < sum->nelts; i++) {
        if (w > 0 && strcmp(it[w - 1].key, it[i].key) == 0) {
            it[w - 1].requests += it[i].requests;
            it[w - 1].errors += it[i].errors;
        }
        else {
            it[w++] = it[i];
        }
    }
    if (w > 1) {
        qsort(it, (size_t)w, sizeof(*it), by_requests);
    }
    sum->nelts = n < 0 ? 0 : (w < n ? w : n);
    return sum;
}
