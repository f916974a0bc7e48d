/*
 * The gate's JWTs (athena_auth_require jwt): a bearer token that is a JWT
 * is verified here, on the event loop, with the public keys this worker
 * holds; the identity it carries is cached in the shared zone under the
 * hash of "jwt:" and the token, apart from sessions', until the token
 * expires or the location's TTL ends. A token whose kid the worker does
 * not know makes it read the keys again: one task, which every request
 * that meets an unknown kid meanwhile waits for; a new reading starts at
 * most once per NGX_HTTP_ATHENA_AUTH_JWKS_EVERY, so that made-up kids
 * cannot make the database work.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "../../ngx_http_athena_auth_module.h"
#include "../core/athena_crypto.h"
#include "../core/athena_jwt.h"


#define NGX_HTTP_ATHENA_AUTH_JWKS_EVERY  5000


/* this worker's keys: one block of ngx_alloc()'d memory */
static athena_jwt_key_t  *ngx_http_athena_auth_jwks;
static size_t             ngx_http_athena_auth_njwks;
static ngx_msec_t         ngx_http_athena_auth_jwks_asked;
static ngx_uint_t         ngx_http_athena_auth_jwks_asking;


/* a reading's keys become the worker's */

void
ngx_http_athena_auth_jwks_read(athena_gate_lookup_t *lk)
{
    u_char            *p;
    size_t             i, size;
    athena_jwt_key_t  *keys;

    ngx_http_athena_auth_jwks_asking = 0;

    if (!lk->keys_read) {
        return;
    }

    size = lk->nkeys * sizeof(athena_jwt_key_t);
    for (i = 0; i < lk->nkeys; i++) {
        size += ngx_strlen(lk->keys[i].kid) + 1;
    }

    keys = ngx_alloc(size ? size : 1, ngx_cycle->log);
    if (keys == NULL) {
        return;
    }

    p = (u_char *) (keys + lk->nkeys);

    for (i = 0; i < lk->nkeys; i++) {
        ngx_memcpy(keys[i].pk, lk->keys[i].pk, sizeof(keys[i].pk));
        keys[i].kid = (const char *) p;
        p = ngx_cpymem(p, lk->keys[i].kid, ngx_strlen(lk->keys[i].kid) + 1);
    }

    ngx_free(ngx_http_athena_auth_jwks);
    ngx_http_athena_auth_jwks = keys;
    ngx_http_athena_auth_njwks = lk->nkeys;
}


/* the bearer token when it is a JWT (three parts): NGX_OK */

static ngx_int_t
ngx_http_athena_auth_jwt_bearer(ngx_http_request_t *r, ngx_str_t *token)
{
    ngx_table_elt_t  *h;

    h = r->headers_in.authorization;
    if (h == NULL) {
        return NGX_DECLINED;
    }

    token->data = (u_char *) athena_jwt_bearer((const char *) h->value.data,
                                               h->value.len, &token->len);

    return token->data ? NGX_OK : NGX_DECLINED;
}


/* waits for a reading of the keys (NGX_AGAIN), or refuses (NGX_OK) */

static ngx_int_t
ngx_http_athena_auth_jwks_wait(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx)
{
    ngx_int_t   rc;
    ngx_msec_t  now;

    now = ngx_http_athena_auth_clock();

    if (!ngx_http_athena_auth_jwks_asking
        && ngx_http_athena_auth_jwks_asked != 0
        && now - ngx_http_athena_auth_jwks_asked
           < NGX_HTTP_ATHENA_AUTH_JWKS_EVERY)
    {
        return NGX_OK;
    }

    /* all who wait for the keys share one lookup */
    athena_sha256("athena jwks", 11, ctx->hash);
    ctx->jwks = 1;

    /* before the lookup, which may end (and say so) before it returns */
    if (!ngx_http_athena_auth_jwks_asking) {
        ngx_http_athena_auth_jwks_asking = 1;
        ngx_http_athena_auth_jwks_asked = now;
    }

    ctx->starting = 1;
    rc = ngx_http_athena_auth_lookup(r, ctx, "", NULL);
    ctx->starting = 0;

    if (rc == NGX_ERROR) {
        ngx_http_athena_auth_jwks_asking = 0;
        ctx->busy = 1;
        return NGX_OK;
    }

    return rc;
}


/*
 * Fills ctx->id for a bearer JWT: from the shared zone, from the keys the
 * worker holds, or after a reading of the keys (NGX_AGAIN until then).
 * NGX_DECLINED: the request carries no JWT.
 */

ngx_int_t
ngx_http_athena_auth_gate_jwt(ngx_http_request_t *r,
    ngx_http_athena_auth_gate_ctx_t *ctx, athena_arena_t *a)
{
    ngx_int_t                          rc;
    ngx_str_t                          bearer;
    const char                        *token;
    ngx_http_athena_auth_loc_conf_t   *alcf;
    ngx_http_athena_auth_main_conf_t  *amcf;

    if (ngx_http_athena_auth_jwt_bearer(r, &bearer) != NGX_OK) {
        return NGX_DECLINED;
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_http_athena_auth_module);
    alcf = ngx_http_get_module_loc_conf(r, ngx_http_athena_auth_module);

    if (athena_sha256_prefixed("jwt:", (const char *) bearer.data,
                               bearer.len, ctx->hash)
        != 0)
    {
        ctx->id.state = ATHENA_GATE_ERROR;
        return NGX_OK;
    }

    rc = ngx_http_athena_auth_cache_get(amcf->cache_zone, ctx->hash,
                                        alcf->gate_ttl, r->pool, &ctx->id);
    if (rc == NGX_OK) {
        return NGX_OK;
    }

    token = athena_strndup(a, (const char *) bearer.data, bearer.len);
    if (token == NULL) {
        ctx->id.state = ATHENA_GATE_ERROR;
        return NGX_OK;
    }

    if (!athena_gate_jwt(&ctx->id, a, amcf->conf,
                         ngx_http_athena_auth_self_origin(r, a), token,
                         ngx_http_athena_auth_jwks, ngx_http_athena_auth_njwks,
                         ngx_http_athena_auth_now()))
    {
        /* a kid this worker does not know, unless just read again */
        ctx->id.state = ATHENA_GATE_NONE;
        return ctx->decide_again ? NGX_OK
                                 : ngx_http_athena_auth_jwks_wait(r, ctx);
    }

    if (ctx->id.state != ATHENA_GATE_LIVE) {
        return NGX_OK;
    }

    /* the strings point into a: the request's pool keeps them */
    if (ngx_http_athena_auth_identity_copy(r->pool, &ctx->id, &ctx->id)
        != NGX_OK)
    {
        ctx->id.state = ATHENA_GATE_ERROR;
        return NGX_OK;
    }

    (void) ngx_http_athena_auth_cache_put(amcf->cache_zone, ctx->hash,
                                          &ctx->id,
                                          ngx_http_athena_auth_clock(),
                                          amcf->gate_ttl_max);

    return NGX_OK;
}
