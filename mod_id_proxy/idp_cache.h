/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_cache: bookkeeping of the per-process backend (worker) cache and of
 * a small negative cache for failed DNS lookups (pure).
 *
 * Owns keys, refcounts, LRU order, idle expiry and the fixed bounds. It
 * never allocates after creation, never locks, never reads the clock and
 * never touches the caller's data: it only hands data back to be freed.
 */
#ifndef IDP_CACHE_H
#define IDP_CACHE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

/*
 * Locking: like mod_lbmethod_byrequests, every function here is assumed
 * to be mutex protected by the caller. One lock covers a cache and the
 * entries it returned: fields of an entry may only be read, and data
 * set, while holding it.
 *
 * Memory: idp_cache_create() allocates the table, its hash buckets and
 * all capacity entries at once; keys and ids are copied into fixed
 * buffers inside the entries and freed entries go to a free list, so a
 * flood of distinct keys never grows the pool. The hash is our own
 * chained table over that fixed array (apr_hash_t is not used).
 *
 * The caller's data: whenever an entry leaves the cache (eviction,
 * expiry, removal), its data pointer is handed back and the cache
 * forgets it. The caller destroys it (the worker's subpool). Pools are not
 * thread-safe: destroy a subpool of a shared parent while still holding
 * the lock, or after releasing it only if the parent pool's allocator has
 * a mutex. Either way the entry itself is already gone from the cache.
 */

/** Longest key and id, in bytes; longer ones are refused. */
#define IDP_CACHE_KEY_MAX 255

/** Largest capacity accepted by idp_cache_create() and the negcache. */
#define IDP_CACHE_CAPACITY_MAX 100000

/** Result codes. */
typedef enum {
    IDP_CACHE_OK = 0,
    IDP_CACHE_FULL,          /**< at capacity, nothing evictable */
    IDP_CACHE_EXISTS,        /**< insert: the key is already cached */
    IDP_CACHE_KEY_TOO_LONG,  /**< key or id longer than IDP_CACHE_KEY_MAX */
    IDP_CACHE_NONE,          /**< evict: no entry can be evicted;
                              *   remove: the entry is not in use */
    IDP_CACHE_BUSY           /**< remove: still referenced, deferred */
} idp_cache_rc_e;

/** Entry states. The cache sets FREE, NEW and DOOMED; the caller may move
 *  an entry from NEW to READY once its data is set up (a set-up that
 *  fails is undone with idp_cache_remove()). */
typedef enum {
    IDP_ENTRY_FREE = 0,      /**< on the free list */
    IDP_ENTRY_NEW,           /**< inserted, data not set up yet */
    IDP_ENTRY_READY,         /**< data set up (set by the caller) */
    IDP_ENTRY_DOOMED         /**< removed while referenced: freed by the
                              *   last idp_cache_release() */
} idp_entry_state_e;

typedef struct idp_cache_entry_t idp_cache_entry_t;

/** One cached backend. Read-only for the caller, apart from data and the
 *  NEW->READY state change. */
struct idp_cache_entry_t {
    char key[IDP_CACHE_KEY_MAX + 1];   /**< backend key */
    char id[IDP_CACHE_KEY_MAX + 1];    /**< the id that created it */
    void *data;              /**< the caller's (worker and subpool) */
    int refs;                /**< requests holding the entry */
    int state;               /**< idp_entry_state_e */
    apr_time_t created;
    apr_time_t last_used;    /**< last lookup, insert or release */
    apr_uint64_t requests;   /**< inserts plus lookup hits */
    /* private */
    apr_uint32_t hash;
    idp_cache_entry_t *prev, *next;    /**< LRU list, or free list */
    idp_cache_entry_t *hnext;          /**< hash chain */
    idp_cache_entry_t *iprev, *inext;  /**< idle list (refs 0) */
    int idle;                          /**< 0 busy, 1 warm, 2 cool */
};

/** Counters since creation. */
typedef struct {
    apr_uint64_t hits;       /**< lookups that found the key */
    apr_uint64_t misses;     /**< lookups that did not */
    apr_uint64_t inserts;
    apr_uint64_t evictions;  /**< evictions to make room (insert) */
    apr_uint64_t expirations;/**< idle entries removed by expire */
    apr_uint64_t overflows;  /**< inserts refused with IDP_CACHE_FULL */
    apr_uint64_t sweep_visits;/**< entries looked at by idp_cache_expire()
                              *   and idp_cache_idle_do() */
} idp_cache_stats_t;

typedef struct idp_cache_t idp_cache_t;

