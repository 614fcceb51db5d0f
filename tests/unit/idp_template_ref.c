/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_template_ref: see idp_template_ref.h.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "idp_id.h"
#include "idp_template_ref.h"

#define PH     IDP_TEMPLATE_PLACEHOLDER
#define PH_LEN (sizeof(PH) - 1)

/* Every placeholder in s replaced by id. */
static char *subst(apr_pool_t *p, const char *s, const char *id)
{
    const char *out = "", *c;

    while ((c = strstr(s, PH))) {
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, s, (apr_size_t)(c - s)),
                          id, NULL);
        s = c + PH_LEN;
    }
    return apr_pstrcat(p, out, s, NULL);
}

char *idp_ref_expand_host(apr_pool_t *p, const idp_template_t *t,
                          const char *id)
{
    char *host, *c;

    if (!idp_id_chars_ok(id)) {
        return NULL;
    }
    if (!idp_template_id_in_host(t)) {
        return apr_pstrdup(p, idp_template_host(t));
    }
    host = subst(p, idp_template_host(t), id);
    for (c = host; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return idp_template_host_ok(t, id, host, strlen(host)) ? host : NULL;
}

char *idp_ref_backend_key(apr_pool_t *p, const idp_template_t *t,
                          const char *id)
{
    char *host = idp_ref_expand_host(p, t, id);

    if (!host) {
        return NULL;
    }
    return apr_psprintf(p, "%s://%s:%u", idp_template_scheme(t), host,
                        (unsigned int)idp_template_port(t));
}

char *idp_ref_expand(apr_pool_t *p, const idp_template_t *t, const char *id)
{
    char *key = idp_ref_backend_key(p, t, id);

    if (!key) {
        return NULL;
    }
    return apr_pstrcat(p, key, subst(p, idp_template_path(t), id), NULL);
}
