/*
 * The admin plugin's user routes and has-permission: get-user, set-role,
 * ban-user, unban-user, remove-user, set-user-password, in better-auth
 * 1.7.25's order of checks (body, then the admin session, then the
 * route's permission, then lookups).
 */

#include <stdlib.h>
#include <string.h>

#include "athena_admin.h"
#include "../core/athena_crypto.h"
#include "../core/athena_text.h"
#include "../core/athena_time.h"
#include "../store/athena_auth_store.h"
#include "../store/athena_user_list.h"


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
        athena_admin_need_user_id(ctx, &chk);
        role = athena_role_value(ctx, &chk, ctx->body);
    }

    rc = athena_admin_body_target(ctx, &chk, &athena_may_set_role, &id, &user,
                                  &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    rc = athena_user_set_role(ctx->db, ctx->a, id, role, ctx->now, &user);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    return athena_admin_changed(ctx, &user);
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

    if (athena_admin_user_body(ctx, &chk)) {
        why = athena_check_string(&chk, "banReason", 0);
        secs = athena_check_number(&chk, "banExpiresIn", 0);

        /* better-auth would fail in the database on such a date; we ask */
        if (secs && secs->number != 0
            && !athena_time_storable_after(ctx->now, secs->number * 1000))
        {
            athena_check_issue(&chk, "banExpiresIn", "Invalid input: the ban"
                               " must end between years 1 and 9999");
            secs = NULL;
        }
    }

    rc = athena_admin_body_target(ctx, &chk, &athena_may_ban, &id, &user,
                                  &found);
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

    /* a ban ends every session of the user, and stops its keys */
    if (rc == ATHENA_STORE_OK) {
        rc = athena_admin_end_sessions(ctx, id);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

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

    (void) athena_admin_user_body(ctx, &chk);

    rc = athena_admin_body_target(ctx, &chk, &athena_may_ban, &id, &user,
                                  &found);
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
 * POST /admin/remove-user {userId}: the user's sessions, accounts and the
 * user go in one transaction (Postgres cascades the memberships and the
 * invitations the user sent). Oneself is refused before the lookup.
 */

athena_store_rc_e
athena_api_admin_remove_user(athena_ctx_t *ctx)
{
    int                 ok;
    const char         *id;
    athena_user_t       user;
    athena_check_t      chk;
    athena_store_rc_e   rc;

    (void) athena_admin_user_body(ctx, &chk);

    rc = athena_admin_body_require(ctx, &chk, &athena_may_delete, &id, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (strcmp(id, ctx->user.id) == 0) {
        athena_reply_error(ctx, 400, "YOU_CANNOT_REMOVE_YOURSELF",
                           "You cannot remove yourself");
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_lookup(ctx, id, &user, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    /* the plugin's keys outlive their owner (no foreign key): not cached */
    ctx->stale_owner = id;

    rc = athena_session_delete_user(ctx->db, ctx->a, id, NULL, 0,
                                    &ctx->stale, &ctx->nstale);

    if (rc == ATHENA_STORE_OK) {
        rc = athena_user_delete(ctx->db, ctx->a, id);
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    ctx->stale_ended = 1;
    athena_reply_flag(ctx, "success", 1);

    return ATHENA_STORE_OK;
}


/*
 * POST /admin/set-user-password {newPassword, userId}: both non-empty;
 * the credential account gets the new hash (or is made). Sessions stay.
 */

athena_store_rc_e
athena_api_admin_set_user_password(athena_ctx_t *ctx)
{
    int                   found;
    char                  hash[ATHENA_HASH_LEN + 1];
    const char           *id;
    athena_user_t         user;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    const athena_json_t  *pw;

    pw = NULL;

    if (athena_admin_body(ctx, &chk)) {
        pw = athena_check_string(&chk, "newPassword", 1);

        if (pw != NULL && pw->len == 0) {
            athena_check_issue(&chk, "newPassword",
                               "newPassword cannot be empty");
            pw = NULL;
        }

        athena_admin_need_user_id(ctx, &chk);

        if (athena_json_get(ctx->body, "userId") != NULL
            && strlen(athena_coerce_string(ctx, "userId")) == 0)
        {
            athena_check_issue(&chk, "userId", "userId cannot be empty");
        }
    }

    rc = athena_admin_body_require(ctx, &chk, &athena_may_set_password, &id,
                                   &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    if (!athena_password_length_ok(ctx, pw, 1)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_lookup(ctx, id, &user, &found);
    if (rc != ATHENA_STORE_OK || !found) {
        return rc;
    }

    if (athena_password_make(ctx, pw, hash) != 0) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_account_set_password(ctx->db, ctx->a, id, hash, ctx->now);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    /* the sessions stay, but are read afresh: nothing cached outlives it */
    rc = athena_session_tokens(ctx->db, ctx->a, id, &ctx->stale,
                               &ctx->nstale);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_flag(ctx, "status", 1);

    return ATHENA_STORE_OK;
}


/*
 * POST /admin/has-permission {permissions: {resource: [action, ...]}}:
 * the caller's own role decides (userId and role in the body are ignored
 * when there is a session, as better-auth does over HTTP).
 */

athena_store_rc_e
athena_api_admin_has_permission(athena_ctx_t *ctx)
{
    int                   ok;
    size_t                n;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    athena_permission_t  *perms;

    athena_check_init(&chk, ctx->a, ctx->body, "body");

    (void) athena_check_object(&chk);

    if (athena_permissions_body(ctx, &chk, &perms, &n) != 0) {
        return ATHENA_STORE_ERROR;
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_session(ctx, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (perms == NULL) {
        /* the deprecated "permission" is refused, with a message alone */
        athena_reply_message(ctx, 400, "invalid permission check. no "
                                       "permission(s) were passed.");
        return ATHENA_STORE_OK;
    }

    athena_reply_has_permission(ctx, athena_admin_allows(ctx, perms, n));

    return ATHENA_STORE_OK;
}


/* a page is at most this long, whatever limit asks for */
#define ATHENA_LIST_MAX  1000


/*
 * limit and offset as better-auth reads them, Number(x) || undefined:
 * 0 when unset (absent, empty, zero, not a number); -1 when set but not
 * a whole number of at least zero, which Postgres would refuse.
 */

static int64_t
athena_query_count(athena_ctx_t *ctx, const char *name)
{
    char        *v, *end;
    size_t       len;
    double       d;

    v = athena_query_arg(ctx, name, &len);
    if (v == NULL || len == 0) {
        return 0;
    }

    d = strtod(v, &end);

    if (*end != '\0' || d != d || d == 0) {
        return 0;
    }

    if (d < 0 || d != (double) (int64_t) d || d > 9e15) {
        return -1;
    }

    return (int64_t) d;
}


static void
athena_reply_users(athena_ctx_t *ctx, athena_user_t *users, size_t n,
    int64_t total, int64_t limit, int64_t offset)
{
    size_t         i;
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "users");
    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_gen_user(g, &users[i]);
    }

    athena_gen_array_close(g);
    athena_gen_key(g, "total");
    athena_gen_int(g, total);

    if (limit > 0) {
        athena_gen_key(g, "limit");
        athena_gen_int(g, limit);
    }

    if (offset > 0) {
        athena_gen_key(g, "offset");
        athena_gen_int(g, offset);
    }

    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);
}


/*
 * GET /admin/list-users?searchValue&searchField&searchOperator
 *     &filterValue&filterField&filterOperator&sortBy&sortDirection
 *     &limit&offset
 * An unknown field or a value the column cannot take gives an empty
 * list, as better-auth's failed query does.
 */

athena_store_rc_e
athena_api_admin_list_users(athena_ctx_t *ctx)
{
    int                   ok;
    size_t                n, len;
    int64_t               total, limit;
    const char           *dir;
    athena_user_t        *users;
    athena_check_t        chk;
    athena_store_rc_e     rc;
    athena_user_query_t   q;

    static const char *const  search_fields[] = { "email", "name", NULL };
    static const char *const  search_ops[] = {
        "contains", "starts_with", "ends_with", NULL
    };
    static const char *const  filter_ops[] = {
        "eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains",
        "starts_with", "ends_with", NULL
    };
    static const char *const  directions[] = { "asc", "desc", NULL };

    memset(&q, 0, sizeof(athena_user_query_t));
    athena_check_init(&chk, ctx->a, NULL, "query");

    q.search_value = athena_query_arg(ctx, "searchValue", &len);
    q.search_field = athena_query_enum(ctx, &chk, "searchField",
                                       search_fields, "email");
    q.search_op = athena_query_enum(ctx, &chk, "searchOperator", search_ops,
                                    "contains");
    q.filter_value = athena_query_arg(ctx, "filterValue", &len);
    q.filter_field = athena_query_arg(ctx, "filterField", &len);
    q.filter_op = athena_query_enum(ctx, &chk, "filterOperator", filter_ops,
                                    "eq");
    q.sort_field = athena_query_arg(ctx, "sortBy", &len);
    dir = athena_query_enum(ctx, &chk, "sortDirection", directions, "asc");

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_admin_require(ctx, &athena_may_list, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (q.filter_field == NULL) {
        q.filter_field = "email";
    }

    q.sort_desc = strcmp(dir, "desc") == 0;
    q.limit = athena_query_count(ctx, "limit");
    q.offset = athena_query_count(ctx, "offset");

    if (q.limit < 0 || q.offset < 0) {
        athena_reply_users(ctx, NULL, 0, 0, 0, 0);
        return ATHENA_STORE_OK;
    }

    /* asked for, at most ATHENA_LIST_MAX (and said so); unset is 100 */
    if (q.limit > ATHENA_LIST_MAX) {
        q.limit = ATHENA_LIST_MAX;
    }

    limit = q.limit;

    if (q.limit == 0) {
        q.limit = 100;
    }

    rc = athena_user_list(ctx->db, ctx->a, &q, &users, &n, &total);

    if (rc == ATHENA_STORE_NOT_FOUND || rc == ATHENA_STORE_ERROR
        || rc == ATHENA_STORE_INVALID)
    {
        /* what better-auth answers when its query fails */
        athena_reply_users(ctx, NULL, 0, 0, 0, 0);
        return ATHENA_STORE_OK;
    }

    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    athena_reply_users(ctx, users, n, total, limit, q.offset);

    return ATHENA_STORE_OK;
}
