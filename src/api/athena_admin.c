/*
 * What the admin plugin's routes share: the audit of an audited route
 * (one transaction with the change), the admin session, permissions,
 * the user a request names, and the answers about users.
 */

#include <string.h>

#include "athena_admin.h"
#include "../core/athena_access.h"
#include "../store/athena_audit_store.h"
#include "../store/athena_auth_store.h"


static const char  athena_user_not_found[] = "User not found";


/* the routes' permissions, with better-auth's refusals of them */

const athena_admin_perm_t  athena_may_get = {
    "user", "get", "YOU_ARE_NOT_ALLOWED_TO_GET_USER",
    "You are not allowed to get user"
};

const athena_admin_perm_t  athena_may_set_role = {
    "user", "set-role", "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE",
    "You are not allowed to change users role"
};

const athena_admin_perm_t  athena_may_ban = {
    "user", "ban", "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
    "You are not allowed to ban users"
};

const athena_admin_perm_t  athena_may_delete = {
    "user", "delete", "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS",
    "You are not allowed to delete users"
};

const athena_admin_perm_t  athena_may_set_password = {
    "user", "set-password", "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD",
    "You are not allowed to set users password"
};

const athena_admin_perm_t  athena_may_list = {
    "user", "list", "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS",
    "You are not allowed to list users"
};

const athena_admin_perm_t  athena_may_create = {
    "user", "create", "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS",
    "You are not allowed to create users"
};

const athena_admin_perm_t  athena_may_update = {
    "user", "update", "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS",
    "You are not allowed to update users"
};

const athena_admin_perm_t  athena_may_set_email = {
    "user", "set-email", "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL",
    "You are not allowed to update users email"
};


/* the outcome of the request, as the audit log keeps it; fault: the store */

static athena_store_rc_e
athena_audit_write(athena_ctx_t *ctx, athena_store_rc_e fault)
{
    athena_audit_t  row;

    memset(&row, 0, sizeof(athena_audit_t));

    row.action = ctx->req->route->audit_action;
    row.target_type = ctx->req->route->audit_target;
    row.target_id = ctx->audit_target;
    row.details = ctx->audit_details;
    row.ip = ctx->req->ip;
    row.user_agent = ctx->req->user_agent;
    row.at = ctx->now;

    row.actor_user_id = ctx->actor_id;
    row.actor_token = ctx->actor_token;

    row.success = fault == ATHENA_STORE_OK && ctx->resp->status < 400;

    if (fault != ATHENA_STORE_OK) {
        row.error = fault == ATHENA_STORE_INVALID ? "BAD_REQUEST"
                                                  : "INTERNAL_SERVER_ERROR";

    } else if (!row.success) {
        row.error = ctx->error_code
                    ? ctx->error_code
                    : athena_sprintf(ctx->a, "HTTP %d", ctx->resp->status);
    }

    return athena_audit_insert(ctx->db, ctx->a, &row);
}


/*
 * The actor of a row. A request refused before its session was read (a
 * bad body: better-auth checks the body first) is logged under the live
 * session it carries. One with no live session leaves no row: anyone
 * without an account could fill the table otherwise.
 */

static int
athena_audit_actor(athena_ctx_t *ctx)
{
    int                 cached;
    const char         *token;
    athena_user_t       user;
    athena_session_t    session;
    athena_store_rc_e   rc;

    if (ctx->actor_id != NULL || ctx->session_read) {
        return ctx->actor_id != NULL;
    }

    token = athena_session_token(ctx);
    if (token == NULL) {
        return 0;
    }

    /* a lookup only: the answer made so far stays as it is */
    rc = athena_session_find(ctx->db, ctx->a, token, &session, &user,
                             &cached);
    if (rc != ATHENA_STORE_OK || session.expires_at < ctx->now) {
        return 0;
    }

    ctx->actor_id = user.id;
    ctx->actor_token = session.token;

    return 1;
}


/*
 * The change and its audit row commit together, or neither does. A store
 * failure still leaves a row saying so, when Postgres takes it.
 */

