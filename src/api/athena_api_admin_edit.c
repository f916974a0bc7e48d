/*
 * The admin plugin's routes that write a user's fields: create-user and
 * update-user, with the permissions each field needs.
 */

#include <string.h>

#include "athena_admin.h"
#include "../core/athena_crypto.h"
#include "../core/athena_text.h"
#include "../core/athena_time.h"
#include "../store/athena_auth_store.h"
#include "../store/athena_user_patch.h"


/* a role given as data.role, which no schema checked: 400 if not text */

static const char *
athena_data_role(athena_ctx_t *ctx, const athena_json_t *data, int *bad)
{
    const char      *role;
    athena_check_t   chk;

    *bad = 0;

    if (data == NULL || athena_json_get(data, "role") == NULL) {
        return NULL;
    }

    athena_check_init(&chk, ctx->a, data, "body.data");

    role = athena_role_value(ctx, &chk, data);
    *bad = (chk.message != NULL);

    return role;
}


/*
 * The user fields create-user takes from "data" (better-auth copies them
 * into the row): emailVerified, image, banned, banReason. Others are
 * dropped. A wrong type is a validation issue.
 */

static void
athena_data_fields(athena_check_t *chk, const athena_json_t *data,
    athena_user_t *u, int *bans)
{
    athena_check_t        d;
    const athena_json_t  *v;

    *bans = 0;

    if (data == NULL) {
        return;
    }

    athena_check_init(&d, chk->arena, data, "body.data");

    u->email_verified = athena_check_bool(&d, "emailVerified", 0);

    v = athena_json_get(data, "image");
    if (v && v->type != ATHENA_JSON_NULL) {
        v = athena_check_string(&d, "image", 1);
        u->image = v ? v->string : NULL;
    }

    if (athena_json_get(data, "banned") != NULL) {
        u->banned = athena_check_bool(&d, "banned", 0);
        *bans = 1;
    }

    v = athena_json_get(data, "banReason");
    if (v != NULL) {
        *bans = 1;
        if (v->type != ATHENA_JSON_NULL) {
            v = athena_check_string(&d, "banReason", 1);
            u->ban_reason = v ? v->string : NULL;
        }
    }

    athena_check_merge(chk, &d);
}


/*
 * A new user (fields set by the caller, role NULL for "user") with an id,
 * and with pw a credential account hashed as sign-up hashes it. A taken
 * email is ATHENA_STORE_CONFLICT, for the caller to answer.
 */

athena_store_rc_e
athena_admin_user_insert(athena_ctx_t *ctx, athena_user_t *user,
    const athena_json_t *pw)
{
    char  id[ATHENA_ID_LEN + 1], hash[ATHENA_HASH_LEN + 1];

    if (athena_random_id(id) != 0
        || (pw != NULL && athena_password_make(ctx, pw, hash) != 0))
    {
        return ATHENA_STORE_ERROR;
    }

    /* the audit row is written after this frame is gone: not on stack */
    user->id = athena_strdup(ctx->a, id);
    if (user->id == NULL) {
        return ATHENA_STORE_ERROR;
    }

    if (user->role == NULL) {
        user->role = "user";
    }

    user->created_at = ctx->now;
    user->updated_at = ctx->now;
    ctx->audit_target = user->id;

    return athena_user_create(ctx->db, ctx->a, user, pw ? hash : NULL);
}


/*
 * POST /admin/create-user {email, password?, name, role?, data?}: the
 * user and its credential account in one transaction; {user}.
 */

