/*
 * The REST admin surface's organization writes (seed 003): POST
 * /organizations, PATCH and DELETE /organizations/:id, each audited in its
 * transaction. "plan" lives in the organization's metadata (metadata.plan),
 * where a better-auth app reads it too; "ownerId" names the owner (the
 * organization plugin's creator role), who becomes a member if needed.
 */

#include <string.h>

#include "athena_rest.h"
#include "../athena_org.h"
#include "../../core/athena_crypto.h"
#include "../../store/athena_auth_store.h"
#include "../../store/athena_org_store.h"


#define ATHENA_REST_PLAN_MAX  64


static const char *const  athena_rest_org_create_fields[] = {
    "name", "slug", "logo", "plan", "metadata", "ownerId", NULL
};


/*
 * The metadata to store: the body's object, or else the stored text,
 * with the body's plan set in it (null clears it). NULL when the body
 * has neither, or after an issue in chk.
 */

static const char *
athena_rest_org_meta(athena_ctx_t *ctx, athena_check_t *chk,
    const char *stored)
{
    size_t                len;
    athena_gen_t         *g;
    athena_json_t        *obj;
    const athena_json_t  *meta, *plan;

    meta = athena_json_get(ctx->body, "metadata");
    plan = athena_json_get(ctx->body, "plan");

    if (meta == NULL && plan == NULL) {
        return NULL;
    }

    if (meta != NULL && meta->type != ATHENA_JSON_OBJECT) {
        athena_check_issue(chk, "metadata", "Invalid input: expected"
                           " object, received %s", athena_json_type_name(meta));
        return NULL;
    }

    if (plan != NULL && plan->type != ATHENA_JSON_NULL
        && (plan->type != ATHENA_JSON_STRING || plan->len == 0
            || plan->len > ATHENA_REST_PLAN_MAX))
    {
        athena_check_issue(chk, "plan", "Invalid input: expected a string"
                           " of 1 to %d characters, or null",
                           ATHENA_REST_PLAN_MAX);
        return NULL;
    }

    obj = (athena_json_t *) meta;

    if (obj == NULL
        && (stored == NULL
            || athena_json_parse(ctx->a, stored, strlen(stored), 512, &obj)
               != ATHENA_JSON_OK
            || obj->type != ATHENA_JSON_OBJECT))
    {
        obj = athena_json_new(ctx->a, ATHENA_JSON_OBJECT);
    }

    if (obj == NULL
        || (plan && athena_json_set(ctx->a, obj, "plan",
                                    (athena_json_t *) plan) != 0))
    {
        return NULL;
    }

    g = athena_gen_new();
    if (g == NULL) {
        return NULL;
    }

    athena_gen_value(g, obj);

    return athena_gen_finish(ctx->a, g, &len);
}


/* the user ownerId names, *found; a 400 naming the field when none */

static athena_store_rc_e
athena_rest_owner(athena_ctx_t *ctx, const char *id, athena_user_t *user,
    int *found)
{
    athena_store_rc_e  rc;

    *found = 0;

    rc = athena_user_by_id(ctx->db, ctx->a, id, user);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_rest_error(ctx, 400, "[body.ownerId] No user has this id");
        return ATHENA_STORE_OK;
    }

    *found = (rc == ATHENA_STORE_OK);

    return rc;
}


/*
 * user becomes the organization's owner, a member if not yet one; with
 * hand_on, the other owners become admins. The caches drop every
 * membership that changed.
 */

static athena_store_rc_e
athena_rest_owner_set(athena_ctx_t *ctx, const char *org_id,
    const char *user_id, int hand_on)
{
    char                id[ATHENA_ID_LEN + 1];
    size_t              i, n;
    const char        **users, *owner;
    athena_member_t     m;
    athena_store_rc_e   rc;

    owner = ctx->conf->creator_role;

    rc = athena_member_find(ctx->db, ctx->a, ATHENA_MEMBER_BY_USER, org_id,
                            user_id, &m);

    if (rc == ATHENA_STORE_OK) {
        rc = athena_member_set_role(ctx->db, ctx->a, m.id, owner);

    } else if (rc == ATHENA_STORE_NOT_FOUND) {
        if (athena_random_id(id) != 0) {
            return ATHENA_STORE_ERROR;
        }

        memset(&m, 0, sizeof(athena_member_t));
        m.id = id;
        m.organization_id = (char *) org_id;
        m.user_id = (char *) user_id;
        m.role = (char *) owner;
        m.created_at = ctx->now;

        rc = athena_member_insert(ctx->db, ctx->a, &m);
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_org_member_changed(ctx, org_id, user_id);
    }

    if (rc != ATHENA_STORE_OK || !hand_on) {
        return rc;
    }

    rc = athena_member_demote(ctx->db, ctx->a, org_id, user_id, owner,
                              "admin", &users, &n);

    for (i = 0; rc == ATHENA_STORE_OK && i < n; i++) {
        rc = athena_org_member_changed(ctx, org_id, users[i]);
    }

    return rc;
}


/* POST /organizations {name, slug, logo?, plan?, metadata?, ownerId?} */

