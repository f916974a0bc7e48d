/*
 * GET /ok, /get-session, /list-sessions and the three revoke endpoints.
 */

#include <string.h>

#include "athena_api.h"
#include "../core/athena_check.h"
#include "../store/athena_auth_store.h"


athena_store_rc_e
athena_api_ok(athena_ctx_t *ctx)
{
    athena_reply_flag(ctx, "ok", 1);

    return ATHENA_STORE_OK;
}


/* z.coerce.boolean(): any non-empty value, "false" included, is true */

static int
athena_query_flag(athena_ctx_t *ctx, const char *name)
{
    size_t  len;

    return athena_query_arg(ctx, name, &len) != NULL && len > 0;
}


/* a session older than the update age is extended, unless asked not to */

static int
athena_refresh_wanted(athena_ctx_t *ctx)
{
    return !athena_query_flag(ctx, "disableRefresh");
}


static void
athena_no_store(athena_ctx_t *ctx)
{
    athena_reply_header(ctx, "Cache-Control", "no-store");
    athena_reply_header(ctx, "Pragma", "no-cache");
}


athena_store_rc_e
athena_api_get_session(athena_ctx_t *ctx)
{
    athena_gen_t      *g;
    athena_store_rc_e  rc;

    /* the jwt plugin's token is signed with a key read from the store */
    if (ctx->db == NULL && ctx->conf->jwt) {
        return ATHENA_STORE_AGAIN;
    }

    /* the cookie cache is off, so a leftover cached copy is expired */
    if (athena_cookie_get(ctx, "session_data")) {
        athena_cookie_expire(ctx, "session_data");
    }

    rc = athena_session_load(ctx, athena_refresh_wanted(ctx));
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_no_store(ctx);

    if (ctx->has_session && ctx->req->session_json != NULL) {
        /* rendered from the same entry when the gate's lookup stored it */
        athena_reply_text(ctx, 200, ctx->req->session_json);
        return ATHENA_STORE_OK;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    if (!ctx->has_session) {
        athena_gen_null(g);

    } else {
        athena_gen_session_user(g, &ctx->session, &ctx->user);
    }

    athena_reply_gen(ctx, 200, g);
    athena_jwt_after(ctx);

    return ATHENA_STORE_OK;
}


/* better-auth answers POST only with deferSessionRefresh, which is off */

athena_store_rc_e
athena_api_get_session_post(athena_ctx_t *ctx)
{
    athena_no_store(ctx);
    athena_reply_error(ctx, 405, "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED",
                       "POST method requires deferSessionRefresh to be "
                       "enabled in session config");

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_api_list_sessions(athena_ctx_t *ctx)
{
    int                 ok;
    size_t              i, n;
    athena_gen_t       *g;
    athena_session_t   *list;
    athena_store_rc_e   rc;

    rc = athena_session_require(ctx, athena_refresh_wanted(ctx), &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    /* freshness counts from sign-in; a refresh does not renew it */
    if (ctx->conf->fresh_age
        && ctx->now - ctx->session.created_at >= ctx->conf->fresh_age)
    {
        athena_reply_error(ctx, 403, "SESSION_NOT_FRESH",
                           "Session is not fresh");
        return ATHENA_STORE_OK;
    }

    rc = athena_session_list(ctx->db, ctx->a, ctx->user.id, ctx->now, 0,
                             &list, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_array_open(g);
    for (i = 0; i < n; i++) {
        athena_gen_session(g, &list[i]);
    }
    athena_gen_array_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_api_revoke_session(athena_ctx_t *ctx)
{
    int                   ok, cached;
    athena_user_t         owner;
    athena_check_t        chk;
    athena_session_t      target;
    athena_store_rc_e     rc;
    const athena_json_t  *token;

    /* validation comes before authentication, as in better-auth */
    athena_check_init(&chk, ctx->a, ctx->body, "body");

    token = NULL;
    if (athena_check_object(&chk)) {
        token = athena_check_string(&chk, "token", 1);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_session_require(ctx, athena_refresh_wanted(ctx), &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_session_find(ctx->db, ctx->a, token->string, &target, &owner,
                             &cached);

    /* another user's or an unknown token: nothing happens, still success */
    if (rc == ATHENA_STORE_OK && strcmp(target.user_id, ctx->user.id) == 0) {
        rc = athena_session_revoke(ctx, token->string);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        if (strcmp(token->string, ctx->session.token) == 0) {
            athena_cookie_expire_session(ctx);
        }

    } else if (rc != ATHENA_STORE_OK && rc != ATHENA_STORE_NOT_FOUND) {
        return rc;
    }

    athena_reply_flag(ctx, "status", 1);

    return ATHENA_STORE_OK;
}


static athena_store_rc_e
athena_revoke_all(athena_ctx_t *ctx, int keep_current)
{
    int                 ok;
    size_t              n;
    const char        **tokens;
    athena_store_rc_e   rc;

    rc = athena_session_require(ctx, athena_refresh_wanted(ctx), &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_session_delete_user(ctx->db, ctx->a, ctx->user.id,
                                    keep_current ? ctx->session.token : NULL,
                                    keep_current ? ctx->now : 0,
                                    &tokens, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_session_forget(ctx, tokens, n);

    if (!keep_current) {
        athena_cookie_expire_session(ctx);
    }

    athena_reply_flag(ctx, "status", 1);

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_api_revoke_sessions(athena_ctx_t *ctx)
{
    return athena_revoke_all(ctx, 0);
}


athena_store_rc_e
athena_api_revoke_other_sessions(athena_ctx_t *ctx)
{
    return athena_revoke_all(ctx, 1);
}
