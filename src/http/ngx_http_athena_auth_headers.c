/*
 * athena_auth_identity_headers <prefix>: the identity handed to the app in
 * request headers the client cannot forge. Every header the client sent
 * in the identity's families under the prefix (<prefix>User-*,
 * <prefix>Session-*, <prefix>Org-*, <prefix>Impersonated-*, <prefix>Key-*,
 * <prefix>Admin-*, with "_" read
 * as "-" as CGI-style apps read it) is dropped from the request, and the
 * gate's identity is added in its place. Upstream modules (proxy,
 * fastcgi, uwsgi, grpc) pass headers_in on as they find it, so one line
 * protects every way to the app, including names added later.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"


typedef struct {
    ngx_str_t   suffix;
    ngx_int_t   index;          /* ATHENA_ID_*, or the session's expiry */
} ngx_http_athena_auth_identity_header_t;


static ngx_http_athena_auth_identity_header_t
    ngx_http_athena_auth_identity_names[] = {
    { ngx_string("User-Id"), ATHENA_ID_USER_ID },
    { ngx_string("User-Email"), ATHENA_ID_EMAIL },
    { ngx_string("User-Name"), ATHENA_ID_NAME },
    { ngx_string("User-Role"), ATHENA_ID_ROLE },
    { ngx_string("Session-Id"), ATHENA_ID_SESSION_ID },
    { ngx_string("Session-Expires"), NGX_HTTP_ATHENA_AUTH_VAR_EXPIRES },
    { ngx_string("Impersonated-By"), ATHENA_ID_IMPERSONATED_BY },
    { ngx_string("Org-Id"), ATHENA_ID_ORG_ID },
    { ngx_string("Org-Role"), ATHENA_ID_ORG_ROLE },
    { ngx_string("Key-Id"), ATHENA_ID_KEY_ID },
    { ngx_string("Key-Name"), ATHENA_ID_KEY_NAME },
    { ngx_string("Key-Client"), ATHENA_ID_KEY_CLIENT },
    { ngx_string("Admin-Roles"), ATHENA_ID_ADMIN_ROLES },
    { ngx_null_string, 0 }
};


static ngx_str_t  ngx_http_athena_auth_identity_families[] = {
    ngx_string("user-"),
    ngx_string("session-"),
    ngx_string("org-"),
    ngx_string("impersonated-"),
    ngx_string("key-"),
    ngx_string("admin-"),
    ngx_null_string
};


/* lowercase a and b, equal when "_" is read as "-" */

static ngx_uint_t
ngx_http_athena_auth_name_eq(u_char *a, u_char *b, size_t len)
{
    u_char  ca, cb;

    while (len--) {
        ca = ngx_tolower(*a);
        cb = ngx_tolower(*b);
        a++;
        b++;

        if (ca == '_') {
            ca = '-';
        }

        if (cb == '_') {
            cb = '-';
        }

        if (ca != cb) {
            return 0;
        }
    }

    return 1;
}


static ngx_uint_t
ngx_http_athena_auth_is_identity(ngx_str_t *prefix, ngx_str_t *key)
{
    size_t      rest;
    ngx_str_t  *f;

    if (key->len <= prefix->len
        || !ngx_http_athena_auth_name_eq(key->data, prefix->data,
                                         prefix->len))
    {
        return 0;
    }

    rest = key->len - prefix->len;

    for (f = ngx_http_athena_auth_identity_families; f->len; f++) {
        if (rest >= f->len
            && ngx_http_athena_auth_name_eq(key->data + prefix->len,
                                            f->data, f->len))
        {
            return 1;
        }
    }

    return 0;
}


static ngx_int_t
ngx_http_athena_auth_identity_add(ngx_http_request_t *r, ngx_list_t *list,
    ngx_str_t *prefix, const athena_identity_t *id)
{
    u_char                                  *p;
    ngx_int_t                                rc;
    ngx_str_t                                val;
    ngx_table_elt_t                         *h;
    ngx_http_athena_auth_identity_header_t  *n;

    for (n = ngx_http_athena_auth_identity_names; n->suffix.len; n++) {
        rc = ngx_http_athena_auth_identity_value(r->pool, id, n->index,
                                                 &val);
        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DECLINED) {
            continue;
        }

        h = ngx_list_push(list);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->key.len = prefix->len + n->suffix.len;
        h->key.data = ngx_pnalloc(r->pool, 2 * h->key.len);
        if (h->key.data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(h->key.data, prefix->data, prefix->len);
        ngx_memcpy(p, n->suffix.data, n->suffix.len);

        h->lowcase_key = h->key.data + h->key.len;
        ngx_strlow(h->lowcase_key, h->key.data, h->key.len);
        h->hash = ngx_hash_key(h->lowcase_key, h->key.len);
        h->value = val;
#if (nginx_version >= 1023000)
        h->next = NULL;
#endif
    }

    return NGX_OK;
}


/*
 * The request's headers without the client's identity headers, and with
 * the identity when it is a live one. The list is made anew: the headers
 * nginx points at elsewhere (host, cookies) stay where they were.
 */

ngx_int_t
ngx_http_athena_auth_identity_headers(ngx_http_request_t *r,
    ngx_str_t *prefix, const athena_identity_t *id)
{
    ngx_uint_t        i, found;
    ngx_list_t        list;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *copy;

    found = 0;
    part = &r->headers_in.headers.part;

    for ( ;; ) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            found |= ngx_http_athena_auth_is_identity(prefix, &h[i].key);
        }

        if (part->next == NULL) {
            break;
        }

        part = part->next;
    }

    if (!found && (id == NULL || id->state != ATHENA_GATE_LIVE)) {
        return NGX_OK;
    }

    if (ngx_list_init(&list, r->pool, 20, sizeof(ngx_table_elt_t)) != NGX_OK)
    {
        return NGX_ERROR;
    }

    part = &r->headers_in.headers.part;

    for ( ;; ) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (ngx_http_athena_auth_is_identity(prefix, &h[i].key)) {
                continue;
            }

            copy = ngx_list_push(&list);
            if (copy == NULL) {
                return NGX_ERROR;
            }

            *copy = h[i];
        }

        if (part->next == NULL) {
            break;
        }

        part = part->next;
    }

    if (id != NULL && id->state == ATHENA_GATE_LIVE
        && ngx_http_athena_auth_identity_add(r, &list, prefix, id) != NGX_OK)
    {
        return NGX_ERROR;
    }

    r->headers_in.headers = list;

    return NGX_OK;
}


/* athena_auth_identity_headers <prefix> | off */

char *
ngx_http_athena_auth_identity_prefix(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_athena_auth_loc_conf_t *alcf = conf;

    u_char      c;
    size_t      i;
    ngx_str_t  *value;

    if (alcf->identity_prefix.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        ngx_str_set(&alcf->identity_prefix, "");
        return NGX_CONF_OK;
    }

    if (value[1].len == 0) {
        return "takes a header name prefix such as \"X-\", or \"off\"";
    }

    for (i = 0; i < value[1].len; i++) {
        c = ngx_tolower(value[1].data[i]);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
              || c == '_'))
        {
            return "takes a header name prefix of letters, digits and \"-\"";
        }
    }

    alcf->identity_prefix = value[1];

    return NGX_CONF_OK;
}
