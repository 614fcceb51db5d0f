/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * idp_template_ref: the reference expansion of a template, for the unit
 * tests and fuzz_idp_url only. It is the definition written plainly
 * (replace every "{id}" by the id, lower-case the host, ask
 * idp_template_host_ok()), against which idp_template_expand_all(), which
 * joins pieces cut at configuration time, is checked string for string.
 * Not linked into the module.
 */
#ifndef IDP_TEMPLATE_REF_H
#define IDP_TEMPLATE_REF_H

#include "idp_template.h"

/** The host with id, lower case, or NULL where idp_template_expand_all()
 *  refuses id. */
char *idp_ref_expand_host(apr_pool_t *p, const idp_template_t *t,
                          const char *id);

/** "scheme://host:port", or NULL as idp_ref_expand_host(). */
char *idp_ref_backend_key(apr_pool_t *p, const idp_template_t *t,
                          const char *id);

/** The backend key, then the path prefix with id, or NULL as
 *  idp_ref_expand_host(). */
char *idp_ref_expand(apr_pool_t *p, const idp_template_t *t,
                     const char *id);

#endif /* IDP_TEMPLATE_REF_H */
