/* Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements; and licensed under the Apache License,
 * Version 2.0 (the "License"); you may not use this file except in
 * compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
 */

/*
 * mod_audit_body_config.c: the directive table and configuration records.
 * Values are validated here so that "apachectl configtest" names the
 * directive and the problem; merging lives in the pure ab_conf.c.
 */
#include "apr_lib.h"
#include "apr_strings.h"

#include "mod_audit_body_private.h"
#include "ap_expr.h"
#include "ab_types.h"
#include "ab_trace.h"

/* The default AuditBodyTypes list, built once per configuration. */
static const apr_array_header_t *default_types;

static const apr_array_header_t *default_correlation;

void ab_config_init(apr_pool_t *pconf)
{
    apr_array_header_t *corr = apr_array_make(pconf, 2, sizeof(char *));

    APR_ARRAY_PUSH(corr, const char *) = "X-Request-ID";
    APR_ARRAY_PUSH(corr, const char *) = "X-Correlation-ID";
    default_correlation = corr;
    default_types = ab_types_default(pconf);
}

const apr_array_header_t *ab_default_types(void)
{
    return default_types;
}

const apr_array_header_t *ab_default_correlation(void)
{
    return default_correlation;
}

void *ab_create_dir_conf(apr_pool_t *p, char *dir)
{
    return ab_dir_conf_create(p);
}

void *ab_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    return ab_dir_conf_merge(p, basev, addv);
}

void *ab_create_server_conf(apr_pool_t *p, server_rec *s)
{
    ab_server_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->log_buffer = AB_UNSET;
    c->log_delay = AB_UNSET;
    c->on_full = AB_UNSET;
    c->interim = AB_UNSET;
    return c;
}

void *ab_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    ab_server_conf_t *base = basev, *add = addv;
    ab_server_conf_t *c = apr_pcalloc(p, sizeof(*c));

    c->log_name = add->log_name ? add->log_name : base->log_name;
    c->log_buffer = add->log_buffer != AB_UNSET ? add->log_buffer
                                                : base->log_buffer;
    c->log_delay = add->log_delay != AB_UNSET ? add->log_delay
                                              : base->log_delay;
    c->on_full = add->on_full != AB_UNSET ? add->on_full : base->on_full;
    c->interim = add->interim != AB_UNSET ? add->interim : base->interim;
    /* the main server's sections apply to every virtual host */
    c->audit_on = add->audit_on || base->audit_on;
    c->log_here = add->log_here;
    if (add->redact_key) {
        c->redact_key = add->redact_key;
        c->redact_key_len = add->redact_key_len;
    }
    else {
        c->redact_key = base->redact_key;
        c->redact_key_len = base->redact_key_len;
    }
    return c;
}

/* Whoever writes a .htaccess file may switch auditing on, nothing else:
 * switching it off, lowering a limit, narrowing the types or changing
 * the masks is for the server configuration only, even when
 * AllowOverrideList hands the directive out by name. */
static const char *not_in_htaccess(cmd_parms *cmd, const char *what)
{
    if (ap_check_cmd_context(cmd, NOT_IN_HTACCESS)) {
        return apr_pstrcat(cmd->pool, what, " cannot occur within htaccess "
                           "files: only the server configuration may lower "
                           "what mod_audit_body records", NULL);
    }
    return NULL;
}

static const char *set_enable(cmd_parms *cmd, void *dconf, int on)
{
    const char *err = on ? NULL : not_in_htaccess(cmd, "AuditBody Off");

    if (err) {
        return err;
    }
    ((ab_dir_conf_t *)dconf)->enabled = on;
    if (on && !ap_check_cmd_context(cmd, NOT_IN_HTACCESS)) {
        /* read at startup: this server opens its log (a .htaccess is
         * read per request, too late, and must not touch the server) */
        ab_server_conf_t *sc = ap_get_module_config(
            cmd->server->module_config, &audit_body_module);
        sc->audit_on = 1;
    }
    return NULL;
}

static const char *set_log(cmd_parms *cmd, void *dconf, const char *arg)
{
    ab_server_conf_t *sc = ap_get_module_config(cmd->server->module_config,
                                                &audit_body_module);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);

    if (err) {
        return err;
    }
    if (!*arg || (arg[0] == '|' && !arg[1])) {
        return "AuditBodyLog needs a file name or \"|program\"";
    }
    sc->log_name = arg;
    sc->log_here = 1;
    return NULL;
}

