/*
 * The gate: an access-phase handler that admits a request only with a
 * live session of an unbanned user whose roles and permissions meet the
 * location's rules. A repeat check is answered from shared memory on the
 * event loop; a miss waits for a lookup task (see the lookup file).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_access.h"
#include "../core/athena_admin_role.h"
#include "../core/athena_apikey.h"
#include "../core/athena_crypto.h"


static void
ngx_http_athena_auth_gate_cleanup(void *data)
{
    ngx_http_athena_auth_gate_ctx_t  *ctx = data;

    /* a request that goes away while it waits leaves its lookup */
    if (ctx->waiting) {
        ngx_queue_remove(&ctx->queue);
        ctx->waiting = 0;
    }
}


static ngx_uint_t
ngx_http_athena_auth_has_error_page(ngx_http_core_loc_conf_t *clcf,
    ngx_uint_t status)
{
    ngx_uint_t            i;
    ngx_http_err_page_t  *err;

    if (clcf->error_pages == NULL) {
        return 0;
    }

    err = clcf->error_pages->elts;

    for (i = 0; i < clcf->error_pages->nelts; i++) {
        if (err[i].status == (ngx_int_t) status) {
            return 1;
        }
    }

    return 0;
}


/*
 * A refusal is a JSON answer, unless nginx is to decide: under "satisfy
 * any" another access module may still admit the request, and an
 * error_page for the status is the user's choice of answer.
 */

static ngx_int_t
ngx_http_athena_auth_refuse(ngx_http_request_t *r, ngx_uint_t status,
    const char *code, const char *message)
{
    ngx_int_t                  rc;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->satisfy == NGX_HTTP_SATISFY_ANY
        || ngx_http_athena_auth_has_error_page(clcf, status))
    {
        return status;
    }

    rc = ngx_http_discard_request_body(r);

    rc = (rc == NGX_OK)
         ? ngx_http_athena_auth_send_error(r, status, code, message)
         : ngx_http_athena_auth_body_failed(r, rc);

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


static ngx_uint_t
ngx_http_athena_auth_wants_html(ngx_http_request_t *r)
{
#if (NGX_HTTP_HEADERS)
    ngx_str_t  *accept;

    if (r->headers_in.accept == NULL) {
        return 0;
    }

    accept = &r->headers_in.accept->value;

    return ngx_strlcasestrn(accept->data, accept->data + accept->len,
                            (u_char *) "text/html", 9 - 1)
           != NULL;
#else
    return 0;
#endif
}


/* a browser is sent to the login page with the URL it asked for */

static ngx_int_t
ngx_http_athena_auth_login_redirect(ngx_http_request_t *r,
    ngx_http_athena_auth_loc_conf_t *alcf)
{
    u_char           *p;
    size_t            len;
    uintptr_t         escape;
    ngx_table_elt_t  *location;

    escape = 2 * ngx_escape_uri(NULL, r->unparsed_uri.data,
                                r->unparsed_uri.len,
                                NGX_ESCAPE_URI_COMPONENT);

    len = alcf->login_redirect.len + 1 + alcf->redirect_param.len + 1
          + r->unparsed_uri.len + escape;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    location = ngx_list_push(&r->headers_out.headers);
    if (location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    location->hash = 1;
    ngx_str_set(&location->key, "Location");
    location->value.data = p;

    p = ngx_cpymem(p, alcf->login_redirect.data, alcf->login_redirect.len);
    *p++ = ngx_strlchr(alcf->login_redirect.data,
                       alcf->login_redirect.data + alcf->login_redirect.len,
                       '?')
           ? '&' : '?';
    p = ngx_cpymem(p, alcf->redirect_param.data, alcf->redirect_param.len);
    *p++ = '=';
    p = (u_char *) ngx_escape_uri(p, r->unparsed_uri.data,
                                  r->unparsed_uri.len,
                                  NGX_ESCAPE_URI_COMPONENT);

    location->value.len = p - location->value.data;

    ngx_http_clear_location(r);
    r->headers_out.location = location;

    return NGX_HTTP_MOVED_TEMPORARILY;
}


static ngx_int_t
ngx_http_athena_auth_unauthorized(ngx_http_request_t *r,
    ngx_http_athena_auth_loc_conf_t *alcf)
{
    ngx_int_t  rc;

    if (alcf->login_redirect.len && ngx_http_athena_auth_wants_html(r)) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            /* an access handler's NGX_OK would admit: finalize here */
            rc = ngx_http_athena_auth_body_failed(r, rc);
            ngx_http_finalize_request(r, rc);
            return NGX_DONE;
        }

        return ngx_http_athena_auth_login_redirect(r, alcf);
    }

    return ngx_http_athena_auth_refuse(r, NGX_HTTP_UNAUTHORIZED,
                                       "UNAUTHORIZED", "Unauthorized");
}


