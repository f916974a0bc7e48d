/*
 * The identity the gate found, as nginx variables for proxy_set_header,
 * log_format, map and if. They are empty ("not found") unless the gate
 * found a live session for this request; no request header feeds them.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_admin_role.h"
#include "../core/athena_time.h"


static ngx_int_t ngx_http_athena_auth_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static ngx_http_variable_t  ngx_http_athena_auth_vars[] = {

    { ngx_string("athena_user_id"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_USER_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_user_email"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_EMAIL, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_user_name"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_NAME, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_user_role"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_ROLE, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_session_id"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_SESSION_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_session_expires"), NULL,
      ngx_http_athena_auth_variable,
      (uintptr_t) NGX_HTTP_ATHENA_AUTH_VAR_EXPIRES,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_org_id"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_ORG_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_org_role"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_ORG_ROLE, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_impersonated_by"), NULL,
      ngx_http_athena_auth_variable, ATHENA_ID_IMPERSONATED_BY,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    /* an API key's; its owner is $athena_user_id */
    { ngx_string("athena_key_id"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_KEY_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_key_name"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_KEY_NAME, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("athena_key_client"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_KEY_CLIENT, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    /* seed 004's live admin roles: "ROLE[:scope],..." */
    { ngx_string("athena_admin_roles"), NULL, ngx_http_athena_auth_variable,
      ATHENA_ID_ADMIN_ROLES, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


/*
 * A name is whatever the user typed; a control character in it must not
 * split the header line it is put into, so it reads as a space.
 */

static u_char *
ngx_http_athena_auth_header_safe(ngx_pool_t *pool, const char *s,
    size_t len)
{
    u_char  *p;
    size_t   i;

    for (i = 0; i < len; i++) {
        if ((u_char) s[i] < 0x20 || s[i] == 0x7f) {
            break;
        }
    }

    if (i == len) {
        return (u_char *) s;
    }

    p = ngx_pnalloc(pool, len);
    if (p == NULL) {
        return NULL;
    }

    for (i = 0; i < len; i++) {
        p[i] = ((u_char) s[i] < 0x20 || s[i] == 0x7f) ? ' ' : (u_char) s[i];
    }

    return p;
}


/*
 * One value of a live identity, made safe for a header line: the string
 * at index, or the session's expiry (NGX_HTTP_ATHENA_AUTH_VAR_EXPIRES).
 * NGX_DECLINED when the identity has none.
 */

ngx_int_t
ngx_http_athena_auth_identity_value(ngx_pool_t *pool,
    const athena_identity_t *id, ngx_int_t index, ngx_str_t *out)
{
    const char  *s;

    if (index == NGX_HTTP_ATHENA_AUTH_VAR_EXPIRES) {
        /* an API key that never expires */
        if (id->session_expires == INT64_MAX) {
            return NGX_DECLINED;
        }

        out->data = ngx_pnalloc(pool, ATHENA_ISO_LEN + 1);
        if (out->data == NULL) {
            return NGX_ERROR;
        }

        athena_time_iso(id->session_expires, (char *) out->data);
        out->len = ATHENA_ISO_LEN;

        return NGX_OK;
    }

    s = id->str[index];

    if (s == NULL) {
        return NGX_DECLINED;
    }

    /* the assignments live now, without their expiries */
    if (index == ATHENA_ID_ADMIN_ROLES) {
        out->data = ngx_pnalloc(pool, ngx_strlen(s) + 1);
        if (out->data == NULL) {
            return NGX_ERROR;
        }

        out->len = athena_admin_role_shown(s, ngx_http_athena_auth_now(),
                                          (char *) out->data);

        return out->len ? NGX_OK : NGX_DECLINED;
    }

    out->len = ngx_strlen(s);
    out->data = ngx_http_athena_auth_header_safe(pool, s, out->len);

    return out->data ? NGX_OK : NGX_ERROR;
}


static ngx_int_t
ngx_http_athena_auth_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_int_t                         rc;
    ngx_str_t                         val;
    ngx_http_athena_auth_gate_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_athena_auth_module);

    if (ctx == NULL || ctx->id.state != ATHENA_GATE_LIVE) {
        v->not_found = 1;
        return NGX_OK;
    }

    rc = ngx_http_athena_auth_identity_value(r->pool, &ctx->id,
                                             (ngx_int_t) data, &val);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = val.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = val.data;

    return NGX_OK;
}


ngx_int_t
ngx_http_athena_auth_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_athena_auth_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}