athena_store_rc_e
athena_audited(athena_ctx_t *ctx, athena_handler_pt steps)
{
    athena_store_rc_e  rc;

    rc = athena_pg_begin(ctx->db);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    rc = steps(ctx);

    if (rc != ATHENA_STORE_OK) {
        athena_pg_rollback(ctx->db);

        if (rc != ATHENA_STORE_UNAVAILABLE && athena_audit_actor(ctx)) {
            (void) athena_audit_write(ctx, rc);
        }

        return rc;
    }

    if (athena_audit_actor(ctx)) {
        rc = athena_audit_write(ctx, ATHENA_STORE_OK);
        if (rc != ATHENA_STORE_OK) {
            athena_pg_rollback(ctx->db);
            return rc;
        }
    }

    return athena_pg_commit(ctx->db);
}


/*
 * Every session of the user ended, once the transaction commits, and its
 * API keys read afresh by the gate (a ban, a removal).
 */

athena_store_rc_e
athena_admin_end_sessions(athena_ctx_t *ctx, const char *id)
{
    ctx->stale_owner = id;
    ctx->stale_ended = 1;

    return athena_session_delete_user(ctx->db, ctx->a, id, NULL, 0,
                                      &ctx->stale, &ctx->nstale);
}


/* the admin middleware: no session is a 401 with an empty body */

athena_store_rc_e
athena_admin_session(athena_ctx_t *ctx, int *ok)
{
    athena_store_rc_e  rc;

    *ok = 0;

    rc = athena_session_load(ctx, 1);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (!ctx->has_session) {
        athena_reply_empty(ctx, 401);
        return ATHENA_STORE_OK;
    }

    /* the audit's actor, whatever session the route goes on to make */
    ctx->actor_id = ctx->user.id;
    ctx->actor_token = ctx->session.token;

    *ok = 1;

    return ATHENA_STORE_OK;
}


int
athena_admin_allows(athena_ctx_t *ctx, const athena_permission_t *perms,
    size_t n)
{
    size_t  i;

    for (i = 0; i < ctx->conf->nadmin_user_ids; i++) {
        if (strcmp(ctx->conf->admin_user_ids[i], ctx->user.id) == 0) {
            return 1;
        }
    }

    return athena_access_allows(&athena_admin_access, ctx->user.role, perms,
                                n);
}


/*
 * The admin session and one permission: *ok is set when both hold, and
 * the answer (401, or 403 with code) is made when not. The REST surface
 * says seed 003's "Admin access required" instead of the plugin's words.
 */

athena_store_rc_e
athena_admin_require(athena_ctx_t *ctx, const athena_admin_perm_t *may,
    int *ok)
{
    athena_store_rc_e    rc;
    athena_permission_t  perm;

    rc = athena_admin_session(ctx, ok);
    if (rc != ATHENA_STORE_OK || !*ok) {
        return rc;
    }

    perm.resource = may->resource;
    perm.actions = &may->action;
    perm.nactions = 1;

    if (!athena_admin_allows(ctx, &perm, 1)) {
        *ok = 0;
        athena_reply_error(ctx, 403, may->code,
                           ctx->req->surface == ATHENA_SURFACE_REST
                           ? NULL : may->message);
    }

    return ATHENA_STORE_OK;
}


/* z.coerce.string(): whatever was sent, as JavaScript's String() says */

const char *
athena_coerce_string(athena_ctx_t *ctx, const char *field)
{
    const athena_json_t  *v;

    v = ctx->body ? athena_json_get(ctx->body, field) : NULL;

    if (v == NULL) {
        return "undefined";
    }

    switch (v->type) {
    case ATHENA_JSON_STRING:
    case ATHENA_JSON_NUMBER:
        return v->string;
    case ATHENA_JSON_BOOL:
        return v->boolean ? "true" : "false";
    case ATHENA_JSON_NULL:
        return "null";
    case ATHENA_JSON_ARRAY:
        return v->n == 0 ? "" : "[array]";
    default:
        return "[object Object]";
    }
}


void
athena_reply_user(athena_ctx_t *ctx, const athena_user_t *user, int wrap)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    if (wrap) {
        athena_gen_map_open(g);
        athena_gen_key(g, "user");
    }

    athena_gen_user(g, user);

    if (wrap) {
        athena_gen_map_close(g);
    }

    athena_reply_gen(ctx, 200, g);
}


/*
 * After the body: the admin session, the route's permission, then the
 * user the request names. *found is set when all three hold; otherwise
 * the answer (401, 403 or 404 USER_NOT_FOUND) is made.
 */