static ngx_uint_t
ngx_http_athena_auth_role_ok(ngx_http_athena_auth_loc_conf_t *alcf,
    athena_identity_t *id)
{
    char        **roles;
    ngx_uint_t    i;
    const char   *have;

    if (alcf->roles == NULL) {
        return 1;
    }

    /* a user without a role has the admin plugin's default one */
    have = id->str[ATHENA_ID_ROLE] ? id->str[ATHENA_ID_ROLE] : "user";
    roles = alcf->roles->elts;

    for (i = 0; i < alcf->roles->nelts; i++) {
        if (athena_roles_include(have, roles[i], 0)) {
            return 1;
        }
    }

    return 0;
}


static ngx_uint_t
ngx_http_athena_auth_admin_ok(ngx_http_request_t *r,
    ngx_http_athena_auth_loc_conf_t *alcf, athena_identity_t *id)
{
    size_t                             i;
    const athena_conf_t               *conf;
    ngx_http_athena_auth_main_conf_t  *amcf;

    if (alcf->permissions == NULL) {
        return 1;
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);
    conf = amcf->conf;

    /* the admin plugin's adminUserIds pass every check */
    for (i = 0; i < conf->nadmin_user_ids; i++) {
        if (ngx_strcmp(conf->admin_user_ids[i], id->str[ATHENA_ID_USER_ID])
            == 0)
        {
            return 1;
        }
    }

    return athena_access_allows(&athena_admin_access,
                                id->str[ATHENA_ID_ROLE],
                                alcf->permissions->elts,
                                alcf->permissions->nelts);
}


/*
 * admin_role=: the user holds one of the roles now (seed 004), a
 * TENANT_ADMIN for the tenant: admin_tenant's value, or the session's
 * active organization. A JWT carries no admin roles: it holds none.
 */

static ngx_uint_t
ngx_http_athena_auth_admin_role_ok(ngx_http_request_t *r,
    ngx_http_athena_auth_loc_conf_t *alcf, athena_identity_t *id)
{
    char        **roles;
    int64_t       now;
    ngx_str_t     tenant;
    ngx_uint_t    i;
    const char   *have;

    if (alcf->admin_roles == NULL) {
        return 1;
    }

    have = id->str[ATHENA_ID_ADMIN_ROLES];
    if (have == NULL) {
        return 0;
    }

    if (alcf->admin_tenant != NULL) {
        if (ngx_http_complex_value(r, alcf->admin_tenant, &tenant)
            != NGX_OK)
        {
            return 0;
        }

    } else {
        tenant.data = (u_char *) id->str[ATHENA_ID_ORG_ID];
        tenant.len = tenant.data ? ngx_strlen(tenant.data) : 0;
    }

    now = ngx_http_athena_auth_now();
    roles = alcf->admin_roles->elts;

    for (i = 0; i < alcf->admin_roles->nelts; i++) {
        if (athena_admin_role_holds(have, roles[i],
                                    tenant.len ? (char *) tenant.data : NULL,
                                    tenant.len, now))
        {
            return 1;
        }
    }

    return 0;
}


