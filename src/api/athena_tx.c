/*
 * A request's transaction, and what the caches must drop once it commits.
 * A route marked ATHENA_ROUTE_TX opens its transaction with
 * athena_tx_begin() after its session is loaded (so that a refresh of the
 * session is not undone with a refusal); the pipeline ends it: a refusal
 * rolls back, unless the route set ctx->keep, as better-auth's few routes
 * that write before they refuse.
 */

#include <string.h>

#include "athena_api.h"
#include "athena_apikey.h"


athena_store_rc_e
athena_tx_begin(athena_ctx_t *ctx)
{
    athena_store_rc_e  rc;

    if (ctx->in_tx || !(ctx->req->route->flags & ATHENA_ROUTE_TX)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_pg_begin(ctx->db);
    if (rc == ATHENA_STORE_OK) {
        ctx->in_tx = 1;
    }

    return rc;
}


athena_store_rc_e
athena_tx_end(athena_ctx_t *ctx, athena_store_rc_e rc)
{
    if (!ctx->in_tx) {
        return rc;
    }

    ctx->in_tx = 0;

    if (rc != ATHENA_STORE_OK) {
        athena_pg_rollback(ctx->db);
        return rc;
    }

    if (ctx->resp->status >= 400 && !ctx->keep) {
        athena_pg_rollback(ctx->db);
        ctx->nstale = 0;
        ctx->nstale_keys = 0;
        ctx->stale_owner = NULL;
        return ATHENA_STORE_OK;
    }

    return athena_pg_commit(ctx->db);
}


/* after the commit, before the answer: no cache may outlive the change */

void
athena_tx_drop_caches(athena_ctx_t *ctx)
{
    if (ctx->nstale_keys) {
        athena_redis_del(ctx->db, ctx->stale_keys, ctx->nstale_keys);
    }

    if (ctx->stale_owner != NULL) {
        athena_apikey_evict_owner(ctx, ctx->stale_owner);
    }

    if (ctx->nstale == 0) {
        return;
    }

    if (ctx->stale_ended) {
        athena_session_forget(ctx, ctx->stale, ctx->nstale);

    } else {
        athena_session_refresh(ctx, ctx->stale, ctx->nstale);
    }
}


static int
athena_list_append(athena_arena_t *a, const char ***list, size_t *n,
    const char *const *more, size_t nmore)
{
    const char  **grown;

    if (nmore == 0) {
        return 0;
    }

    grown = athena_alloc(a, (*n + nmore + 1) * sizeof(char *));
    if (grown == NULL) {
        return -1;
    }

    if (*n) {
        memcpy(grown, *list, *n * sizeof(char *));
    }

    memcpy(grown + *n, more, nmore * sizeof(char *));
    *n += nmore;
    grown[*n] = NULL;
    *list = grown;

    return 0;
}


int
athena_stale_add(athena_ctx_t *ctx, const char *const *tokens, size_t n)
{
    return athena_list_append(ctx->a, &ctx->stale, &ctx->nstale, tokens, n);
}


int
athena_stale_key(athena_ctx_t *ctx, const char *key)
{
    return athena_list_append(ctx->a, &ctx->stale_keys, &ctx->nstale_keys,
                              &key, 1);
}