athena_store_rc_e
athena_admin_target(athena_ctx_t *ctx, const athena_admin_perm_t *may,
    const char *id, athena_user_t *user, int *found)
{
    athena_store_rc_e  rc;

    *found = 0;
    ctx->audit_target = id;

    rc = athena_admin_require(ctx, may, found);
    if (rc != ATHENA_STORE_OK || !*found) {
        return rc;
    }

    return athena_admin_lookup(ctx, id, user, found);
}


/* the user by id, or a 404 USER_NOT_FOUND answer (*found = 0) */

athena_store_rc_e
athena_admin_lookup(athena_ctx_t *ctx, const char *id, athena_user_t *user,
    int *found)
{
    athena_store_rc_e  rc;

    *found = 0;

    rc = athena_user_by_id(ctx->db, ctx->a, id, user);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_reply_error(ctx, 404, "USER_NOT_FOUND", athena_user_not_found);
        return ATHENA_STORE_OK;
    }

    *found = (rc == ATHENA_STORE_OK);

    return rc;
}


/*
 * A user that changed: {user} is the answer, and the user's sessions,
 * which say the old values wherever they are cached, leave the caches
 * once the change has committed.
 */

athena_store_rc_e
athena_admin_changed(athena_ctx_t *ctx, const athena_user_t *user)
{
    athena_store_rc_e  rc;

    ctx->stale_owner = user->id;

    rc = athena_session_tokens(ctx->db, ctx->a, user->id, &ctx->stale,
                               &ctx->nstale);
    if (rc == ATHENA_STORE_OK) {
        athena_reply_user(ctx, user, 1);
    }

    return rc;
}


/*
 * A body that passed its checks names the user by "userId"; then the
 * admin session and the route's permission. *ok when all hold.
 */

athena_store_rc_e
athena_admin_body_require(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_admin_perm_t *may, const char **id, int *ok)
{
    *ok = 0;

    if (athena_reply_invalid(ctx, chk)) {
        return ATHENA_STORE_OK;
    }

    *id = athena_coerce_string(ctx, "userId");
    ctx->audit_target = *id;

    return athena_admin_require(ctx, may, ok);
}


/* ... and then that user, or 404 */

athena_store_rc_e
athena_admin_body_target(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_admin_perm_t *may, const char **id, athena_user_t *user,
    int *found)
{
    athena_store_rc_e  rc;

    rc = athena_admin_body_require(ctx, chk, may, id, found);
    if (rc != ATHENA_STORE_OK || !*found) {
        return rc;
    }

    return athena_admin_lookup(ctx, *id, user, found);
}


int
athena_admin_body(athena_ctx_t *ctx, athena_check_t *chk)
{
    athena_check_init(chk, ctx->a, ctx->body, "body");

    return athena_check_object(chk);
}


/*
 * userId is z.coerce.string(): any value is taken as String() reads it,
 * but an absent key is refused (zod's "nonoptional"), never "undefined".
 */

void
athena_admin_need_user_id(athena_ctx_t *ctx, athena_check_t *chk)
{
    if (athena_json_get(ctx->body, "userId") == NULL) {
        athena_check_issue(chk, "userId", "Invalid input: expected"
                           " nonoptional, received undefined");
    }
}


/* a body naming the user first, as ban-user, unban-user and the like */

int
athena_admin_user_body(athena_ctx_t *ctx, athena_check_t *chk)
{
    if (!athena_admin_body(ctx, chk)) {
        return 0;
    }

    athena_admin_need_user_id(ctx, chk);

    return 1;
}


/* "admin" or ["admin", "support"]: stored comma-joined */

const char *
athena_role_value(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_json_t *obj)
{
    char                 *joined;
    size_t                i;
    const athena_json_t  *v;

    v = athena_json_get(obj, "role");

    if (v != NULL && v->type == ATHENA_JSON_STRING) {
        return v->string;
    }

    if (athena_json_strings(v)) {
        joined = "";

        for (i = 0; i < v->n && joined != NULL; i++) {
            joined = athena_sprintf(ctx->a, "%s%s%s", joined, i ? "," : "",
                                    v->items[i]->string);
        }

        return joined;
    }

    /* zod's message for a value that fits no member of a union */
    athena_check_issue(chk, "role", "Invalid input");

    return NULL;
}
