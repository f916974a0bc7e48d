/*
 * Writing an athena_resp_t to the client, and logging what a task
 * reported, with backend warnings rate-limited so that a dead Redis or
 * Postgres does not flood the error log.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_status.h"


#define NGX_HTTP_ATHENA_AUTH_LOG_EVERY  10     /* seconds */


static ngx_int_t
ngx_http_athena_auth_add_header(ngx_http_request_t *r, athena_header_t *hd)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) hd->name;
    h->key.len = ngx_strlen(hd->name);
    h->value.data = (u_char *) hd->value;
    h->value.len = ngx_strlen(hd->value);

    return NGX_OK;
}


ngx_int_t
ngx_http_athena_auth_send(ngx_http_request_t *r, athena_resp_t *resp)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_uint_t    i;
    ngx_chain_t   out;

    r->headers_out.status = resp->status;
    r->headers_out.content_length_n = resp->len;

    /* better-auth labels its empty error bodies JSON too; a 404 is bare */
    if (resp->status != NGX_HTTP_NOT_FOUND || resp->body) {
        ngx_str_set(&r->headers_out.content_type, "application/json");
        r->headers_out.content_type_len = r->headers_out.content_type.len;
    }

    for (i = 0; i < resp->nheaders; i++) {
        if (ngx_http_athena_auth_add_header(r, &resp->headers[i]) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (resp->len == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_create_temp_buf(r->pool, resp->len);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->last = ngx_cpymem(b->last, resp->body, resp->len);
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * For answers made on the event loop, before any task ran: in the
 * location's surface's style, the REST one naming the code by the status
 * (code and message are constants, never client text).
 */

ngx_int_t
ngx_http_athena_auth_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    u_char                           *p, *last;
    athena_resp_t                     resp;
    ngx_http_athena_auth_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    ngx_memzero(&resp, sizeof(athena_resp_t));

    if (alcf->surface == ATHENA_SURFACE_REST) {
        code = athena_status_code((int) status);
    }

    p = ngx_pnalloc(r->pool, ngx_strlen(code) + ngx_strlen(message) + 64);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (alcf->surface == ATHENA_SURFACE_REST) {
        last = ngx_sprintf(p, "{\"success\":false,\"error\":"
                           "{\"code\":\"%s\",\"message\":\"%s\"}}",
                           code, message);

    } else if (alcf->surface == ATHENA_SURFACE_ROLES) {
        last = ngx_sprintf(p, "{\"detail\":\"%s\"}", message);

    } else {
        last = ngx_sprintf(p, "{\"message\":\"%s\",\"code\":\"%s\"}",
                           message, code);
    }

    resp.status = (int) status;
    resp.body = (char *) p;
    resp.len = last - p;

    return ngx_http_athena_auth_send(r, &resp);
}


/*
 * What a failed read or discard of the body is answered: a body the client
 * botched (a malformed chunk, a bad length) is a JSON 400 on a connection
 * that is not kept, as nginx itself would close it; an oversized one is
 * the module's 413; anything else is the server's own failure.
 */

ngx_int_t
ngx_http_athena_auth_body_failed(ngx_http_request_t *r, ngx_int_t rc)
{
    if (rc == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
        return ngx_http_athena_auth_send_error(r, rc, "PAYLOAD_TOO_LARGE",
                                               "Request body too large");
    }

    if (rc >= NGX_HTTP_BAD_REQUEST && rc < NGX_HTTP_INTERNAL_SERVER_ERROR) {
        r->keepalive = 0;
        return ngx_http_athena_auth_send_error(r, NGX_HTTP_BAD_REQUEST,
                                               "BAD_REQUEST",
                                               "Malformed request body");
    }

    return rc == NGX_ERROR ? NGX_HTTP_INTERNAL_SERVER_ERROR : rc;
}


static ngx_uint_t
ngx_http_athena_auth_log_allowed(time_t *last, ngx_uint_t *suppressed)
{
    time_t  now;

    now = ngx_time();

    if (now - *last < NGX_HTTP_ATHENA_AUTH_LOG_EVERY) {
        (*suppressed)++;
        return 0;
    }

    *last = now;

    return 1;
}


void
ngx_http_athena_auth_log_outcome(ngx_log_t *log, const char *warn,
    const char *error)
{
    static time_t      last_warn, last_error;
    static ngx_uint_t  warn_suppressed, error_suppressed;

    if (error
        && ngx_http_athena_auth_log_allowed(&last_error, &error_suppressed))
    {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "athena_auth: %s (%ui similar suppressed)",
                      error, error_suppressed);
        error_suppressed = 0;
    }

    if (warn
        && ngx_http_athena_auth_log_allowed(&last_warn, &warn_suppressed))
    {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "athena_auth: %s (%ui similar suppressed)",
                      warn, warn_suppressed);
        warn_suppressed = 0;
    }
}
