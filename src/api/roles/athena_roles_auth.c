/*
 * Who may call the admin-roles routes: an active, unexpired SUPER_ADMIN,
 * decided when the request is checked. The caller shows a JWT of the jwt
 * plugin ("Authorization: Bearer <jwt>", verified here with the key its
 * kid names, its user read live: a deleted or banned user's token opens
 * nothing) or a session token (bearer or cookie).
 */

#include <string.h>

#include "athena_roles.h"
#include "../../core/athena_admin_role.h"
#include "../../core/athena_jwt.h"
#include "../../store/athena_auth_store.h"


/* *ok: the token verified and its user is live (then ctx->user is it) */

static athena_store_rc_e
athena_roles_jwt_user(athena_ctx_t *ctx, const char *token, int *ok)
{
    const char         *jwk;
    athena_jwt_t        jwt;
    unsigned char       pk[ATHENA_ED25519_PK];
    athena_store_rc_e   rc;

    *ok = 0;

    if (athena_jwt_parse(ctx->a, token, strlen(token), &jwt)
        != ATHENA_JWT_OK)
    {
        return ATHENA_STORE_OK;
    }

    rc = athena_jwks_public(ctx->db, ctx->a, jwt.kid, ctx->conf->jwt_grace,
                            &jwk);
    if (rc != ATHENA_STORE_OK) {
        return rc == ATHENA_STORE_NOT_FOUND ? ATHENA_STORE_OK : rc;
    }

    if (athena_jwk_read_public(ctx->a, jwk, pk) != 0
        || athena_jwt_accept(ctx->conf, ctx->a, ctx->req->self_origin, &jwt,
                             pk, ctx->now)
           != ATHENA_JWT_OK)
    {
        return ATHENA_STORE_OK;
    }

    rc = athena_user_by_id(ctx->db, ctx->a, jwt.sub, &ctx->user);
    if (rc != ATHENA_STORE_OK) {
        return rc == ATHENA_STORE_NOT_FOUND ? ATHENA_STORE_OK : rc;
    }

    *ok = !(ctx->user.banned == 1
            && (ctx->user.ban_expires == ATHENA_TIME_NULL
                || ctx->user.ban_expires > ctx->now));

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_roles_require(athena_ctx_t *ctx, int *ok)
{
    int                 authed;
    char               *roles;
    size_t              n;
    const char         *jwt, *auth;
    athena_store_rc_e   rc;

    *ok = 0;

    auth = ctx->req->authorization;
    jwt = auth ? athena_jwt_bearer(auth, strlen(auth), &n) : NULL;

    if (jwt != NULL) {
        rc = athena_roles_jwt_user(ctx, jwt, &authed);

    } else if (athena_session_token(ctx) == NULL) {
        athena_roles_detail(ctx, 401, "Not authenticated");
        return ATHENA_STORE_OK;

    } else {
        /* the session's entry and its user's roles: one round trip */
        ctx->roles_wanted = 1;
        rc = athena_session_load(ctx, 0);
        ctx->roles_wanted = 0;
        authed = ctx->has_session;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!authed) {
        athena_roles_detail(ctx, 401, "Could not validate credentials");
        return ATHENA_STORE_OK;
    }

    /* the audit's actor; a JWT has no session to name */
    ctx->actor_id = ctx->user.id;
    ctx->actor_token = jwt ? NULL : ctx->session.token;

    /*
     * The user's live roles as the gate reads them (Redis, which this API
     * updates, then Postgres), each expiry checked now
     */
    roles = ctx->admin_roles;

    if (roles == NULL) {
        rc = athena_admin_roles_live(ctx->db, ctx->a, ctx->user.id, &roles);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    if (!athena_admin_role_holds(roles, "SUPER_ADMIN", NULL, 0, ctx->now)) {
        athena_roles_detail(ctx, 403, "Super admin access required");
        return ATHENA_STORE_OK;
    }

    *ok = 1;

    return ATHENA_STORE_OK;
}