athena_store_rc_e
athena_api_admin_create_user(athena_ctx_t *ctx)
{
    int                   ok, bad, bans;
    const char           *role;
    athena_user_t         user;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *email, *name, *pw, *data;

    email = NULL;
    name = NULL;
    pw = NULL;
    data = NULL;
    role = NULL;
    bans = 0;

    memset(&user, 0, sizeof(athena_user_t));
    user.ban_expires = ATHENA_TIME_NULL;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        email = athena_check_string(&chk, "email", 1);
        pw = athena_check_string(&chk, "password", 0);
        name = athena_check_string(&chk, "name", 1);

        if (athena_json_get(ctx->body, "role") != NULL) {
            role = athena_role_value(ctx, &chk, ctx->body);
        }

        data = athena_json_get(ctx->body, "data");
        if (data != NULL && data->type != ATHENA_JSON_OBJECT) {
            athena_check_issue(&chk, "data", "Invalid input: expected record,"
                               " received %s", athena_json_type_name(data));
            data = NULL;
        }

        athena_data_fields(&chk, data, &user, &bans);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_create, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (role == NULL) {
        role = athena_data_role(ctx, data, &bad);

        if (bad) {
            athena_reply_error(ctx, 400, "INVALID_ROLE_TYPE",
                               "Invalid role type");
            return ATHENA_STORE_OK;
        }
    }

    if (role != NULL) {
        rc = athena_admin_require(ctx, &athena_may_set_role, &ok);
        if (rc != ATHENA_STORE_OK || !ok) {
            return rc;
        }
    }

    if (bans) {
        rc = athena_admin_require(ctx, &athena_may_ban, &ok);
        if (rc != ATHENA_STORE_OK || !ok) {
            return rc;
        }
    }

    user.email = athena_email_normalize(ctx->a, email->string, email->len);
    if (user.email == NULL) {
        return ATHENA_STORE_ERROR;
    }

    if (!athena_email_valid(user.email)) {
        athena_reply_error(ctx, 400, "INVALID_EMAIL", "Invalid email");
        return ATHENA_STORE_OK;
    }

    /* better-auth checks only the maximum here */
    if (pw != NULL && !athena_password_length_ok(ctx, pw, 0)) {
        return ATHENA_STORE_OK;
    }

    user.name = name->string;
    user.role = (char *) role;

    rc = athena_admin_user_insert(ctx, &user, pw);

    if (rc == ATHENA_STORE_CONFLICT) {
        athena_reply_error(ctx, 400, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
                           "User already exists. Use another email.");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_user(ctx, &user, 1);

    return ATHENA_STORE_OK;
}


/* banExpires as ISO text to store, or NULL when it is no such date */

static const char *
athena_ban_expires(athena_ctx_t *ctx, const char *s)
{
    char     *iso;
    int64_t   ms;

    if (!athena_time_date(s, &ms)) {
        return NULL;
    }

    iso = athena_alloc(ctx->a, ATHENA_ISO_LEN + 1);
    if (iso != NULL) {
        athena_time_iso(ms, iso);
    }

    return iso;
}


/* a string field of data, or null when nullable; 0 after an issue */

static int
athena_patch_text(athena_check_t *chk, const athena_json_t *data,
    const char *field, int nullable, const char **out)
{
    const athena_json_t  *v;

    v = athena_json_get(data, field);

    if (nullable && v->type == ATHENA_JSON_NULL) {
        *out = NULL;
        return 1;
    }

    v = athena_check_string(chk, field, 1);
    *out = v ? v->string : NULL;

    return v != NULL;
}


/*
 * The fields of data that update-user writes, with their types checked;
 * other keys are dropped, as better-auth's adapter drops them.
 */

void
athena_patch_read(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_json_t *data, const char *where, athena_user_patch_t *p)
{
    const char      *v;
    athena_check_t   d;

    athena_check_init(&d, ctx->a, data, where);

    if (athena_json_get(data, "name")) {
        p->set_name = athena_patch_text(&d, data, "name", 0, &p->name);
    }

    if (athena_json_get(data, "email")) {
        p->set_email = athena_patch_text(&d, data, "email", 0, &p->email);
    }

    if (athena_json_get(data, "image")) {
        p->set_image = athena_patch_text(&d, data, "image", 1, &p->image);
    }

    if (athena_json_get(data, "banReason")) {
        p->set_ban_reason = athena_patch_text(&d, data, "banReason", 1,
                                              &p->ban_reason);
    }

    if (athena_json_get(data, "banExpires")) {
        p->set_ban_expires = athena_patch_text(&d, data, "banExpires", 1, &v);
        p->ban_expires = v ? athena_ban_expires(ctx, v) : NULL;

        if (p->set_ban_expires && v && p->ban_expires == NULL) {
            athena_check_issue(&d, "banExpires", "Invalid input: expected"
                               " an ISO 8601 date");
            p->set_ban_expires = 0;
        }
    }

    if (athena_json_get(data, "emailVerified")) {
        p->email_verified = athena_check_bool(&d, "emailVerified", 0);
        p->set_email_verified = 1;
    }

    if (athena_json_get(data, "banned")) {
        p->banned = athena_check_bool(&d, "banned", 0);
        p->set_banned = 1;
    }

    athena_check_merge(chk, &d);
}


/* the permissions and rules of the fields given, in better-auth's order */

athena_store_rc_e
athena_patch_allowed(athena_ctx_t *ctx, const char *id,
    const athena_json_t *data, athena_user_patch_t *p, int *ok)
{
    int                bad, taken;
    athena_store_rc_e  rc;

    if (athena_json_get(data, "role") != NULL) {
        p->role = athena_data_role(ctx, data, &bad);

        rc = athena_admin_require(ctx, &athena_may_set_role, ok);
        if (rc != ATHENA_STORE_OK || !*ok) {
            return rc;
        }

        if (bad) {
            *ok = 0;
            athena_reply_error(ctx, 400, "INVALID_ROLE_TYPE",
                               "Invalid role type");
            return ATHENA_STORE_OK;
        }

        p->set_role = 1;
    }

    if (p->set_banned || p->set_ban_reason || p->set_ban_expires) {
        rc = athena_admin_require(ctx, &athena_may_ban, ok);
        if (rc != ATHENA_STORE_OK || !*ok) {
            return rc;
        }

        if (p->set_banned && p->banned && strcmp(id, ctx->user.id) == 0) {
            *ok = 0;
            athena_reply_error(ctx, 400, "YOU_CANNOT_BAN_YOURSELF",
                               "You cannot ban yourself");
            return ATHENA_STORE_OK;
        }
    }

    if (p->set_email || p->set_email_verified) {
        rc = athena_admin_require(ctx, &athena_may_set_email, ok);
        if (rc != ATHENA_STORE_OK || !*ok || !p->set_email) {
            return rc;
        }

        p->email = athena_email_normalize(ctx->a, p->email, strlen(p->email));
        if (p->email == NULL) {
            return ATHENA_STORE_ERROR;
        }

        *ok = 0;

        if (!athena_email_valid(p->email)) {
            athena_reply_error(ctx, 400, "INVALID_EMAIL", "Invalid email");
            return ATHENA_STORE_OK;
        }

        rc = athena_email_taken(ctx->db, ctx->a, p->email, id, &taken);
        if (rc != ATHENA_STORE_OK || taken) {
            if (taken) {
                athena_reply_conflict(ctx,
                    "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
                    "User already exists. Use another email.");
            }
            return rc;
        }

        *ok = 1;
    }

    return ATHENA_STORE_OK;
}


/*
 * POST /admin/update-user {userId, data}: the bare user. banned:true ends
 * the user's sessions; any other change drops them from the caches.
 */

athena_store_rc_e
athena_api_admin_update_user(athena_ctx_t *ctx)
{
    int                   ok;
    const char           *id;
    athena_user_t         user;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    athena_user_patch_t   p;
    const athena_json_t  *data;

    memset(&p, 0, sizeof(athena_user_patch_t));
    data = NULL;

    if (athena_admin_user_body(ctx, &chk)) {
        data = athena_json_get(ctx->body, "data");

        if (data == NULL || data->type != ATHENA_JSON_OBJECT) {
            athena_check_issue(&chk, "data", "Invalid input: expected record,"
                               " received %s", athena_json_type_name(data));
        } else {
            athena_patch_read(ctx, &chk, data, "body.data", &p);
        }
    }

    rc = athena_admin_body_require(ctx, &chk, &athena_may_update, &id, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (data->n == 0) {
        athena_reply_error(ctx, 400, "NO_DATA_TO_UPDATE", "No data to update");
        return ATHENA_STORE_OK;
    }

    if (athena_json_get(data, "password") != NULL) {
        athena_reply_error(ctx, 400,
                           "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER",
                           "Password cannot be updated through update-user."
                           " Use the set-user-password endpoint instead");
        return ATHENA_STORE_OK;
    }

    if (athena_json_get(data, "id") != NULL) {
        athena_reply_error(ctx, 400, "USER_ID_CANNOT_BE_UPDATED",
                           "User id cannot be updated");
        return ATHENA_STORE_OK;
    }

    rc = athena_patch_allowed(ctx, id, data, &p, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_user_patch(ctx->db, ctx->a, id, &p, ctx->now, &user);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_reply_error(ctx, 404, "USER_NOT_FOUND", "User not found");
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    rc = athena_patch_done(ctx, id, &p);

    if (rc == ATHENA_STORE_OK) {
        athena_reply_user(ctx, &user, 0);
    }

    return rc;
}


/*
 * After a patch: banned:true ends the user's sessions; any other change
 * drops them from the caches, and the gate reads the user's keys afresh.
 */

athena_store_rc_e
athena_patch_done(athena_ctx_t *ctx, const char *id,
    const athena_user_patch_t *p)
{
    ctx->stale_owner = id;

    if (p->set_banned && p->banned) {
        return athena_admin_end_sessions(ctx, id);
    }

    return athena_session_tokens(ctx->db, ctx->a, id, &ctx->stale,
                                 &ctx->nstale);
}