/** Eviction veto: non-zero if the idle entry e may go (the glue checks
 *  that its worker has no acquired connection). NULL means yes. */
typedef int idp_cache_evictable_fn(void *baton, const idp_cache_entry_t *e);

/** Iteration callback: return non-zero to continue, 0 to stop. It must
 *  not change the cache. */
typedef int idp_cache_do_fn(void *baton, const idp_cache_entry_t *e);

/**
 * Create a cache of capacity entries (1 to IDP_CACHE_CAPACITY_MAX), all
 * memory from p, or NULL if capacity is out of range.
 */
idp_cache_t *idp_cache_create(apr_pool_t *p, int capacity);

/**
 * Find key. On a hit, the entry becomes the most recently used, gains a
 * reference (refs + 1, requests + 1, last_used = now) and is returned;
 * the caller must idp_cache_release() it. Returns NULL on a miss. NEW
 * entries are returned too; the caller checks the state.
 */
idp_cache_entry_t *idp_cache_lookup(idp_cache_t *c, const char *key,
                                    apr_time_t now);

/**
 * Insert key (and id) as the most recently used entry, state NEW, data
 * NULL, holding one reference for the caller (refs 1, requests 1,
 * created = last_used = now), returned in *entry. If the cache is full,
 * the entry idle longest (refs 0) that can_evict accepts, cool ones
 * first, is
 * evicted first and its data stored in *evicted; otherwise *evicted is
 * NULL (if evicted itself is NULL, nothing is ever evicted). Returns
 * IDP_CACHE_OK, IDP_CACHE_FULL (nothing evictable, nothing changed),
 * IDP_CACHE_EXISTS (*entry NULL, nothing changed) or
 * IDP_CACHE_KEY_TOO_LONG. The count never exceeds the capacity.
 */
int idp_cache_insert(idp_cache_t *c, const char *key, const char *id,
                     apr_time_t now, idp_cache_evictable_fn *can_evict,
                     void *baton, idp_cache_entry_t **entry,
                     void **evicted);

/**
 * Drop the caller's reference and set last_used = now. Returns NULL, or,
 * if the entry was DOOMED and this was its last reference, the entry's
 * data, which the caller must now destroy (the entry is freed).
 */
void *idp_cache_release(idp_cache_t *c, idp_cache_entry_t *e,
                        apr_time_t now);

/**
 * Remove every entry with refs 0, idle for longer than idle_timeout
 * (now - last_used > idle_timeout) and accepted by can_evict, pushing
 * each one's data (void *) onto out (allocated by the caller, may grow in
 * its own pool), the longest idle first. Does nothing if idle_timeout <=
 * 0. Returns how many entries were removed. Idle entries are kept sorted
 * by last_used, so the cost is the number of entries idle that long (plus
 * one per idle list), not the size of the cache.
 */
int idp_cache_expire(idp_cache_t *c, apr_time_t now,
                     apr_interval_time_t idle_timeout,
                     idp_cache_evictable_fn *can_evict, void *baton,
                     apr_array_header_t *out);

/**
 * Call fn for each warm idle entry (refs 0, not cooled since its last
 * use) with last_used <= before, the longest idle first, until fn returns
 * 0. fn must not change the cache; collect entries to act on later (e.g.
 * idp_cache_cool()). Costs the number of entries visited plus one.
 * Returns the number of calls.
 */
int idp_cache_idle_do(idp_cache_t *c, apr_time_t before,
                      idp_cache_do_fn *fn, void *baton);

/**
 * Mark a warm idle entry cool: the caller is done with it until its next
 * use (e.g. its idle connections were closed), so idp_cache_idle_do()
 * skips it. Cool entries are evicted and expired before warm ones. Does
 * nothing to an entry that is in use or already cool.
 */
void idp_cache_cool(idp_cache_t *c, idp_cache_entry_t *e);

/**
 * Remove e (e.g. its set-up failed) so that lookups no longer find it.
 * If refs is 0 it is freed at once, its data stored in *data, and
 * IDP_CACHE_OK returned. Otherwise it becomes DOOMED, keeps its slot
 * until the last idp_cache_release() returns its data, *data is NULL and
 * IDP_CACHE_BUSY returned (also for an entry already DOOMED; a FREE one
 * gives IDP_CACHE_NONE). The same key may be inserted again at once.
 */
int idp_cache_remove(idp_cache_t *c, idp_cache_entry_t *e, void **data);

/**
 * Call fn for each live (not DOOMED) entry, most recently used first,
 * until fn returns 0. Returns the number of calls.
 */