athena_store_rc_e
athena_rest_org_create(athena_ctx_t *ctx)
{
    int                   ok;
    char                  id[ATHENA_ID_LEN + 1];
    athena_org_t          org;
    athena_user_t         owner;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *name, *slug, *logo, *owner_id;

    rc = athena_rest_require(ctx, &athena_may_update, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    memset(&org, 0, sizeof(athena_org_t));
    name = NULL;
    slug = NULL;
    owner_id = NULL;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_rest_body(ctx, &chk, athena_rest_org_create_fields)) {
        name = athena_check_text(&chk, "name", 1);
        slug = athena_check_text(&chk, "slug", 1);
        owner_id = athena_check_text(&chk, "ownerId", 0);

        logo = athena_json_get(ctx->body, "logo");
        if (logo && logo->type != ATHENA_JSON_NULL) {
            logo = athena_check_string(&chk, "logo", 1);
            org.logo = logo ? logo->string : NULL;
        }

        org.metadata = (char *) athena_rest_org_meta(ctx, &chk, NULL);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (owner_id != NULL) {
        rc = athena_rest_owner(ctx, owner_id->string, &owner, &ok);
        if (rc != ATHENA_STORE_OK || !ok) {
            return rc;
        }
    }

    if (athena_random_id(id) != 0) {
        return ATHENA_STORE_ERROR;
    }

    org.id = athena_strdup(ctx->a, id);
    org.name = name->string;
    org.slug = slug->string;
    org.created_at = ctx->now;
    ctx->audit_target = org.id;

    if (org.id == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_org_insert(ctx->db, ctx->a, &org);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_rest_error(ctx, 409,
                          "An organization with this slug already exists");
        return ATHENA_STORE_OK;
    }

    if (rc == ATHENA_STORE_OK) {
        rc = athena_rest_owner_set(ctx, org.id, owner_id ? owner_id->string
                                                         : ctx->user.id, 0);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_details = athena_rest_audit_org(ctx, "CREATE", NULL, &org,
                                               NULL);

    return athena_rest_org_reply(ctx, 201, &org);
}


/*
 * PATCH /organizations/:id {name?, slug?, logo?, plan?, metadata?,
 * ownerId?}: metadata is replaced whole; ownerId hands the ownership on
 * (the other owners become admins), and null would leave none: 400.
 */

athena_store_rc_e
athena_rest_org_update(athena_ctx_t *ctx)
{
    int                   ok;
    athena_org_t          before, after, set;
    athena_user_t         owner;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *v, *owner_id;

    rc = athena_rest_require(ctx, &athena_may_update, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_rest_org_find(ctx, 1, &before, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    memset(&set, 0, sizeof(athena_org_t));
    set.id = before.id;
    owner_id = NULL;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_rest_body(ctx, &chk, athena_rest_org_create_fields)) {
        if (ctx->body->n == 0) {
            athena_check_issue(&chk, NULL, "No fields to update");
        }

        v = athena_check_text(&chk, "name", 0);
        set.name = v ? v->string : NULL;
        v = athena_check_text(&chk, "slug", 0);
        set.slug = v ? v->string : NULL;

        v = athena_json_get(ctx->body, "logo");
        if (v && v->type != ATHENA_JSON_NULL) {
            v = athena_check_string(&chk, "logo", 1);
            set.logo = v ? v->string : NULL;
        }

        v = athena_json_get(ctx->body, "ownerId");
        if (v && v->type == ATHENA_JSON_NULL) {
            athena_check_issue(&chk, "ownerId", "An organization needs an"
                               " owner");
        } else {
            owner_id = athena_check_text(&chk, "ownerId", 0);
        }

        set.metadata = (char *) athena_rest_org_meta(ctx, &chk,
                                                     before.metadata);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    if (owner_id != NULL) {
        rc = athena_rest_owner(ctx, owner_id->string, &owner, &ok);
        if (rc != ATHENA_STORE_OK || !ok) {
            return rc;
        }
    }

    /* asked first: a failed UPDATE would abort the audited transaction */
    if (set.slug != NULL && strcmp(set.slug, before.slug) != 0) {
        rc = athena_org_slug_taken(ctx->db, ctx->a, set.slug, &ok);
        if (rc != ATHENA_STORE_OK || ok) {
            if (ok) {
                athena_rest_error(ctx, 409, "An organization with this slug"
                                  " already exists");
            }
            return rc;
        }
    }

    rc = athena_org_update(ctx->db, ctx->a, &set,
                           athena_json_get(ctx->body, "logo") != NULL,
                           &after);

    if (rc == ATHENA_STORE_OK && owner_id != NULL) {
        rc = athena_rest_owner_set(ctx, after.id, owner_id->string, 1);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_details = athena_rest_audit_org(ctx, "UPDATE", &before,
                                               &after,
                                               owner_id ? owner_id->string
                                                        : NULL);

    return athena_rest_org_reply(ctx, 200, &after);
}


/*
 * DELETE /organizations/:id: its members, invitations and the
 * organization in one transaction; sessions that had it active lose it.
 */

athena_store_rc_e
athena_rest_org_delete(athena_ctx_t *ctx)
{
    int                 ok;
    size_t              n, nusers;
    const char        **tokens, **users;
    athena_org_t        org;
    athena_store_rc_e   rc;

    rc = athena_rest_require(ctx, &athena_may_delete, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_rest_org_find(ctx, 1, &org, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_delete(ctx->db, ctx->a, org.id, &tokens, &n, &users,
                           &nusers);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (athena_org_gone(ctx, org.id, tokens, n, users, nusers) != 0) {
        return ATHENA_STORE_ERROR;
    }

    ctx->audit_details = athena_rest_audit_org(ctx, "DELETE", &org, NULL,
                                               NULL);

    athena_rest_deleted(ctx, org.id);

    return ATHENA_STORE_OK;
}