static const char *set_on_full(cmd_parms *cmd, void *dconf,
                               const char *arg)
{
    ab_server_conf_t *sc = ap_get_module_config(cmd->server->module_config,
                                                &audit_body_module);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);

    if (err) {
        return err;
    }
    if (!strcasecmp(arg, "block")) {
        sc->on_full = 0;
    }
    else if (!strcasecmp(arg, "drop")) {
        sc->on_full = 1;
    }
    else {
        return apr_pstrcat(cmd->pool, "AuditBodyLogOnFull: '", arg,
                           "' is not block or drop", NULL);
    }
    return NULL;
}

static const char *set_log_buffer(cmd_parms *cmd, void *dconf,
                                  const char *arg, const char *delay)
{
    ab_server_conf_t *sc = ap_get_module_config(cmd->server->module_config,
                                                &audit_body_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    apr_off_t v;

    if (err) {
        return err;
    }
    err = ab_conf_parse_log_buffer(cmd->temp_pool, arg, &v);
    if (err) {
        return apr_pstrcat(cmd->pool, "AuditBodyLogBuffer: ", err, NULL);
    }
    if (delay) {
        err = ab_conf_parse_log_delay(cmd->temp_pool, delay,
                                      &sc->log_delay);
        if (err) {
            return apr_pstrcat(cmd->pool, "AuditBodyLogBuffer: ", err,
                               NULL);
        }
    }
    sc->log_buffer = v;
    return NULL;
}

apr_size_t ab_log_buffer(server_rec *s, apr_interval_time_t *delay)
{
    ab_server_conf_t *sc = ap_get_module_config(s->module_config,
                                                &audit_body_module);

    *delay = sc->log_delay == AB_UNSET
        ? apr_time_from_msec(AB_DEFAULT_LOG_DELAY) : sc->log_delay;
    return sc->log_buffer == AB_UNSET ? AB_DEFAULT_LOG_BUFFER
                                      : (apr_size_t)sc->log_buffer;
}

static const char *set_limit(cmd_parms *cmd, void *dconf, const char *arg)
{
    ab_dir_conf_t *c = dconf;
    apr_off_t v;
    const char *err = not_in_htaccess(cmd, cmd->cmd->name);

    if (err) {
        return err;
    }
    err = ab_conf_parse_limit(cmd->temp_pool, arg, &v);
    if (err) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", err, NULL);
    }
    if (cmd->info) {
        c->resp_limit = v;
    }
    else {
        c->req_limit = v;
    }
    return NULL;
}

static const char *set_decode(cmd_parms *cmd, void *dconf, int argc,
                              char *const argv[])
{
    ab_dir_conf_t *c = dconf;
    const char *err = not_in_htaccess(cmd, "AuditBodyDecode");

    if (err) {
        return err;
    }
    err = ab_conf_parse_decode(cmd->temp_pool, argc, argv, &c->decode);
    if (err) {
        return apr_pstrcat(cmd->pool, "AuditBodyDecode: ", err, NULL);
    }
    return NULL;
}

static const char *set_decode_ratio(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    ab_dir_conf_t *c = dconf;
    const char *err = not_in_htaccess(cmd, "AuditBodyDecodeRatio");

    if (err) {
        return err;
    }
    err = ab_conf_parse_decode_ratio(cmd->temp_pool, arg, &c->decode_ratio);
    if (err) {
        return apr_pstrcat(cmd->pool, "AuditBodyDecodeRatio: ", err, NULL);
    }
    return NULL;
}

static const char *add_type(cmd_parms *cmd, void *dconf, const char *arg)
{
    ab_dir_conf_t *c = dconf;
    const char *norm, *err = not_in_htaccess(cmd, "AuditBodyTypes");

    if (err) {
        return err;
    }
    err = ab_type_pattern(cmd->pool, arg, &norm);
    if (err) {
        return apr_pstrcat(cmd->pool, "AuditBodyTypes: ", err, NULL);
    }
    if (!c->types) {
        c->types = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->types, const char *) = norm;
    return NULL;
}

