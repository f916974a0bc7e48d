/*
 * The admin plugin's routes: has-permission, get-user, set-role, ban-user
 * and unban-user, in better-auth 1.7.25's order of checks (body, then the
 * admin session, then the route's permission, then lookups). Audited
 * routes run in one transaction with their audit row; the caches learn
 * of what changed only once it has committed.
 */

#include <string.h>

#include "athena_api.h"
#include "../core/athena_access.h"
#include "../core/athena_check.h"
#include "../store/athena_audit_store.h"
#include "../store/athena_auth_store.h"


static const char  athena_user_not_found[] = "User not found";


/* a route's permission and better-auth's refusal of it */
typedef struct {
    const char  *resource;
    const char  *action;
    const char  *code;
    const char  *message;
} athena_admin_perm_t;

static const athena_admin_perm_t  athena_may_get = {
    "user", "get", "YOU_ARE_NOT_ALLOWED_TO_GET_USER",
    "You are not allowed to get user"
};

static const athena_admin_perm_t  athena_may_set_role = {
    "user", "set-role", "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE",
    "You are not allowed to change users role"
};

static const athena_admin_perm_t  athena_may_ban = {
    "user", "ban", "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
    "You are not allowed to ban users"
};


/* the outcome of the request, as the audit log keeps it */

static athena_store_rc_e
athena_audit_write(athena_ctx_t *ctx, int failed)
{
    athena_audit_t  row;

    memset(&row, 0, sizeof(athena_audit_t));

    row.action = ctx->req->route->audit_action;
    row.target_type = ctx->req->route->audit_target;
    row.target_id = ctx->audit_target;
    row.ip = ctx->req->ip;
    row.user_agent = ctx->req->user_agent;
    row.at = ctx->now;

    if (ctx->has_session) {
        row.actor_user_id = ctx->user.id;
        row.actor_token = ctx->session.token;
    }

    row.success = !failed && ctx->resp->status < 400;

    if (failed) {
        row.error = "INTERNAL_SERVER_ERROR";

    } else if (!row.success) {
        row.error = ctx->error_code
                    ? ctx->error_code
                    : athena_sprintf(ctx->a, "HTTP %d", ctx->resp->status);
    }

    return athena_audit_insert(ctx->db, ctx->a, &row);
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

        if (rc != ATHENA_STORE_UNAVAILABLE) {
            (void) athena_audit_write(ctx, 1);
        }

        return rc;
    }

    rc = athena_audit_write(ctx, 0);
    if (rc != ATHENA_STORE_OK) {
        athena_pg_rollback(ctx->db);
        return rc;
    }

    rc = athena_pg_commit(ctx->db);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    if (ctx->nstale) {
        if (ctx->stale_ended) {
            athena_session_forget(ctx, ctx->stale, ctx->nstale);

        } else {
            athena_session_refresh(ctx, ctx->stale, ctx->nstale);
        }
    }

    return ATHENA_STORE_OK;
}


/* the admin middleware: no session is a 401 with an empty body */

static athena_store_rc_e
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

    *ok = 1;

    return ATHENA_STORE_OK;
}


static int
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
 * the answer (401, or 403 with code) is made when not.
 */

static athena_store_rc_e
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
        athena_reply_error(ctx, 403, may->code, may->message);
    }

    return ATHENA_STORE_OK;
}


/* z.coerce.string(): whatever was sent, as JavaScript's String() says */

static const char *
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


static void
athena_reply_user(athena_ctx_t *ctx, const athena_user_t *user, int wrap)
{
    yajl_gen  g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    if (wrap) {
        yajl_gen_map_open(g);
        athena_gen_key(g, "user");
    }

    athena_gen_user(g, user);

    if (wrap) {
        yajl_gen_map_close(g);
    }

    athena_reply_gen(ctx, 200, g);
}


/*
 * After the body: the admin session, the route's permission, then the
 * user the request names. *found is set when all three hold; otherwise
 * the answer (401, 403 or 404 USER_NOT_FOUND) is made.
 */

static athena_store_rc_e
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

    rc = athena_user_by_id(ctx->db, ctx->a, id, user);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        *found = 0;
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

static athena_store_rc_e
athena_admin_changed(athena_ctx_t *ctx, const athena_user_t *user)
{
    athena_store_rc_e  rc;

    rc = athena_session_tokens(ctx->db, ctx->a, user->id, &ctx->stale,
                               &ctx->nstale);
    if (rc == ATHENA_STORE_OK) {
        athena_reply_user(ctx, user, 1);
    }

    return rc;
}


/* a body that passed its checks names the user by "userId" */

