/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/* Unit tests for idp_params: mod_proxy's worker keys, units and limits,
 * refused keys and merging. */
#include <string.h>

#include "test_common.h"
#include "idp_params.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static const char *set(idp_params_t *p, const char *arg)
{
    return idp_params_set(pool, p, arg);
}

START_TEST(test_values_and_units)
{
    idp_params_t p;

    memset(&p, 0, sizeof(p));
    ck_assert_ptr_null(set(&p, "timeout=30"));
    ck_assert(p.timeout == apr_time_from_sec(30));
    ck_assert_ptr_null(set(&p, "TTL=2"));
    ck_assert(p.ttl == apr_time_from_sec(2));
    ck_assert_ptr_null(set(&p, "acquire=500"));          /* ms by default */
    ck_assert(p.acquire == 500 * 1000);
    ck_assert_ptr_null(set(&p, "connectiontimeout=2"));  /* s by default */
    ck_assert(p.conn_timeout == apr_time_from_sec(2));
    ck_assert_ptr_null(set(&p, "connectiontimeout=250ms"));
    ck_assert(p.conn_timeout == 250 * 1000);
    ck_assert_ptr_null(set(&p, "ping=1mi"));
    ck_assert(p.ping == apr_time_from_sec(60));
    ck_assert_ptr_null(set(&p, "smax=2"));
    ck_assert_ptr_null(set(&p, "max=16"));
    ck_assert_ptr_null(set(&p, "min=0"));
    ck_assert_int_eq(p.smax, 2);
    ck_assert_int_eq(p.hmax, 16);
    ck_assert_ptr_null(set(&p, "enablereuse=off"));
    ck_assert_int_eq(p.disablereuse, 1);
    ck_assert_ptr_null(set(&p, "disablereuse=Off"));
    ck_assert_int_eq(p.disablereuse, 0);
    ck_assert_ptr_null(set(&p, "addressttl=-1"));
    ck_assert_int_eq(p.address_ttl, -1);
    ck_assert_ptr_null(set(&p, "addressttl=60"));
    ck_assert_int_eq(p.address_ttl, 60);
    ck_assert_ptr_null(set(&p, "flushpackets=auto"));
    ck_assert_int_eq(p.flush_packets, IDP_FLUSH_AUTO);
    ck_assert_ptr_null(set(&p, "flushwait=0"));
    ck_assert_int_eq(p.flush_wait, 10000);
    ck_assert_ptr_null(set(&p, "iobuffersize=0"));
    ck_assert_uint_eq(p.io_buffer_size, 8192);
    ck_assert_ptr_null(set(&p, "upgrade=ANY"));
    ck_assert_str_eq(p.upgrade, "*");
    ck_assert_ptr_null(set(&p, "upgrade=websocket"));
    ck_assert_str_eq(p.upgrade, "websocket");
    ck_assert_ptr_null(set(&p, "keepalive=On"));
    ck_assert_int_eq(p.keepalive, 1);
    ck_assert_uint_eq(p.set & (IDP_P_TIMEOUT | IDP_P_TTL | IDP_P_ACQUIRE
                               | IDP_P_UPGRADE | IDP_P_KEEPALIVE),
                      IDP_P_TIMEOUT | IDP_P_TTL | IDP_P_ACQUIRE
                      | IDP_P_UPGRADE | IDP_P_KEEPALIVE);
    ck_assert_uint_eq(p.set & IDP_P_RECV_BUFFER, 0);
}
END_TEST

START_TEST(test_refused)
{
    idp_params_t p;
    static const char *const bad[] = {
        "timeout=0", "timeout=-1", "timeout=1s", "ttl=0", "ttl=x",
        "acquire=0", "acquire=1us", "connectiontimeout=", "smax=-1",
        "max=1000001", "keepalive=yes", "addressttl=1500ms", "flushwait=1001",
        "iobuffersize=100", "upgrade=", "upgrade=a b",
        "upgrade=0123456789abcdef", "retry=5", "route=x", "lbset=1",
        "hcmethod=GET", "bogus=1", "ttl", "=5", "", NULL
    };
    int i;

    for (i = 0; bad[i]; i++) {
        memset(&p, 0, sizeof(p));
        ck_assert_msg(set(&p, bad[i]) != NULL, "accepted %s", bad[i]);
        ck_assert_msg(p.set == 0, "%s set something", bad[i]);
    }
    memset(&p, 0, sizeof(p));
    ck_assert_ptr_nonnull(strstr(set(&p, "retry=5"), "does not apply"));
    ck_assert_ptr_nonnull(strstr(set(&p, "ttl=0"), "ttl=0"));
}
END_TEST

START_TEST(test_duration)
{
    apr_interval_time_t t;

    ck_assert_int_eq(idp_params_duration("5", "s", &t), 0);
    ck_assert(t == apr_time_from_sec(5));
    ck_assert_int_eq(idp_params_duration("5", "ms", &t), 0);
    ck_assert(t == 5000);
    ck_assert_int_eq(idp_params_duration("2h", "ms", &t), 0);
    ck_assert(t == apr_time_from_sec(7200));
    ck_assert_int_eq(idp_params_duration("", "s", &t), -1);
    ck_assert_int_eq(idp_params_duration("s", "s", &t), -1);
    ck_assert_int_eq(idp_params_duration("5x", "s", &t), -1);
    ck_assert_int_eq(idp_params_duration("1234567890", "s", &t), -1);
}
END_TEST

START_TEST(test_merge)
{
    idp_params_t base, add;

    memset(&base, 0, sizeof(base));
    memset(&add, 0, sizeof(add));
    ck_assert_ptr_null(set(&base, "ttl=10"));
    ck_assert_ptr_null(set(&base, "smax=1"));
    ck_assert_ptr_null(set(&add, "ttl=20"));
    ck_assert_ptr_null(set(&add, "upgrade=websocket"));
    idp_params_merge(&base, &add);
    ck_assert(base.ttl == apr_time_from_sec(20));
    ck_assert_int_eq(base.smax, 1);
    ck_assert_str_eq(base.upgrade, "websocket");
    ck_assert_uint_eq(base.set, IDP_P_TTL | IDP_P_SMAX | IDP_P_UPGRADE);
}
END_TEST

Suite *idp_params_suite(void)
{
    Suite *s = suite_create("idp_params");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_values_and_units);
    tcase_add_test(tc, test_refused);
    tcase_add_test(tc, test_duration);
    tcase_add_test(tc, test_merge);
    suite_add_tcase(s, tc);
    return s;
}