static ngx_int_t
ngx_http_athena_auth_org_check(ngx_http_request_t *r,
    ngx_http_athena_auth_loc_conf_t *alcf, athena_identity_t *id)
{
    if (alcf->org_permissions == NULL) {
        return NGX_OK;
    }

    if (id->str[ATHENA_ID_ORG_ID] == NULL) {
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_FORBIDDEN,
                                           "NO_ACTIVE_ORGANIZATION",
                                           "No active organization");
    }

    if (id->str[ATHENA_ID_ORG_ROLE] == NULL) {
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_FORBIDDEN,
                   "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION",
                   "You are not a member of this organization");
    }

    if (!athena_access_allows(&athena_org_access, id->str[ATHENA_ID_ORG_ROLE],
                              alcf->org_permissions->elts,
                              alcf->org_permissions->nelts))
    {
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_FORBIDDEN,
                   "FORBIDDEN",
                   "Your organization role does not allow this");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_athena_auth_decide(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx)
{
    int64_t                           now;
    athena_identity_t                *id;
    ngx_http_athena_auth_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);
    id = &ctx->id;

    now = ngx_http_athena_auth_now();

    if (id->state == ATHENA_GATE_LIVE && id->session_expires <= now) {
        id->state = ATHENA_GATE_NONE;
    }

    switch (id->state) {

    case ATHENA_GATE_LIVE:
        break;

    case ATHENA_GATE_NONE:
        return ngx_http_athena_auth_unauthorized(r, alcf);

    case ATHENA_GATE_REFUSED:
        return ngx_http_athena_auth_refuse(r, id->refusal_status,
                                           id->refusal_code,
                                           id->refusal_message);

    case ATHENA_GATE_UNAVAILABLE:
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                           "SERVICE_UNAVAILABLE",
                                           "The auth database is unavailable");

    default:
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                           "INTERNAL_SERVER_ERROR",
                                           "The session could not be checked");
    }

    /* an expired ban no longer counts; sign-in lifts it for good */
    if (id->banned
        && (id->ban_expires == ATHENA_TIME_NULL || id->ban_expires > now))
    {
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_FORBIDDEN,
                                           "BANNED_USER",
                                           athena_banned_message);
    }

    if (!ngx_http_athena_auth_role_ok(alcf, id)
        || !ngx_http_athena_auth_admin_ok(r, alcf, id))
    {
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_FORBIDDEN, "FORBIDDEN",
                                           "Your role does not allow this");
    }

    if (!ngx_http_athena_auth_admin_role_ok(r, alcf, id)) {
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_FORBIDDEN, "FORBIDDEN",
                                           "Your admin role does not allow"
                                           " this");
    }

    /* a cached key's permissions; the plugin answers a lack as not found */
    if (id->str[ATHENA_ID_KEY_ID] != NULL && alcf->key_permissions != NULL
        && !athena_apikey_flat_permits(id->str[ATHENA_ID_KEY_PERMISSIONS],
                                       alcf->key_permissions->elts,
                                       alcf->key_permissions->nelts))
    {
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_UNAUTHORIZED,
                                           "KEY_NOT_FOUND",
                                           "API Key not found");
    }

    return ngx_http_athena_auth_org_check(r, alcf, id);
}


/*
 * The request's session token (as the API reads it) and its hash;
 * NGX_DECLINED when it carries none.
 */

static ngx_int_t
ngx_http_athena_auth_gate_token(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, athena_arena_t *a,
    const char **token)
{
    const char                        *auth, *cookie;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);

    auth = ngx_http_athena_auth_header(a, r->headers_in.authorization);
    cookie = ngx_http_athena_auth_cookies(r, a);

    *token = athena_gate_token(amcf->conf, a, auth, cookie);

    if (*token == NULL) {
        return NGX_DECLINED;
    }

    athena_sha256(*token, ngx_strlen(*token), ctx->hash);

    return NGX_OK;
}


/*
 * What the shared memory holds for ctx->hash, if it is the identity of
 * the same kind of credential: a key's digest must not open a session's
 * entry, nor a bearer token a key's. NGX_DECLINED: ask a lookup.
 */

static ngx_int_t
ngx_http_athena_auth_gate_cached(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, ngx_uint_t key)
{
    ngx_int_t                          rc;
    ngx_http_athena_auth_loc_conf_t   *alcf;
    ngx_http_athena_auth_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);
    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    rc = ngx_http_athena_auth_cache_get(amcf->cache_zone, ctx->hash,
                                        alcf->gate_ttl, r->pool, &ctx->id);

    if (rc == NGX_OK
        && ((ctx->id.str[ATHENA_ID_KEY_ID] != NULL) != (key != 0)
            /* an API location's read wants what the gate's lookups omit */
            || (ngx_http_athena_auth_answers(alcf) && !key
                && ctx->id.str[ATHENA_ID_SESSION] == NULL)))
    {
        ngx_memzero(&ctx->id, sizeof(athena_identity_t));
        return NGX_DECLINED;
    }

    return rc;
}


/*
 * An x-api-key, where the location admits keys: the identity of its
 * digest, or a lookup. A key shorter than any the plugin makes is
 * refused as the plugin refuses it, with nothing looked up.
 */

static ngx_int_t
ngx_http_athena_auth_gate_key(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, athena_arena_t *a, ngx_str_t *key,
    const char **plain)
{
    if (key->len < ATHENA_APIKEY_LEN) {
        ctx->id.state = ATHENA_GATE_REFUSED;
        ctx->id.refusal_status = NGX_HTTP_FORBIDDEN;
        ctx->id.refusal_code = "INVALID_API_KEY";
        ctx->id.refusal_message = "Invalid API key.";
        return NGX_OK;
    }

    *plain = athena_strndup(a, (const char *) key->data, key->len);
    if (*plain == NULL) {
        return NGX_ERROR;
    }

    athena_sha256(*plain, key->len, ctx->hash);

    return ngx_http_athena_auth_gate_cached(r, ctx, 1);
}


