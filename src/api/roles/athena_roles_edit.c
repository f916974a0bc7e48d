/*
 * The admin-roles writes: assign (POST /), change (PATCH /{role_id}) and
 * revoke (DELETE /{role_id}), each audited in its transaction. The
 * user's cached sessions are dropped before the answer, so the gate's
 * admin_role rules see the change at once on this node.
 */

#include <string.h>

#include "athena_roles.h"
#include "../../core/athena_crypto.h"
#include "../../store/athena_auth_store.h"
#include "../../store/athena_org_store.h"


static const char  *athena_roles_names[] = {
    "SUPER_ADMIN", "PARTNER_ADMIN", "TENANT_ADMIN", NULL
};


static const char *
athena_roles_name(athena_ctx_t *ctx, athena_roles_invalid_t *inv)
{
    size_t                i;
    const athena_json_t  *v;

    v = athena_json_get(ctx->body, "role");

    if (v != NULL && v->type == ATHENA_JSON_STRING) {
        for (i = 0; athena_roles_names[i]; i++) {
            if (strcmp(v->string, athena_roles_names[i]) == 0) {
                return athena_roles_names[i];
            }
        }

        athena_roles_invalid_add(inv, "body", "role", "enum",
                                 "Input should be 'SUPER_ADMIN',"
                                 " 'PARTNER_ADMIN' or 'TENANT_ADMIN'", v,
                                 NULL);
        return NULL;
    }

    (void) athena_roles_body_text(ctx, inv, "role", 1);

    return NULL;
}


/*
 * A partner's or tenant's id: letters, digits, "_", "." and "-" (the gate
 * keeps a user's roles as "ROLE:scope" lists, see athena_admin_role.h)
 */

static const char *
athena_roles_scope(athena_ctx_t *ctx, athena_roles_invalid_t *inv,
    const char *name)
{
    size_t       n;
    const char  *v;

    v = athena_roles_body_text(ctx, inv, name, 0);
    if (v == NULL) {
        return NULL;
    }

    n = strlen(v);

    if (n == 0
        || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_.-") != n)
    {
        athena_roles_invalid_add(inv, "body", name, "string_pattern_mismatch",
                                 "String should match pattern"
                                 " '^[A-Za-z0-9_.-]+$'",
                                 athena_json_get(ctx->body, name), NULL);
        return NULL;
    }

    return v;
}


/* the model's own rule, after its fields: pydantic's "value_error" */

static void
athena_roles_value_error(athena_roles_invalid_t *inv, const char *field,
    const char *msg, const athena_json_t *input)
{
    athena_roles_invalid_add(inv, "body", field, "value_error", msg, input,
                             NULL);
}


/*
 * The user's admin roles changed: their Redis entry goes, and the user's
 * cached sessions are read afresh (ended ones are dropped already).
 */

static athena_store_rc_e
athena_roles_changed(athena_ctx_t *ctx, const char *user_id)
{
    char  *key;

    key = athena_admin_roles_cache_key(ctx->a,
                                       ctx->conf->store.cache_prefix,
                                       user_id);

    if (key == NULL || athena_stale_key(ctx, key) != 0) {
        return ATHENA_STORE_ERROR;
    }

    if (ctx->stale_ended) {
        return ATHENA_STORE_OK;
    }

    return athena_session_tokens(ctx->db, ctx->a, user_id, &ctx->stale,
                                 &ctx->nstale);
}


/*
 * The audit row's details: the assignment as it is after the change (as
 * it was, for a delete, with what the cleanup did; cleanup < 0: none)
 */

static char *
athena_roles_details(athena_ctx_t *ctx, const athena_admin_role_t *r,
    int cleanup, int deleted)
{
    size_t         len;
    athena_gen_t  *g;

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "assignment");
    athena_roles_gen(g, r);

    if (cleanup >= 0) {
        athena_gen_key(g, "cleanup_orphaned_user");
        athena_gen_bool(g, cleanup);
        athena_gen_key(g, "user_soft_deleted");
        athena_gen_bool(g, deleted);
    }

    athena_gen_map_close(g);

    return athena_gen_finish(ctx->a, g, &len);
}


/* POST / {user_id, role, partner_id?, tenant_id?, expires_at?} → 201 */