static athena_store_rc_e
athena_admin_body_target(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_admin_perm_t *may, const char **id, athena_user_t *user,
    int *found)
{
    *found = 0;

    if (athena_reply_invalid(ctx, chk)) {
        return ATHENA_STORE_OK;
    }

    *id = athena_coerce_string(ctx, "userId");

    return athena_admin_target(ctx, may, *id, user, found);
}


/* GET /admin/get-user?id= : the bare user */

athena_store_rc_e
athena_api_admin_get_user(athena_ctx_t *ctx)
{
    int                 found;
    char               *id;
    size_t              len;
    athena_user_t       user;
    athena_check_t      chk;
    athena_json_t      *query;
    athena_store_rc_e   rc;

    query = athena_json_new(ctx->a, ATHENA_JSON_OBJECT);
    if (query == NULL) {
        return ATHENA_STORE_ERROR;
    }

    id = athena_query_arg(ctx, "id", &len);
    if (id != NULL) {
        (void) athena_json_set(ctx->a, query, "id",
                               athena_json_string(ctx->a, id, len));
    }

    athena_check_init(&chk, ctx->a, query, "query");
    (void) athena_check_string(&chk, "id", 1);

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_target(ctx, &athena_may_get, id, &user, &found);
    if (rc == ATHENA_STORE_OK && found) {
        athena_reply_user(ctx, &user, 0);
    }

    return rc;
}


/* "admin" or ["admin", "support"]: stored comma-joined */

static const char *
athena_role_value(athena_ctx_t *ctx, athena_check_t *chk)
{
    char                 *joined;
    size_t                i;
    const athena_json_t  *v;

    v = athena_json_get(ctx->body, "role");

    if (v != NULL && v->type == ATHENA_JSON_STRING) {
        return v->string;
    }

    if (v != NULL && v->type == ATHENA_JSON_ARRAY) {
        joined = "";

        for (i = 0; i < v->n; i++) {
            if (v->items[i]->type != ATHENA_JSON_STRING) {
                break;
            }

            joined = athena_sprintf(ctx->a, "%s%s%s", joined, i ? "," : "",
                                    v->items[i]->string);
            if (joined == NULL) {
                return NULL;
            }
        }

        if (i == v->n) {
            return joined;
        }
    }

    /* zod's message for a value that fits no member of a union */
    athena_check_issue(chk, "role", "Invalid input");

    return NULL;
}


/* POST /admin/set-role {userId, role} */