/*
 * Fills ctx->id from the shared-memory cache, or makes r wait for a
 * lookup (NGX_AGAIN). A request without a token has no session. Where
 * keys are admitted, an x-api-key wins over a session, as in the plugin.
 */

static ngx_int_t
ngx_http_athena_auth_gate_find(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx)
{
    ngx_int_t                         rc;
    const char                       *token, *key;
    athena_arena_t                   *a;
    ngx_table_elt_t                  *h;
    ngx_http_athena_auth_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    h = alcf->api_key ? ngx_http_athena_auth_header_in(r, "X-Api-Key")
                      : NULL;

    if (h != NULL && h->value.len == 0) {
        h = NULL;
    }

    /* nothing that could carry a token: no work at all */
    if (h == NULL && r->headers_in.authorization == NULL
        && r->headers_in.cookies.nelts == 0)
    {
        return NGX_OK;
    }

    a = athena_arena_create(1024);
    if (a == NULL) {
        ctx->id.state = ATHENA_GATE_ERROR;
        return NGX_OK;
    }

    token = NULL;
    key = NULL;

    if (h != NULL) {
        rc = ngx_http_athena_auth_gate_key(r, ctx, a, &h->value, &key);

    } else if (alcf->jwt
               && (rc = ngx_http_athena_auth_gate_jwt(r, ctx, a))
                  != NGX_DECLINED)
    {
        athena_arena_destroy(a);
        return rc == NGX_AGAIN ? NGX_AGAIN : NGX_OK;

    } else {
        rc = ngx_http_athena_auth_gate_token(r, ctx, a, &token);

        if (rc == NGX_OK) {
            rc = ngx_http_athena_auth_gate_cached(r, ctx, 0);
        }
    }

    if (rc == NGX_DECLINED && (token != NULL || key != NULL)) {
        ctx->starting = 1;
        rc = ngx_http_athena_auth_lookup(r, ctx, token, key);
        ctx->starting = 0;

        if (rc == NGX_ERROR) {
            ctx->busy = 1;
        }

    } else if (rc == NGX_ERROR) {
        ctx->id.state = ATHENA_GATE_ERROR;
    }

    athena_arena_destroy(a);

    return rc == NGX_AGAIN ? NGX_AGAIN : NGX_OK;
}


/* the ctx of a gated request, made and filled on its first phase */

ngx_int_t
ngx_http_athena_auth_gate_ctx(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t **ctxp)
{
    ngx_int_t                         rc;
    ngx_pool_cleanup_t               *cln;
    ngx_http_athena_auth_gate_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_athena_auth_module);

    if (ctx != NULL) {
        *ctxp = ctx;

        if (ctx->waiting) {
            return NGX_AGAIN;
        }

        /* the JWT keys were read again: the token is decided with them */
        if (ctx->decide_again) {
            rc = ngx_http_athena_auth_gate_find(r, ctx);
            ctx->decide_again = 0;
            return rc;
        }

        return NGX_OK;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_athena_auth_gate_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_athena_auth_gate_cleanup;
    cln->data = ctx;

    ctx->request = r;

    ngx_http_set_ctx(r, ctx, ngx_http_athena_auth_module);

    *ctxp = ctx;

    return ngx_http_athena_auth_gate_find(r, ctx);
}


static ngx_int_t
ngx_http_athena_auth_gate_check(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx)
{
    if (ctx->busy) {
        return ngx_http_athena_auth_refuse(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                           "SERVICE_UNAVAILABLE",
                                           "The auth service is busy");
    }

    return ngx_http_athena_auth_decide(r, ctx);
}


/*
 * The gate runs in the rewrite phase, before the rewrite module (it is
 * registered after it), so that "return" cannot answer a gated location
 * unchecked and "if", "set" and "map" see the identity. Under "satisfy
 * any" it only looks the session up there, and the access phase decides
 * together with the other access modules.
 */