static const char *add_mask(cmd_parms *cmd, void *dconf, const char *arg)
{
    const char *err = not_in_htaccess(cmd, "AuditBodyMaskHeaders");

    if (err) {
        return err;
    }
    err = ab_conf_mask_arg(cmd->pool, dconf, arg);
    return err ? apr_pstrcat(cmd->pool, "AuditBodyMaskHeaders: ", err,
                             NULL)
               : NULL;
}

static const char *add_redact(cmd_parms *cmd, void *dconf, const char *arg)
{
    const char *err = not_in_htaccess(cmd, "AuditBodyRedact");

    return err ? err : ab_conf_redact_arg(cmd->pool, dconf, arg);
}

static const char *add_redact_pattern(cmd_parms *cmd, void *dconf,
                                      const char *arg)
{
    ab_dir_conf_t *c = dconf;
    apr_array_header_t *regexes;
    const char *err = not_in_htaccess(cmd, "AuditBodyRedactPatterns");
    unsigned mask;

    if (err) {
        return err;
    }
    /* The first argument of this context starts its own list. */
    if (c->redact_detectors == AB_UNSET) {
        c->redact_detectors = 0;
        c->redact_regexes = NULL;
    }
    mask = (unsigned)c->redact_detectors;
    if (!strcasecmp(arg, "none")) {
        c->redact_detectors = 0;
        c->redact_regexes = NULL;
        return NULL;
    }
    if (!ab_redact_detector_arg(arg, &mask)) {
        c->redact_detectors = (int)mask;
        return NULL;
    }
    regexes = (apr_array_header_t *)c->redact_regexes;
    err = ab_redact_add_regex(cmd->pool, &regexes, arg);
    if (err) {
        return apr_pstrcat(cmd->pool, "AuditBodyRedactPatterns: ", err,
                           NULL);
    }
    c->redact_regexes = regexes;
    return NULL;
}

static const char *set_redact_with(cmd_parms *cmd, void *dconf,
                                   const char *arg)
{
    ab_dir_conf_t *c = dconf;
    const char *err = not_in_htaccess(cmd, "AuditBodyRedactWith");

    if (err) {
        return err;
    }
    if (!strcasecmp(arg, "mask")) {
        c->redact_with = AB_REDACT_MASK;
    }
    else if (!strcasecmp(arg, "hmac")) {
        c->redact_with = AB_REDACT_HMAC;
        ab_redact_need_key(cmd);
    }
    else {
        return apr_pstrcat(cmd->pool, "AuditBodyRedactWith: '", arg,
                           "' is not mask or hmac", NULL);
    }
    return NULL;
}

/* The key is read here, while httpd still runs as root at startup, so
 * the file can be readable by root alone. A trailing newline is not part
 * of it (openssl rand -hex 32 > file). */
static const char *set_redact_key(cmd_parms *cmd, void *dconf,
                                  const char *arg)
{
    ab_server_conf_t *sc = ap_get_module_config(cmd->server->module_config,
                                                &audit_body_module);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    const char *path;
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    unsigned char *key;
    apr_size_t n = 0;

    if (err) {
        return err;
    }
    path = ap_server_root_relative(cmd->temp_pool, arg);
    if (!path) {
        return apr_pstrcat(cmd->pool, "AuditBodyRedactKey: invalid path '",
                           arg, "'", NULL);
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY,
                       APR_OS_DEFAULT, cmd->temp_pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_PROT, f);
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "AuditBodyRedactKey: cannot read "
                            "'%s': %pm", path, &rv);
    }
    if (fi.size > AB_REDACT_KEY_MAX) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool, "AuditBodyRedactKey: '%s' holds "
                            "more than %d bytes; a key is 16 to %d bytes",
                            path, AB_REDACT_KEY_MAX, AB_REDACT_KEY_MAX);
    }
    key = apr_palloc(cmd->pool, AB_REDACT_KEY_MAX + 1);
    rv = apr_file_read_full(f, key, AB_REDACT_KEY_MAX, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(cmd->pool, "AuditBodyRedactKey: cannot read "
                            "'%s': %pm", path, &rv);
    }
    while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r')) {
        n--;
    }
    if (n < AB_REDACT_KEY_MIN) {
        return apr_psprintf(cmd->pool, "AuditBodyRedactKey: '%s' holds "
                            "%" APR_SIZE_T_FMT " bytes; a key is at least "
                            "%d (e.g. openssl rand -hex 32 > file)", path,
                            n, AB_REDACT_KEY_MIN);
    }
    if (fi.protection & (APR_WREAD | APR_WWRITE)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
                     AB_LOGNO(10076) "AuditBodyRedactKey: '%s' can be read "
                     "or written by every user; make it readable by root "
                     "only (chmod 600)", path);
    }
    sc->redact_key = key;
    sc->redact_key_len = n;
    return NULL;
}