athena_store_rc_e
athena_api_admin_set_role(athena_ctx_t *ctx)
{
    int                 found;
    const char         *id, *role;
    athena_user_t       user;
    athena_check_t      chk;
    athena_store_rc_e   rc;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    role = NULL;

    if (athena_check_object(&chk)) {
        role = athena_role_value(ctx, &chk);
    }

    rc = athena_admin_body_target(ctx, &chk, &athena_may_set_role, &id, &user, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    rc = athena_user_set_role(ctx->db, ctx->a, id, role, ctx->now, &user);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    return athena_admin_changed(ctx, &user);
}


/* the user's id alone, as ban-user, unban-user and the like read it */

static int
athena_admin_body(athena_ctx_t *ctx, athena_check_t *chk)
{
    athena_check_init(chk, ctx->a, ctx->body, "body");

    return athena_check_object(chk);
}


/* POST /admin/ban-user {userId, banReason?, banExpiresIn?} */

athena_store_rc_e
athena_api_admin_ban_user(athena_ctx_t *ctx)
{
    int                   found;
    int64_t               expires;
    const char           *id, *reason;
    athena_user_t         user;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *why, *secs;

    why = NULL;
    secs = NULL;

    if (athena_admin_body(ctx, &chk)) {
        why = athena_check_string(&chk, "banReason", 0);
        secs = athena_check_number(&chk, "banExpiresIn", 0);
    }

    rc = athena_admin_body_target(ctx, &chk, &athena_may_ban, &id, &user, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    if (strcmp(id, ctx->user.id) == 0) {
        athena_reply_error(ctx, 400, "YOU_CANNOT_BAN_YOURSELF",
                           "You cannot ban yourself");
        return ATHENA_STORE_OK;
    }

    /* better-auth: the reason if any, else "No reason"; 0 never expires */
    reason = (why && why->len) ? why->string : "No reason";
    expires = (secs && secs->number != 0)
              ? ctx->now + (int64_t) (secs->number * 1000)
              : ATHENA_TIME_NULL;

    rc = athena_user_set_ban(ctx->db, ctx->a, id, 1, reason, expires,
                             ctx->now, &user);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    /* a ban ends every session of the user */
    rc = athena_session_delete_user(ctx->db, ctx->a, id, NULL, 0,
                                    &ctx->stale, &ctx->nstale);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->stale_ended = 1;

    athena_reply_user(ctx, &user, 1);

    return ATHENA_STORE_OK;
}


/* POST /admin/unban-user {userId} */

athena_store_rc_e
athena_api_admin_unban_user(athena_ctx_t *ctx)
{
    int                 found;
    const char         *id;
    athena_user_t       user;
    athena_check_t      chk;
    athena_store_rc_e   rc;

    (void) athena_admin_body(ctx, &chk);

    rc = athena_admin_body_target(ctx, &chk, &athena_may_ban, &id, &user, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    rc = athena_user_set_ban(ctx->db, ctx->a, id, 0, NULL, ATHENA_TIME_NULL,
                             ctx->now, &user);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    return athena_admin_changed(ctx, &user);
}


/*
 * POST /admin/has-permission {permissions: {resource: [action, ...]}}:
 * the caller's own role decides (userId and role in the body are ignored
 * when there is a session, as better-auth does over HTTP).
 */

static athena_permission_t *
athena_permissions_read(athena_ctx_t *ctx, athena_check_t *chk,
    const athena_json_t *obj, size_t *n)
{
    size_t                i, k;
    const char          **actions;
    const athena_json_t  *list;
    athena_permission_t  *perms;

    perms = athena_calloc(ctx->a, (obj->n + 1) * sizeof(athena_permission_t));
    if (perms == NULL) {
        return NULL;
    }

    for (i = 0; i < obj->n; i++) {
        list = obj->items[i];

        if (list->type != ATHENA_JSON_ARRAY) {
            athena_check_issue(chk, athena_sprintf(ctx->a, "permissions.%s",
                                                   obj->keys[i]),
                               "Invalid input: expected array, received %s",
                               athena_json_type_name(list));
            continue;
        }

        actions = athena_alloc(ctx->a, (list->n + 1) * sizeof(char *));
        if (actions == NULL) {
            return NULL;
        }

        for (k = 0; k < list->n; k++) {
            if (list->items[k]->type != ATHENA_JSON_STRING) {
                athena_check_issue(chk, athena_sprintf(ctx->a,
                                       "permissions.%s.%zu", obj->keys[i], k),
                                   "Invalid input: expected string,"
                                   " received %s",
                                   athena_json_type_name(list->items[k]));
            }

            actions[k] = list->items[k]->string;
        }

        perms[i].resource = obj->keys[i];
        perms[i].actions = actions;
        perms[i].nactions = list->n;
    }

    *n = obj->n;

    return perms;
}


static void
athena_reply_has_permission(athena_ctx_t *ctx, int success)
{
    yajl_gen  g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    yajl_gen_map_open(g);
    athena_gen_key(g, "error");
    athena_gen_null(g);
    athena_gen_key(g, "success");
    athena_gen_bool(g, success);
    yajl_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


athena_store_rc_e
athena_api_admin_has_permission(athena_ctx_t *ctx)
{
    int                   ok;
    char                 *text;
    size_t                n, len;
    yajl_gen              g;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    athena_permission_t  *perms;
    const athena_json_t  *one, *many;

    perms = NULL;
    n = 0;
    one = NULL;
    many = NULL;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        one = athena_json_get(ctx->body, "permission");
        many = athena_json_get(ctx->body, "permissions");

        /* exactly one of the two, as its schema's union says */
        if ((one == NULL) == (many == NULL)) {
            athena_check_issue(&chk, NULL, "Invalid input");

        } else if (many != NULL && many->type != ATHENA_JSON_OBJECT) {
            athena_check_issue(&chk, "permissions",
                               "Invalid input: expected record, received %s",
                               athena_json_type_name(many));

        } else if (many != NULL) {
            perms = athena_permissions_read(ctx, &chk, many, &n);
            if (perms == NULL) {
                return ATHENA_STORE_ERROR;
            }
        }
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_session(ctx, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (many == NULL) {
        /* the deprecated "permission" is refused, with a message alone */
        athena_reply_message(ctx, 400, "invalid permission check. no "
                                       "permission(s) were passed.");
        return ATHENA_STORE_OK;
    }

    /* the audit keeps what was asked, as compact JSON */
    g = athena_gen_new();
    if (g != NULL) {
        athena_gen_value(g, many);
        text = athena_gen_finish(ctx->a, g, &len);
        ctx->audit_target = text;
    }

    athena_reply_has_permission(ctx, athena_admin_allows(ctx, perms, n));

    return ATHENA_STORE_OK;
}
