/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * fake_resolver.c: a resolver the tests control, preloaded into a private
 * httpd (LD_PRELOAD). Names ending in ".idp-resolve.test" are looked up in
 * the file named by $IDP_FAKE_HOSTS ("name address [delay_ms]" lines,
 * read again on every call, so a test can change an answer or remove a
 * name while the server runs; delay_ms makes that lookup slow); a name
 * not listed there does not resolve (EAI_NONAME). With $IDP_FAKE_LOG,
 * every lookup of such a name is appended to that file, one name a line.
 * Every other name goes to the real getaddrinfo(). This stands in for a
 * private /etc/hosts: a mount namespace needs root, and httpd cannot run
 * its children as root inside an unprivileged user namespace.
 *
 * Build: cc -shared -fPIC -o fake_resolver.so fake_resolver.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUFFIX ".idp-resolve.test"

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
                      struct addrinfo **);

int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res)
{
    static gai_fn real;
    size_t n = node ? strlen(node) : 0, k = strlen(SUFFIX);
    const char *file = getenv("IDP_FAKE_HOSTS");
    const char *log = getenv("IDP_FAKE_LOG");
    char line[512], name[256], addr[64];
    unsigned int delay = 0;
    struct addrinfo h;
    FILE *f;

    if (!real) {
        *(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
    }
    if (!file || n <= k || strcasecmp(node + n - k, SUFFIX)) {
        return real(node, service, hints, res);
    }
    if (log && (f = fopen(log, "a"))) {
        fprintf(f, "%s\n", node);
        fclose(f);
    }
    if (!(f = fopen(file, "r"))) {
        return EAI_NONAME;
    }
    while (fgets(line, sizeof(line), f)) {
        delay = 0;
        if (sscanf(line, "%255s %63s %u", name, addr, &delay) >= 2
            && !strcasecmp(name, node)) {
            fclose(f);
            if (delay) {
                usleep(delay * 1000);
            }
            memset(&h, 0, sizeof(h));
            if (hints) {
                h = *hints;
            }
            h.ai_flags = (h.ai_flags & ~AI_CANONNAME) | AI_NUMERICHOST;
            h.ai_flags &= ~AI_ADDRCONFIG;
            return real(addr, service, &h, res);
        }
    }
    fclose(f);
    return EAI_NONAME;
}
