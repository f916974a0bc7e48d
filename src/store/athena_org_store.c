#include <string.h>

#include "athena_org_store.h"
#include "athena_where.h"
#include "athena_columns.h"
#include "../core/athena_json.h"


/* a cached "not a member" answer, distinct from any role name */
#define ATHENA_CACHE_NO_MEMBER  "-"


/*
 * Ids are not secrets, so the key names them. Whatever changes a member
 * row must delete this entry as well.
 */

char *
athena_member_cache_key(athena_arena_t *a, const char *prefix,
    const char *org_id, const char *user_id)
{
    return athena_sprintf(a, "%s" ATHENA_CACHE_MEMBER "%s:%s", prefix, org_id,
                          user_id);
}


/* a cached membership: the role list, or NULL for "not a member" */

char *
athena_member_cache_parse(char *text)
{
    return strcmp(text, ATHENA_CACHE_NO_MEMBER) == 0 ? NULL : text;
}


/* *role is the member's role list, or NULL for "not a member" */

athena_store_rc_e
athena_member_role(athena_db_t *db, athena_arena_t *a, const char *org_id,
    const char *user_id, char **role)
{
    char               *key, *cached;
    const char         *p[2];
    int64_t             ttl;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    ttl = athena_db_conf(db)->cache_ttl;
    key = NULL;
    cached = NULL;

    if (ttl > 0) {
        key = athena_member_cache_key(a, athena_db_conf(db)->cache_prefix,
                                      org_id, user_id);
        cached = key ? athena_redis_get(db, a, key) : NULL;
    }

    if (cached != NULL) {
        *role = athena_member_cache_parse(cached);
        return ATHENA_STORE_OK;
    }

    p[0] = org_id;
    p[1] = user_id;

    rc = athena_pg_one(db, a,
             "SELECT role FROM member"
             " WHERE \"organizationId\" = $1 AND \"userId\" = $2",
             2, p, &rows);

    if (rc == ATHENA_STORE_NOT_FOUND) {
        *role = NULL;

    } else if (rc == ATHENA_STORE_OK) {
        *role = (char *) athena_rows_get(rows, 0, 0);

    } else {
        return rc;
    }

    if (key != NULL) {
        cached = *role ? *role : ATHENA_CACHE_NO_MEMBER;
        athena_redis_set(db, key, cached, strlen(cached), ttl, 1);
    }

    return ATHENA_STORE_OK;
}



#define ATHENA_ORG_COLS(o)                                                   \
    o ".id, " o ".name, " o ".slug, " o ".logo, "                            \
    ATHENA_TIME(o ".\"createdAt\"") ", " o ".metadata"

#define ATHENA_MEMBER_COLS(m, u)                                             \
    m ".id, " m ".\"organizationId\", " m ".\"userId\", " m ".role, "        \
    ATHENA_TIME(m ".\"createdAt\"") ", " u ".name, " u ".email, " u ".image"


static void
athena_org_read(const athena_rows_t *rows, size_t r, athena_org_t *o)
{
    o->id = (char *) athena_rows_get(rows, r, 0);
    o->name = (char *) athena_rows_get(rows, r, 1);
    o->slug = (char *) athena_rows_get(rows, r, 2);
    o->logo = (char *) athena_rows_get(rows, r, 3);
    o->created_at = athena_rows_time(rows, r, 4, ATHENA_TIME_NULL);
    o->metadata = (char *) athena_rows_get(rows, r, 5);
}


static void
athena_member_read(const athena_rows_t *rows, size_t r, athena_member_t *m)
{
    m->id = (char *) athena_rows_get(rows, r, 0);
    m->organization_id = (char *) athena_rows_get(rows, r, 1);
    m->user_id = (char *) athena_rows_get(rows, r, 2);
    m->role = (char *) athena_rows_get(rows, r, 3);
    m->created_at = athena_rows_time(rows, r, 4, ATHENA_TIME_NULL);
    m->user_name = (char *) athena_rows_get(rows, r, 5);
    m->user_email = (char *) athena_rows_get(rows, r, 6);
    m->user_image = (char *) athena_rows_get(rows, r, 7);
}


