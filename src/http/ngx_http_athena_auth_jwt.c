/*
 * better-auth's jwt plugin, as a directive:
 *
 *     athena_auth_jwt on [issuer=URL] [audience=TEXT] [expires=TIME]
 *                        [rotation=TIME] [grace=TIME];
 *     athena_auth_jwt off;
 *
 * with the plugin's defaults: issuer and audience the origin of
 * athena_auth_base_url (or of the request), expires 15m, no rotation,
 * grace 30d. It turns on GET /token, GET /jwks and get-session's
 * set-auth-jwt header.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_jwk.h"


static ngx_int_t
ngx_http_athena_auth_jwt_time(ngx_str_t *value, size_t skip, ngx_msec_t *out)
{
    ngx_str_t   s;
    ngx_msec_t  t;

    s.data = value->data + skip;
    s.len = value->len - skip;

    t = ngx_parse_time(&s, 0);
    if (t == (ngx_msec_t) NGX_ERROR || t < 1000) {
        return NGX_ERROR;
    }

    *out = t;

    return NGX_OK;
}


char *
ngx_http_athena_auth_jwt(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_athena_auth_main_conf_t  *amcf = conf;

    ngx_str_t   *value, *v;
    ngx_uint_t   i;
    ngx_msec_t  *t;

    if (amcf->jwt != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0 && cf->args->nelts == 2) {
        amcf->jwt = 0;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "on") != 0) {
        return "takes \"on\" with options, or \"off\"";
    }

    amcf->jwt = 1;

    for (i = 2; i < cf->args->nelts; i++) {
        v = &value[i];

        if (ngx_strncmp(v->data, "issuer=", 7) == 0 && v->len > 7) {
            amcf->jwt_issuer.data = v->data + 7;
            amcf->jwt_issuer.len = v->len - 7;
            continue;
        }

        if (ngx_strncmp(v->data, "audience=", 9) == 0 && v->len > 9) {
            amcf->jwt_audience.data = v->data + 9;
            amcf->jwt_audience.len = v->len - 9;
            continue;
        }

        t = NULL;

        if (ngx_strncmp(v->data, "expires=", 8) == 0) {
            t = &amcf->jwt_expires;
            if (ngx_http_athena_auth_jwt_time(v, 8, t) == NGX_OK) {
                continue;
            }

        } else if (ngx_strncmp(v->data, "rotation=", 9) == 0) {
            t = &amcf->jwt_rotation;
            if (ngx_http_athena_auth_jwt_time(v, 9, t) == NGX_OK) {
                continue;
            }

        } else if (ngx_strncmp(v->data, "grace=", 6) == 0) {
            t = &amcf->jwt_grace;
            if (ngx_http_athena_auth_jwt_time(v, 6, t) == NGX_OK) {
                continue;
            }
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           t ? "invalid time in \"%V\": at least a second"
                             : "invalid parameter \"%V\"", v);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* what tasks read, with the plugin's defaults */

ngx_int_t
ngx_http_athena_auth_jwt_conf(ngx_conf_t *cf,
    ngx_http_athena_auth_main_conf_t *amcf, athena_conf_t *c)
{
    if (athena_jwk_init() != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "libsodium failed to start");
        return NGX_ERROR;
    }

    c->jwt = amcf->jwt == 1;
    c->jwt_issuer = ngx_http_athena_auth_cstr(cf, &amcf->jwt_issuer);
    c->jwt_audience = ngx_http_athena_auth_cstr(cf, &amcf->jwt_audience);
    c->jwt_expires = amcf->jwt_expires ? (int64_t) amcf->jwt_expires
                                       : 15 * 60 * 1000;
    c->jwt_grace = amcf->jwt_grace ? (int64_t) amcf->jwt_grace
                                   : (int64_t) 30 * 24 * 3600 * 1000;

    c->jwks.secret = c->secret;
    c->jwks.secret_len = c->secret_len;
    c->jwks.rotation = (int64_t) amcf->jwt_rotation;

    if ((amcf->jwt_issuer.data && c->jwt_issuer == NULL)
        || (amcf->jwt_audience.data && c->jwt_audience == NULL))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}