athena_store_rc_e
athena_roles_create(athena_ctx_t *ctx)
{
    int                      ok, set;
    char                     id[ATHENA_ID_LEN + 1];
    athena_org_t             org;
    athena_user_t            user;
    athena_store_rc_e        rc;
    athena_admin_role_t      r;
    athena_roles_invalid_t   inv;

    rc = athena_roles_require(ctx, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    memset(&inv, 0, sizeof(athena_roles_invalid_t));
    memset(&r, 0, sizeof(athena_admin_role_t));

    if (athena_roles_body(ctx, &inv)) {
        r.user_id = athena_roles_body_text(ctx, &inv, "user_id", 1);
        r.role = athena_roles_name(ctx, &inv);
        r.partner_id = athena_roles_scope(ctx, &inv, "partner_id");
        r.tenant_id = athena_roles_scope(ctx, &inv, "tenant_id");
        athena_roles_body_time(ctx, &inv, "expires_at", &set, &r.expires_at);

        if (inv.n == 0 && strcmp(r.role, "PARTNER_ADMIN") == 0
            && r.partner_id == NULL)
        {
            athena_roles_value_error(&inv, NULL, "Value error, partner_id is"
                                     " required for PARTNER_ADMIN",
                                     ctx->body);
        }

        if (inv.n == 0 && strcmp(r.role, "TENANT_ADMIN") == 0
            && r.tenant_id == NULL)
        {
            athena_roles_value_error(&inv, NULL, "Value error, tenant_id is"
                                     " required for TENANT_ADMIN",
                                     ctx->body);
        }

        if (inv.n == 0 && r.expires_at != ATHENA_TIME_NULL
            && r.expires_at <= ctx->now)
        {
            athena_roles_value_error(&inv, "expires_at", "Value error,"
                                     " expires_at must be in the future",
                                     athena_json_get(ctx->body,
                                                     "expires_at"));
        }
    }

    if (athena_roles_invalid_reply(ctx, &inv)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_user_by_id(ctx->db, ctx->a, r.user_id, &user);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_roles_detail(ctx, 404, "User not found");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK && r.tenant_id != NULL) {
        rc = athena_org_get(ctx->db, ctx->a, r.tenant_id, NULL, 0, &org);

        if (rc == ATHENA_STORE_NOT_FOUND) {
            athena_roles_detail(ctx, 404, "Tenant not found");
            return ATHENA_STORE_OK;
        }
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    r.id = id;
    r.granted_by = ctx->user.id;
    r.created_at = ctx->now;

    rc = athena_admin_role_create(ctx->db, ctx->a, &r);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_roles_detail(ctx, 409, "The user already has this admin role"
                                      " in this scope");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_roles_changed(ctx, r.user_id);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_target = r.id;
    ctx->audit_details = athena_roles_details(ctx, &r, -1, 0);

    athena_roles_reply(ctx, 201, &r);

    return ATHENA_STORE_OK;
}


/* PATCH /{role_id} {is_active?, expires_at?} */

athena_store_rc_e
athena_roles_update(athena_ctx_t *ctx)
{
    int                      active, set;
    int64_t                  expires;
    const char              *id;
    athena_store_rc_e        rc;
    athena_admin_role_t      r;
    athena_roles_invalid_t   inv;

    rc = athena_roles_require_id(ctx, "role_id", &id);
    if (rc != ATHENA_STORE_OK || id == NULL) {
        return rc;
    }

    memset(&inv, 0, sizeof(athena_roles_invalid_t));
    active = -1;
    set = 0;
    expires = ATHENA_TIME_NULL;

    if (athena_roles_body(ctx, &inv)) {
        active = athena_roles_body_bool(ctx, &inv, "is_active");
        athena_roles_body_time(ctx, &inv, "expires_at", &set, &expires);

        if (inv.n == 0 && expires != ATHENA_TIME_NULL && expires <= ctx->now) {
            athena_roles_value_error(&inv, "expires_at", "Value error,"
                                     " expires_at must be in the future",
                                     athena_json_get(ctx->body,
                                                     "expires_at"));
        }
    }

    if (athena_roles_invalid_reply(ctx, &inv)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_role_update(ctx->db, ctx->a, id, active, set, expires,
                                  ctx->now, &r);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_roles_detail(ctx, 404, "Admin role not found");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_roles_changed(ctx, r.user_id);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_details = athena_roles_details(ctx, &r, -1, 0);

    athena_roles_reply(ctx, 200, &r);

    return ATHENA_STORE_OK;
}


/*
 * The seed's cleanup: a user left with no admin role who looks admin-only
 * is soft-deleted. Here that is what better-auth can see: a ban with no
 * end ("Account deleted"), every session ended, and a row in
 * admin_user_deletions; the user row and its data stay.
 */

static athena_store_rc_e
athena_roles_cleanup(athena_ctx_t *ctx, const char *user_id, int *deleted)
{
    int                 orphaned;
    athena_user_t       user;
    athena_store_rc_e   rc;

    *deleted = 0;

    rc = athena_admin_role_orphaned(ctx->db, ctx->a, user_id, &orphaned);
    if (rc != ATHENA_STORE_OK || !orphaned) {
        return rc;
    }

    rc = athena_user_set_ban(ctx->db, ctx->a, user_id, 1, "Account deleted",
                             ATHENA_TIME_NULL, ctx->now, &user);
    if (rc == ATHENA_STORE_OK) {
        rc = athena_admin_user_mark_deleted(ctx->db, ctx->a, user_id,
                                            ctx->user.id, ctx->now);
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_admin_end_sessions(ctx, user_id);
    }

    *deleted = rc == ATHENA_STORE_OK;

    return rc;
}


/* DELETE /{role_id}?cleanup_orphaned_user=true → 204 */

athena_store_rc_e
athena_roles_delete(athena_ctx_t *ctx)
{
    int                      cleanup, deleted;
    const char              *id;
    athena_store_rc_e        rc;
    athena_admin_role_t      r;
    athena_roles_invalid_t   inv;

    rc = athena_roles_require_id(ctx, "role_id", &id);
    if (rc != ATHENA_STORE_OK || id == NULL) {
        return rc;
    }

    memset(&inv, 0, sizeof(athena_roles_invalid_t));
    cleanup = athena_roles_query_bool(ctx, &inv, "cleanup_orphaned_user", 1);

    if (athena_roles_invalid_reply(ctx, &inv)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_role_get(ctx->db, ctx->a, id, 1, &r);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_roles_detail(ctx, 404, "Admin role not found");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (strcmp(r.role, "SUPER_ADMIN") == 0
        && strcmp(r.user_id, ctx->user.id) == 0)
    {
        athena_roles_detail(ctx, 400, "Cannot delete your own Super Admin"
                                      " role");
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_role_delete(ctx->db, ctx->a, id);

    deleted = 0;

    if (rc == ATHENA_STORE_OK && cleanup) {
        rc = athena_roles_cleanup(ctx, r.user_id, &deleted);
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_roles_changed(ctx, r.user_id);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_details = athena_roles_details(ctx, &r, cleanup, deleted);

    athena_reply_empty(ctx, 204);

    return ATHENA_STORE_OK;
}