/*
 * By id, or by slug when id is NULL. With lock, the row stays locked to
 * the end of the transaction: whatever adds or removes members of one
 * organization takes it first, so that limits and "the last owner" are
 * counted by one request at a time.
 */

athena_store_rc_e
athena_org_get(athena_db_t *db, athena_arena_t *a, const char *id,
    const char *slug, int lock, athena_org_t *org)
{
    const char         *sql;
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    if (id != NULL) {
        sql = lock ? "SELECT " ATHENA_ORG_COLS("o") " FROM organization o"
                     " WHERE o.id = $1 FOR UPDATE"
                   : "SELECT " ATHENA_ORG_COLS("o") " FROM organization o"
                     " WHERE o.id = $1";
    } else {
        sql = lock ? "SELECT " ATHENA_ORG_COLS("o") " FROM organization o"
                     " WHERE o.slug = $1 FOR UPDATE"
                   : "SELECT " ATHENA_ORG_COLS("o") " FROM organization o"
                     " WHERE o.slug = $1";
    }

    rc = athena_pg_one(db, a, sql, 1, id ? &id : &slug, &rows);
    if (rc == ATHENA_STORE_OK) {
        athena_org_read(rows, 0, org);
    }

    return rc;
}


athena_store_rc_e
athena_org_slug_taken(athena_db_t *db, athena_arena_t *a, const char *slug,
    int *taken)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_one(db, a, "SELECT 1 FROM organization WHERE slug = $1",
                       1, &slug, &rows);

    *taken = rc == ATHENA_STORE_OK;

    return rc == ATHENA_STORE_NOT_FOUND ? ATHENA_STORE_OK : rc;
}


/* a taken slug is ATHENA_STORE_CONFLICT and leaves the transaction usable */

athena_store_rc_e
athena_org_insert(athena_db_t *db, athena_arena_t *a, const athena_org_t *o)
{
    const char         *p[6];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = o->id;
    p[1] = o->name;
    p[2] = o->slug;
    p[3] = o->logo;
    p[4] = athena_int_text(a, o->created_at);
    p[5] = o->metadata;

    rc = athena_pg_one(db, a,
             "INSERT INTO organization (id, name, slug, logo, \"createdAt\","
             " metadata) VALUES ($1, $2, $3, $4, " ATHENA_TS(5) ", $6)"
             " ON CONFLICT (slug) DO NOTHING RETURNING id",
             6, p, &rows);

    return rc == ATHENA_STORE_NOT_FOUND ? ATHENA_STORE_CONFLICT : rc;
}


/*
 * The fields of set that are not NULL replace the row's, and the logo
 * when set_logo (it may become NULL); *org is the row after. A slug
 * another organization holds is ATHENA_STORE_CONFLICT, by the unique
 * constraint.
 */

athena_store_rc_e
athena_org_update(athena_db_t *db, athena_arena_t *a, const athena_org_t *set,
    int set_logo, athena_org_t *org)
{
    const char         *p[6];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = set->id;
    p[1] = set->name;
    p[2] = set->slug;
    p[3] = set->logo;
    p[4] = set->metadata;
    p[5] = set_logo ? "t" : "f";

    rc = athena_pg_one(db, a,
             "UPDATE organization o SET name = COALESCE($2, o.name),"
             " slug = COALESCE($3, o.slug),"
             " logo = CASE WHEN $6::bool THEN $4 ELSE o.logo END,"
             " metadata = COALESCE($5, o.metadata)"
             " WHERE o.id = $1 RETURNING " ATHENA_ORG_COLS("o"),
             6, p, &rows);

    if (rc == ATHENA_STORE_OK) {
        athena_org_read(rows, 0, org);
    }

    return rc;
}


/*
 * Members, invitations, then the organization (its teams cascade). The
 * sessions that had it active lose it; for the caches, *tokens are
 * theirs and *users the members' users.
 */

