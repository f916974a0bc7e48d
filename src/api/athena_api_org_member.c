/*
 * The organization plugin's member routes: remove-member,
 * update-member-role, get-active-member, get-active-member-role and
 * list-members. (Adding a member directly is server-only in better-auth
 * 1.7.25; members join by invitation.)
 */

#include <stdlib.h>
#include <string.h>

#include "athena_org.h"
#include "../core/athena_text.h"
#include "../core/athena_time.h"


/* the member a request names; *ok is 0 after 400 MEMBER_NOT_FOUND */

static athena_store_rc_e
athena_org_target(athena_ctx_t *ctx, athena_member_by_e by,
    const char *org_id, const char *key, athena_member_t *m, int *ok)
{
    athena_store_rc_e  rc;

    *ok = 0;

    rc = key ? athena_member_find(ctx->db, ctx->a, by, org_id, key, m)
             : ATHENA_STORE_ERROR;

    if (rc == ATHENA_STORE_NOT_FOUND) {
        athena_org_fail(ctx, 400, "MEMBER_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    *ok = rc == ATHENA_STORE_OK;

    return rc;
}


/*
 * POST /organization/remove-member {memberIdOrEmail, organizationId?}:
 * {member}; with an email the member carries its user, as better-auth.
 * A creator is removed only by a creator, and never the last one.
 */

athena_store_rc_e
athena_api_org_remove_member(athena_ctx_t *ctx)
{
    int                   ok, by_email, last;
    char                 *email;
    const char           *org_id;
    athena_org_t          org;
    athena_check_t        chk;
    athena_member_t       me, target;
    athena_store_rc_e     rc;
    const athena_json_t  *key;

    key = NULL;
    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        key = athena_check_string(&chk, "memberIdOrEmail", 1);
        (void) athena_check_string(&chk, "organizationId", 0);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    org_id = athena_org_body_id(ctx, "organizationId");
    if (org_id == NULL) {
        athena_org_fail(ctx, 400, "NO_ACTIVE_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_member_of(ctx, org_id, &org, 400, "MEMBER_NOT_FOUND", &me,
                              &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    by_email = strchr(key->string, '@') != NULL;

    if (by_email) {
        email = athena_email_normalize(ctx->a, key->string, key->len);
        rc = athena_org_target(ctx, ATHENA_MEMBER_BY_EMAIL, org_id, email,
                               &target, &ok);

    } else {
        rc = athena_org_target(ctx, ATHENA_MEMBER_BY_ID, NULL, key->string,
                               &target, &ok);
    }

    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (athena_org_is_creator(ctx, target.role)) {
        last = 1;

        if (athena_org_is_creator(ctx, me.role)) {
            rc = athena_org_last_creator(ctx, org_id, &last);
            if (rc != ATHENA_STORE_OK) {
                return rc;
            }
        }

        if (last) {
            athena_org_fail(ctx, 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_"
                                      "THE_ONLY_OWNER");
            return ATHENA_STORE_OK;
        }
    }

    /* 401, not 403: better-auth's own odd status for this one */
    if (!athena_org_may(me.role, "member", "delete")) {
        athena_org_fail(ctx, 401, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER");
        return ATHENA_STORE_OK;
    }

    if (strcmp(target.organization_id, org_id) != 0) {
        athena_org_fail(ctx, 400, "MEMBER_NOT_FOUND");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_member_remove(ctx, &target);

    if (rc == ATHENA_STORE_OK) {
        athena_reply_member(ctx, &target, by_email, "member");
    }

    return rc;
}


/* better-auth's one error with the code first, and no table message */

static void
athena_reply_role_not_found(athena_ctx_t *ctx, const char *unknown)
{
    athena_gen_t  *g;

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "code");
    athena_gen_cstr(g, "ROLE_NOT_FOUND");
    athena_gen_key(g, "message");
    athena_gen_cstr(g, athena_sprintf(ctx->a, "ROLE_NOT_FOUND: %s", unknown));
    athena_gen_map_close(g);

    ctx->error_code = "ROLE_NOT_FOUND";
    athena_reply_gen(ctx, 400, g);
}


/*
 * POST /organization/update-member-role {role, memberId,
 * organizationId?}: the bare member, without its user. Only a creator
 * touches a creator or grants the creator role; the last creator cannot
 * give it up; a creator passes the permission check whatever it is.
 */

athena_store_rc_e
athena_api_org_update_member_role(athena_ctx_t *ctx)
{
    int                   ok, creator, last;
    const char           *org_id, *roles, *unknown;
    athena_org_t          org;
    athena_check_t        chk;
    athena_member_t       me, target;
    athena_store_rc_e     rc;
    const athena_json_t  *raw, *id;

    roles = NULL;
    id = NULL;
    athena_check_init(&chk, ctx->a, ctx->body, "body");

    if (athena_check_object(&chk)) {
        roles = athena_org_roles_read(ctx, &chk, "role");
        id = athena_check_string(&chk, "memberId", 1);
        (void) athena_check_string(&chk, "organizationId", 0);
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    /* "" is falsy to better-auth (an empty 400); [] is not */
    raw = athena_json_get(ctx->body, "role");
    if (raw->type == ATHENA_JSON_STRING && raw->len == 0) {
        athena_reply_empty(ctx, 400);
        return ATHENA_STORE_OK;
    }

    org_id = athena_org_body_id(ctx, "organizationId");
    if (org_id == NULL) {
        athena_org_fail(ctx, 400, "NO_ACTIVE_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    if (*roles == '\0') {
        athena_reply_empty(ctx, 400);
        return ATHENA_STORE_OK;
    }

    rc = athena_org_member_of(ctx, org_id, &org, 400, "MEMBER_NOT_FOUND", &me,
                              &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (strcmp(id->string, me.id) == 0) {
        target = me;

    } else {
        rc = athena_org_target(ctx, ATHENA_MEMBER_BY_ID, NULL, id->string,
                               &target, &ok);
        if (rc != ATHENA_STORE_OK || !ok) {
            return rc;
        }
    }

    creator = athena_org_is_creator(ctx, me.role);

    if (strcmp(target.organization_id, org_id) != 0
        || (!creator && (athena_org_is_creator(ctx, target.role)
                         || athena_org_is_creator(ctx, roles))))
    {
        athena_org_fail(ctx, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER");
        return ATHENA_STORE_OK;
    }

    if (creator && strcmp(target.id, me.id) == 0
        && !athena_org_is_creator(ctx, roles))
    {
        rc = athena_org_last_creator(ctx, org_id, &last);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        if (last) {
            athena_org_fail(ctx, 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_"
                                      "WITHOUT_AN_OWNER");
            return ATHENA_STORE_OK;
        }
    }

    if (!creator && !athena_org_may(me.role, "member", "update")) {
        athena_org_fail(ctx, 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER");
        return ATHENA_STORE_OK;
    }

    unknown = athena_org_roles_unknown(ctx, roles);
    if (unknown != NULL) {
        athena_reply_role_not_found(ctx, unknown);
        return ATHENA_STORE_OK;
    }

    rc = athena_member_set_role(ctx->db, ctx->a, target.id, roles);

    if (rc == ATHENA_STORE_OK) {
        rc = athena_org_member_changed(ctx, org_id, target.user_id);
    }

    if (rc == ATHENA_STORE_OK) {
        target.role = (char *) roles;
        athena_reply_member(ctx, &target, 0, NULL);
    }

    return rc;
}


/* GET /organization/get-active-member: the caller's, with its user */

athena_store_rc_e
athena_api_org_get_active_member(athena_ctx_t *ctx)
{
    int                 ok;
    athena_member_t     me;
    athena_store_rc_e   rc;

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    if (ctx->session.active_organization_id == NULL) {
        athena_org_fail(ctx, 400, "NO_ACTIVE_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_member_of(ctx, ctx->session.active_organization_id, NULL,
                              400, "MEMBER_NOT_FOUND", &me, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    athena_reply_member(ctx, &me, 1, NULL);

    return ATHENA_STORE_OK;
}


/*
 * The organization a members GET names: organizationSlug (looked up),
 * else organizationId, else the active one; and the caller must be a
 * member (403 YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION). NULL after an
 * answer was given.
 */

static athena_store_rc_e
athena_org_members_of(athena_ctx_t *ctx, const char **org_id,
    athena_member_t *me)
{
    int                 found;
    const char         *slug;
    athena_org_t        org;
    athena_store_rc_e   rc;

    *org_id = NULL;

    slug = athena_org_query(ctx, "organizationSlug");

    if (slug != NULL) {
        rc = athena_org_get(ctx->db, ctx->a, NULL, slug, 0, &org);

        if (rc == ATHENA_STORE_NOT_FOUND) {
            athena_org_fail(ctx, 400, "ORGANIZATION_NOT_FOUND");
            return ATHENA_STORE_OK;
        }

        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        *org_id = org.id;

    } else {
        *org_id = athena_org_query(ctx, "organizationId");

        if (*org_id == NULL) {
            *org_id = ctx->session.active_organization_id;
        }
    }

    if (*org_id == NULL) {
        athena_org_fail(ctx, 400, "NO_ACTIVE_ORGANIZATION");
        return ATHENA_STORE_OK;
    }

    rc = athena_org_caller(ctx, *org_id, me, &found);

    if (rc == ATHENA_STORE_OK && !found) {
        athena_org_fail(ctx, 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION");
        *org_id = NULL;
    }

    return rc;
}


/* GET /organization/get-active-member-role?userId&organizationId|Slug */

athena_store_rc_e
athena_api_org_get_active_member_role(athena_ctx_t *ctx)
{
    int                 ok;
    const char         *org_id, *user_id;
    athena_member_t     me, other;
    athena_store_rc_e   rc;

    rc = athena_org_query_session(ctx, (const char *const []) {
                                      "userId", "organizationId",
                                      "organizationSlug", NULL },
                                  &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_members_of(ctx, &org_id, &me);
    if (rc != ATHENA_STORE_OK || org_id == NULL) {
        return rc;
    }

    user_id = athena_org_query(ctx, "userId");

    if (user_id != NULL) {
        rc = athena_member_find(ctx->db, ctx->a, ATHENA_MEMBER_BY_USER,
                                org_id, user_id, &other);

        if (rc == ATHENA_STORE_NOT_FOUND) {
            athena_org_fail(ctx, 403,
                            "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION");
            return ATHENA_STORE_OK;
        }

        if (rc != ATHENA_STORE_OK) {
            return rc;
        }

        me = other;
    }

    athena_reply_string(ctx, "role", me.role);

    return ATHENA_STORE_OK;
}


/* the member columns list-members may sort and filter by */
static const char *const  athena_member_columns[] = {
    "id", "organizationId", "userId", "role", "createdAt", NULL
};

static const char *const  athena_sort_directions[] = {
    "asc", "desc", NULL
};


/*
 * Each operator as SQL over a column (%s) and the value ($2); the
 * comparisons also over createdAt, whose value is a time (epoch ms).
 */
typedef struct {
    const char  *name;
    const char  *sql;
    const char  *time_sql;        /* NULL: not for createdAt */
    int          list;            /* the value is every repeated filterValue */
} athena_filter_op_t;

#define ATHENA_AT  "to_timestamp($2::float8 / 1000)"

static const athena_filter_op_t  athena_filter_ops[] = {
    { "eq", "%s = $2", "%s = " ATHENA_AT, 0 },
    { "ne", "%s <> $2", "%s <> " ATHENA_AT, 0 },
    { "lt", "%s < $2", "%s < " ATHENA_AT, 0 },
    { "lte", "%s <= $2", "%s <= " ATHENA_AT, 0 },
    { "gt", "%s > $2", "%s > " ATHENA_AT, 0 },
    { "gte", "%s >= $2", "%s >= " ATHENA_AT, 0 },
    { "in", "%s = ANY ($2::text[])", NULL, 1 },
    { "not_in", "%s <> ALL ($2::text[])", NULL, 1 },
    { "contains", "strpos(%s, $2) > 0", NULL, 0 },
    { "starts_with", "left(%s, length($2)) = $2", NULL, 0 },
    { "ends_with", "right(%s, length($2)) = $2", NULL, 0 },
    { NULL, NULL, NULL, 0 }
};


/* a Postgres text[] literal of the values, each quoted */

static char *
athena_pg_text_array(athena_arena_t *a, const char *const *values, size_t n)
{
    char        *out, *q;
    size_t       i, len;
    const char  *p;

    len = 3;
    for (i = 0; i < n; i++) {
        len += 2 * strlen(values[i]) + 3;
    }

    out = athena_alloc(a, len);
    if (out == NULL) {
        return NULL;
    }

    q = out;
    *q++ = '{';

    for (i = 0; i < n; i++) {
        if (i) {
            *q++ = ',';
        }

        *q++ = '"';

        for (p = values[i]; *p; p++) {
            if (*p == '"' || *p == '\\') {
                *q++ = '\\';
            }
            *q++ = *p;
        }

        *q++ = '"';
    }

    *q++ = '}';
    *q = '\0';

    return out;
}


/*
 * limit and offset as Number(x): a whole number of at least zero, or
 * the default (limit: better-auth's "||", so 0 and junk are the default).
 * -1 when it is a number Postgres would refuse.
 */

static int64_t
athena_org_query_count(athena_ctx_t *ctx, athena_check_t *chk,
    const char *name, int64_t dflt)
{
    char        *end;
    double       d;
    const char  *v;

    v = athena_org_query(ctx, name);
    if (v == NULL) {
        return dflt;
    }

    d = strtod(v, &end);

    if (*end != '\0' || d != d || d == 0) {
        return dflt;
    }

    if (d < 0 || d != (double) (int64_t) d || d > 9e15) {
        athena_check_issue(chk, name, "Invalid input: expected a whole number"
                                      " of at least 0");
        return -1;
    }

    return (int64_t) d;
}


/*
 * GET /organization/list-members?limit&offset&sortBy&sortDirection
 * &filterField&filterValue&filterOperator&organizationId|Slug:
 * {members: [member with user], total}. Columns and operators come from
 * fixed tables; an unknown one is a 400 (better-auth fails with a 500).
 */

athena_store_rc_e
athena_api_org_list_members(athena_ctx_t *ctx)
{
    int                        ok, nothing;
    size_t                     i, n, nvalues;
    athena_gen_t              *g;
    int64_t                    total, at;
    const char                *org_id, *dir, *op, **values;
    athena_check_t             chk;
    athena_member_t            me, *list;
    athena_store_rc_e          rc;
    athena_member_query_t      q;
    const athena_filter_op_t  *f;

    memset(&q, 0, sizeof(athena_member_query_t));
    nothing = 0;
    athena_check_init(&chk, ctx->a, NULL, "query");

    if (athena_query_single(ctx, &chk, (const char *const []) {
                                "organizationId", "organizationSlug",
                                "sortBy", "sortDirection", "filterField",
                                "filterOperator", NULL }) != 0)
    {
        return ATHENA_STORE_ERROR;
    }

    q.limit = athena_org_query_count(ctx, &chk, "limit",
                                     ctx->conf->membership_limit
                                     ? ctx->conf->membership_limit : 100);
    q.offset = athena_org_query_count(ctx, &chk, "offset", 0);

    /* an empty sortBy or filterField is none, to better-auth */
    if (athena_org_query(ctx, "sortBy") != NULL) {
        q.sort_column = athena_query_enum(ctx, &chk, "sortBy",
                                          athena_member_columns, NULL);
    }

    dir = athena_query_enum(ctx, &chk, "sortDirection",
                            athena_sort_directions, "asc");
    q.desc = dir != NULL && strcmp(dir, "desc") == 0;

    if (athena_org_query(ctx, "filterField") != NULL) {
        q.filter_column = athena_query_enum(ctx, &chk, "filterField",
                                            athena_member_columns, NULL);
    }

    op = athena_query_enum(ctx, &chk, "filterOperator",
                               (const char *const []) {
                                   "eq", "ne", "lt", "lte", "gt", "gte",
                                   "in", "not_in", "contains", "starts_with",
                                   "ends_with", NULL },
                               "eq");

    if (q.filter_column != NULL && op != NULL) {
        for (f = athena_filter_ops; strcmp(f->name, op) != 0; f++) {
            /* void */
        }

        values = athena_query_all(ctx, "filterValue", &nvalues);
        if (values == NULL) {
            return ATHENA_STORE_ERROR;
        }

        if (nvalues == 0) {
            /* better-auth's filter on undefined matches nothing */
            nothing = 1;

        } else if (strcmp(q.filter_column, "createdAt") == 0) {
            if (f->time_sql == NULL) {
                athena_check_issue(&chk, "filterOperator", "Invalid option:"
                                   " createdAt takes eq, ne, lt, lte, gt"
                                   " or gte");

            } else if (!athena_time_revive(values[0], &at)) {
                athena_check_issue(&chk, "filterValue", "Invalid input:"
                                   " expected an ISO 8601 date and time");

            } else {
                q.filter_sql = f->time_sql;
                q.filter_value = athena_int_text(ctx->a, at);
            }

        } else {
            q.filter_sql = f->sql;
            q.filter_value = f->list
                             ? athena_pg_text_array(ctx->a, values, nvalues)
                             : values[0];
            if (q.filter_value == NULL) {
                return ATHENA_STORE_ERROR;
            }
        }
    }

    if (athena_reply_invalid(ctx, &chk)) {
        return ATHENA_STORE_OK;
    }

    rc = athena_org_session(ctx, ATHENA_ORG_NO_SESSION_401, &ok);
    if (rc != ATHENA_STORE_OK || !ok) {
        return rc;
    }

    rc = athena_org_members_of(ctx, &org_id, &me);
    if (rc != ATHENA_STORE_OK || org_id == NULL) {
        return rc;
    }

    q.org_id = org_id;
    list = NULL;
    n = 0;
    total = 0;

    if (!nothing) {
        rc = athena_member_list(ctx->db, ctx->a, &q, &list, &n, &total);
        if (rc != ATHENA_STORE_OK) {
            return rc;
        }
    }

    g = athena_reply_json(ctx);
    if (g == NULL) {
        return ATHENA_STORE_OK;
    }

    athena_gen_map_open(g);
    athena_gen_key(g, "members");
    athena_gen_array_open(g);

    for (i = 0; i < n; i++) {
        athena_gen_member(g, &list[i], 1);
    }

    athena_gen_array_close(g);
    athena_gen_key(g, "total");
    athena_gen_int(g, total);
    athena_gen_map_close(g);

    athena_reply_gen(ctx, 200, g);

    return ATHENA_STORE_OK;
}