int idp_cache_do(const idp_cache_t *c, idp_cache_do_fn *fn, void *baton);

/** Entries in use, DOOMED ones included. */
int idp_cache_count(const idp_cache_t *c);

/** The capacity given at creation. */
int idp_cache_capacity(const idp_cache_t *c);

/** Copy the counters into *stats. */
void idp_cache_stats(const idp_cache_t *c, idp_cache_stats_t *stats);

/* ---------------------------------------------------------------------
 * Negative cache: keys (e.g. backend keys whose DNS lookup failed) that
 * are refused for ttl. Fixed capacity, same locking and no-growth rules;
 * lookups go through a chained hash, the oldest key is replaced in O(1).
 */

typedef struct idp_negcache_t idp_negcache_t;

/** Create a negative cache of capacity slots (1 to
 *  IDP_CACHE_CAPACITY_MAX) whose entries live ttl (> 0), or NULL. */
idp_negcache_t *idp_negcache_create(apr_pool_t *p, int capacity,
                                    apr_interval_time_t ttl);

/**
 * Remember key until now + ttl (refreshed if already present). When
 * full, an expired slot is reused, else the oldest entry is replaced.
 * Returns IDP_CACHE_OK or IDP_CACHE_KEY_TOO_LONG.
 */
int idp_negcache_insert(idp_negcache_t *n, const char *key, apr_time_t now);

/** Non-zero if key was inserted less than ttl before now. An expired key
 *  found here is dropped. */
int idp_negcache_check(idp_negcache_t *n, const char *key, apr_time_t now);

/** Slots in use (expired ones that were not yet dropped included). */
int idp_negcache_count(const idp_negcache_t *n);

/** Slots compared with a key by lookups since creation (the cost of the
 *  hashed lookup: about one per lookup). */
apr_uint64_t idp_negcache_probes(const idp_negcache_t *n);

/* ---------------------------------------------------------------------
 * Admissions in progress: one per backend key. The first request for a
 * key that is not cached becomes its leader and admits it (DNS lookup,
 * worker set-up); requests for the same key that arrive meanwhile wait
 * for the leader's result instead of admitting it again. The table has a
 * fixed capacity, which caps concurrent admissions: beyond it, a new key
 * is refused (IDP_ADMIT_FULL). Same locking rules; waiting (on a
 * condition variable of the caller's) happens outside this code.
 */

typedef struct idp_admit_t idp_admit_t;

/** One admission. Read-only for the caller, under the lock. */
typedef struct {
    char key[IDP_CACHE_KEY_MAX + 1];
    int used;                /**< slot taken */
    int done;                /**< the leader ended it */
    int result;              /**< the leader's result (0: admitted) */
    int waiters;             /**< requests waiting for it */
} idp_admission_t;

enum {
    IDP_ADMIT_LEADER = 0,    /**< begin: admit it, then idp_admit_end() */
    IDP_ADMIT_WAIT,          /**< begin: wait, then idp_admit_leave() */
    IDP_ADMIT_FULL,          /**< begin: too many admissions at once */
    IDP_ADMIT_KEY_TOO_LONG,
    IDP_ADMIT_PENDING = -1   /**< leave: the leader has not ended yet */
};

/** A table for capacity concurrent admissions (1 to
 *  IDP_CACHE_CAPACITY_MAX), or NULL. */
idp_admit_t *idp_admit_create(apr_pool_t *p, int capacity);

/**
 * Start admitting key, or join the admission of key in progress: returns
 * IDP_ADMIT_LEADER (a slot is taken for key), IDP_ADMIT_WAIT (*adm is the
 * admission to wait for; its waiters count includes the caller),
 * IDP_ADMIT_FULL (every slot is taken, *adm NULL) or
 * IDP_ADMIT_KEY_TOO_LONG.
 */
int idp_admit_begin(idp_admit_t *a, const char *key, idp_admission_t **adm);

/** The leader ends its admission with result (kept for the waiters); the
 *  slot is freed once no one waits for it. */
void idp_admit_end(idp_admit_t *a, idp_admission_t *adm, int result);

/** A waiter stops waiting (woken or timed out): returns the leader's
 *  result, or IDP_ADMIT_PENDING if it has not ended. The last one out
 *  of an ended admission frees its slot. */
int idp_admit_leave(idp_admit_t *a, idp_admission_t *adm);

/** Admissions whose slot is taken (in progress, or ended with waiters
 *  not yet gone). */
int idp_admit_active(const idp_admit_t *a);

#endif /* IDP_CACHE_H */