athena_store_rc_e
athena_org_delete(athena_db_t *db, athena_arena_t *a, const char *id,
    const char ***tokens, size_t *n, const char ***users, size_t *nusers)
{
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    rc = athena_pg_exec(db, a,
             "UPDATE session SET \"activeOrganizationId\" = NULL"
             " WHERE \"activeOrganizationId\" = $1 RETURNING token",
             1, &id, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *tokens = athena_rows_column(a, rows, 0);
    if (*tokens == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec(db, a,
             "DELETE FROM member WHERE \"organizationId\" = $1"
             " RETURNING \"userId\"",
             1, &id, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *nusers = athena_rows_count(rows);
    *users = athena_rows_column(a, rows, 0);
    if (*users == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec(db, a,
             "DELETE FROM invitation WHERE \"organizationId\" = $1",
             1, &id, NULL);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    return athena_pg_exec(db, a, "DELETE FROM organization WHERE id = $1",
                          1, &id, NULL);
}


/* the organizations user_id is a member of, oldest membership first */

athena_store_rc_e
athena_org_list_of(athena_db_t *db, athena_arena_t *a, const char *user_id,
    int64_t limit, athena_org_t **list, size_t *n)
{
    size_t              i;
    const char         *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = user_id;
    p[1] = athena_int_text(a, limit);

    /*
     * The memberships come in order from one index (migration 020); the
     * planner then joins each to its organization by primary key (a
     * memoized probe) where there are many, or hashes the few. Kept
     * prepared: planning it took 0.47 ms. Postgres spends about 0.25 ms
     * of CPU on it for 50 organizations, where a plain 50-row read costs
     * 0.11 ms and a round trip 0.035 ms: the list is bound by that.
     */
    rc = athena_pg_exec_named(db, a, "athena_org_list_of",
             "SELECT " ATHENA_ORG_COLS("o") " FROM"
             " (SELECT \"organizationId\", \"createdAt\", id FROM member"
             " WHERE \"userId\" = $1 ORDER BY \"createdAt\", id LIMIT $2) m"
             " JOIN organization o ON o.id = m.\"organizationId\""
             " ORDER BY m.\"createdAt\", m.id",
             2, p, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_org_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_org_read(rows, i, &(*list)[i]);
    }

    return ATHENA_STORE_OK;
}


athena_store_rc_e
athena_org_count_of(athena_db_t *db, athena_arena_t *a, const char *user_id,
    int64_t *n)
{
    return athena_pg_count(db, a,
               "SELECT count(*) FROM member WHERE \"userId\" = $1",
               1, &user_id, n);
}


/* members of an organization, or those holding role (trimmed) if given */

athena_store_rc_e
athena_member_count(athena_db_t *db, athena_arena_t *a, const char *org_id,
    const char *role, int64_t *n)
{
    const char  *p[2];

    p[0] = org_id;
    p[1] = role;

    if (role == NULL) {
        return athena_pg_count(db, a,
                   "SELECT count(*) FROM member"
                   " WHERE \"organizationId\" = $1",
                   1, p, n);
    }

    return athena_pg_count(db, a,
               "SELECT count(*) FROM member WHERE \"organizationId\" = $1"
               " AND $2 = ANY (SELECT btrim(r)"
               " FROM unnest(string_to_array(role, ',')) r)",
               2, p, n);
}


/* a member row with its user, by one of: (org, user), (org, email), id */

athena_store_rc_e
athena_member_find(athena_db_t *db, athena_arena_t *a,
    athena_member_by_e by, const char *org_id, const char *key,
    athena_member_t *m)
{
    const char         *sql, *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    switch (by) {
    case ATHENA_MEMBER_BY_USER:
        sql = "SELECT " ATHENA_MEMBER_COLS("m", "u") " FROM member m"
              " JOIN \"user\" u ON u.id = m.\"userId\""
              " WHERE m.\"organizationId\" = $1 AND m.\"userId\" = $2"
              " ORDER BY m.\"createdAt\" LIMIT 1";
        break;

    case ATHENA_MEMBER_BY_EMAIL:
        sql = "SELECT " ATHENA_MEMBER_COLS("m", "u") " FROM member m"
              " JOIN \"user\" u ON u.id = m.\"userId\""
              " WHERE m.\"organizationId\" = $1 AND u.email = $2"
              " ORDER BY m.\"createdAt\" LIMIT 1";
        break;

    default: /* ATHENA_MEMBER_BY_ID */
        sql = "SELECT " ATHENA_MEMBER_COLS("m", "u") " FROM member m"
              " JOIN \"user\" u ON u.id = m.\"userId\""
              " WHERE ($1::text IS NULL OR m.\"organizationId\" = $1)"
              " AND m.id = $2";
        break;
    }

    p[0] = org_id;
    p[1] = key;

    rc = athena_pg_one(db, a, sql, 2, p, &rows);
    if (rc == ATHENA_STORE_OK) {
        athena_member_read(rows, 0, m);
    }

    return rc;
}


athena_store_rc_e
athena_member_insert(athena_db_t *db, athena_arena_t *a,
    const athena_member_t *m)
{
    const char  *p[5];

    p[0] = m->id;
    p[1] = m->organization_id;
    p[2] = m->user_id;
    p[3] = m->role;
    p[4] = athena_int_text(a, m->created_at);

    return athena_pg_exec(db, a,
               "INSERT INTO member (id, \"organizationId\", \"userId\", role,"
               " \"createdAt\") VALUES ($1, $2, $3, $4, " ATHENA_TS(5) ")",
               5, p, NULL);
}


athena_store_rc_e
athena_member_delete(athena_db_t *db, athena_arena_t *a, const char *id)
{
    return athena_pg_exec(db, a, "DELETE FROM member WHERE id = $1",
                          1, &id, NULL);
}


athena_store_rc_e
athena_member_set_role(athena_db_t *db, athena_arena_t *a, const char *id,
    const char *role)
{
    const char  *p[2];

    p[0] = id;
    p[1] = role;

    return athena_pg_exec(db, a, "UPDATE member SET role = $2 WHERE id = $1",
                          2, p, NULL);
}


/*
 * The members other than keep whose roles hold owner become role (an
 * ownership handed on); *users are theirs, for the caches.
 */

athena_store_rc_e
athena_member_demote(athena_db_t *db, athena_arena_t *a, const char *org_id,
    const char *keep, const char *owner, const char *role,
    const char ***users, size_t *n)
{
    const char         *p[4];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = org_id;
    p[1] = keep;
    p[2] = owner;
    p[3] = role;

    rc = athena_pg_exec(db, a,
             "UPDATE member SET role = $4 WHERE \"organizationId\" = $1"
             " AND \"userId\" <> $2"
             " AND $3 = ANY (string_to_array(role, ','))"
             " RETURNING \"userId\"",
             4, p, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *users = athena_rows_column(a, rows, 0);

    return *users ? ATHENA_STORE_OK : ATHENA_STORE_ERROR;
}


/*
 * The user's sessions that have the organization active: their cached
 * identities (the gate's) carry the membership's role.
 */

athena_store_rc_e
athena_member_sessions(athena_db_t *db, athena_arena_t *a,
    const char *org_id, const char *user_id, const char ***tokens, size_t *n)
{
    const char         *p[2];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = user_id;
    p[1] = org_id;

    rc = athena_pg_exec(db, a,
             "SELECT token FROM session"
             " WHERE \"userId\" = $1 AND \"activeOrganizationId\" = $2",
             2, p, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *tokens = athena_rows_column(a, rows, 0);

    return *tokens ? ATHENA_STORE_OK : ATHENA_STORE_ERROR;
}


/* an organization's member count, kept by triggers (migration 016) */
#define ATHENA_ORG_MEMBERS                                                   \
    "coalesce((SELECT c.n FROM athena_member_count c"                        \
    " WHERE c.\"organizationId\" = o.id), 0)"


/*
 * A page of organizations, newest first, each with its member count in
 * members[], for the REST admin API. The search is found in the name or
 * the slug whatever its case, as plain text. Without one, the total is
 * the count kept by triggers (migration 016).
 */

athena_store_rc_e
athena_org_page(athena_db_t *db, athena_arena_t *a, const char *search,
    int64_t limit, int64_t offset, athena_org_t **list, int64_t **members,
    size_t *n, int64_t *total)
{
    size_t              i;
    const char         *p[3];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = search ? athena_where_like(a, "contains", search) : NULL;
    p[1] = athena_int_text(a, limit);
    p[2] = athena_int_text(a, offset);

    if ((search && p[0] == NULL) || p[1] == NULL || p[2] == NULL) {
        return ATHENA_STORE_ERROR;
    }

    /* planned once each; without a search the kept total comes along */
    rc = search
         ? athena_pg_exec_named(db, a, "athena_org_page_search",
               "SELECT " ATHENA_ORG_COLS("o") ", " ATHENA_ORG_MEMBERS
               " FROM organization o"
               " WHERE o.name ILIKE $1 ESCAPE '\\' OR o.slug ILIKE $1"
               " ESCAPE '\\' ORDER BY o.\"createdAt\" DESC, o.id DESC"
               " LIMIT $2 OFFSET $3",
               3, p, &rows)
         : athena_pg_exec_named(db, a, "athena_org_page",
               "SELECT " ATHENA_ORG_COLS("o") ", " ATHENA_ORG_MEMBERS ","
               " (SELECT n FROM athena_organization_count)"
               " FROM organization o ORDER BY o.\"createdAt\" DESC,"
               " o.id DESC LIMIT $1 OFFSET $2",
               2, p + 1, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_org_t));
    *members = athena_calloc(a, (*n + 1) * sizeof(int64_t));
    if (*list == NULL || *members == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_org_read(rows, i, &(*list)[i]);
        (*members)[i] = athena_rows_int(rows, i, 6, 0);
    }

    if (!search && *n > 0) {
        *total = athena_rows_int(rows, 0, 7, 0);
        return ATHENA_STORE_OK;
    }

    return search
           ? athena_pg_count(db, a, "SELECT count(*) FROM organization o"
                             " WHERE o.name ILIKE $1 ESCAPE '\\'"
                             " OR o.slug ILIKE $1 ESCAPE '\\'",
                             1, p, total)
           : athena_pg_count(db, a, "SELECT n FROM athena_organization_count",
                             0, NULL, total);
}


/*
 * A page of an organization's members with their users, and how many
 * match in all. Column and operator come from the caller's whitelist
 * (never from the request); the values travel as parameters.
 */

athena_store_rc_e
athena_member_list(athena_db_t *db, athena_arena_t *a,
    const athena_member_query_t *q, athena_member_t **list, size_t *n,
    int64_t *total)
{
    char               *where, *sql;
    size_t              i;
    const char         *p[4];
    athena_rows_t      *rows;
    athena_store_rc_e   rc;

    p[0] = q->org_id;
    p[1] = q->filter_value;
    p[2] = athena_int_text(a, q->limit);
    p[3] = athena_int_text(a, q->offset);

    /* $2 is the filter's value, or an unused NULL */
    if (q->filter_column == NULL) {
        where = athena_strdup(a, "m.\"organizationId\" = $1"
                                 " AND $2::text IS NULL");

    } else {
        sql = athena_sprintf(a, "m.\"%s\"", q->filter_column);
        where = sql ? athena_sprintf(a, q->filter_sql, sql) : NULL;
        where = where ? athena_sprintf(a, "m.\"organizationId\" = $1 AND %s",
                                       where)
                      : NULL;
    }

    if (where == NULL) {
        return ATHENA_STORE_ERROR;
    }

    sql = athena_sprintf(a,
              "SELECT " ATHENA_MEMBER_COLS("m", "u") " FROM member m"
              " JOIN \"user\" u ON u.id = m.\"userId\" WHERE %s"
              " ORDER BY %s%s%s m.\"createdAt\", m.id LIMIT $3 OFFSET $4",
              where,
              q->sort_column ? "m.\"" : "",
              q->sort_column ? q->sort_column : "",
              q->sort_column ? (q->desc ? "\" DESC," : "\" ASC,") : "");
    if (sql == NULL) {
        return ATHENA_STORE_ERROR;
    }

    rc = athena_pg_exec(db, a, sql, 4, p, &rows);
    if (rc != ATHENA_STORE_OK) {
        return rc;
    }

    *n = athena_rows_count(rows);
    *list = athena_calloc(a, (*n + 1) * sizeof(athena_member_t));
    if (*list == NULL) {
        return ATHENA_STORE_ERROR;
    }

    for (i = 0; i < *n; i++) {
        athena_member_read(rows, i, &(*list)[i]);
    }

    if (total == NULL) {
        return ATHENA_STORE_OK;
    }

    sql = athena_sprintf(a, "SELECT count(*) FROM member m WHERE %s", where);
    if (sql == NULL) {
        return ATHENA_STORE_ERROR;
    }

    return athena_pg_count(db, a, sql, 2, p, total);
}