ngx_int_t
ngx_http_athena_auth_gate_rewrite_handler(ngx_http_request_t *r)
{
    ngx_int_t                         rc;
    ngx_http_core_loc_conf_t         *clcf;
    ngx_http_athena_auth_loc_conf_t  *alcf;
    ngx_http_athena_auth_gate_ctx_t  *ctx;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    if (r != r->main) {
        return NGX_DECLINED;
    }

    if (alcf->require != 1) {
        /* no identity here, and none that a client may claim */
        if (alcf->identity_prefix.len
            && ngx_http_athena_auth_identity_headers(r, &alcf->identity_prefix,
                                                     NULL)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* an API read that the identity may answer */
        return ngx_http_athena_auth_answer_lookup(r);
    }

    rc = ngx_http_athena_auth_gate_ctx(r, &ctx);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_AGAIN) {
        /* the lookup's completion runs the phases again */
        return NGX_DONE;
    }

    if (alcf->identity_prefix.len
        && ngx_http_athena_auth_identity_headers(r, &alcf->identity_prefix,
                                                 &ctx->id)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->satisfy == NGX_HTTP_SATISFY_ANY) {
        return NGX_DECLINED;
    }

    rc = ngx_http_athena_auth_gate_check(r, ctx);

    return rc == NGX_OK ? NGX_DECLINED : rc;
}


/* the access phase decides again: a rewrite may have changed location */

ngx_int_t
ngx_http_athena_auth_gate_handler(ngx_http_request_t *r)
{
    ngx_int_t                         rc;
    ngx_http_athena_auth_loc_conf_t  *alcf;
    ngx_http_athena_auth_gate_ctx_t  *ctx;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    if (alcf->require != 1) {
        return NGX_DECLINED;
    }

    rc = ngx_http_athena_auth_gate_ctx(r, &ctx);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_AGAIN) {
        return NGX_AGAIN;
    }

    return ngx_http_athena_auth_gate_check(r, ctx);
}


/*
 * "user:list,ban": the resource and all of the actions, as one request;
 * ac NULL (an API key's permissions) takes any names.
 */