/* AuditBodyCondition and AuditBodyKeepBodies: an ap_expr, parsed now so
 * configtest reports a bad one. */
static const char *set_expr(cmd_parms *cmd, void *dconf, const char *arg)
{
    ab_dir_conf_t *c = dconf;
    const char *err = not_in_htaccess(cmd, cmd->cmd->name);
    ap_expr_info_t *e;

    if (err) {
        return err;
    }
    e = ap_expr_parse_cmd(cmd, arg, 0, &err, NULL);
    if (err) {
        return apr_psprintf(cmd->pool, "%s: cannot parse '%s': %s",
                            cmd->cmd->name, arg, err);
    }
    if (cmd->info) {
        c->keep_bodies = e;
    }
    else {
        c->condition = e;
    }
    return NULL;
}

static const char *set_sample(cmd_parms *cmd, void *dconf, const char *a1,
                              const char *a2)
{
    ab_dir_conf_t *c = dconf;
    const char *err = not_in_htaccess(cmd, "AuditBodySample");
    ab_sample_t s;

    if (err) {
        return err;
    }
    err = ab_sample_parse(cmd->pool, a1, a2, &s);
    if (err) {
        return apr_pstrcat(cmd->pool, "AuditBodySample: ", err, NULL);
    }
    c->sample_mode = (int)s.mode;
    c->sample_fraction = s.fraction;
    return NULL;
}

static const char *add_correlation(cmd_parms *cmd, void *dconf,
                                   const char *arg)
{
    const char *err = not_in_htaccess(cmd, "AuditBodyCorrelationHeaders");

    if (err) {
        return err;
    }
    err = ab_conf_correlation_arg(cmd->pool, dconf, arg);
    return err ? apr_pstrcat(cmd->pool, "AuditBodyCorrelationHeaders: ",
                             err, NULL)
               : NULL;
}

static const char *set_interim(cmd_parms *cmd, void *dconf,
                               const char *arg)
{
    ab_server_conf_t *sc = ap_get_module_config(cmd->server->module_config,
                                                &audit_body_module);
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE);
    const char *s = arg;
    apr_int64_t v = 0;

    if (err) {
        return err;
    }
    if (!strcasecmp(arg, "off")) {
        sc->interim = 0;
        return NULL;
    }
    while (apr_isdigit(*s) && v <= 86400) {
        v = v * 10 + (*s++ - '0');
    }
    if (s == arg || *s || v < 1 || v > 86400) {
        return apr_pstrcat(cmd->pool, "AuditBodyInterim: '", arg, "' is not "
                           "off or a number of seconds from 1 to 86400",
                           NULL);
    }
    sc->interim = apr_time_from_sec(v);
    return NULL;
}

