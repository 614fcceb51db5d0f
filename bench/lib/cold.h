/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * bench/lib/cold.h: running a call cold, for bench/redact_bench.c and
 * bench/redact_bitmap_probe.c. Before each timed call, pollute() leaves
 * the caches and the branch predictor as a request in httpd does between
 * two records: 4 MiB of memory touched, 64k data-dependent branches on
 * random bytes. The median of the calls' times is the figure.
 */
#ifndef BENCH_COLD_H
#define BENCH_COLD_H

#include <stdlib.h>
#include <time.h>

#define COLD_MEM (4 << 20)
#define COLD_BRANCHES 65536

typedef struct {
    unsigned char *mem;
    unsigned char *rnd;
} cold_t;

static volatile unsigned cold_sink;

static int cold_init(cold_t *c)
{
    int i;

    c->mem = calloc(COLD_MEM, 1);
    c->rnd = malloc(COLD_BRANCHES);
    if (!c->mem || !c->rnd) {
        return -1;
    }
    srand(1);
    for (i = 0; i < COLD_BRANCHES; i++) {
        c->rnd[i] = (unsigned char)rand();
    }
    return 0;
}

/* Evict the caches and train the predictor on noise. */
static void cold_pollute(const cold_t *c)
{
    unsigned acc = 0;
    size_t k;

    for (k = 0; k < COLD_MEM; k += 64) {
        c->mem[k]++;
    }
    for (k = 0; k < COLD_BRANCHES; k++) {
        unsigned char b = c->rnd[k];

        if (b & 1) {
            acc += b;
        }
        if (b & 2) {
            acc ^= (unsigned)k;
        }
        if (b < 0x40) {
            acc = acc * 3 + 1;
        }
        else if (b < 0x90) {
            acc -= 7;
        }
    }
    cold_sink = acc;
}

static double cold_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cold_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Sort t[0..n) and return its median. */
static double cold_median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof(*t), cold_cmp);
    return t[n / 2];
}

#endif /* BENCH_COLD_H */