static char *
ngx_http_athena_auth_permission(ngx_conf_t *cf, ngx_array_t **list,
    const athena_access_t *ac, ngx_str_t *value)
{
    u_char               *s, *colon, *p, *comma, *end;
    size_t                n;
    ngx_uint_t            i;
    const char          **actions;
    athena_permission_t  *perm;

    s = ngx_pnalloc(cf->pool, value->len + 1);
    if (s == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(s, value->data, value->len);
    s[value->len] = '\0';
    end = s + value->len;

    colon = ngx_strlchr(s, end, ':');
    if (colon == NULL || colon == s || colon + 1 == end) {
        goto invalid;
    }

    *colon = '\0';

    n = 1;
    for (p = colon + 1; p < end; p++) {
        n += (*p == ',');
    }

    actions = ngx_palloc(cf->pool, n * sizeof(char *));
    if (actions == NULL) {
        return NGX_CONF_ERROR;
    }

    p = colon + 1;

    for (i = 0; i < n; i++) {
        comma = ngx_strlchr(p, end, ',');
        if (comma == NULL) {
            comma = end;
        }

        *comma = '\0';
        actions[i] = (const char *) p;

        if (*actions[i] == '\0'
            || (ac != NULL
                && !athena_access_known(ac, (const char *) s, actions[i])))
        {
            goto invalid;
        }

        p = comma + 1;
    }

    if (*list == NULL) {
        *list = ngx_array_create(cf->pool, 2, sizeof(athena_permission_t));
        if (*list == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    perm = ngx_array_push(*list);
    if (perm == NULL) {
        return NGX_CONF_ERROR;
    }

    perm->resource = (const char *) s;
    perm->actions = actions;
    perm->nactions = n;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "unknown permission \"%V\"", value);
    return NGX_CONF_ERROR;
}


/* "role=admin,support": any one of them */

static char *
ngx_http_athena_auth_roles(ngx_conf_t *cf, ngx_array_t **list,
    ngx_str_t *value)
{
    u_char   *p, *comma, *end;
    char    **role;

    if (value->len == 0) {
        return "has an empty role list";
    }

    if (*list == NULL) {
        *list = ngx_array_create(cf->pool, 2, sizeof(char *));
        if (*list == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    p = ngx_pnalloc(cf->pool, value->len + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(p, value->data, value->len);
    end = p + value->len;
    *end = '\0';

    for ( ;; ) {
        comma = ngx_strlchr(p, end, ',');
        if (comma == NULL) {
            comma = end;
        }

        if (comma == p) {
            return "has an empty role name";
        }

        *comma = '\0';

        role = ngx_array_push(*list);
        if (role == NULL) {
            return NGX_CONF_ERROR;
        }

        *role = (char *) p;

        if (comma == end) {
            return NGX_CONF_OK;
        }

        p = comma + 1;
    }
}


/* "admin_role=SUPER_ADMIN,TENANT_ADMIN": any one of seed 004's roles */

static char *
ngx_http_athena_auth_admin_role_names(ngx_conf_t *cf,
    ngx_http_athena_auth_loc_conf_t *alcf, ngx_str_t *value)
{
    char        *rv, **names;
    ngx_uint_t   i, from;

    from = alcf->admin_roles ? alcf->admin_roles->nelts : 0;

    rv = ngx_http_athena_auth_roles(cf, &alcf->admin_roles, value);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    names = alcf->admin_roles->elts;

    for (i = from; i < alcf->admin_roles->nelts; i++) {
        if (ngx_strcmp(names[i], "SUPER_ADMIN") != 0
            && ngx_strcmp(names[i], "PARTNER_ADMIN") != 0
            && ngx_strcmp(names[i], "TENANT_ADMIN") != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown admin role \"%s\": SUPER_ADMIN,"
                               " PARTNER_ADMIN or TENANT_ADMIN", names[i]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* "admin_tenant=$arg_tenant": the tenant a TENANT_ADMIN must be one of */

static char *
ngx_http_athena_auth_admin_tenant(ngx_conf_t *cf,
    ngx_http_athena_auth_loc_conf_t *alcf, ngx_str_t *value)
{
    ngx_http_compile_complex_value_t   ccv;

    alcf->admin_tenant = ngx_palloc(cf->pool,
                                    sizeof(ngx_http_complex_value_t));
    if (alcf->admin_tenant == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = value;
    ccv.complex_value = alcf->admin_tenant;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * athena_auth_require on | off
 *                     | [on] [role=r,...] [permission=res:act,...]...
 *                       [org_permission=res:act,...]... [api_key]
 *                       [key_permission=res:act,...]... [jwt]
 *                       [admin_role=ROLE,...] [admin_tenant=value]
 *
 * api_key admits a request by its x-api-key; key_permission (which
 * implies api_key) is what such a key must grant; jwt admits a bearer JWT
 * of the jwt plugin.
 */

char *
ngx_http_athena_auth_require(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_athena_auth_loc_conf_t  *alcf = conf;

    char        *rv;
    ngx_str_t   *value, v;
    ngx_uint_t   i;

    if (alcf->require != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        alcf->require = 0;
        return NGX_CONF_OK;
    }

    alcf->require = 1;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strcmp(value[i].data, "on") == 0) {
            continue;
        }

        if (ngx_strncmp(value[i].data, "role=", 5) == 0) {
            v.data = value[i].data + 5;
            v.len = value[i].len - 5;
            rv = ngx_http_athena_auth_roles(cf, &alcf->roles, &v);

        } else if (ngx_strncmp(value[i].data, "permission=", 11) == 0) {
            v.data = value[i].data + 11;
            v.len = value[i].len - 11;
            rv = ngx_http_athena_auth_permission(cf, &alcf->permissions,
                                                 &athena_admin_access, &v);

        } else if (ngx_strcmp(value[i].data, "api_key") == 0) {
            alcf->api_key = 1;
            continue;

        } else if (ngx_strcmp(value[i].data, "jwt") == 0) {
            alcf->jwt = 1;
            continue;

        } else if (ngx_strncmp(value[i].data, "admin_role=", 11) == 0) {
            v.data = value[i].data + 11;
            v.len = value[i].len - 11;
            rv = ngx_http_athena_auth_admin_role_names(cf, alcf, &v);

        } else if (ngx_strncmp(value[i].data, "admin_tenant=", 13) == 0) {
            v.data = value[i].data + 13;
            v.len = value[i].len - 13;
            rv = ngx_http_athena_auth_admin_tenant(cf, alcf, &v);

        } else if (ngx_strncmp(value[i].data, "key_permission=", 15) == 0) {
            v.data = value[i].data + 15;
            v.len = value[i].len - 15;
            alcf->api_key = 1;
            rv = ngx_http_athena_auth_permission(cf, &alcf->key_permissions,
                                                 NULL, &v);

        } else if (ngx_strncmp(value[i].data, "org_permission=", 15) == 0) {
            v.data = value[i].data + 15;
            v.len = value[i].len - 15;
            rv = ngx_http_athena_auth_permission(cf, &alcf->org_permissions,
                                                 &athena_org_access, &v);

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}