const command_rec ab_cmds[] = {
    AP_INIT_FLAG("AuditBody", set_enable, NULL, OR_FILEINFO,
                 "On to write an audit record with bodies for requests in "
                 "this context (default Off; Off is refused in .htaccess)"),
    AP_INIT_TAKE1("AuditBodyLog", set_log, NULL, RSRC_CONF,
                  "File (relative to ServerRoot) or \"|program\" that "
                  "receives the records (default logs/audit_body.log, "
                  "opened only where AuditBody On is configured)"),
    AP_INIT_TAKE1("AuditBodyLogOnFull", set_on_full, NULL, RSRC_CONF,
                  "What a request does when its record finds the log full "
                  "(a stalled disk or piped logger): block (wait for room, "
                  "the default) or drop (count it and go on)"),
    AP_INIT_TAKE12("AuditBodyLogBuffer", set_log_buffer, NULL, RSRC_CONF,
                   "Bytes per buffer of each child's record queue (two per "
                   "log), 0 or 4K to 16M (default 128K; 0 = each request "
                   "thread writes its record), then optionally the longest "
                   "a record waits in it, 1 to 60000 ms (default 50)"),
    AP_INIT_TAKE1("AuditBodyRequestLimit", set_limit, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "Request body bytes copied into a record, 0 to 16M "
                  "(default 65536; 0 = metadata only)"),
    AP_INIT_TAKE1("AuditBodyResponseLimit", set_limit, (void *)1,
                  RSRC_CONF | ACCESS_CONF,
                  "Response body bytes copied into a record, 0 to 16M "
                  "(default 65536; 0 = metadata only)"),
    AP_INIT_ITERATE("AuditBodyTypes", add_type, NULL,
                    RSRC_CONF | ACCESS_CONF,
                    "Media types whose bodies are captured: type/subtype, "
                    "type/*, +suffix (default: JSON, XML, text/*, forms)"),
    AP_INIT_ITERATE("AuditBodyMaskHeaders", add_mask, NULL,
                    RSRC_CONF | ACCESS_CONF,
                    "Headers whose values are written as ***, added to "
                    "Authorization, Proxy-Authorization, Cookie, "
                    "Set-Cookie; -Name removes one"),
    AP_INIT_ITERATE("AuditBodyRedact", add_redact, NULL,
                    RSRC_CONF | ACCESS_CONF,
                    "Field names whose values are redacted in bodies, query "
                    "strings and URLs (* is a wildcard), added to the "
                    "defaults and the enclosing context's; -name removes "
                    "one, none clears the list"),
    AP_INIT_ITERATE("AuditBodyRedactPatterns", add_redact_pattern, NULL,
                    RSRC_CONF | ACCESS_CONF,
                    "Value detectors applied to every captured text: pan, "
                    "jwt, bearer, or a regular expression; none for no "
                    "detector (default: pan jwt)"),
    AP_INIT_TAKE1("AuditBodyRedactWith", set_redact_with, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "What replaces a redacted value: mask (***, the default) "
                  "or hmac (hmac-sha256: and 16 hex digits, keyed by "
                  "AuditBodyRedactKey)"),
    AP_INIT_TAKE1("AuditBodyCondition", set_expr, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "An expression (ap_expr) evaluated in the logging phase: "
                  "a record is written only when it is true (default: "
                  "always)"),
    AP_INIT_TAKE1("AuditBodyInterim", set_interim, NULL, RSRC_CONF,
                  "Seconds after which a request still running gets an "
                  "interim record (phase interim), again every interval, "
                  "before its final one; off (the default)"),
    AP_INIT_TAKE1("AuditBodyKeepBodies", set_expr, (void *)1,
                  RSRC_CONF | ACCESS_CONF,
                  "An expression (ap_expr) evaluated in the logging phase: "
                  "the bodies are kept only when it is true, else the "
                  "record says not-kept (default: keep)"),
    AP_INIT_TAKE12("AuditBodySample", set_sample, NULL,
                   RSRC_CONF | ACCESS_CONF,
                   "Keep the bodies of this fraction (0 to 1) of the "
                   "requests AuditBodyKeepBodies does not keep, decided "
                   "from the request id (by=request, the default) or the "
                   "traceparent trace-id (by=trace); or traceparent: follow "
                   "its sampled flag"),
    AP_INIT_ITERATE("AuditBodyCorrelationHeaders", add_correlation, NULL,
                    RSRC_CONF | ACCESS_CONF,
                    "Request headers copied into the record's correlation "
                    "object (default X-Request-ID X-Correlation-ID; none "
                    "for no header)"),
    AP_INIT_TAKE_ARGV("AuditBodyDecode", set_decode, NULL,
                      RSRC_CONF | ACCESS_CONF,
                      "Content-Encodings decoded for the record: gzip "
                      "(x-gzip), deflate, br, or none (default: gzip "
                      "deflate br)"),
    AP_INIT_TAKE1("AuditBodyDecodeRatio", set_decode_ratio, NULL,
                  RSRC_CONF | ACCESS_CONF,
                  "Most decoded bytes per encoded byte before decoding "
                  "for the record stops, 1 to 100000, 0 for no limit "
                  "(default 100)"),
    AP_INIT_TAKE1("AuditBodyRedactKey", set_redact_key, NULL, RSRC_CONF,
                  "File (relative to ServerRoot, read at startup) whose "
                  "bytes key AuditBodyRedactWith hmac, 16 to 4096 bytes"),
    { NULL }
};
