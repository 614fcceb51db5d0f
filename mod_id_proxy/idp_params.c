/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* idp_params: IdProxyWorkerParams parsing (pure); see idp_params.h. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "idp_params.h"

/* A non-negative decimal integer of at most 9 digits, nothing else. */
static int parse_uint(const char *s, long *out)
{
    long v = 0;
    int n = 0;

    if (!s || !*s) {
        return -1;
    }
    for (; *s; s++, n++) {
        if (!apr_isdigit(*s) || n >= 9) {
            return -1;
        }
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

static int parse_onoff(const char *val, int *out)
{
    if (!strcasecmp(val, "on")) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(val, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

int idp_params_duration(const char *val, const char *dflt_unit,
                        apr_interval_time_t *out)
{
    long n = 0;
    int digits = 0;
    const char *unit;
    apr_interval_time_t mul;

    if (!val) {
        return -1;
    }
    for (unit = val; apr_isdigit(*unit); unit++) {
        if (++digits > 9) {
            return -1;
        }
        n = n * 10 + (*unit - '0');
    }
    if (!digits) {
        return -1;
    }
    if (!*unit) {
        unit = dflt_unit;
    }
    if (!strcasecmp(unit, "ms")) {
        mul = 1000;
    }
    else if (!strcasecmp(unit, "s")) {
        mul = APR_USEC_PER_SEC;
    }
    else if (!strcasecmp(unit, "mi")) {
        mul = 60 * APR_USEC_PER_SEC;
    }
    else if (!strcasecmp(unit, "h")) {
        mul = 3600 * APR_USEC_PER_SEC;
    }
    else {
        return -1;
    }
    *out = (apr_interval_time_t)n * mul;
    return 0;
}

/* Keys of mod_proxy that have no meaning for a cached id-proxy worker. */
static const char *const refused[] = {
    "loadfactor", "retry", "route", "redirect", "status", "lbset",
    "secret", "flusher", "hcmethod", "hcexpr", "hcinterval", "hcpasses",
    "hcfails", "hcuri", NULL
};

const char *idp_params_set(apr_pool_t *p, idp_params_t *prm,
                           const char *arg)
{
    const char *eq = arg ? strchr(arg, '=') : NULL;
    const char *key, *val;
    apr_interval_time_t t;
    long n;
    int i, b;

    if (!eq || eq == arg) {
        return apr_psprintf(p, "'%s' is not of the form key=value",
                            arg ? arg : "");
    }
    key = apr_pstrmemdup(p, arg, eq - arg);
    val = eq + 1;

    for (i = 0; refused[i]; i++) {
        if (!strcasecmp(key, refused[i])) {
            return apr_psprintf(p, "'%s' is a balancer or health-check "
                                "parameter; it does not apply to id-proxy "
                                "workers (errors never disable them)", key);
        }
    }

#define BAD(what) apr_psprintf(p, "%s=%s: %s", key, val, what)
    if (!strcasecmp(key, "timeout")) {
        if (parse_uint(val, &n) || n < 1) {
            return BAD("must be a number of seconds, at least 1");
        }
        prm->timeout = apr_time_from_sec(n);
        prm->set |= IDP_P_TIMEOUT;
    }
    else if (!strcasecmp(key, "connectiontimeout")) {
        if (idp_params_duration(val, "s", &t) || t < 1000) {
            return BAD("must be a duration of at least 1ms "
                       "(seconds, or a ms/s/mi/h suffix)");
        }
        prm->conn_timeout = t;
        prm->set |= IDP_P_CONN_TIMEOUT;
    }
    else if (!strcasecmp(key, "ttl")) {
        if (parse_uint(val, &n) || n < 1) {
            return BAD("must be a number of seconds, at least 1");
        }
        prm->ttl = apr_time_from_sec(n);
        prm->set |= IDP_P_TTL;
    }
    else if (!strcasecmp(key, "acquire")) {
        if (idp_params_duration(val, "ms", &t) || t < 1000) {
            return BAD("must be a duration of at least 1ms "
                       "(milliseconds, or a ms/s/mi/h suffix)");
        }
        prm->acquire = t;
        prm->set |= IDP_P_ACQUIRE;
    }
    else if (!strcasecmp(key, "ping")) {
        if (idp_params_duration(val, "s", &t) || t < 1000) {
            return BAD("must be a duration of at least 1ms "
                       "(seconds, or a ms/s/mi/h suffix)");
        }
        prm->ping = t;
        prm->set |= IDP_P_PING;
    }
    else if (!strcasecmp(key, "min") || !strcasecmp(key, "max")
             || !strcasecmp(key, "smax")) {
        if (parse_uint(val, &n) || n > 100000) {
            return BAD("must be a number of connections, 0 to 100000");
        }
        if (!strcasecmp(key, "min")) {
            prm->min = (int)n;
            prm->set |= IDP_P_MIN;
        }
        else if (!strcasecmp(key, "max")) {
            prm->hmax = (int)n;
            prm->set |= IDP_P_HMAX;
        }
        else {
            prm->smax = (int)n;
            prm->set |= IDP_P_SMAX;
        }
    }
    else if (!strcasecmp(key, "keepalive")) {
        if (parse_onoff(val, &b)) {
            return BAD("must be On or Off");
        }
        prm->keepalive = b;
        prm->set |= IDP_P_KEEPALIVE;
    }
    else if (!strcasecmp(key, "disablereuse")
             || !strcasecmp(key, "enablereuse")) {
        if (parse_onoff(val, &b)) {
            return BAD("must be On or Off");
        }
        prm->disablereuse = strcasecmp(key, "enablereuse") ? b : !b;
        prm->set |= IDP_P_DISABLEREUSE;
    }
    else if (!strcasecmp(key, "addressttl")) {
        if (!strcmp(val, "-1")) {
            prm->address_ttl = -1;
        }
        else if (!idp_params_duration(val, "s", &t)
                 && t % APR_USEC_PER_SEC == 0
                 && apr_time_sec(t) <= 0x7fffffff) {
            prm->address_ttl = (int)apr_time_sec(t);
        }
        else {
            return BAD("must be -1 or a whole number of seconds");
        }
        prm->set |= IDP_P_ADDRESS_TTL;
    }
    else if (!strcasecmp(key, "flushpackets")) {
        if (!strcasecmp(val, "on")) {
            prm->flush_packets = IDP_FLUSH_ON;
        }
        else if (!strcasecmp(val, "off")) {
            prm->flush_packets = IDP_FLUSH_OFF;
        }
        else if (!strcasecmp(val, "auto")) {
            prm->flush_packets = IDP_FLUSH_AUTO;
        }
        else {
            return BAD("must be on, off or auto");
        }
        prm->set |= IDP_P_FLUSH_PACKETS;
    }
    else if (!strcasecmp(key, "flushwait")) {
        if (parse_uint(val, &n) || n > 1000) {
            return BAD("must be 0 to 1000 milliseconds");
        }
        /* As mod_proxy's set_worker_param (2.4.x mod_proxy.c): "0 for
         * system default of 10 milliseconds" (PROXY_FLUSH_WAIT), not "no
         * wait". */
        prm->flush_wait = (int)(n ? n * 1000 : 10000);
        prm->set |= IDP_P_FLUSH_WAIT;
    }
    else if (!strcasecmp(key, "iobuffersize")
             || !strcasecmp(key, "receivebuffersize")) {
        if (parse_uint(val, &n) || (n && n < 512)) {
            return BAD("must be 0 (the default) or at least 512 bytes");
        }
        if (!strcasecmp(key, "iobuffersize")) {
            prm->io_buffer_size = n ? (apr_size_t)n : 8192;
            prm->set |= IDP_P_IO_BUFFER;
        }
        else {
            prm->recv_buffer_size = (apr_size_t)n;
            prm->set |= IDP_P_RECV_BUFFER;
        }
    }
    else if (!strcasecmp(key, "responsefieldsize")) {
        if (parse_uint(val, &n)) {
            return BAD("must be a number of bytes (0: 8192)");
        }
        prm->response_field_size = n ? (apr_size_t)n : 8192;
        prm->set |= IDP_P_RESP_FIELD;
    }
    else if (!strcasecmp(key, "upgrade")) {
        const char *u = strcasecmp(val, "ANY") ? val : "*";
        const char *c;
        if (!*u || strlen(u) > IDP_UPGRADE_MAX) {
            return BAD("must be a protocol name of 1 to 15 characters");
        }
        for (c = u; *c; c++) {
            if (!apr_isalnum(*c) && !strchr("*-._,", *c)) {
                return BAD("must be a protocol name such as websocket");
            }
        }
        apr_cpystrn(prm->upgrade, u, sizeof(prm->upgrade));
        prm->set |= IDP_P_UPGRADE;
    }
    else {
        return apr_psprintf(p, "unknown worker parameter '%s'", key);
    }
#undef BAD
    return NULL;
}

void idp_params_merge(idp_params_t *dst, const idp_params_t *src)
{
#define TAKE(bit, field) \
    if (src->set & (bit)) { dst->field = src->field; dst->set |= (bit); }
    TAKE(IDP_P_TIMEOUT, timeout)
    TAKE(IDP_P_CONN_TIMEOUT, conn_timeout)
    TAKE(IDP_P_TTL, ttl)
    TAKE(IDP_P_MIN, min)
    TAKE(IDP_P_HMAX, hmax)
    TAKE(IDP_P_SMAX, smax)
    TAKE(IDP_P_ACQUIRE, acquire)
    TAKE(IDP_P_KEEPALIVE, keepalive)
    TAKE(IDP_P_DISABLEREUSE, disablereuse)
    TAKE(IDP_P_ADDRESS_TTL, address_ttl)
    TAKE(IDP_P_FLUSH_PACKETS, flush_packets)
    TAKE(IDP_P_FLUSH_WAIT, flush_wait)
    TAKE(IDP_P_PING, ping)
    TAKE(IDP_P_IO_BUFFER, io_buffer_size)
    TAKE(IDP_P_RECV_BUFFER, recv_buffer_size)
    TAKE(IDP_P_RESP_FIELD, response_field_size)
#undef TAKE
    if (src->set & IDP_P_UPGRADE) {
        memcpy(dst->upgrade, src->upgrade, sizeof(dst->upgrade));
        dst->set |= IDP_P_UPGRADE;
    }
}
