/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_params: the connection parameters of IdProxyWorkerParams, parsed
 * with mod_proxy's worker keys, units and limits (pure).
 *
 * mod_proxy's own parser (set_worker_param) is static, so the keys that
 * make sense for a cached per-backend worker are parsed here into plain
 * values; the glue copies the ones that were set into each new worker.
 * Balancer and health-check keys are refused with a sentence saying so.
 */
#ifndef IDP_PARAMS_H
#define IDP_PARAMS_H

#include <apr_pools.h>
#include <apr_time.h>

/** Bits of idp_params_t.set: which keys were given. */
enum {
    IDP_P_TIMEOUT        = 1u << 0,
    IDP_P_CONN_TIMEOUT   = 1u << 1,
    IDP_P_TTL            = 1u << 2,
    IDP_P_MIN            = 1u << 3,
    IDP_P_HMAX           = 1u << 4,
    IDP_P_SMAX           = 1u << 5,
    IDP_P_ACQUIRE        = 1u << 6,
    IDP_P_KEEPALIVE      = 1u << 7,
    IDP_P_DISABLEREUSE   = 1u << 8,
    IDP_P_ADDRESS_TTL    = 1u << 9,
    IDP_P_FLUSH_PACKETS  = 1u << 10,
    IDP_P_FLUSH_WAIT     = 1u << 11,
    IDP_P_PING           = 1u << 12,
    IDP_P_IO_BUFFER      = 1u << 13,
    IDP_P_RECV_BUFFER    = 1u << 14,
    IDP_P_RESP_FIELD     = 1u << 15,
    IDP_P_UPGRADE        = 1u << 16
};

/** flushpackets values, in mod_proxy's order (flush_off, on, auto). */
enum { IDP_FLUSH_OFF = 0, IDP_FLUSH_ON, IDP_FLUSH_AUTO };

/** Longest upgrade protocol name (mod_proxy keeps it in 16 bytes). */
#define IDP_UPGRADE_MAX 15

/** Parsed parameters; a zeroed struct means "nothing set". Times are in
 *  microseconds, sizes in bytes. */
typedef struct {
    unsigned int set;              /**< IDP_P_* bits */
    apr_interval_time_t timeout;   /**< timeout=S (seconds, >= 1) */
    apr_interval_time_t conn_timeout; /**< connectiontimeout= (s default,
                                    *   ms/s/mi/h suffix, >= 1 ms) */
    apr_interval_time_t ttl;       /**< ttl=S (seconds, >= 1) */
    apr_interval_time_t acquire;   /**< acquire= (ms default, >= 1 ms) */
    apr_interval_time_t ping;      /**< ping= (s default, >= 1 ms) */
    int min;                       /**< min=N (>= 0) */
    int hmax;                      /**< max=N (>= 0) */
    int smax;                      /**< smax=N (>= 0) */
    int keepalive;                 /**< keepalive=On|Off */
    int disablereuse;              /**< disablereuse=On|Off,
                                    *   enablereuse=On|Off (inverted) */
    int address_ttl;               /**< addressttl=-1|S (seconds) */
    int flush_packets;             /**< flushpackets=on|off|auto */
    int flush_wait;                /**< flushwait=MS (0-1000; 0 = 10 ms),
                                    *   stored in microseconds */
    apr_size_t io_buffer_size;     /**< iobuffersize= (0 = 8192, or >= 512) */
    apr_size_t recv_buffer_size;   /**< receivebuffersize= (0 or >= 512) */
    apr_size_t response_field_size;/**< responsefieldsize= (0 = 8192) */
    char upgrade[IDP_UPGRADE_MAX + 1]; /**< upgrade=PROTO ("ANY" -> "*") */
} idp_params_t;

/**
 * Parse one "key=value" argument into prm (keys are case-insensitive,
 * values as mod_proxy documents them for ProxyPass). Returns NULL, or an
 * error sentence (from p) naming the key.
 */
const char *idp_params_set(apr_pool_t *p, idp_params_t *prm,
                           const char *arg);

/**
 * Parse a duration: digits, optionally followed by "ms", "s", "mi" or
 * "h"; a bare number is in dflt_unit ("ms" or "s"). Returns 0 and sets
 * *out in microseconds, or -1 (bad format, negative or overflow).
 */
int idp_params_duration(const char *val, const char *dflt_unit,
                        apr_interval_time_t *out);

/** Copy into dst every parameter set in src (src wins). */
void idp_params_merge(idp_params_t *dst, const idp_params_t *src);

#endif /* IDP_PARAMS_H */
