/*
 * The admin plugin's session routes: list-user-sessions,
 * revoke-user-session and revoke-user-sessions, the last also in the
 * plural forms of Athena's SDK (seed 000): {userId} ends all of a user's
 * sessions, [{userId, sessionToken}, ...] ends exactly those named.
 */

#include <string.h>

#include "athena_admin.h"
#include "../core/athena_crypto.h"
#include "../store/athena_auth_store.h"


static const athena_admin_perm_t  athena_may_list_sessions = {
    "session", "list", "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS",
    "You are not allowed to list users sessions"
};

static const athena_admin_perm_t  athena_may_revoke = {
    "session", "revoke", "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS",
    "You are not allowed to revoke users sessions"
};


/*
 * POST /admin/list-user-sessions {userId}: every row of the user, the
 * expired and the impersonations too, at most 100; the user's existence
 * is not checked.
 */

athena_store_rc_e
athena_api_admin_list_user_sessions(athena_ctx_t *ctx)
{
    int                 ok;
    size_t              i, n;
    athena_gen_t       *g;
    const char         *id;
    athena_check_t      chk;
    athena_session_t   *list;
    athena_store_rc_e   rc;

    (void) athena_admin_user_body(ctx, &chk);

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    id = athena_coerce_string(ctx, "userId");

    rc = athena_admin_require(ctx, &athena_may_list_sessions, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_session_list(ctx->db, ctx->a, id, ctx->now, 1, &list, &n);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "sessions");
    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_gen_session(g, &list[i]);
    }

    athena_gen_array_close(g);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}


/* ends one token (of user_id, unless NULL) and notes it for the caches */

static athena_store_rc_e
athena_admin_revoke_one(athena_ctx_t *ctx, const char *token,
    const char *user_id)
{
    athena_store_rc_e   rc;

    rc = athena_session_delete_of(ctx->db, ctx->a, token, user_id);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    return athena_stale_add(ctx, &token, 1) == 0 ? ATHENA_STORE_OK
                                                 : ATHENA_STORE_ERROR;
}


/* POST /admin/revoke-user-session {sessionToken}: success, found or not */

athena_store_rc_e
athena_api_admin_revoke_user_session(athena_ctx_t *ctx)
{
    int                   ok;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *token;

    token = NULL;

    if (athena_admin_body(ctx, &chk)) {
        token = athena_check_string(&chk, "sessionToken", 1);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_revoke, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    /* the audit names the session by its token's hash, as the caches do */
    ctx->audit_target = athena_alloc(ctx->a, ATHENA_SHA256_HEX + 1);
    if (ctx->audit_target == NULL) {
        return ATHENA_STORE_ERROR;
    }

    athena_sha256_hex(token->string, token->len, (char *) ctx->audit_target);

    rc = athena_admin_revoke_one(ctx, token->string, NULL);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->stale_ended = 1;
    athena_reply_flag(ctx, "success", 1);

    return ATHENA_STORE_OK;
}


/* [{userId, sessionToken}, ...]: every item names both */

static void
athena_check_named_sessions(athena_ctx_t *ctx, athena_check_t *chk)
{
    size_t                i;
    const char           *at;
    athena_check_t        item;
    const athena_json_t  *list;

    list = ctx->body;

    for (i = 0; i < list->n; i++) {
        at = athena_sprintf(ctx->a, "body.%zu", i);

        athena_check_init(&item, ctx->a, list->items[i], at);

        if (athena_check_object(&item)) {
            (void) athena_check_string(&item, "userId", 1);
            (void) athena_check_string(&item, "sessionToken", 1);
        }

        athena_check_merge(chk, &item);
    }
}


/*
 * POST /admin/revoke-user-sessions {userId} | [{userId, sessionToken}]:
 * {success:true}. The list form ends exactly the sessions named, each
 * only if it is its user's.
 */

athena_store_rc_e
athena_api_admin_revoke_user_sessions(athena_ctx_t *ctx)
{
    int                   ok;
    size_t                i, n;
    const char           *id;
    const athena_json_t  *item, *list;
    athena_check_t        chk;
    athena_store_rc_e     rc;

    list = ctx->body;
    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (list != NULL && list->type == ATHENA_JSON_ARRAY) {
        athena_check_named_sessions(ctx, &chk);

    } else {
        if (athena_check_object(&chk)) {
            athena_admin_need_user_id(ctx, &chk);
        }
        list = NULL;
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_revoke, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    ctx->stale_ended = 1;

    if (list == NULL) {
        id = athena_coerce_string(ctx, "userId");
        ctx->audit_target = id;

        rc = athena_session_delete_user(ctx->db, ctx->a, id, NULL, 0,
                                        &ctx->stale, &ctx->nstale);
        if (rc == ATHENA_STORE_OK) {
            athena_reply_flag(ctx, "success", 1);
        }

        return rc;
    }

    n = list->n;

    for (i = 0; i < n; i++) {
        item = list->items[i];
        id = athena_json_get(item, "userId")->string;

        ctx->audit_target = ctx->audit_target
                            ? athena_sprintf(ctx->a, "%s,%s",
                                             ctx->audit_target, id)
                            : id;

        rc = athena_admin_revoke_one(ctx,
                 athena_json_get(item, "sessionToken")->string, id);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    athena_reply_flag(ctx, "success", 1);

    return ATHENA_STORE_OK;
}
