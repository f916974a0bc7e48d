/*
 * The REST admin surface's user writes (seed 003): POST /users,
 * PATCH /users/:id and DELETE /users/:id, each audited in its own
 * transaction (the route table's action), with the same rules, hashes and
 * cache evictions as the admin plugin's create-user, update-user and
 * remove-user.
 */

#include <string.h>

#include "athena_rest.h"
#include "../../core/athena_text.h"
#include "../../core/athena_time.h"
#include "../../store/athena_auth_store.h"
#include "../../store/athena_user_patch.h"


static const char *const  athena_rest_user_create_fields[] = {
    "email", "name", "password", "role", "emailVerified", "image", NULL
};

static const char *const  athena_rest_user_patch_fields[] = {
    "name", "email", "role", "banned", "banReason", "banExpires",
    "emailVerified", "image", NULL
};


/* {email, name, password?, role?, emailVerified?, image?}; 0 after a 400 */

static int
athena_rest_user_body(athena_ctx_t *ctx, athena_user_t *u,
    const athena_json_t **pw)
{
    athena_check_t        chk;
    const athena_json_t  *email, *name, *image;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    *pw = NULL;
    email = NULL;
    name = NULL;

    if (athena_rest_body(ctx, &chk, athena_rest_user_create_fields)) {
        email = athena_check_string(&chk, "email", 1);
        name = athena_check_string(&chk, "name", 1);
        *pw = athena_check_string(&chk, "password", 0);
        u->email_verified = athena_check_bool(&chk, "emailVerified", 0);

        image = athena_json_get(ctx->body, "image");
        if (image && image->type != ATHENA_JSON_NULL) {
            image = athena_check_string(&chk, "image", 1);
            u->image = image ? image->string : NULL;
        }

        if (athena_json_get(ctx->body, "role") != NULL) {
            u->role = (char *) athena_role_value(ctx, &chk, ctx->body);
        }

        if (name != NULL && name->len == 0) {
            athena_check_issue(&chk, "name", "Too small: expected at least"
                               " one character");
        }
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return 0;
    }

    u->name = name->string;
    u->email = athena_email_normalize(ctx->a, email->string, email->len);

    if (u->email != NULL && !athena_email_valid(u->email)) {
        athena_rest_error(ctx, 400, "[body.email] Invalid email address");
        return 0;
    }

    return 1;
}


/*
 * POST /users: the user, and with a password its credential account
 * (scrypt, as sign-up hashes it), in one transaction; 201 and the user.
 */

athena_store_rc_e
athena_rest_user_create(athena_ctx_t *ctx)
{
    int                   ok;
    athena_user_t         user;
    athena_store_rc_e     rc;
    const athena_json_t  *pw;

    memset(&user, 0, sizeof(athena_user_t));
    user.ban_expires = ATHENA_TIME_NULL;

    rc = athena_rest_require(ctx, &athena_may_create, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (!athena_rest_user_body(ctx, &user, &pw)) {
        return ATHENA_STORE_OK;
    }

    if (user.email == NULL) {
        return ATHENA_STORE_ERROR;
    }

    /* counted once, above: this only asks for the permission */
    if (user.role != NULL) {
        rc = athena_admin_require(ctx, &athena_may_set_role, &ok);
        if (rc != ATHENA_STORE_OK || !ok) {
            return rc;
        }
    }

    if (pw != NULL && !athena_password_length_ok(ctx, pw, 1)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_user_insert(ctx, &user, pw);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_rest_error(ctx, 409, "A user with this email already exists");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_details = athena_rest_audit_user(ctx, "CREATE", NULL, &user);

    athena_rest_user_reply(ctx, 201, &user);

    return ATHENA_STORE_OK;
}


/*
 * PATCH /users/:id: what is given changes, null clears image and the
 * ban's reason and expiry; a ban ends the user's sessions, any change
 * drops them from the caches. The audit row keeps each change's old and
 * new value.
 */

athena_store_rc_e
athena_rest_user_update(athena_ctx_t *ctx)
{
    int                   ok;
    const char           *id;
    athena_user_t         before, after;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    athena_user_patch_t   p;

    memset(&p, 0, sizeof(athena_user_patch_t));

    rc = athena_rest_require(ctx, &athena_may_update, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    id = athena_rest_id(ctx);
    if (id == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_rest_body(ctx, &chk, athena_rest_user_patch_fields)) {
        if (ctx->body->n == 0) {
            athena_check_issue(&chk, NULL, "No fields to update");
        }

        athena_patch_read(ctx, &chk, ctx->body, "body", &p);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_lookup(ctx, id, &before, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_patch_allowed(ctx, id, ctx->body, &p, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_user_patch(ctx->db, ctx->a, id, &p, ctx->now, &after);
    if (rc == ATHENA_STORE_OK) {
        rc = athena_patch_done(ctx, id, &p);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_details = athena_rest_audit_user(ctx, "UPDATE", &before,
                                                &after);

    athena_rest_user_reply(ctx, 200, &after);

    return ATHENA_STORE_OK;
}


/*
 * DELETE /users/:id: the user, its sessions, and (by Postgres's
 * cascades) its accounts and memberships, in one transaction; never
 * oneself.
 */

athena_store_rc_e
athena_rest_user_delete(athena_ctx_t *ctx)
{
    int                 ok;
    const char         *id;
    athena_user_t       user;
    athena_store_rc_e   rc;

    rc = athena_rest_require(ctx, &athena_may_delete, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    id = athena_rest_id(ctx);
    if (id == NULL) {
        return ATHENA_STORE_OK;
    }

    if (strcmp(id, ctx->user.id) == 0) {
        athena_rest_error(ctx, 400, "You cannot delete yourself");
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_lookup(ctx, id, &user, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    /* the plugin's keys outlive their owner (no foreign key): not cached */
    rc = athena_admin_end_sessions(ctx, id);
    if (rc == ATHENA_STORE_OK) {
        rc = athena_user_delete(ctx->db, ctx->a, id);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->audit_details = athena_rest_audit_user(ctx, "DELETE", &user, NULL);

    athena_rest_deleted(ctx, id);

    return ATHENA_STORE_OK;
}
