/*
 * Impersonation: an admin takes a session of another user, keeping its
 * own in the signed admin_session cookie, and gives it back. Cookies are
 * set in better-auth 1.7.25's order.
 */

#include <string.h>

#include "athena_admin.h"
#include "../store/athena_auth_store.h"


static const athena_admin_perm_t  athena_may_impersonate = {
    "user", "impersonate", "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS",
    "You are not allowed to impersonate users"
};


static void
athena_reply_session(athena_ctx_t *ctx)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_session_user(g, &ctx->session, &ctx->user);
    athena_reply_gen(ctx, 200, g);
}


/* adminRoles and adminUserIds decide who counts as an admin target */

static int
athena_is_admin(athena_ctx_t *ctx, const athena_user_t *user)
{
    size_t  i;

    for (i = 0; i < ctx->conf->nadmin_user_ids; i++) {
        if (strcmp(ctx->conf->admin_user_ids[i], user->id) == 0) {
            return 1;
        }
    }

    for (i = 0; i < ctx->conf->nadmin_roles; i++) {
        if (athena_roles_include(user->role ? user->role : "user",
                                 ctx->conf->admin_roles[i], 0))
        {
            return 1;
        }
    }

    return 0;
}


/* POST /admin/impersonate-user {userId}: {session, user} of the target */

athena_store_rc_e
athena_api_admin_impersonate_user(athena_ctx_t *ctx)
{
    int                   found, refused;
    char                 *flag, *keep;
    const char           *id;
    athena_user_t         target;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    athena_permission_t   perm;

    static const char *const  imp_admins[] = { "impersonate-admins" };

    (void) athena_admin_user_body(ctx, &chk);

    rc = athena_admin_body_target(ctx, &chk, &athena_may_impersonate, &id,
                                  &target, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    perm.resource = "user";
    perm.actions = imp_admins;
    perm.nactions = 1;

    if (athena_is_admin(ctx, &target) && !athena_admin_allows(ctx, &perm, 1)) {
        athena_reply_error(ctx, 403, "YOU_CANNOT_IMPERSONATE_ADMINS",
                           "You cannot impersonate admins");
        return ATHENA_STORE_OK;
    }

    /* the admin's own session, and whether it was remembered */
    flag = athena_cookie_get_signed(ctx, "dont_remember");
    keep = athena_sprintf(ctx->a, "%s:%s", ctx->session.token,
                          flag ? flag : "");
    if (keep == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_session_open(ctx, &target,
                             ctx->now + ctx->conf->impersonation_ttl,
                             ctx->actor_id, &refused);
    if (rc != ATHENA_STORE_OK || refused) {
        return rc;
    }

    athena_cookie_expire_session(ctx);
    athena_cookie_set_signed(ctx, "admin_session", keep,
                             ctx->conf->expires_in / 1000);
    athena_cookie_set_session(ctx, ctx->session.token, 0);

    athena_reply_session(ctx);

    return ATHENA_STORE_OK;
}


static void
athena_admin_session_lost(athena_ctx_t *ctx)
{
    athena_reply_message(ctx, 500, "Failed to find admin session");
}


/*
 * POST /admin/stop-impersonating: the impersonation session ends and the
 * admin's, kept in admin_session, comes back: {session, user}.
 */

athena_store_rc_e
athena_api_admin_stop_impersonating(athena_ctx_t *ctx)
{
    int                 ok, cached;
    char               *kept, *colon;
    const char         *ended;
    athena_user_t       admin, owner;
    athena_session_t    back;
    athena_store_rc_e   rc;

    rc = athena_admin_session(ctx, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (ctx->session.impersonated_by == NULL) {
        athena_reply_message(ctx, 400, "You are not impersonating anyone");
        return ATHENA_STORE_OK;
    }

    ctx->actor_id = ctx->session.impersonated_by;
    ctx->audit_target = ctx->user.id;

    rc = athena_user_by_id(ctx->db, ctx->a, ctx->session.impersonated_by,
                           &admin);
    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_reply_message(ctx, 500, "Failed to find user");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    /* "<admin token>:<its dont_remember value, or nothing>" */
    kept = athena_cookie_get_signed(ctx, "admin_session");
    colon = kept ? strrchr(kept, ':') : NULL;

    if (colon == NULL) {
        athena_admin_session_lost(ctx);
        return ATHENA_STORE_OK;
    }

    *colon = '\0';

    rc = athena_session_find(ctx->db, ctx->a, kept, &back, &owner, &cached);
    if (rc == ATHENA_STORE_NOT_FOUND
        || (rc == ATHENA_STORE_OK && strcmp(back.user_id, admin.id) != 0))
    {
        athena_admin_session_lost(ctx);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ended = ctx->session.token;

    rc = athena_session_delete(ctx->db, ctx->a, ended);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->stale = athena_alloc(ctx->a, sizeof(char *));
    if (ctx->stale == NULL) {
        return ATHENA_STORE_ERROR;
    }

    ctx->stale[0] = ended;
    ctx->nstale = 1;
    ctx->stale_ended = 1;

    /*
     * The admin's session as it was remembered; better-auth expires a
     * dont_remember cookie only when the request sent one.
     */
    athena_cookie_set_session(ctx, kept, colon[1] == '\0');

    if (colon[1] == '\0' && athena_cookie_get(ctx, "dont_remember")) {
        athena_cookie_expire(ctx, "dont_remember");
    }

    athena_cookie_expire(ctx, "admin_session");

    ctx->session = back;
    ctx->user = admin;

    athena_reply_session(ctx);

    return ATHENA_STORE_OK;
}
